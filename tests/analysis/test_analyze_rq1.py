"""RQ1 findings checked against values recomputed with pandas and numpy from the raw crawl
tables (models, emissions), never from the analysis' own intermediate results."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

Crawled = Any  # tests/analysis/conftest.py: a crawled database and its analysis


def manual_ols(x: Any, y: Any) -> tuple[float, float, float]:
    """Slope, intercept and two-sided p of the slope, by the textbook formulas."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    sxx = ((x - x.mean()) ** 2).sum()
    slope = ((x - x.mean()) * (y - y.mean())).sum() / sxx
    intercept = y.mean() - slope * x.mean()
    residuals = y - intercept - slope * x
    se = math.sqrt((residuals**2).sum() / (n - 2) / sxx)
    return slope, intercept, float(2 * stats.t.sf(abs(slope / se), n - 2))


def _autotrain(tags: Any) -> bool:
    return any(str(t).lower() in ("autotrain", "autonlp") for t in ([] if tags is None else tags))


def _models(crawl: Crawled) -> pd.DataFrame:
    models = crawl.models.copy()
    models["month"] = models["created_at"].dt.to_period("M")
    models["autotrain"] = models["tags"].map(_autotrain)
    models["reporter"] = models["model_id"].isin(crawl.emissions["model_id"])
    return models


def _table(crawl: Crawled, unit_id: str, population: str = "all") -> pd.DataFrame:
    table = pd.read_csv(crawl.out / "analysis" / f"{unit_id}.csv")
    return table[table["population"] == population].reset_index(drop=True)


def test_share_by_year_from_raw_tables(sample_crawl: Crawled) -> None:
    models = _models(sample_crawl)
    for population, rows in (
        ("all", models),
        ("autotrain", models[models["autotrain"]]),
        ("human", models[~models["autotrain"]]),
    ):
        years = rows["created_at"].dt.year.astype("Int64").astype(str).replace("<NA>", "undated")
        expected = rows.groupby(years)["reporter"].agg(["size", "sum"])
        table = _table(sample_crawl, "rq1.share_by_year", population).set_index("year")
        table.index = table.index.astype(str)
        assert list(table.index) == list(expected.index)
        assert list(table["models"]) == list(expected["size"])
        assert list(table["reporters"]) == list(expected["sum"])
        finding = sample_crawl.finding("rq1.share_by_year", population)
        assert finding["n"] == len(rows)
        assert finding["statistic"] == pytest.approx(100 * rows["reporter"].sum() / len(rows))


def test_share_by_month_table_and_missing_window(sample_crawl: Crawled) -> None:
    """The newest 5,000 models: every month after 2022-09 holds reporters only, so no month
    is complete and the trend is not computed, but the monthly table still is."""
    models = _models(sample_crawl)
    expected = models.groupby("month")["reporter"].agg(["size", "sum"])
    table = _table(sample_crawl, "rq1.share_by_month")
    assert list(table["models"]) == list(expected["size"])
    assert list(table["reporters"]) == list(expected["sum"])
    assert np.allclose(table["share_pct"], 100 * expected["sum"] / expected["size"])
    finding = sample_crawl.finding("rq1.share_by_month")
    assert finding["status"] == "insufficient_data"
    assert finding["statistic"] is None and finding["p"] is None and finding["p_holm"] is None
    assert finding["note"] == "no window of complete months"
    assert not table["in_series"].any()


@pytest.mark.slow
@pytest.mark.parametrize("population", ["all", "human"])
def test_share_trend_recomputed(listing_crawl: Crawled, population: str) -> None:
    models = _models(listing_crawl)
    monthly_all = models.groupby("month")["reporter"].agg(["size", "sum"])
    start = monthly_all.index[monthly_all["size"] >= 100].min()
    end = monthly_all.index[monthly_all["size"] > monthly_all["sum"]].max() - 1
    rows = models if population == "all" else models[~models["autotrain"]]
    monthly = rows.groupby("month")["reporter"].agg(["size", "sum"])
    series = monthly[(monthly.index >= start) & (monthly.index <= end) & (monthly["size"] >= 20)]
    index = [(month - series.index[0]).n for month in series.index]
    slope, intercept, p = manual_ols(index, 100 * series["sum"] / series["size"])
    finding = listing_crawl.finding("rq1.share_by_month", population)
    assert finding["status"] == "ok"
    assert finding["n"] == len(series) >= 20
    assert finding["statistic"] == pytest.approx(slope)
    assert finding["details"]["intercept"] == pytest.approx(intercept)
    assert finding["p"] == pytest.approx(p)
    assert finding["details"]["window_first_month"] == str(start)
    assert finding["details"]["window_last_month"] == str(end)
    assert finding["details"]["undated_models"] == int(rows["created_at"].isna().sum())
    low, high = finding["ci"]
    assert low < slope < high


@pytest.mark.parametrize("population", ["all", "autotrain", "human"])
def test_median_co2_trend_recomputed(co2_crawl: Crawled, population: str) -> None:
    models = _models(co2_crawl)
    last = models["month"].max() - 1
    merged = co2_crawl.emissions.merge(models, on="model_id")
    if population != "all":
        merged = merged[merged["autotrain"] == (population == "autotrain")]
    merged = merged[merged["co2_g"].notna()]
    medians = merged.groupby("month")["co2_g"].agg(["median", "size"])
    series = medians[(medians.index <= last) & (medians["size"] >= 5)]
    finding = co2_crawl.finding("rq1.median_co2_by_month", population)
    assert finding["n"] == len(series)
    if len(series) < 6:
        assert finding["status"] == "insufficient_data"
        return
    index = [(month - series.index[0]).n for month in series.index]
    slope, _, p = manual_ols(index, series["median"])
    assert finding["statistic"] == pytest.approx(slope)
    assert finding["p"] == pytest.approx(p)
    details = finding["details"]
    assert details["max"] == pytest.approx(series["median"].max())
    assert details["mean"] == pytest.approx(series["median"].mean())
    assert details["last"] == pytest.approx(series["median"].iloc[-1])
    assert details["median"] == pytest.approx(series["median"].median())
    assert details["first_month"] == str(series.index[0])


def test_autotrain_share_and_sources(sample_crawl: Crawled) -> None:
    reporters = sample_crawl.emissions.merge(sample_crawl.models, on="model_id")
    autotrain = int(reporters["tags"].map(_autotrain).sum())
    finding = sample_crawl.finding("rq1.autotrain_share")
    assert finding["n"] == len(reporters)
    assert finding["statistic"] == pytest.approx(100 * autotrain / len(reporters))
    table = _table(sample_crawl, "rq1.reporters_by_source").set_index("source")
    assert table.loc["AutoTrain", "reporters"] == autotrain
    assert table["reporters"].sum() == len(reporters)
    unspecified = table["reporters"].get("unspecified", 0)
    source = sample_crawl.finding("rq1.reporters_by_source")
    assert source["statistic"] == pytest.approx(
        100 * (len(reporters) - unspecified) / len(reporters)
    )


def test_field_completeness_from_raw_emissions(co2_crawl: Crawled) -> None:
    emissions = co2_crawl.emissions
    stated = {
        "co2 amount readable": emissions["co2_g"].notna().sum(),
        "co2 amount > 0": (emissions["co2_g"] > 0).sum(),
        "geographical_location": emissions["geographical_location"]
        .fillna("")
        .str.strip()
        .ne("")
        .sum(),
        "hardware_used": emissions["hardware_used"].fillna("").str.strip().ne("").sum(),
        "hours": emissions["hours"].notna().sum(),
    }
    table = _table(co2_crawl, "rq1.field_completeness").set_index("field")
    for field, count in stated.items():
        assert table.loc[field, "reporters"] == count, field
        assert table.loc[field, "share_pct"] == pytest.approx(100 * count / len(emissions))
    context = (
        emissions["source"].fillna("").str.strip().ne("")
        | emissions["training_type"].fillna("").str.strip().ne("")
        | emissions["geographical_location"].fillna("").str.strip().ne("")
        | emissions["hardware_used"].fillna("").str.strip().ne("")
    )
    finding = co2_crawl.finding("rq1.field_completeness")
    assert finding["statistic"] == pytest.approx(100 * context.sum() / len(emissions))
    assert finding["details"]["implausible_co2"] == int((emissions["co2_g"] <= 0).sum())


def test_metadata_vs_prose(sample_crawl: Crawled) -> None:
    emissions = sample_crawl.emissions
    prose = int((emissions["provenance"] == "prose").sum())
    assert prose > 0
    finding = sample_crawl.finding("rq1.metadata_vs_prose")
    assert finding["statistic"] == pytest.approx(100 * prose / len(emissions))
    table = _table(sample_crawl, "rq1.metadata_vs_prose").set_index("provenance")
    assert table.loc["prose", "reporters"] == prose


@pytest.mark.parametrize(
    ("unit_id", "column", "category"),
    [
        ("rq1.reporters_by_domain", "domain", "domain"),
        ("rq1.reporters_by_training_type", "training_class", "training_type"),
        ("rq1.reporters_by_hardware", "hardware", "hardware"),
        ("rq1.reporters_by_location", "location", "location"),
    ],
)
def test_breakdowns_count_every_reporter_once(
    co2_crawl: Crawled, unit_id: str, column: str, category: str
) -> None:
    for population in ("all", "autotrain", "human"):
        reporters = co2_crawl.population.subset(population)
        table = _table(co2_crawl, unit_id, population)
        assert table["reporters"].sum() == len(reporters)
        values = reporters[column].dropna()
        expected = values.value_counts()
        got = table.set_index(category)["reporters"]
        for value, count in expected.items():
            assert got[value] == count, (population, value)


def test_library_shares(co2_crawl: Crawled) -> None:
    models = co2_crawl.models.set_index("model_id")
    pytorch = sum(
        "pytorch" in [str(t).lower() for t in tags] for tags in models["tags"] if tags is not None
    )
    table = _table(co2_crawl, "rq1.reporters_by_library").set_index("library")
    assert table.loc["pytorch", "reporters"] == pytorch
    assert table.loc["pytorch", "share_pct"] == pytest.approx(100 * pytorch / len(models))
