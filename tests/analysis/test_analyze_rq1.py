"""RQ1 findings checked against values recomputed with pandas and numpy from the raw crawl
tables (models, emissions), never from the analysis' own intermediate results."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

Crawled = Any  # tests/analysis/conftest.py: a crawled database and its analysis


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


def _score_equations_hold(table: pd.DataFrame, finding: dict[str, Any]) -> None:
    """The logistic MLE with a constant and a slope solves its score equations: fitted and
    observed reporters agree in total and in their month-weighted total."""
    series = table[table["in_series"]]
    x = series["month_index"].to_numpy(dtype=float)
    intercept, slope = finding["details"]["intercept"], finding["statistic"]
    fitted = series["models"] / (1 + np.exp(-(intercept + slope * x)))
    assert fitted.sum() == pytest.approx(series["reporters"].sum(), rel=1e-6)
    assert (x * fitted).sum() == pytest.approx((x * series["reporters"]).sum(), rel=1e-6)
    assert series["fit_pct"].to_numpy() == pytest.approx(100 * fitted / series["models"])


def _listing_window(models: pd.DataFrame) -> tuple[Any, Any]:
    monthly = models.groupby("month")["reporter"].agg(["size", "sum"])
    listed = monthly.index[monthly["size"] - monthly["sum"] >= 100]
    return (listed.min(), listed.max()) if len(listed) else (None, None)


def test_share_by_month_table_and_window(sample_crawl: Crawled) -> None:
    """The newest 5,000 models: the window is the months whose non-reporters the listing
    brought in; the later months hold reporters only and are counted in the caveat."""
    models = _models(sample_crawl)
    expected = models.groupby("month")["reporter"].agg(["size", "sum"])
    table = _table(sample_crawl, "rq1.share_by_month")
    assert list(table["models"]) == list(expected["size"])
    assert list(table["reporters"]) == list(expected["sum"])
    assert np.allclose(table["share_pct"], 100 * expected["sum"] / expected["size"])
    start, end = _listing_window(models)
    for population in ("all", "human"):
        finding = sample_crawl.finding("rq1.share_by_month", population)
        if start is None:
            assert finding["status"] == "insufficient_data"
            assert finding["note"] == "no month covered by the listing"
            continue
        assert finding["details"]["window_first_month"] == str(start)
        assert finding["details"]["window_last_month"] == str(end)
        later = models[models["month"] > end]
        if population == "human":
            later = later[~later["autotrain"]]
        assert finding["details"]["models_after_window"] == len(later)
        assert finding["details"]["reporters_after_window"] == int(later["reporter"].sum())
        assert "listing ends" in finding["details"]["caveat"]
        if finding["status"] == "ok":
            _score_equations_hold(_table(sample_crawl, "rq1.share_by_month", population), finding)


@pytest.mark.slow
@pytest.mark.parametrize("population", ["autotrain", "human"])
def test_share_trend_recomputed(listing_crawl: Crawled, population: str) -> None:
    models = _models(listing_crawl)
    start, end = _listing_window(models)
    rows = models[models["autotrain"] == (population == "autotrain")]
    monthly = rows.groupby("month")["reporter"].agg(["size", "sum"])
    series = monthly[(monthly.index >= start) & (monthly.index <= end)]
    finding = listing_crawl.finding("rq1.share_by_month", population)
    assert finding["status"] == "ok" and finding["inference"] == "confirmatory"
    assert finding["n"] == int(series["size"].sum()) == finding["units"]["rows"]
    assert finding["details"]["months"] == len(series)
    assert finding["details"]["undated_models"] == int(rows["created_at"].isna().sum())
    assert finding["details"]["share_in_window_pct"] == pytest.approx(
        100 * series["sum"].sum() / series["size"].sum()
    )
    _score_equations_hold(_table(listing_crawl, "rq1.share_by_month", population), finding)
    low, high = finding["ci"]
    assert low < finding["effect_size"]["value"] < high


@pytest.mark.parametrize("population", ["all", "autotrain", "human"])
def test_median_co2_trend_recomputed(co2_crawl: Crawled, population: str) -> None:
    models = _models(co2_crawl)
    last = models["month"].max() - 1
    merged = co2_crawl.emissions.merge(models, on="model_id")
    if population != "all":
        merged = merged[merged["autotrain"] == (population == "autotrain")]
    merged = merged[merged["co2_g"] > 0]
    medians = merged.groupby("month")["co2_g"].agg(["median", "size"])
    series = medians[(medians.index <= last) & (medians["size"] >= 5)]
    finding = co2_crawl.finding("rq1.median_co2_by_month", population)
    assert finding["details"]["months"] == len(series)
    assert finding["n"] == int(series["size"].sum()) == finding["units"]["rows"]
    if len(series) < 6:
        assert finding["status"] == "insufficient_data"
        return
    assert finding["statistic_name"] == "slope of median ln CO2 per month"
    assert finding["effect_size"]["value"] == pytest.approx(math.exp(finding["statistic"]))
    details = finding["details"]
    assert details["max"] == pytest.approx(series["median"].max())
    assert details["mean"] == pytest.approx(series["median"].mean())
    assert details["last"] == pytest.approx(series["median"].iloc[-1])
    assert details["median"] == pytest.approx(series["median"].median())
    assert details["first_month"] == str(series.index[0])
    assert details["robust"]["months"] == len(series)
    table = _table(co2_crawl, "rq1.median_co2_by_month", population)
    fitted = table[table["in_series"]]
    assert (fitted["fit_low_g"] <= fitted["fit_g"]).all()
    assert (fitted["fit_g"] <= fitted["fit_high_g"]).all()


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
