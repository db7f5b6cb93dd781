"""The lint statistics the report shows: per-rule counts over this crawl's cards (the
`lint_summary` table of the run, from `hubcarbon classify`) and over the 2023 card corpus
(`classifiers/data/lint_corpus_counts.json`, committed by the linter's corpus run)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from reports.database import CLASSIFY, Row
from reports.inputs import Missing

CORPUS_FILE = "lint_corpus_counts.json"
RULE_KEYS = ("code", "name", "severity", "cards", "findings")


@dataclass(frozen=True)
class CorpusCounts:
    """Per-rule counts over a named corpus of cards."""

    source: str
    cards: int
    rules: list[Row]


def lint_counts(summary: list[Row] | None) -> list[Row] | Missing:
    """Rows code, name, severity, cards, findings; a Missing when there are none."""
    if summary:
        return summary
    return Missing("lint statistics over the crawled cards", CLASSIFY)


def corpus_counts() -> CorpusCounts | Missing:
    """The committed corpus counts, or a Missing naming the file."""
    missing = Missing(
        "lint statistics over the 2023 card corpus", None, f"classifiers/data/{CORPUS_FILE}"
    )
    try:
        text = resources.files("classifiers").joinpath("data", CORPUS_FILE).read_text("utf-8")
        document: Any = json.loads(text)
    except (OSError, ValueError):
        return missing
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        return missing
    rules = [
        {key: rule.get(key) for key in RULE_KEYS}
        for rule in document["rules"]
        if isinstance(rule, dict) and isinstance(rule.get("code"), str)
    ]
    cards = document.get("cards")
    return CorpusCounts(
        source=str(document.get("source") or ""),
        cards=cards if isinstance(cards, int) else 0,
        rules=sorted(rules, key=lambda r: str(r["code"])),
    )
