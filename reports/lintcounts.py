"""The per-rule lint counts over the crawled corpus that the report shows: the `lint_summary`
table of the run when `hubcarbon classify` filled it."""

from __future__ import annotations

from reports.database import CLASSIFY, Row
from reports.inputs import Missing


def lint_counts(summary: list[Row] | None) -> list[Row] | Missing:
    """Rows code, name, severity, cards, findings; a Missing when there are none."""
    if summary:
        return summary
    return Missing("lint statistics over the corpus", CLASSIFY)
