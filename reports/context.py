"""Everything the pages render from, read once per build."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports.database import Derived, Row, RunInfo
from reports.documents import Findings
from reports.inputs import Missing


@dataclass
class SiteContext:
    """The inputs of one build. Optional inputs are either present or a `Missing`."""

    run: RunInfo
    reporters: list[Row]
    rows: list[dict[str, Any]]  # leaderboard rows, by model id
    derived: Derived
    findings: Findings | Missing
    replication: dict[str, Any] | Missing
    domain: Missing | None  # Missing when no domain mapping is available
    lint_counts: list[Row] | Missing  # per-rule counts over the corpus
    snapshot: list[tuple[str, str]]  # facts about the crawled snapshot
    model_pages: dict[str, str] = field(default_factory=dict)  # model id -> models/<slug>.html
    slugs: dict[str, str] = field(default_factory=dict)  # model id -> slug (badges, pages)
    progress: bool | None = False  # show progress bars (None: only on a terminal)

    @property
    def notices(self) -> list[Missing]:
        """Every missing input, in a fixed order."""
        found: list[Missing] = []
        if self.domain is not None:
            found.append(self.domain)
        found.extend(self.derived.missing[name] for name in sorted(self.derived.missing))
        for value in (self.findings, self.replication, self.lint_counts):
            if isinstance(value, Missing):
                found.append(value)
        return found
