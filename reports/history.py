"""The history the site shows: the diff of the two latest runs of the shown run's source, and
each CO2 reporter's points across that source's runs (mining.store.history)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

from mining.store.history import HistoryPoint, RunDiff, latest_pair_diff, model_histories


@dataclass(frozen=True)
class SiteHistory:
    """`diff`: the newest finished run against the one before it (None: no such pair).
    `models`: per model id, its points along the run's series (empty with a single run)."""

    diff: RunDiff | None = None
    models: dict[str, list[HistoryPoint]] = field(default_factory=dict)


def load_history(
    con: duckdb.DuckDBPyConnection, run_id: int, model_ids: Sequence[str]
) -> SiteHistory:
    """The history of run `run_id` (the run the site shows) for the models `model_ids`."""
    diff = latest_pair_diff(con)
    if diff is not None and diff.to_run.run_id != run_id:
        diff = None  # the site shows another run than the newest finished one
    return SiteHistory(diff=diff, models=model_histories(con, run_id, model_ids))
