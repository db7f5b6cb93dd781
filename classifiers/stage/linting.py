"""The grading stage's use of the linter: findings of every crawled card, counts per rule.

Each card is parsed once; the rules run on that parsed card (`classifiers.lint.lint_card`), so
the findings are the ones `hubcarbon lint README.md` reports with the default configuration.
A card over the linter's size limit goes through `lint_text`, which refuses it (HC006).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from classifiers.lint import RULES, Finding, lint_card, lint_text
from classifiers.lint.engine import MAX_CARD_BYTES
from mining.cards.card import ParsedCard

FINDING_COLUMNS: tuple[str, ...] = (
    "model_id",
    "code",
    "name",
    "severity",
    "line",
    "column",
    "message",
    "fixable",
)
SUMMARY_COLUMNS: tuple[str, ...] = ("code", "name", "severity", "cards", "findings")


def lint_parsed(card: ParsedCard) -> list[Finding]:
    """The findings of a parsed card, as `lint_text(card.text)` gives them."""
    if len(card.text) > MAX_CARD_BYTES:
        return lint_text(card.text, path="README.md")
    return lint_card(card, path="README.md")


def finding_rows(model_id: str, findings: list[Finding]) -> list[dict[str, Any]]:
    """lint_findings rows (without run_id) for one card's findings; `fixable` is true when
    `--fix` or `--unsafe-fixes` can fix the finding."""
    return [
        {
            "model_id": model_id,
            "code": f.code,
            "name": f.name,
            "severity": str(f.severity),
            "line": f.line,
            "column": f.column,
            "message": f.message,
            "fixable": f.fixable is not None,
        }
        for f in findings
    ]


def summary(findings: pd.DataFrame) -> pd.DataFrame:
    """lint_summary rows (without run_id): per registered rule, in registry order, the cards
    with at least one finding and the findings in all (0 when the rule never fired)."""
    by_code = findings.groupby("code")["model_id"]
    cards = by_code.nunique().to_dict()
    total = by_code.size().to_dict()
    return pd.DataFrame(
        [
            {
                "code": rule.code,
                "name": rule.name,
                "severity": str(rule.severity),
                "cards": int(cards.get(rule.code, 0)),
                "findings": int(total.get(rule.code, 0)),
            }
            for rule in RULES
        ],
        columns=list(SUMMARY_COLUMNS),
    )
