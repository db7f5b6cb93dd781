"""RQ1, how models report: who reports CO2, since when, with which tools and which fields."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

import pandas as pd

from analysis import figures
from analysis.findings import Result, insufficient
from analysis.inference import month_index, ols_trend
from analysis.population import Population, PopulationName
from analysis.statistics.unit import statistic
from analysis.vocabulary import UNSPECIFIED

MIN_MODELS_PER_MONTH = 100
"""The share series starts with the first month in which the crawl holds this many models."""

MIN_POPULATION_MODELS = 20
"""A month of the window enters a population's share series with at least this many models."""

MIN_REPORTERS_PER_MONTH = 5
"""A month enters the median-CO2 series with at least this many reporters with a value."""

CONTEXT_FIELDS = ("source", "training_type", "location", "hardware")


def _month_text(month: pd.Timestamp | None) -> str | None:
    return None if month is None or pd.isna(month) else month.strftime("%Y-%m")


def share_window(population: Population) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last month of the share series (None, None when there is no such window)."""
    dated = population.monthly_of("all").dropna(subset=["month"])
    large = dated[dated["models"] >= MIN_MODELS_PER_MONTH]
    listed = dated[dated["models"] > dated["reporters"]]
    if large.empty or listed.empty:
        return None, None
    start = large["month"].min()
    end = listed["month"].max() - pd.DateOffset(months=1)
    return (start, end) if end >= start else (None, None)


def _series_table(rows: pd.DataFrame, in_series: pd.Series) -> pd.DataFrame:
    table = rows.assign(in_series=in_series.to_numpy())
    index = month_index(table.loc[table["in_series"], "month"]) if in_series.any() else None
    table["month_index"] = pd.Series(index, dtype="Int64").reindex(table.index)
    return table.reset_index(drop=True)


@statistic(
    "rq1.share_by_month",
    title="Share of models reporting CO2 by creation month, with its trend",
    question="RQ1",
    test="OLS of the monthly share on the month index",
    figure=figures.share_trend(),
)
def share_by_month(population: Population, name: PopulationName) -> Result:
    """Share of models reporting CO2 by creation month. Every crawled model of the population
    (all models; AutoTrain models, tagged `autotrain` or `autonlp`; the others) is counted by the
    month of its `createdAt`, and the reporters among them (a CO2 amount in the card metadata or
    its prose). Share = 100 × reporters / models. The series is a window of complete months
    common to all populations: it starts with the first month in which the crawl holds at least
    100 models, and ends with the month before the newest month holding a model that does not
    report (later months lack the listing that gives the denominator, and that month may be
    partial). A month of the window enters a population's series with at least 20 of its
    models. Trend: statsmodels OLS of the monthly share on the month index (months since the
    window's first month, gaps kept) with a constant; the slope is in percentage points per
    month and its two-sided p-value joins the Holm family. Models without a creation date are
    counted in the details, never dropped silently."""
    monthly = population.monthly_of(name)
    dated = monthly.dropna(subset=["month"]).copy()
    undated = monthly[monthly["month"].isna()]
    dated["share_pct"] = 100 * dated["reporters"] / dated["models"]
    start, end = share_window(population)
    in_window = (
        (dated["month"] >= start) & (dated["month"] <= end)
        if start is not None and end is not None
        else pd.Series(False, index=dated.index)
    )
    in_series = in_window & (dated["models"] >= MIN_POPULATION_MODELS)
    table = _series_table(dated[["month", "models", "reporters", "share_pct"]], in_series)
    series = table[table["in_series"]]
    details: dict[str, Any] = {
        "window_first_month": _month_text(start),
        "window_last_month": _month_text(end),
        "models_in_series": int(series["models"].sum()),
        "reporters_in_series": int(series["reporters"].sum()),
        "undated_models": int(undated["models"].sum()),
        "undated_reporters": int(undated["reporters"].sum()),
    }
    if start is None:
        return insufficient(0, "no window of complete months", table=table, **details)
    result = ols_trend(series["month_index"], series["share_pct"], unit="pp", table=table)
    if series.empty:
        return replace(result, details={**result.details, **details})
    details |= {
        "overall_share_pct": 100 * int(series["reporters"].sum()) / int(series["models"].sum()),
        "max_share_pct": float(series["share_pct"].max()),
        "last_share_pct": float(series["share_pct"].iloc[-1]),
        "median_share_pct": float(series["share_pct"].median()),
    }
    return replace(result, details={**result.details, **details})


@statistic(
    "rq1.share_by_year",
    title="Share of models reporting CO2 by creation year",
    question="RQ1",
    test="descriptive",
    figure=figures.years,
)
def share_by_year(population: Population, name: PopulationName) -> Result:
    """Share of models reporting CO2 by creation year: models and reporters of the population
    summed per calendar year of `createdAt`, plus a row "undated" for models without a creation
    date. The statistic is the overall share over every crawled model of the population, dated
    or not (100 × reporters / models)."""
    monthly = population.monthly_of(name)
    years = monthly["month"].dt.year.astype("Int64").astype("str").fillna("undated")
    years = years.where(monthly["month"].notna(), "undated")
    table = (
        monthly.assign(year=years)
        .groupby("year", sort=True)[["models", "reporters"]]
        .sum()
        .reset_index()
    )
    table["share_pct"] = 100 * table["reporters"] / table["models"]
    models, reporters = int(table["models"].sum()), int(table["reporters"].sum())
    if models == 0:
        return insufficient(0, "no models crawled", table=table)
    share = 100 * reporters / models
    return Result(
        n=models,
        statistic=share,
        statistic_name="% of models reporting",
        details={"models": models, "reporters": reporters},
        table=table,
    )


@statistic(
    "rq1.autotrain_share",
    title="AutoTrain share of CO2 reporters",
    question="RQ1",
    test="descriptive",
    populations=("all",),
    figure=partial(figures.bars, category="kind", label=""),
)
def autotrain_share(population: Population, name: PopulationName) -> Result:
    """Share of CO2 reporters made with AutoTrain: a model is an AutoTrain model when its tags
    contain `autotrain` or `autonlp` (a boolean derived from the crawled tags, not the card's
    `source` text). Statistic: 100 × AutoTrain reporters / reporters."""
    reporters = population.subset(name)
    n = len(reporters)
    if n == 0:
        return insufficient(0, "no reporters")
    counts = reporters["autotrain"].map({True: "AutoTrain", False: "other (human)"})
    table = _category_table(counts, "kind", n)
    count = int(reporters["autotrain"].sum())
    return Result(
        n=n,
        statistic=100 * count / n,
        statistic_name="% AutoTrain",
        details={"autotrain": count, "reporters": n},
        table=table,
    )


def _category_table(values: pd.Series, column: str, n: int) -> pd.DataFrame:
    counts = values.value_counts(sort=False).rename("reporters").rename_axis(column)
    table = counts.reset_index().sort_values(["reporters", column], ascending=[False, True])
    table["share_pct"] = 100 * table["reporters"] / n
    return table.reset_index(drop=True)


def _breakdown(values: pd.Series, column: str, unstated: object) -> Result:
    """Reporters per category; statistic: % of reporters whose category is stated."""
    n = len(values)
    if n == 0:
        return insufficient(0, "no reporters")
    table = _category_table(values, column, n)
    stated = int((values != unstated).sum())
    return Result(
        n=n,
        statistic=100 * stated / n,
        statistic_name="% stated",
        details={"stated": stated, "categories": int(values[values != unstated].nunique())},
        table=table,
    )


@statistic(
    "rq1.reporters_by_source",
    title="CO2 reporters by source of the estimate",
    question="RQ1",
    test="descriptive",
    figure=partial(figures.bars, category="source", label="source"),
)
def reporters_by_source(population: Population, name: PopulationName) -> Result:
    """Reporters by the source of their CO2 estimate, one class each, in this order of
    precedence: AutoTrain (tag `autotrain` or `autonlp`); CodeCarbon (the card's
    `co2_eq_emissions.source` mentions "codecarbon" or "code carbon"); ML CO2 calculator
    ("mlco2", "ML CO2"); other (any other stated source); unspecified. Statistic: % of reporters
    whose source is not unspecified."""
    values = population.subset(name)["source_class"]
    return _breakdown(values, "source", "unspecified")


@statistic(
    "rq1.reporters_by_training_type",
    title="CO2 reporters by training type",
    question="RQ1",
    test="descriptive",
    figure=partial(figures.bars, category="training_type", label="training type"),
)
def reporters_by_training_type(population: Population, name: PopulationName) -> Result:
    """Reporters by training type, from the card's `co2_eq_emissions.training_type`, with one
    mapping used everywhere: text naming both pre-training and fine-tuning → both; "fine-tun…"
    → fine-tuning; "pre-train…"/"pretrain…" → pre-training; any other text → other; none →
    unspecified. Statistic: % of reporters whose training type is stated."""
    values = population.subset(name)["training_class"]
    return _breakdown(values, "training_type", "unspecified")


@statistic(
    "rq1.reporters_by_location",
    title="CO2 reporters by geographical location",
    question="RQ1",
    test="descriptive",
    figure=partial(figures.bars, category="location", label="location"),
)
def reporters_by_location(population: Population, name: PopulationName) -> Result:
    """Reporters by the geographical location of training: the metadata's
    `geographical_location`, else the card's "Compute Region:" line, as written (trimmed);
    "unspecified" when neither is given. Statistic: % of reporters stating a location."""
    values = population.subset(name)["location"].fillna("unspecified")
    return _breakdown(values, "location", "unspecified")


@statistic(
    "rq1.reporters_by_hardware",
    title="CO2 reporters by hardware",
    question="RQ1",
    test="descriptive",
    figure=partial(figures.bars, category="hardware", label="hardware"),
)
def reporters_by_hardware(population: Population, name: PopulationName) -> Result:
    """Reporters by the hardware used for training: the metadata's `hardware_used`, else the
    card's "Hardware Type:" line, as written (trimmed); "unspecified" when neither is given.
    Statistic: % of reporters stating the hardware."""
    values = population.subset(name)["hardware"].fillna("unspecified")
    return _breakdown(values, "hardware", "unspecified")


@statistic(
    "rq1.reporters_by_domain",
    title="CO2 reporters by application domain",
    question="RQ1",
    test="descriptive",
    figure=partial(figures.bars, category="domain", label="domain"),
)
def reporters_by_domain(population: Population, name: PopulationName) -> Result:
    """Reporters by application domain. Each tag of the model and its pipeline tag (lower case,
    spaces as dashes) is looked up in the union of `task_to_domain`, `model_to_domain` and
    `concepts_to_domain` of the paper's tags metadata. No match: Not Specified. One domain: that
    domain. Several: NLP when `feature-extraction` is among the matched tags and there are
    exactly two domains; else Multimodal when it is among them; else the domain supported by
    the most matching tags, ties broken by the fixed order NLP, Computer Vision, Audio,
    Multimodal, Reinforcement Learning (deterministic, unlike the original's set order). Every
    candidate domain is kept with the reporter (`domain_candidates`). Statistic: % of reporters
    with a domain."""
    reporters = population.subset(name)
    values = reporters["domain"].fillna(UNSPECIFIED)
    result = _breakdown(values, "domain", UNSPECIFIED)
    multi = int((reporters["domain_candidates"].map(len) > 1).sum())
    return replace(result, details={**result.details, "multi_domain": multi})


@statistic(
    "rq1.reporters_by_library",
    title="CO2 reporters by library",
    question="RQ1",
    test="descriptive",
    figure=partial(figures.bars, category="library", label="library"),
)
def reporters_by_library(population: Population, name: PopulationName) -> Result:
    """Reporters by library: the union of the model's `library_name` and its tags found in the
    `libraries` list of the paper's tags metadata (a model may name several, so shares add up to
    more than 100 %); "unspecified" for a reporter naming none. Statistic: % of reporters naming
    at least one library."""
    reporters = population.subset(name)
    n = len(reporters)
    if n == 0:
        return insufficient(0, "no reporters")
    named = reporters["libraries"].map(len) > 0
    exploded = reporters.loc[named, "libraries"].explode()
    values = pd.concat([exploded, pd.Series(["unspecified"] * int((~named).sum()), dtype="object")])
    table = _category_table(values.astype("str"), "library", n)
    return Result(
        n=n,
        statistic=100 * int(named.sum()) / n,
        statistic_name="% stated",
        details={"stated": int(named.sum()), "categories": int(exploded.nunique())},
        table=table,
    )


@statistic(
    "rq1.field_completeness",
    title="Completeness of the co2_eq_emissions fields among reporters",
    question="RQ1",
    test="descriptive",
    figure=partial(figures.bars, category="field", label="field", top=20),
)
def field_completeness(population: Population, name: PopulationName) -> Result:
    """Completeness of each field among reporters: a readable CO2 amount (grams after unit
    conversion), a plausible one (> 0; zero and negative amounts stay reports but are flagged
    implausible), source, training type, geographical location, hardware, hours, cloud
    provider, the datasets named in the card, the `pytorch_model.bin` size and the parameter
    count. Statistic: % of reporters stating at least one context field (source, training type,
    location or hardware)."""
    reporters = population.subset(name)
    n = len(reporters)
    if n == 0:
        return insufficient(0, "no reporters")
    present = {
        "co2 amount readable": reporters["co2_g"].notna(),
        "co2 amount > 0": reporters["co2_g"] > 0,
        "source": reporters["source"].fillna("").str.strip() != "",
        "training_type": reporters["training_class"] != "unspecified",
        "geographical_location": reporters["location"].notna(),
        "hardware_used": reporters["hardware"].notna(),
        "hours": reporters["hours"].notna(),
        "cloud_provider": reporters["cloud_provider"].notna(),
        "datasets": reporters["n_datasets"] > 0,
        "model size (bytes)": reporters["pytorch_model_bytes"].notna(),
        "parameters": reporters["parameters"].notna(),
    }
    table = pd.DataFrame(
        {
            "field": list(present),
            "reporters": [int(mask.sum()) for mask in present.values()],
        }
    )
    table["share_pct"] = 100 * table["reporters"] / n
    context = present["source"] | present["training_type"]
    context |= present["geographical_location"] | present["hardware_used"]
    implausible = int((reporters["co2_g"] <= 0).sum())
    return Result(
        n=n,
        statistic=100 * int(context.sum()) / n,
        statistic_name="% with a context field",
        details={"with_context": int(context.sum()), "implausible_co2": implausible},
        table=table,
    )


@statistic(
    "rq1.metadata_vs_prose",
    title="Reporting in the card metadata versus in the prose only",
    question="RQ1",
    test="descriptive",
    figure=partial(figures.bars, category="provenance", label="where the CO2 is stated"),
)
def metadata_vs_prose(population: Population, name: PopulationName) -> Result:
    """Where reporters state their CO2: in the card metadata (`co2_eq_emissions`) or only in
    the card prose (e.g. a "Carbon Emitted:" line of the card template). Statistic: % of
    reporters stating it in the prose only."""
    reporters = population.subset(name)
    n = len(reporters)
    if n == 0:
        return insufficient(0, "no reporters")
    table = _category_table(reporters["provenance"], "provenance", n)
    prose = int((reporters["provenance"] == "prose").sum())
    return Result(
        n=n,
        statistic=100 * prose / n,
        statistic_name="% prose only",
        details={"prose": prose, "metadata": n - prose},
        table=table,
    )


@statistic(
    "rq1.median_co2_by_month",
    title="Monthly median CO2 of reporters, with its trend",
    question="RQ1",
    test="OLS of the monthly median on the month index",
    figure=figures.median_trend(),
)
def median_co2_by_month(population: Population, name: PopulationName) -> Result:
    """Monthly median CO2 of reporters: reporters with a readable amount (grams after unit
    conversion, zero kept) grouped by creation month, median per month (computed in DuckDB).
    Months enter the series with at least 5 such reporters, up to the month before the newest
    creation month of the crawl (that month may be partial). Trend: statsmodels OLS of the
    monthly median (grams) on the month index (months since the series' first month, gaps
    kept) with a constant; the slope's two-sided p-value joins the Holm family. Summaries: the
    maximum, mean, last and median of the monthly medians."""
    monthly = population.monthly_of(name)
    all_months = population.monthly_of("all").dropna(subset=["month"])
    dated = monthly.dropna(subset=["month"])
    dated = dated[dated["reporters_with_co2"] > 0]
    columns = ["month", "reporters_with_co2", "median_co2_g"]
    if all_months.empty:
        return insufficient(0, "no dated models", table=dated[columns])
    last = all_months["month"].max() - pd.DateOffset(months=1)
    in_series = (dated["month"] <= last) & (dated["reporters_with_co2"] >= MIN_REPORTERS_PER_MONTH)
    table = _series_table(dated[columns], in_series)
    series = table[table["in_series"]]
    result = ols_trend(series["month_index"], series["median_co2_g"], unit="g", table=table)
    details: dict[str, Any] = {
        "first_month": _month_text(series["month"].min()) if len(series) else None,
        "last_month": _month_text(series["month"].max()) if len(series) else None,
        "reporters_in_series": int(series["reporters_with_co2"].sum()),
    }
    if len(series):
        medians = series["median_co2_g"]
        details |= {
            "max": float(medians.max()),
            "mean": float(medians.mean()),
            "last": float(medians.iloc[-1]),
            "median": float(medians.median()),
        }
    return replace(result, details={**result.details, **details})
