"""The registered statistics of RQ1 and RQ2 (`STATISTICS`, ids `rq1.*` and `rq2.*`), in the
order findings.json lists them."""

from __future__ import annotations

from analysis.statistics import family, rq1, rq1_runs, rq2, sensitivity
from analysis.statistics.unit import STATISTICS, Statistic, statistic

__all__ = [
    "STATISTICS",
    "Statistic",
    "family",
    "rq1",
    "rq1_runs",
    "rq2",
    "sensitivity",
    "statistic",
]
