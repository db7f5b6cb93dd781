"""The whole 25,109-card corpus lints with zero HC000 and no exception, and gives exactly the
per-rule counts committed in classifiers/data/lint_corpus_counts.json."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from classifiers.lint import RULES, Finding
from classifiers.lint.corpus import committed_counts, lint_corpus, snapshot_cards

CORPUS_CARDS = 25_109


def test_committed_counts_cover_every_rule() -> None:
    document = committed_counts()
    assert document["version"] == 1 and document["cards"] == CORPUS_CARDS
    rules = document["rules"]
    assert isinstance(rules, list)
    assert [r["code"] for r in rules] == sorted(RULES.ids())
    by_code = {r["code"]: r for r in rules}
    assert by_code["HC000"]["findings"] == 0
    for row in rules:
        assert 0 <= row["cards"] <= row["findings"]
        assert row["name"] == RULES[row["code"]].name
    # about 2 % of the 2023 cards state co2_eq_emissions (485 in the fixtures' manifest)
    assert CORPUS_CARDS - by_code["HC100"]["cards"] - by_code["HC001"]["cards"] < 1000


def test_lint_corpus_counts_cards_and_findings() -> None:
    texts = [("a", "---\nlicense: mit\n---\n"), ("b", "# no metadata\n"), ("c", "")]
    seen: dict[str, list[Finding]] = {}
    counts = lint_corpus(texts, on_card=lambda name, found: seen.setdefault(name, found))
    assert set(seen) == {"a", "b", "c"}
    assert counts["HC100"].cards == 3 and counts["HC200"].cards == 2
    assert counts["HC001"].findings == 2 and counts["HC000"].findings == 0


@pytest.mark.slow
def test_whole_corpus_has_no_internal_error_and_matches_the_committed_counts() -> None:
    cards = list(snapshot_cards())
    assert len(cards) == CORPUS_CARDS
    counts = lint_corpus(cards)  # an exception escaping here fails the test
    assert counts["HC000"].findings == 0
    assert [asdict(c) for c in counts.values()] == committed_counts()["rules"]
