"""Linting a corpus of cards: per-rule counts (the `lint_summary` the report shows).

    lint_corpus(texts: Iterable[tuple[str, str]]) -> dict[str, RuleCount]

`texts` yields (model id or path, README text); the result has one entry per registered rule,
in code order, counting the cards with at least one finding of the rule and all its findings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from importlib import resources

from classifiers.lint.config import LintConfig
from classifiers.lint.engine import lint_text
from classifiers.lint.findings import Finding
from classifiers.lint.registry import RULES
from mining.snapshot.reader import Snapshot, open_snapshot

CORPUS_ORIGIN = "hf_modelcards_2023"
COUNTS_FILE = "lint_corpus_counts.json"


@dataclass
class RuleCount:
    """One rule's counts over a corpus: cards with a finding, and findings."""

    code: str
    name: str
    severity: str
    cards: int = 0
    findings: int = 0


def lint_corpus(
    texts: Iterable[tuple[str, str]],
    config: LintConfig | None = None,
    *,
    on_card: Callable[[str, list[Finding]], None] | None = None,
) -> dict[str, RuleCount]:
    """Lint every card; `on_card(name, findings)` sees each card's findings (e.g. to store
    them). Rules disabled by `config` keep zero counts."""
    counts = {
        unit.code: RuleCount(unit.code, unit.name, str(unit.severity))
        for unit in sorted(RULES, key=lambda r: r.code)
    }
    for name, text in texts:
        findings = lint_text(text, "README.md", config)
        if on_card is not None:
            on_card(name, findings)
        for code in {f.code for f in findings}:
            counts[code].cards += 1
        for finding in findings:
            counts[finding.code].findings += 1
    return counts


def counts_json(counts: dict[str, RuleCount], cards: int, source: str) -> dict[str, object]:
    """The document tools/lint_corpus.py writes to classifiers/data/lint_corpus_counts.json:
    `{"version": 1, "source", "cards", "rules": [{code, name, severity, cards, findings}]}`."""
    return {
        "version": 1,
        "source": source,
        "cards": cards,
        "rules": [asdict(c) for c in counts.values()],
    }


def snapshot_cards(snapshot: Snapshot | None = None) -> Iterator[tuple[str, str]]:
    """(model id, README text) of every real 2023 card in the snapshot (the embedded one by
    default): the 25,109-card corpus."""
    snapshot = snapshot or open_snapshot()
    for record in snapshot:
        if record.card_origin == CORPUS_ORIGIN:
            text = snapshot.readme(record)
            if text is not None:
                yield record.id, text


def committed_counts() -> dict[str, object]:
    """classifiers/data/lint_corpus_counts.json as committed (written by tools/lint_corpus.py)."""
    path = resources.files("classifiers").joinpath("data", COUNTS_FILE)
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{COUNTS_FILE} is not a JSON object")
    return loaded
