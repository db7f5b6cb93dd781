"""Hostile cards cost the linter milliseconds, and its work grows linearly with them.

The two cards are made-up, as the issue describes them: a 4 KB card whose Carbon Emitted line is
`[` and 4,000 spaces (148 s to lint before the card parser's patterns were made linear), and a
quoted CO2 value padded with 2,000 spaces (7 s).
"""

from __future__ import annotations

import time

from growth import LINEAR_RATIO, growth_ratio

from classifiers.lint import lint_text

PAD = " "


def _padded_carbon_emitted(n: int) -> str:
    return (
        "---\nlicense: mit\n---\n# Model\n\n## Environmental Impact\n\n"
        "- **Hardware Type:** A100\n- **Carbon Emitted:** [" + PAD * n + "x\n"
    )


def _padded_quoted_co2(n: int) -> str:
    return f'---\nlicense: mit\nco2_eq_emissions:\n  emissions: "12{PAD * n}x"\n---\n# Model\n'


def _codes_and_seconds(text: str) -> tuple[set[str], float]:
    start = time.perf_counter()
    codes = {finding.code for finding in lint_text(text)}
    return codes, time.perf_counter() - start


def test_padded_carbon_emitted_card_lints_quickly() -> None:
    codes, seconds = _codes_and_seconds(_padded_carbon_emitted(4_000))
    assert "HC100" in codes  # co2-missing: the line holds no amount
    assert seconds < 1.0  # generous: it takes milliseconds


def test_padded_quoted_co2_card_lints_quickly() -> None:
    codes, seconds = _codes_and_seconds(_padded_quoted_co2(2_000))
    assert "HC101" in codes  # co2-not-numeric
    assert seconds < 1.0


def test_lint_grows_linearly_on_hostile_cards() -> None:
    assert growth_ratio(lint_text, _padded_carbon_emitted, 1_000) < LINEAR_RATIO
    assert growth_ratio(lint_text, _padded_quoted_co2, 500) < LINEAR_RATIO
