"""The new models of the analysis recomputed by independent formulas on small real subsets: a
hand Newton-Raphson logistic fit, a linear programme for the median regression, pairwise slopes
for Theil-Sen, an explicit cluster sandwich, residual ranks for the partial correlation; plus
the declared Holm family, every effect inside its own interval, and the `independent`
population on a crawl that has training runs."""

from __future__ import annotations

import math
from importlib.resources import as_file
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from support import copy_db

from analysis.findings import OK
from analysis.inference import (
    _rank_biserial_of_codes,
    binomial_trend,
    mann_whitney,
    median_trend,
    partial_spearman,
    rank_biserial_interval,
    robust_trend,
)
from analysis.population import load
from analysis.run import compute
from analysis.statistics import STATISTICS, family
from analysis.statistics.family import FAMILY, Member, check
from mining.snapshot import embedded_snapshot_file

Crawled = Any  # tests/analysis/conftest.py: a crawled database and its analysis
Z = 1.959963984540054


def _snapshot_months() -> pd.DataFrame:
    """Real monthly counts from the embedded snapshot: models created in five months of 2022
    and those among them tagged co2_eq_emissions."""
    with as_file(embedded_snapshot_file()) as path:
        return duckdb.sql(
            "SELECT date_trunc('month', CAST(created_at AS TIMESTAMP)) AS month, count(*) AS n, "
            "count(*) FILTER (WHERE list_contains(tags, 'co2_eq_emissions')) AS k "
            f"FROM read_parquet('{path}') WHERE created_at >= '2022-04' AND created_at < '2022-09' "
            "GROUP BY 1 ORDER BY 1"
        ).df()


def _hand_logistic(x: np.ndarray, k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton-Raphson on the binomial log-likelihood; coefficients and their standard errors."""
    design = np.column_stack([np.ones(len(x)), x])
    beta = np.zeros(2)
    for _ in range(100):
        p = 1 / (1 + np.exp(-design @ beta))
        gradient = design.T @ (k - n * p)
        hessian = design.T @ (design * (n * p * (1 - p))[:, None])
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.abs(step).max() < 1e-12:
            break
    p = 1 / (1 + np.exp(-design @ beta))
    information = design.T @ (design * (n * p * (1 - p))[:, None])
    return beta, np.sqrt(np.diag(np.linalg.inv(information)))


def test_binomial_glm_matches_a_hand_logistic_fit_on_five_months() -> None:
    months = _snapshot_months()
    assert len(months) == 5 and (months["k"] > 0).all() and (months["n"] > months["k"]).all()
    x = np.arange(5, dtype=float)
    fitted = binomial_trend(
        np.concatenate([x, [5.0]]),
        np.concatenate([months["k"], [0]]),
        np.concatenate([months["n"], [1]]),
    )
    assert not isinstance(fitted, type(None))
    result, curve = fitted  # type: ignore[misc]
    beta, se = _hand_logistic(
        np.concatenate([x, [5.0]]),
        np.concatenate([months["k"], [0]]).astype(float),
        np.concatenate([months["n"], [1]]).astype(float),
    )
    assert result.statistic == pytest.approx(beta[1], rel=1e-8)
    assert result.details["intercept"] == pytest.approx(beta[0], rel=1e-8)
    assert result.p == pytest.approx(2 * stats.norm.sf(abs(beta[1] / se[1])), rel=1e-6)
    assert result.effect_size.value == pytest.approx(math.exp(beta[1]))
    assert result.ci == pytest.approx(
        [math.exp(beta[1] - Z * se[1]), math.exp(beta[1] + Z * se[1])]
    )
    shares = 100 / (1 + np.exp(-(beta[0] + beta[1] * np.arange(6))))
    assert curve["fit_pct"].to_numpy() == pytest.approx(shares, rel=1e-8)
    assert (curve["fit_low_pct"] <= curve["fit_pct"]).all()
    assert (curve["fit_pct"] <= curve["fit_high_pct"]).all()
    assert (curve["fit_low_pct"] >= 0).all() and (curve["fit_high_pct"] <= 100).all()


def _median_rows(crawl: Crawled, population: str) -> pd.DataFrame:
    reporters = crawl.population.subset(population)
    rows = reporters[(reporters["co2_g"] > 0) & reporters["month"].notna()]
    return rows.assign(index=rows["month"].dt.year * 12 + rows["month"].dt.month)


def test_median_regression_solves_the_least_absolute_deviations_programme(
    co2_crawl: Crawled,
) -> None:
    rows = _median_rows(co2_crawl, "human")
    x = (rows["index"] - rows["index"].min()).to_numpy(dtype=float)
    y = np.log(rows["co2_g"].to_numpy(dtype=float))
    fitted = median_trend(x, y)
    result, _ = fitted  # type: ignore[misc]
    n = len(y)
    # min sum(u + v) subject to a + b x + u - v = y, u, v >= 0 (a, b free)
    cost = np.concatenate([[0, 0], np.ones(2 * n)])
    equality = np.hstack([np.ones((n, 1)), x[:, None], np.eye(n), -np.eye(n)])
    bounds = [(None, None)] * 2 + [(0, None)] * (2 * n)
    programme = optimize.linprog(cost, A_eq=equality, b_eq=y, bounds=bounds, method="highs")
    assert programme.status == 0
    ours = np.abs(y - result.details["intercept"] - result.statistic * x).sum()
    assert ours == pytest.approx(programme.fun, rel=1e-6)
    assert result.effect_size.value == pytest.approx(math.exp(result.statistic))


def test_robust_trend_by_pairwise_slopes_and_concordant_pairs(co2_crawl: Crawled) -> None:
    finding = co2_crawl.finding("rq1.median_co2_by_month", "all")
    table = pd.read_csv(co2_crawl.out / "analysis" / "rq1.median_co2_by_month.csv")
    series = table[(table["population"] == "all") & table["in_series"]]
    x = series["month_index"].to_numpy(dtype=float)
    y = np.log(series["median_co2_g"].to_numpy(dtype=float))
    slopes = [(y[j] - y[i]) / (x[j] - x[i]) for i in range(len(x)) for j in range(i + 1, len(x))]
    robust = finding["details"]["robust"]
    assert robust["theil_sen_slope"] == pytest.approx(float(np.median(slopes)))
    assert robust == robust_trend(x, y) | {}
    concordant = sum(
        np.sign(x[j] - x[i]) * np.sign(y[j] - y[i])
        for i in range(len(x))
        for j in range(i + 1, len(x))
    )
    pairs = len(x) * (len(x) - 1) / 2
    assert robust["kendall_tau"] == pytest.approx(concordant / pairs)  # no ties in x or y
    assert robust["hac_lags"] == math.floor(4 * (len(x) / 100) ** (2 / 9))
    low, high = robust["theil_sen_ci"]
    assert low <= robust["theil_sen_slope"] <= high
    medians = _median_rows(co2_crawl, "all").groupby("month")["co2_g"].median()
    assert series["median_co2_g"].to_numpy() == pytest.approx(
        medians.loc[pd.to_datetime(series["month"])].to_numpy()
    )


def test_domain_regression_matches_a_hand_cluster_sandwich(co2_crawl: Crawled) -> None:
    finding = co2_crawl.finding("rq2.ols_domain_size_controlled")
    table = pd.read_csv(co2_crawl.out / "analysis" / "rq2.ols_domain_size_controlled.csv")
    rows = table[table["population"] == "all"]
    x = np.column_stack(
        [
            np.ones(len(rows)),
            (rows["domain"] == "Computer Vision").to_numpy(dtype=float),
            np.log(rows["size_bytes"].to_numpy(dtype=float)),
            rows["age_years"].to_numpy(dtype=float),
        ]
    )
    y = np.log(rows["co2_g"].to_numpy(dtype=float))
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    residuals = y - x @ beta
    bread = np.linalg.inv(x.T @ x)
    clusters = rows["author"].fillna("model:" + rows["model_id"]).to_numpy()
    meat = np.zeros((4, 4))
    for author in np.unique(clusters):
        score = x[clusters == author].T @ residuals[clusters == author]
        meat += np.outer(score, score)
    g, n, k = len(np.unique(clusters)), len(y), x.shape[1]
    correction = g / (g - 1) * (n - 1) / (n - k)
    se = math.sqrt(correction * (bread @ meat @ bread)[1, 1])
    assert finding["statistic"] == pytest.approx(beta[1])
    assert finding["p"] == pytest.approx(2 * stats.norm.sf(abs(beta[1] / se)), rel=1e-6)
    assert finding["ci"] == pytest.approx([math.exp(beta[1] - Z * se), math.exp(beta[1] + Z * se)])
    assert finding["effect_size"]["value"] == pytest.approx(math.exp(beta[1]))
    assert finding["details"]["authors"] == g
    paper = finding["details"]["paper_specification"]
    assert paper["p"] < finding["p"]  # clustering by author widens the interval here


def test_partial_spearman_by_residual_ranks(co2_crawl: Crawled) -> None:
    finding = co2_crawl.finding("rq2.partial_spearman_downloads_age", "human")
    table = pd.read_csv(co2_crawl.out / "analysis" / "rq2.partial_spearman_downloads_age.csv")
    rows = table[table["population"] == "human"]
    ranks = [stats.rankdata(rows[c]) for c in ("co2_g", "downloads", "age_days")]
    design = np.column_stack([np.ones(len(rows)), ranks[2]])
    residual = [r - design @ np.linalg.lstsq(design, r, rcond=None)[0] for r in ranks[:2]]
    r = float(np.corrcoef(residual[0], residual[1])[0, 1])
    assert finding["statistic"] == pytest.approx(r)
    assert finding["n"] == len(rows) == finding["units"]["rows"]
    again = partial_spearman(rows["co2_g"], rows["downloads"], rows["age_days"])
    assert again.statistic == pytest.approx(r)


def test_rank_biserial_interval_is_seeded_and_brackets_the_effect(co2_crawl: Crawled) -> None:
    rows = co2_crawl.population.subset("human")
    cv = rows.loc[rows["domain"] == "Computer Vision", "co2_g"].dropna().to_numpy()
    nlp = rows.loc[rows["domain"] == "NLP", "co2_g"].dropna().to_numpy()
    first = rank_biserial_interval(cv, nlp)
    assert first == rank_biserial_interval(cv, nlp)
    result = mann_whitney(pd.Series(cv), pd.Series(nlp), ("cv", "nlp"))
    low, high = result.ci  # type: ignore[misc]
    assert low <= result.effect_size.value <= high  # type: ignore[union-attr]
    # the resampled statistic is the rank-biserial r: on the data itself it is the effect
    greater = (cv[:, None] > nlp[None, :]).sum() + 0.5 * (cv[:, None] == nlp[None, :]).sum()
    assert result.effect_size.value == pytest.approx(2 * greater / (len(cv) * len(nlp)) - 1)  # type: ignore[union-attr]
    verdict = result.details["no_relation"]
    assert 0 < verdict["smallest_detectable_effect"] < 1


def test_the_family_is_declared_and_free_of_duplicates(co2_crawl: Crawled) -> None:
    doc = co2_crawl.findings["holm"]
    assert doc["family"] == [{"id": m.id, "population": m.population} for m in FAMILY]
    keys = [(m["id"], m["population"]) for m in doc["family"]]
    assert len(keys) == len(set(keys))
    for member in FAMILY:
        assert member.id in STATISTICS and member.population in STATISTICS[member.id].populations
    statistics = co2_crawl.findings["statistics"]
    members = [s for s in statistics if s["inference"] == "confirmatory"]
    assert sorted((s["id"], s["population"]) for s in members) == sorted(keys)
    for item in statistics:
        if item["inference"] != "confirmatory":
            assert item["p_holm"] is None, item["id"]
        if item["status"] == OK and item["p"] is not None and item["inference"] != "confirmatory":
            assert item["inference"] == "exploratory"
    tests = {}
    for item in (s for s in members if s["status"] == OK):
        rows = tuple(sorted(map(str, item["units"].values())))
        assert (item["test"], rows) not in tests, item["id"]
        tests[(item["test"], rows)] = item["id"]
    with pytest.raises(ValueError, match="twice"):
        check([FAMILY[0], FAMILY[0]])
    with pytest.raises(ValueError, match="overlapping"):
        check(
            [
                Member("rq2.pearson_log_size", "all", "x"),
                Member("rq2.pearson_log_size", "human", "y"),
            ]
        )


def test_every_effect_lies_inside_its_own_interval(co2_crawl: Crawled) -> None:
    checked = 0
    for item in co2_crawl.findings["statistics"]:
        if item["status"] != OK or item["ci"] is None or item["effect_size"] is None:
            continue
        low, high = item["ci"]
        assert low <= item["effect_size"]["value"] <= high, (item["id"], item["population"])
        checked += 1
    assert checked > 30


def test_no_relation_wording_follows_power_and_equivalence(co2_crawl: Crawled) -> None:
    for item in co2_crawl.findings["statistics"]:
        verdict = item["details"].get("no_relation") if item["status"] == OK else None
        if not verdict:
            continue
        if item["p"] < 0.05:
            assert verdict["verdict"] == "relation"
        elif verdict["equivalence_p"] < 0.05:
            assert verdict["verdict"].startswith("no relation")
            assert item["ci"][0] > -0.1 - 0.05 and item["ci"][1] < 0.1 + 0.05
        else:
            assert verdict["verdict"] == "inconclusive"
        n = item["n"]
        if item["effect_size"]["name"].startswith(("Pearson", "Spearman")):
            expected = math.tanh((Z + stats.norm.ppf(0.8)) / math.sqrt(n - 3))
            assert verdict["smallest_detectable_effect"] == pytest.approx(expected, rel=1e-4)


def test_independent_is_not_available_without_training_runs(
    co2_crawl_db: Path, tmp_path: Path
) -> None:
    """A crawl from before the training-run audit (its columns dropped from a copy of the
    session's crawl): every statistic of `independent` says so, nothing is approximated."""
    db = copy_db(co2_crawl_db, tmp_path)
    con = duckdb.connect(str(db))
    try:
        for column in ("training_run", "copied_from"):
            con.execute(f"ALTER TABLE emissions DROP COLUMN IF EXISTS {column}")
        population = load(con)
    finally:
        con.close()
    assert population.unavailable("independent") == (
        "not available in this crawl (no emissions.training_run)"
    )
    for unit in STATISTICS:
        if "independent" not in unit.populations:
            continue
        result = unit(population, "independent")
        assert result.status == "insufficient_data", unit.id
        assert result.note == "not available in this crawl (no emissions.training_run)"
    assert "independent" not in STATISTICS["rq1.share_by_month"].populations
    table = STATISTICS["sensitivity.variants"](population, "all").table
    assert table is not None
    unavailable = table[table["variant"].isin(["independent", "without_copies"])]
    assert (unavailable["status"] == "insufficient_data").all()
    assert unavailable["note"].str.startswith("not available in this crawl").all()


def test_independent_on_the_crawls_training_runs(co2_crawl: Crawled) -> None:
    """The session's crawl has the audit's training runs: one row per run, the first-created
    repository of each, and every RQ2 test is given on it."""
    emissions = co2_crawl.emissions
    independent = co2_crawl.population.subset("independent")
    keyed = emissions["training_run"].notna()
    runs = emissions.loc[keyed, "training_run"].nunique() + int((~keyed).sum())
    assert len(independent) == runs < len(emissions)
    for unit in STATISTICS:
        if unit.question == "RQ2":
            item = co2_crawl.finding(unit.id, "independent")
            assert item["units"]["training_runs"] is not None, unit.id
            if item["status"] == OK:
                assert item["units"]["training_runs"] == item["units"]["rows"], unit.id


def test_audited_figures_when_the_column_exists(co2_crawl_db: Path, tmp_path: Path) -> None:
    """A made-up audited figure (twice the stated one, a fixture rule) on a copy of the real
    crawl, to check that every statistic reads `co2_g_audited` (a crawl from before mining
    migration 7 gets the column here; a newer one has it already) and that the family's members
    on `independent` are then computed and corrected."""
    db = copy_db(co2_crawl_db, tmp_path)
    con = duckdb.connect(str(db))
    try:
        con.execute("ALTER TABLE emissions ADD COLUMN IF NOT EXISTS co2_g_audited DOUBLE")
        con.execute("UPDATE emissions SET co2_g_audited = 2 * co2_g")
        population = load(con)
    finally:
        con.close()
    assert population.run["co2_figure"] == "co2_g_audited"
    reporters = population.reporters
    assert (reporters["co2_g"].dropna() == 2 * reporters["co2_g_stated"].dropna()).all()
    independent = population.subset("independent")
    assert independent["training_run"].dropna().is_unique
    keyed = reporters.dropna(subset=["training_run"])
    first = keyed.sort_values(["created_at", "model_id"]).drop_duplicates("training_run")
    assert set(first["model_id"]) <= set(independent["model_id"])
    analysis = compute(population)
    by_key = {(f.id, f.population): f for f in analysis.findings}
    size = by_key[("rq2.pearson_log_size", "independent")]
    assert size.result.status == OK and size.inference == "confirmatory"
    assert size.p_holm is not None and size.p_holm >= size.result.p  # type: ignore[operator]
    units = size.result.units
    assert units is not None and units.training_runs == units.rows == size.result.n
    section = family.section(analysis.findings)
    assert section["members"] >= 3
    assert section["members"] + len(section["not_computed"]) == len(FAMILY)


def test_the_bootstraps_rank_biserial_of_codes_is_mann_whitneys_exactly() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 40, (5, 30)), rng.integers(0, 40, (5, 50))  # many ties
    expected = [
        2 * stats.mannwhitneyu(a[row], b[row]).statistic / (30 * 50) - 1 for row in range(5)
    ]
    assert _rank_biserial_of_codes(a, b).tolist() == expected
