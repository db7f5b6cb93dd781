"""RQ1 over crawls: the share of models reporting CO2 in each crawl run of one source, by crawl
date (not by creation month), with a simple trend."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.findings import EffectSize, Result, insufficient
from analysis.population import Population, PopulationName
from analysis.statistics.unit import statistic

DAYS_PER_MONTH = 365.25 / 12
MIN_SPAN_DAYS = 1.0
"""The runs must span at least this long for a slope per month to mean anything."""


def runs_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run: when it crawled, its models, its reporters, the share, and the months
    since the first run."""
    if runs.empty:
        return pd.DataFrame(
            columns=["run_id", "crawled_at", "models", "reporters", "share_pct", "months"]
        )
    table = runs[["run_id", "crawled_at", "models", "reporters"]].copy()
    table["crawled_at"] = pd.to_datetime(table["crawled_at"])
    table["share_pct"] = 100 * table["reporters"] / table["models"]
    elapsed = table["crawled_at"] - table["crawled_at"].min()
    table["months"] = elapsed.dt.total_seconds() / 86_400 / DAYS_PER_MONTH
    return table.reset_index(drop=True)


@statistic(
    "rq1.share_by_run",
    title="Share of models reporting CO2 per crawl run, with its trend",
    question="RQ1",
    test="change from the first to the last run; least-squares slope over crawl dates",
    populations=("all",),
)
def share_by_run(population: Population, name: PopulationName) -> Result:
    """Share of models reporting CO2 in each crawl run, by crawl date. The runs are the
    finished crawls of the analysed run's source and scope up to it (the series
    `hubcarbon diff` compares: the same snapshot file or the same endpoint, the same crawl
    options), and the analysed run itself. Per run: the models it listed and the reporters
    among them (an emissions row: the card states emissions); share = 100 × reporters /
    models. The statistic is the change in share from the first to the last run in
    percentage points; the trend is the least-squares slope of the share on the months since
    the first run (numpy polyfit, degree 1), given when the runs span at least a day. It is
    descriptive: the runs picture the same models again and again, so no p-value is computed
    and it stays out of the Holm family. A database with a single run of the source gives
    `insufficient_data`: crawl the same source again later."""
    table = runs_table(population.runs)
    if len(table) < 2:
        return insufficient(
            len(table),
            "a single crawl run of this source and scope: the share over time needs two or "
            "more (crawl the same source again later)",
            table=table,
        )
    first, last = table.iloc[0], table.iloc[-1]
    change = float(last["share_pct"] - first["share_pct"])
    span_days = float(table["months"].iloc[-1]) * DAYS_PER_MONTH
    details: dict[str, object] = {
        "runs": len(table),
        "first_run": int(first["run_id"]),
        "last_run": int(last["run_id"]),
        "first_share_pct": float(first["share_pct"]),
        "last_share_pct": float(last["share_pct"]),
        "span_days": span_days,
    }
    slope = None
    if span_days >= MIN_SPAN_DAYS:
        slope = float(np.polyfit(table["months"], table["share_pct"], 1)[0])
    else:
        details["slope_note"] = "the runs span less than a day: no slope per month"
    return Result(
        n=len(table),
        statistic=change,
        statistic_name="change in share (pp, first to last run)",
        effect_size=None if slope is None else EffectSize("slope (pp per month)", slope),
        details=details,
        table=table,
    )
