"""Label scheme paper2023 against the paper's published result and a hand-computed example."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import paperdata
from classifiers.efficiency import efficiency_labels, paper_inputs
from classifiers.efficiency.core import python_round, rate, round_half_to_worse


@pytest.fixture(scope="module")
def hfco2() -> pd.DataFrame:
    return paperdata.hfco2()


@pytest.fixture(scope="module")
def labels(hfco2: pd.DataFrame) -> pd.DataFrame:
    return efficiency_labels(paper_inputs(hfco2), "paper2023")


def test_published_counts_on_hfco2(labels: pd.DataFrame) -> None:
    assert len(labels) == 1419
    counts = labels["letter"].value_counts().to_dict()
    assert counts == {"C": 826, "B": 486, "D": 55, "A": 37, "E": 15}


def test_every_label_carries_scheme_and_per_metric_ratings(labels: pd.DataFrame) -> None:
    assert set(labels["scheme"]) == {"paper2023"}
    for metric in ("co2", "size_efficiency", "dataset_size_efficiency", "downloads"):
        assert f"{metric}_rating" in labels and f"{metric}_index" in labels
    # every HFCO2 row has CO2 and downloads, hence a CO2 and a downloads rating
    assert labels["co2_rating"].notna().all() and labels["downloads_rating"].notna().all()
    assert all(math.isclose(sum(w.values()), 1.0) for w in labels["weights"])


def test_sqrt_quirk_piles_co2_ratings_into_a(labels: pd.DataFrame) -> None:
    # boundaries from sqrt(index), compared with the raw index: most CO2 ratings are A
    assert (labels["co2_rating"] == 0).sum() > 1300


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile, written out (numpy's default method)."""
    data = sorted(v for v in values if not math.isnan(v))
    position = (len(data) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (position - low)


def _hand_rating(index: float, bounds: list[float]) -> int:
    b0, b1, b2, b3 = bounds
    if index > b0:
        return 0
    if index > b1:
        return 1
    if index > b2:
        return 2
    if index > b3:
        return 3
    return 4


def test_worked_example_autonlp_triage_by_hand(hfco2: pd.DataFrame, labels: pd.DataFrame) -> None:
    rows = hfco2.to_dict("records")
    model = next(r for r in rows if r["modelId"] == "autonlp-triage-35248482")
    ref = next(r for r in rows if r["modelId"] == "distilgpt2")
    assert model["co2_eq_emissions"] == pytest.approx(7.989, abs=5e-4)
    assert model["downloads"] == 45
    scores = [r["performance_score"] for r in rows]
    perf_ref = float(pd.Series(scores).median())  # distilgpt2 has no score: the median

    co2_index = ref["co2_eq_emissions"] / model["co2_eq_emissions"]
    size_index = model["size_efficency"] / ref["size_efficency"]
    downloads_index = model["downloads"] / ref["downloads"]
    perf_index = model["performance_score"] / perf_ref
    assert ref["co2_eq_emissions"] == 149200.0

    emissions = [r["co2_eq_emissions"] for r in rows]
    co2_all = [ref["co2_eq_emissions"] / c if c else math.inf for c in emissions]
    sqrt_all = [math.sqrt(v) for v in co2_all]
    co2_bounds = [_percentile(sqrt_all, q) for q in (80, 60, 40, 20)]
    size_bounds = [
        _percentile([r["size_efficency"] / ref["size_efficency"] for r in rows], q)
        for q in (80, 60, 40, 20)
    ]
    dl_bounds = [
        _percentile([r["downloads"] / ref["downloads"] for r in rows], q) for q in (96, 94, 85, 60)
    ]
    perf_bounds = [_percentile([s / perf_ref for s in scores], q) for q in (80, 60, 40, 20)]

    r_co2 = _hand_rating(co2_index, co2_bounds)
    r_size = _hand_rating(size_index, size_bounds)
    r_dl = _hand_rating(downloads_index, dl_bounds)
    r_perf = _hand_rating(perf_index, perf_bounds)
    compound = (0.35 * r_co2 + 0.10 * r_size + 0.25 * r_dl + 0.20 * r_perf) / 0.9
    letter = "ABCDE"[round(compound)]

    got = labels.loc[labels["model_id"] == "autonlp-triage-35248482"].iloc[0]
    assert got["co2_index"] == pytest.approx(co2_index)
    assert (got["co2_rating"], got["size_efficiency_rating"]) == (r_co2, r_size)
    assert (got["downloads_rating"], got["performance_rating"]) == (r_dl, r_perf)
    assert pd.isna(got["dataset_size_efficiency_rating"])
    assert got["compound"] == pytest.approx(compound)
    assert got["letter"] == letter
    assert set(got["weights"]) == {"co2", "size_efficiency", "downloads", "performance"}
    assert got["weights"]["co2"] == pytest.approx(0.35 / 0.9)


def test_python_round_is_half_to_even() -> None:
    assert [python_round(x) for x in (0.5, 1.5, 2.5, 3.5, 2.49, 2.51)] == [0, 2, 2, 4, 2, 3]


def test_half_to_worse_rounds_exact_halves_up() -> None:
    assert [round_half_to_worse(x) for x in (0.5, 1.5, 2.5, 3.5, 2.49, 2.51)] == [1, 2, 3, 4, 2, 3]
    assert round_half_to_worse(2.4999999999999996) == 3  # a half spoilt by float arithmetic


def test_exact_halves_in_hfco2_round_to_even(labels: pd.DataFrame) -> None:
    halves = labels[labels["compound"].isin([0.5, 2.5])]
    assert set(zip(halves["compound"], halves["letter"], strict=True)) == {(0.5, "A"), (2.5, "C")}


def test_rating_boundaries_fall_into_the_worse_class() -> None:
    bounds = [8.0, 4.0, 2.0, 1.0]
    index = np.array([np.inf, 9.0, 8.0, 4.0, 3.0, 2.0, 1.0, 0.5, 0.0, -1.0, np.nan])
    got = rate(index, bounds)
    assert got[:10].tolist() == [0, 0, 1, 2, 2, 3, 4, 4, 4, 4]
    assert np.isnan(got[10])


def test_labels_depend_on_the_population(hfco2: pd.DataFrame, labels: pd.DataFrame) -> None:
    # percentiles over the labelled set: dropping the top-CO2 half changes others' labels
    inputs = paper_inputs(hfco2)
    keep = inputs["co2_g"] <= inputs["co2_g"].median()
    smaller = efficiency_labels(inputs[keep], "paper2023")
    before = labels.loc[keep.to_numpy(), "letter"].to_numpy()
    assert (smaller["letter"].to_numpy() != before).any()
