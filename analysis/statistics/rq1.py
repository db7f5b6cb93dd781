"""RQ1, how models report: who reports CO2, since when, with which tools and which fields."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.figure_specs import drawn
from analysis.findings import Result, insufficient
from analysis.inference import Z_95, binomial_trend, median_trend, month_index, robust_trend
from analysis.population import MODEL_POPULATIONS, Population, PopulationName, Units
from analysis.statistics.unit import statistic
from analysis.vocabulary import UNSPECIFIED

MIN_LISTED_PER_MONTH = 100
"""A month is covered by the listing when the crawl holds at least this many models of it that
do not report: the listing, not the reporters' tag, brought those in."""

PAPER_SKIPPED_MONTHS = 34
"""The paper's share series drops its first 34 month groups and its last one (`.iloc[34:-1]`)."""

MIN_REPORTERS_PER_MONTH = 5
"""A month enters the median-CO2 series with at least this many reporters with an amount > 0."""

CONTEXT_FIELDS = ("source", "training_type", "location", "hardware")


def _month_text(month: pd.Timestamp | None) -> str | None:
    return None if month is None or pd.isna(month) else month.strftime("%Y-%m")


def share_window(population: Population) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last month of the share series (None, None when there is no such window): the
    months the listing covers, from the first to the last month in which the crawl holds at
    least MIN_LISTED_PER_MONTH models that do not report (unless a sensitivity variant forces
    another window)."""
    if population.window is not None:
        return population.window
    dated = population.monthly_of("all").dropna(subset=["month"])
    listed = dated[dated["models"] - dated["reporters"] >= MIN_LISTED_PER_MONTH]
    if listed.empty:
        return None, None
    return listed["month"].min(), listed["month"].max()


def paper_window(population: Population) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The paper's window on this crawl: the month groups of all dated models without the
    first PAPER_SKIPPED_MONTHS and the last one (None when fewer remain than one month)."""
    months = population.monthly_of("all").dropna(subset=["month"])["month"].sort_values()
    kept = months.iloc[PAPER_SKIPPED_MONTHS:-1]
    return (kept.iloc[0], kept.iloc[-1]) if len(kept) else None


def after_window(population: Population, name: PopulationName) -> dict[str, Any]:
    """Models created after the share window and the reporters among them: models the crawl
    holds only because they are tagged reporters, once the listing has ended."""
    _, end = share_window(population)
    dated = population.monthly_of(name).dropna(subset=["month"])
    later = dated[dated["month"] > end] if end is not None else dated.iloc[0:0]
    return {
        "models_after_window": int(later["models"].sum()),
        "reporters_after_window": int(later["reporters"].sum()),
    }


SNAPSHOT_CAVEAT = (
    "The crawl's listing ends with the window's last month; later models are in the crawl only "
    "because their cards report emissions, so any share that includes them is a property of "
    "how the snapshot was built, not of the Hub."
)


def _series_table(rows: pd.DataFrame, in_series: pd.Series) -> pd.DataFrame:
    table = rows.assign(in_series=in_series.to_numpy())
    index = month_index(table.loc[table["in_series"], "month"]) if in_series.any() else None
    table["month_index"] = pd.Series(index, dtype="Int64").reindex(table.index)
    return table.reset_index(drop=True)


@statistic(
    "rq1.share_by_month",
    title="Share of models reporting CO2 by creation month, with its trend",
    question="RQ1",
    test="binomial GLM (logit) of reporting on the creation month",
    populations=MODEL_POPULATIONS,
    figure=drawn("share_trend"),
)
def share_by_month(population: Population, name: PopulationName) -> Result:
    """Share of models reporting CO2 by creation month. Every crawled model of the population
    (all models; AutoTrain models, tagged `autotrain` or `autonlp`; the others) is counted by the
    month of its `createdAt`, and the reporters among them (a CO2 amount in the card metadata or
    its prose). Share = 100 × reporters / models. The window is derived from the listing's
    coverage: from the first to the last month in which the crawl holds at least 100 models
    that do not report (a tag search adds reporters of any month, so only non-reporters show
    what the listing covered). Trend: a binomial GLM with logit link of reporting on the month
    index (months since the window's first month, gaps kept), one Bernoulli trial per model
    (fitted on the monthly counts, the same likelihood), AutoTrain and human models separately
    because AutoTrain's arrival is a step in the pooled series; effect size: the odds ratio per
    month with its 95 % interval. Caveat, stated with the numbers in `details`: the listing of
    the snapshot ends with the window, so every later model in the crawl is there because it
    reports (`models_after_window`, `reporters_after_window`), and a share over all crawled
    models (rq1.share_by_year) overstates reporting; `share_in_window_pct` is the share inside
    the window. Models without a creation date are counted in the details, never dropped
    silently."""
    monthly = population.monthly_of(name)
    dated = monthly.dropna(subset=["month"]).copy()
    undated = monthly[monthly["month"].isna()]
    dated["share_pct"] = 100 * dated["reporters"] / dated["models"]
    start, end = share_window(population)
    in_series = (
        (dated["month"] >= start) & (dated["month"] <= end) & (dated["models"] > 0)
        if start is not None and end is not None
        else pd.Series(False, index=dated.index)
    )
    table = _series_table(dated[["month", "models", "reporters", "share_pct"]], in_series)
    series = table[table["in_series"]]
    models, reporters = int(series["models"].sum()), int(series["reporters"].sum())
    details: dict[str, Any] = {
        "window_first_month": _month_text(start),
        "window_last_month": _month_text(end),
        "window": "forced" if population.window is not None else "derived from the listing",
        "models_in_series": models,
        "reporters_in_series": reporters,
        "undated_models": int(undated["models"].sum()),
        "undated_reporters": int(undated["reporters"].sum()),
        **after_window(population, name),
        "caveat": SNAPSHOT_CAVEAT,
    }
    units = Units(
        rows=models,
        training_runs=None,
        authors=population.model_authors(name, start, end) if start is not None else 0,
    )
    if start is None:
        return insufficient(0, "no month covered by the listing", table=table, **details)
    if models:
        details["share_in_window_pct"] = 100 * reporters / models
    fitted = binomial_trend(series["month_index"], series["reporters"], series["models"])
    if isinstance(fitted, Result):
        return replace(fitted, table=table, units=units, details={**fitted.details, **details})
    result, curve = fitted
    for column in curve.columns:
        table[column] = pd.Series(curve[column].to_numpy(), index=series.index).reindex(table.index)
    return replace(result, table=table, units=units, details={**result.details, **details})


@statistic(
    "rq1.share_by_year",
    title="Share of models reporting CO2 by creation year",
    question="RQ1",
    test="descriptive",
    populations=MODEL_POPULATIONS,
    figure=drawn("years"),
)
def share_by_year(population: Population, name: PopulationName) -> Result:
    """Share of models reporting CO2 by creation year: models and reporters of the population
    summed per calendar year of `createdAt`, plus a row "undated" for models without a creation
    date. The statistic is the overall share over every crawled model of the population, dated
    or not (100 × reporters / models). It is not the Hub's share: models created after the
    listing's window (rq1.share_by_month) are in the crawl only because they report, so the
    details give the share inside the window (`share_in_window_pct`) and the models and
    reporters after it, with the caveat."""
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
    start, end = share_window(population)
    details: dict[str, Any] = {"models": models, "reporters": reporters}
    if start is not None:
        window = monthly[(monthly["month"] >= start) & (monthly["month"] <= end)]
        in_window = int(window["models"].sum())
        details |= {
            "window_first_month": _month_text(start),
            "window_last_month": _month_text(end),
            "share_in_window_pct": 100 * int(window["reporters"].sum()) / in_window
            if in_window
            else None,
            **after_window(population, name),
            "caveat": SNAPSHOT_CAVEAT,
        }
    return Result(
        n=models,
        statistic=share,
        statistic_name="% of models reporting",
        details=details,
        table=table,
        units=Units(
            models,
            None,
            population.model_authors(name, monthly["month"].min(), monthly["month"].max()),
        ),
    )


@statistic(
    "rq1.autotrain_share",
    title="AutoTrain share of CO2 reporters",
    question="RQ1",
    test="descriptive",
    populations=("all",),
    figure=drawn("bars", category="kind", label=""),
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
    figure=drawn("bars", category="source", label="source"),
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
    figure=drawn("bars", category="training_type", label="training type"),
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
    figure=drawn("bars", category="location", label="location"),
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
    figure=drawn("bars", category="hardware", label="hardware"),
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
    figure=drawn("bars", category="domain", label="domain"),
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
    figure=drawn("bars", category="library", label="library"),
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
    figure=drawn("bars", category="field", label="field", top=20),
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
    figure=drawn("bars", category="provenance", label="where the CO2 is stated"),
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
    test="median regression of ln CO2 on the creation month",
    figure=drawn("median_trend"),
)
def median_co2_by_month(population: Population, name: PopulationName) -> Result:
    """Monthly median CO2 of reporters: reporters with an amount > 0 (grams after unit
    conversion; zero and negative amounts have no logarithm and are counted in `non_positive`)
    grouped by creation month. Months enter the series with at least 5 such reporters, up to the
    month before the newest creation month of the crawl (that month may be partial). Trend:
    quantile (median) regression of ln CO2 on the month index (months since the series' first
    month, gaps kept) at model level, one row per reporter of the series, with statsmodels'
    robust sandwich errors; effect size: the ratio of the median per month, exp(slope), with its
    95 % interval. Amounts span eight orders of magnitude, so the trend is fitted on the log
    scale and drawn on it. Robustness (`details.robust`), on the monthly medians of ln CO2:
    Theil-Sen with its interval, Mann-Kendall, and OLS with Newey-West (HAC) errors, since
    months are not independent draws. Summaries: the maximum, mean, last and median of the
    monthly medians (grams)."""
    reporters = population.subset(name)
    all_months = population.monthly_of("all").dropna(subset=["month"])
    rows = reporters.dropna(subset=["co2_g", "month"])
    non_positive = int((rows["co2_g"] <= 0).sum())
    rows = rows[rows["co2_g"] > 0]
    monthly = (
        rows.groupby("month", sort=True)["co2_g"]
        .agg(reporters_with_co2="size", median_co2_g="median")
        .reset_index()
    )
    if all_months.empty:
        return insufficient(0, "no dated models", table=monthly, non_positive=non_positive)
    last = all_months["month"].max() - pd.DateOffset(months=1)
    in_series = (monthly["month"] <= last) & (
        monthly["reporters_with_co2"] >= MIN_REPORTERS_PER_MONTH
    )
    table = _series_table(monthly, in_series)
    series = table[table["in_series"]]
    used = rows[rows["month"].isin(series["month"])]
    index = month_index(pd.concat([series["month"], used["month"]]))
    used_index = index.iloc[len(series) :].to_numpy()
    details: dict[str, Any] = {
        "first_month": _month_text(series["month"].min()) if len(series) else None,
        "last_month": _month_text(series["month"].max()) if len(series) else None,
        "months": len(series),
        "reporters_in_series": len(used),
        "non_positive": non_positive,
    }
    if len(series):
        medians = series["median_co2_g"]
        details |= {
            "max": float(medians.max()),
            "mean": float(medians.mean()),
            "last": float(medians.iloc[-1]),
            "median": float(medians.median()),
        }
    units = population.units(used)
    fitted = median_trend(used_index, np.log(used["co2_g"].to_numpy()))
    if isinstance(fitted, Result):
        return replace(fitted, table=table, units=units, details={**fitted.details, **details})
    result, covariance = fitted
    x = series["month_index"].to_numpy(dtype="float64")
    design = np.column_stack([np.ones(len(x)), x])
    line = design @ np.array([result.details["intercept"], result.statistic])
    se = np.sqrt(np.einsum("ij,jk,ik->i", design, covariance, design))
    for column, values in (
        ("fit_g", np.exp(line)),
        ("fit_low_g", np.exp(line - Z_95 * se)),
        ("fit_high_g", np.exp(line + Z_95 * se)),
    ):
        table[column] = pd.Series(values, index=series.index).reindex(table.index)
    details["robust"] = robust_trend(x, np.log(series["median_co2_g"].to_numpy()))
    return replace(result, table=table, units=units, details={**result.details, **details})
