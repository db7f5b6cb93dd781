"""The replication on the paper's own files: published values pinned, every statistic recomputed
independently (rank sums, numpy correlations, least squares) on real rows."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.model_selection import train_test_split

from analysis import paperdata
from analysis.replication import HOLM_FAMILY, PROCEDURES, Frames, run_replication
from analysis.replication.rq1 import REPORTING_SHARE_SLOPE_P
from analysis.replication.rq2 import autotrain_metric, parse_metrics


@pytest.fixture(scope="module")
def frames() -> Frames:
    return Frames.load()


@pytest.fixture(scope="module")
def results(frames: Frames) -> dict[str, Any]:
    return run_replication(frames)


def _close(expected: float, rel: float = 1e-12, absolute: float = 0.0) -> Any:
    """pytest.approx without its default absolute tolerance (p-values can be 1e-15)."""
    return pytest.approx(expected, rel=rel, abs=absolute)


def _log(values: pd.Series) -> np.ndarray:
    return np.log(values.to_numpy(dtype=float) + 1e-6)


def _manual_mwu(first: np.ndarray, second: np.ndarray) -> tuple[float, float]:
    """U of `first` from a rank sum; two-sided normal p with tie and continuity corrections."""
    pooled = np.concatenate([first, second])
    ranks = pd.Series(pooled).rank(method="average").to_numpy()
    n1, n2 = len(first), len(second)
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    _, tie_counts = np.unique(pooled, return_counts=True)
    tie_term = (tie_counts**3 - tie_counts).sum() / (n * (n - 1))
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term))
    z = (abs(u1 - n1 * n2 / 2) - 0.5) / sigma
    return float(u1), float(2 * stats.norm.sf(z))


def _manual_pearson(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    r = float(np.corrcoef(x, y)[0, 1])
    t = r * math.sqrt((len(x) - 2) / (1 - r * r))
    return r, float(2 * stats.t.sf(abs(t), len(x) - 2))


# --- published values -------------------------------------------------------------------------


def test_published_counts_are_reproduced_exactly(results: dict[str, Any]) -> None:
    assert results["n_models_co2"]["count"] == 1417
    assert results["autotrain_share"]["count"] == 1291
    assert results["autotrain_share"]["total"] == 1417
    assert results["autotrain_share"]["share"] == 1291 / 1417
    assert results["domain_counts"] == {
        "NLP": 1160,
        "Computer Vision": 188,
        "Multimodal": 11,
        "Audio": 1,
        "Not Specified": 57,
    }


def test_hfco2_duplicates_and_source_bug_are_visible(results: dict[str, Any]) -> None:
    assert results["n_models_co2"]["rows_hfco2"] == 1419
    assert results["hfco2_source_autotrain"]["count"] == 1339


# --- RQ1 ------------------------------------------------------------------------------------------


def test_median_co2_trend_matches_an_independent_polyfit(
    frames: Frames, results: dict[str, Any]
) -> None:
    by_month: dict[str, list[float]] = {}
    for month, co2 in zip(
        frames.streamlit["year_month"], frames.streamlit["co2_eq_emissions"], strict=True
    ):
        if isinstance(month, str) and month >= "2021-11":
            by_month.setdefault(month, []).append(float(co2))
    months = sorted(by_month)[:-1]  # the partial last month is dropped
    assert months[0] == "2021-11" and months[-1] == "2023-03" and len(months) == 17
    medians = np.array([np.median(by_month[month]) for month in months])
    trend = results["median_co2_trend"]
    slope, intercept = np.polyfit(np.arange(17), medians, 1)
    assert trend["months"] == 17
    assert trend["slope"] == _close(slope, rel=1e-10)
    assert trend["intercept"] == _close(intercept, rel=1e-10)
    assert trend["p"] == _close(stats.linregress(np.arange(17), medians).pvalue, rel=1e-9)
    assert trend["max"] == _close(medians.max())
    assert trend["mean"] == _close(medians.mean())
    assert trend["last"] == _close(medians[-1])
    assert trend["median"] == _close(np.median(medians))
    assert list(trend["series"]) == months


def test_reporting_share_trend_is_the_documented_constant(results: dict[str, Any]) -> None:
    section = results["reporting_share_trend"]
    assert section["p"] == REPORTING_SHARE_SLOPE_P == 0.0642
    assert section["computed"] is False


# --- RQ2 main tests -------------------------------------------------------------------------------


def test_domain_mwu_on_a_real_20_row_subset_matches_a_manual_rank_sum(frames: Frames) -> None:
    streamlit = frames.streamlit
    subset = pd.concat(
        [
            streamlit[streamlit["domain"] == "Computer Vision"].head(10),
            streamlit[streamlit["domain"] == "NLP"].head(10),
        ]
    )
    small = Frames(subset, frames.co2, frames.clean)
    got = PROCEDURES["paper.mwu_cv_vs_nlp"](small)
    cv = subset.loc[subset["domain"] == "Computer Vision", "co2_eq_emissions"].to_numpy()
    nlp = subset.loc[subset["domain"] == "NLP", "co2_eq_emissions"].to_numpy()
    u, p = _manual_mwu(cv, nlp)
    assert got["U"] == u
    assert got["p"] == _close(p, rel=1e-9)
    assert got["median_cv"] == np.median(cv) and got["median_nlp"] == np.median(nlp)


def test_domain_mwu_on_all_reporters(frames: Frames, results: dict[str, Any]) -> None:
    rows = frames.streamlit
    cv = rows.loc[rows["domain"] == "Computer Vision", "co2_eq_emissions"].to_numpy()
    nlp = rows.loc[rows["domain"] == "NLP", "co2_eq_emissions"].to_numpy()
    u, p = _manual_mwu(cv, nlp)
    got = results["mwu_cv_vs_nlp"]
    assert (got["n_cv"], got["n_nlp"]) == (188, 1160)
    assert got["U"] == u
    assert got["p"] == _close(p, rel=1e-9)


def test_pretraining_vs_finetuning_mwu_matches_a_manual_rank_sum(
    frames: Frames, results: dict[str, Any]
) -> None:
    clean = frames.clean
    pre = clean.loc[clean["training_type"] == "pretraining", "co2_eq_emissions"].to_numpy()
    fine = clean.loc[clean["training_type"] == "fine-tuning", "co2_eq_emissions"].to_numpy()
    u, p = _manual_mwu(pre, fine)
    got = results["mwu_pretraining_vs_finetuning"]
    assert (got["n_pretraining"], got["n_finetuning"], got["n"]) == (20, 24, 44)
    assert got["U"] == u
    assert got["p"] == _close(p, rel=1e-9)
    assert got["median_pretraining"] == np.median(pre)
    assert got["median_finetuning"] == np.median(fine)
    assert got["groups"]["pretraining + fine-tuning"]["count"] == 2


def test_pearson_log_size_keeps_the_zero_co2_row(frames: Frames, results: dict[str, Any]) -> None:
    clean = frames.clean
    r, p = _manual_pearson(_log(clean["co2_eq_emissions"]), _log(clean["size"]))
    got = results["pearson_log_size"]
    assert got["n"] == 48
    assert got["r"] == _close(r, rel=1e-10)
    assert got["p"] == _close(p, rel=1e-8)
    positive = clean[clean["co2_eq_emissions"] > 0]
    r_without_zero, _ = _manual_pearson(_log(positive["co2_eq_emissions"]), _log(positive["size"]))
    assert abs(got["r"] - r_without_zero) > 1e-3


def test_pearson_log_dataset_size_on_47_rows(frames: Frames, results: dict[str, Any]) -> None:
    rows = frames.clean.dropna(subset=["co2_eq_emissions", "datasets_size"])
    r, p = _manual_pearson(_log(rows["co2_eq_emissions"]), _log(rows["datasets_size"]))
    got = results["pearson_log_dataset_size"]
    assert got["n"] == 47
    assert got["r"] == _close(r, rel=1e-10)
    assert got["p"] == _close(p, rel=1e-8)


@pytest.mark.parametrize(
    ("metric", "n"), [("accuracy", 834), ("f1", 766), ("rouge1", 224), ("rougeL", 224)]
)
def test_autotrain_spearman_subsets(results: dict[str, Any], metric: str, n: int) -> None:
    assert results[f"spearman_{metric}_autotrain"]["n"] == n


def test_autotrain_spearman_on_a_real_subset_is_the_correlation_of_ranks(frames: Frames) -> None:
    subset = frames.co2[frames.co2["auto"] == "True"].head(60)
    got = PROCEDURES["paper.spearman_accuracy_autotrain"](
        Frames(frames.streamlit, subset, frames.clean)
    )
    rows = [
        (co2, parse_metrics(text).get("accuracy"))
        for co2, text in zip(subset["co2_eq_emissions"], subset["performance_metrics"], strict=True)
    ]
    pairs = np.array([(co2, acc) for co2, acc in rows if acc is not None], dtype=float)
    assert got["n"] == len(pairs) > 20
    rho = np.corrcoef(stats.rankdata(pairs[:, 0]), stats.rankdata(pairs[:, 1]))[0, 1]
    assert got["rho"] == _close(rho, rel=1e-10)


def test_autotrain_subset_compares_auto_as_a_string(frames: Frames) -> None:
    rows = autotrain_metric(frames.co2, "accuracy")
    assert set(frames.co2.loc[rows.index, "auto"]) == {"True"}


@pytest.mark.parametrize(
    ("metric", "n"), [("accuracy", 11), ("f1", 9), ("rouge1", 7), ("rougeL", 4)]
)
def test_curated_spearman_is_the_correlation_of_ranks(
    frames: Frames, results: dict[str, Any], metric: str, n: int
) -> None:
    rows = frames.clean[frames.clean[metric].notna()]
    rho = np.corrcoef(stats.rankdata(rows["co2_eq_emissions"]), stats.rankdata(rows[metric]))[0, 1]
    got = results[f"spearman_{metric}_curated"]
    assert got["n"] == n
    assert got["rho"] == _close(rho, absolute=1e-12)


def test_parse_metrics_is_defensive() -> None:
    assert parse_metrics("{'accuracy': nan, 'f1': 0.5}") == {"accuracy": None, "f1": 0.5}
    assert parse_metrics(float("nan")) == {}
    assert parse_metrics("__import__('os')") == {}
    assert parse_metrics("[1, 2]") == {}


# --- Holm ---------------------------------------------------------------------------------------


def test_holm_family_matches_a_manual_step_down(results: dict[str, Any]) -> None:
    members = results["holm_family"]["members"]
    assert [member["key"] for member in members] == list(HOLM_FAMILY)
    assert len(members) == 14 and members[0]["p"] == 0.0642
    raw = np.array([member["p"] for member in members])
    order = np.argsort(raw)
    adjusted = np.empty(14)
    running = 0.0
    for step, index in enumerate(order):
        running = max(running, min(1.0, (14 - step) * raw[index]))
        adjusted[index] = running
    for member, expected in zip(members, adjusted, strict=True):
        assert member["p_holm"] == _close(expected, rel=1e-12)
        assert results[member["key"]]["p_holm"] == member["p_holm"]
        assert results[member["key"]]["p"] == member["p"]


def test_holm_unit_recomputes_the_same_family(frames: Frames, results: dict[str, Any]) -> None:
    assert PROCEDURES["paper.holm_family"](frames)["members"] == results["holm_family"]["members"]


# --- OLS ------------------------------------------------------------------------------------------


def test_size_controlled_ols_matches_least_squares_on_the_same_split(
    results: dict[str, Any],
) -> None:
    rows = paperdata.hfstreamlit().dropna(subset=["size", "co2_eq_emissions"])
    assert len(rows) == 1298
    design = np.column_stack(
        [
            np.ones(len(rows)),
            (rows["domain"] == "NLP").to_numpy(dtype=float),
            (rows["domain"] == "Computer Vision").to_numpy(dtype=float),
            _log(rows["size"]),
        ]
    )
    target = _log(rows["co2_eq_emissions"])
    train, _ = train_test_split(np.arange(len(rows)), test_size=0.2, random_state=42)
    assert len(train) == 1038

    def fit(index: np.ndarray) -> tuple[np.ndarray, float]:
        coef, *_ = np.linalg.lstsq(design[index], target[index], rcond=None)
        residual = target[index] - design[index] @ coef
        centred = target[index] - target[index].mean()
        return coef, 1 - residual @ residual / (centred @ centred)

    coef, r2 = fit(train)
    got = results["ols_domain_size_controlled"]
    assert (got["n"], got["n_train"], got["n_test"]) == (1298, 1038, 260)
    assert got["coef_log_size"] == _close(coef[3], rel=1e-9)
    assert got["r2"] == _close(r2, rel=1e-9)
    full_coef, full_r2 = fit(np.arange(len(rows)))
    assert got["full_data"]["coef"]["log_size"] == _close(full_coef[3], rel=1e-9)
    assert got["full_data"]["r2"] == _close(full_r2, rel=1e-9)


# --- units ----------------------------------------------------------------------------------------


def test_every_procedure_is_a_documented_paper_unit() -> None:
    keys = [unit.key for unit in PROCEDURES]
    assert len(keys) == len(set(keys))
    for unit in PROCEDURES:
        assert unit.id == f"paper.{unit.key}"
        assert len(unit.__doc__ or "") > 150, unit.id
    assert set(HOLM_FAMILY) <= set(keys)


def test_quirks_are_listed_with_their_fix(results: dict[str, Any]) -> None:
    ids = [quirk["id"] for quirk in results["quirks_reproduced"]]
    assert {"domain-tie-break", "owner-stripped-ids", "hfco2-source-truthiness"} <= set(ids)
    assert all(quirk["analyze_fix"] for quirk in results["quirks_reproduced"])


# --- side analyses --------------------------------------------------------------------------------


def test_side_domain_tests_match_manual_rank_sums(frames: Frames, results: dict[str, Any]) -> None:
    rows = frames.streamlit
    for key, values in (
        ("mwu_size_cv_vs_nlp", rows["size"]),
        ("mwu_co2_per_byte_cv_vs_nlp", rows["co2_eq_emissions"] / rows["size"]),
    ):
        present = values.notna()
        cv = values[present & (rows["domain"] == "Computer Vision")].to_numpy()
        nlp = values[present & (rows["domain"] == "NLP")].to_numpy()
        u, p = _manual_mwu(cv, nlp)
        got = results[key]
        assert (got["n_cv"], got["n_nlp"]) == (len(cv), len(nlp)) == (180, 1115)
        assert got["U"] == u
        assert got["p"] == _close(p, rel=1e-9)


def test_framework_shares_are_column_means(frames: Frames, results: dict[str, Any]) -> None:
    got = results["framework_shares"]
    assert got["pytorch"] == frames.streamlit["is_pytorch"].sum() / 1417
    assert got["transformers"] == frames.streamlit["is_transformers"].sum() / 1417


def test_side_spearman_of_logs(frames: Frames, results: dict[str, Any]) -> None:
    rows = frames.clean.dropna(subset=["co2_eq_emissions", "datasets_size", "size"])
    rho = np.corrcoef(
        stats.rankdata(_log(rows["co2_eq_emissions"])), stats.rankdata(_log(rows["datasets_size"]))
    )[0, 1]
    assert results["spearman_log_dataset_size_side"]["n"] == len(rows)
    assert results["spearman_log_dataset_size_side"]["rho"] == _close(rho, rel=1e-10)
