"""RQ2 findings recomputed by hand (rank sums, numpy correlations, explicit HC3 sandwich, a
step-down Holm) on real reporters joined from the raw crawl tables."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.findings import OK
from analysis.statistics import STATISTICS
from mining.cards.card import parse_card
from mining.cards.metrics import performance_metrics

Crawled = Any  # tests/analysis/conftest.py: a crawled database and its analysis
Z = 1.959963984540054


def _reporters(crawl: Crawled) -> pd.DataFrame:
    """Raw emissions joined with raw models, plus the domain the population derived (its
    derivation is checked in test_analyze_population.py)."""
    merged = crawl.emissions.merge(crawl.models, on="model_id", how="left")
    merged["autotrain"] = merged["tags"].map(
        lambda tags: any(str(t).lower() in ("autotrain", "autonlp") for t in list(tags))
    )
    domains = crawl.population.reporters.set_index("model_id")["domain"]
    merged["domain"] = merged["model_id"].map(domains)
    return merged


def _subset(rows: pd.DataFrame, population: str) -> pd.DataFrame:
    if population == "all":
        return rows
    return rows[rows["autotrain"] == (population == "autotrain")]


def _fisher(r: float, n: int, variance: float = 1.0) -> tuple[float, float]:
    se = math.sqrt(variance / (n - 3))
    return math.tanh(math.atanh(r) - Z * se), math.tanh(math.atanh(r) + Z * se)


def _manual_mwu(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """U of `a` from the rank sum, two-sided p by the normal approximation with tie and
    continuity corrections (what scipy's default does for samples this size with ties)."""
    ranks = stats.rankdata(np.concatenate([a, b]))
    n1, n2 = len(a), len(b)
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    _, counts = np.unique(np.concatenate([a, b]), return_counts=True)
    tie = (counts**3 - counts).sum() / (n * (n - 1))
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie))
    big = max(u1, n1 * n2 - u1)
    z = (big - n1 * n2 / 2 - 0.5) / sigma
    return u1, float(min(1.0, 2 * stats.norm.sf(z)))


@pytest.mark.parametrize("population", ["all", "autotrain", "human"])
def test_mwu_cv_vs_nlp_by_rank_sum(co2_crawl: Crawled, population: str) -> None:
    rows = _subset(_reporters(co2_crawl), population)
    rows = rows[rows["co2_g"].notna()]
    cv = rows.loc[rows["domain"] == "Computer Vision", "co2_g"].to_numpy()
    nlp = rows.loc[rows["domain"] == "NLP", "co2_g"].to_numpy()
    finding = co2_crawl.finding("rq2.mwu_cv_vs_nlp", population)
    assert finding["n"] == len(cv) + len(nlp)
    if min(len(cv), len(nlp)) < 5:
        assert finding["status"] == "insufficient_data"
        return
    u, p = _manual_mwu(cv, nlp)
    assert finding["statistic"] == pytest.approx(u)
    assert finding["p"] == pytest.approx(p, rel=1e-6)
    assert finding["effect_size"]["name"] == "rank-biserial r"
    assert finding["effect_size"]["value"] == pytest.approx(2 * u / (len(cv) * len(nlp)) - 1)
    assert finding["details"]["median_cv"] == pytest.approx(np.median(cv))


@pytest.mark.parametrize("population", ["all", "autotrain", "human"])
def test_pearson_log_size_with_numpy(co2_crawl: Crawled, population: str) -> None:
    rows = _subset(_reporters(co2_crawl), population)
    rows = rows.dropna(subset=["co2_g", "pytorch_model_bytes"])
    dropped = int((rows["co2_g"] <= 0).sum())
    rows = rows[(rows["co2_g"] > 0) & (rows["pytorch_model_bytes"] > 0)]
    x = np.log(rows["pytorch_model_bytes"].to_numpy(dtype=float))
    y = np.log(rows["co2_g"].to_numpy(dtype=float))
    r = float(np.corrcoef(x, y)[0, 1])
    n = len(rows)
    t = r * math.sqrt((n - 2) / (1 - r * r))
    finding = co2_crawl.finding("rq2.pearson_log_size", population)
    assert finding["n"] == n > 5
    assert finding["statistic"] == pytest.approx(r)
    assert finding["p"] == pytest.approx(2 * stats.t.sf(abs(t), n - 2), rel=1e-6)
    assert finding["ci"] == pytest.approx(list(_fisher(r, n)))
    assert finding["details"]["non_positive_co2_g"] == dropped
    spearman = co2_crawl.finding("rq2.spearman_size", population)
    rho = float(np.corrcoef(stats.rankdata(x), stats.rankdata(y))[0, 1])
    assert spearman["statistic"] == pytest.approx(rho)
    assert spearman["ci"] == pytest.approx(list(_fisher(rho, n, 1 + rho * rho / 2)))


def test_spearman_downloads_with_ranks(sample_crawl: Crawled) -> None:
    rows = _reporters(sample_crawl).dropna(subset=["co2_g", "downloads"])
    rho = float(np.corrcoef(stats.rankdata(rows["co2_g"]), stats.rankdata(rows["downloads"]))[0, 1])
    finding = sample_crawl.finding("rq2.spearman_downloads")
    assert finding["n"] == len(rows)
    assert finding["statistic"] == pytest.approx(rho)


@pytest.mark.parametrize("metric", ["accuracy", "f1", "rouge1", "rougeL"])
def test_spearman_metrics_from_cards_parsed_again(co2_crawl: Crawled, metric: str) -> None:
    cards = co2_crawl.cards.set_index("model_id")["raw_text"]
    rows = _reporters(co2_crawl)
    values = []
    for model_id in rows["model_id"]:
        card = parse_card(cards[model_id])
        model_index = (card.metadata or {}).get("model-index")
        found = performance_metrics(model_index, card.body).get(metric)
        values.append(found.value if found else np.nan)
    rows = rows.assign(metric=values).dropna(subset=["co2_g", "metric"])
    rho = float(np.corrcoef(stats.rankdata(rows["co2_g"]), stats.rankdata(rows["metric"]))[0, 1])
    finding = co2_crawl.finding(f"rq2.spearman_{metric}")
    assert finding["n"] == len(rows) > 100
    assert finding["statistic"] == pytest.approx(rho)
    assert rows["metric"].between(0.0, 1.0).all()


def test_paper_specification_hc3_by_hand(co2_crawl: Crawled) -> None:
    """The paper's two-variable model (is_cv, ln size; HC3), kept beside the clustered one, on
    the same rows (CV and NLP reporters with positive amounts and sizes and a creation date)."""
    rows = _reporters(co2_crawl)
    rows = rows[rows["domain"].isin(["Computer Vision", "NLP"])]
    rows = rows[(rows["co2_g"] > 0) & (rows["pytorch_model_bytes"] > 0)]
    rows = rows[rows["created_at"].notna()]
    x = np.column_stack(
        [
            np.ones(len(rows)),
            (rows["domain"] == "Computer Vision").to_numpy(dtype=float),
            np.log(rows["pytorch_model_bytes"].to_numpy(dtype=float)),
        ]
    )
    y = np.log(rows["co2_g"].to_numpy(dtype=float))
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    bread = np.linalg.inv(x.T @ x)
    leverage = np.einsum("ij,jk,ik->i", x, bread, x)
    residuals = y - x @ beta
    meat = x.T @ (x * (residuals**2 / (1 - leverage) ** 2)[:, None])
    se = math.sqrt((bread @ meat @ bread)[1, 1])
    finding = co2_crawl.finding("rq2.ols_domain_size_controlled")
    paper = finding["details"]["paper_specification"]
    assert finding["n"] == len(rows)
    assert paper["coefficient"] == pytest.approx(beta[1])
    assert paper["p"] == pytest.approx(2 * stats.norm.sf(abs(beta[1] / se)), rel=1e-6)
    assert paper["ratio"] == pytest.approx(math.exp(beta[1]))
    assert paper["ratio_ci"] == pytest.approx(
        [math.exp(beta[1] - Z * se), math.exp(beta[1] + Z * se)]
    )
    assert -1 < finding["details"]["cross_validated_r2"] < 1


def test_pretraining_vs_finetuning(co2_crawl: Crawled) -> None:
    rows = _reporters(co2_crawl)
    rows = rows[rows["co2_g"].notna()]  # a figure the audit withheld is not compared
    text = rows["training_type"].fillna("").str.lower()
    pre = text.str.contains(r"pre[- _]?train") & ~text.str.contains(r"fine[- _]?tun")
    fine = text.str.contains(r"fine[- _]?tun") & ~text.str.contains(r"pre[- _]?train")
    finding = co2_crawl.finding("rq2.mwu_pretraining_vs_finetuning")
    assert finding["n"] == int(pre.sum() + fine.sum())
    if min(pre.sum(), fine.sum()) < 5:
        assert finding["status"] == "insufficient_data"
        assert finding["statistic"] is None and finding["p_holm"] is None
    else:
        u, p = _manual_mwu(rows.loc[pre, "co2_g"].to_numpy(), rows.loc[fine, "co2_g"].to_numpy())
        assert finding["statistic"] == pytest.approx(u)
        if min(pre.sum(), fine.sum()) > 8:  # scipy's asymptotic branch
            assert finding["p"] == pytest.approx(p, rel=1e-6)
    autotrain = co2_crawl.finding("rq2.mwu_pretraining_vs_finetuning", "autotrain")
    assert autotrain["status"] == "insufficient_data" and autotrain["n"] == 0


def test_dataset_size_relations_on_the_sizes_the_crawl_stored(co2_crawl: Crawled) -> None:
    naming = 0
    for front_matter in co2_crawl.cards["front_matter"]:
        datasets = json.loads(front_matter).get("datasets") if front_matter else None
        naming += bool(datasets)
    finding = co2_crawl.finding("rq2.pearson_log_dataset_size")
    assert finding["status"] == "ok" and finding["n"] >= 30
    details = finding["details"]
    assert details["reporters_naming_datasets"] == naming > 1000
    assert sum(details["measures"].values()) == finding["n"] == sum(details["provenance"].values())
    assert set(details["measures"]) == {"curated", "datasets_sum", "stated_sum"}
    assert set(details["provenance"]) <= {"paper", "paper_curated", "gaissalabel", "card"}
    assert finding["statistic"] > 0 and finding["p"] < 0.05  # larger data, more CO2
    spearman = co2_crawl.finding("rq2.spearman_dataset_size")
    assert spearman["status"] == "ok" and spearman["n"] == finding["n"]


def test_parameter_counts_absent_from_the_snapshot(co2_crawl: Crawled) -> None:
    assert co2_crawl.models["parameters"].isna().all()
    for population in ("all", "autotrain", "human"):
        finding = co2_crawl.finding("rq2.pearson_log_parameters", population)
        assert (finding["status"], finding["n"], finding["statistic"]) == (
            "insufficient_data",
            0,
            None,
        )


def test_split_populations_add_up(co2_crawl: Crawled) -> None:
    for unit_id in ("rq2.pearson_log_size", "rq2.spearman_downloads", "rq2.spearman_accuracy"):
        total = co2_crawl.finding(unit_id, "all")["n"]
        parts = (
            co2_crawl.finding(unit_id, "autotrain")["n"] + co2_crawl.finding(unit_id, "human")["n"]
        )
        assert total == parts, unit_id


@pytest.mark.slow  # the crawls, by name
@pytest.mark.parametrize("crawl_name", ["co2_crawl", "sample_crawl"])
def test_holm_step_down_by_hand(crawl_name: str, request: pytest.FixtureRequest) -> None:
    """Holm over the computed members of the declared family only."""
    crawl = request.getfixturevalue(crawl_name)
    family = [item for item in crawl.findings["statistics"] if item["p_holm"] is not None]
    others = [item for item in crawl.findings["statistics"] if item["p_holm"] is None]
    assert all(item["status"] == OK and item["inference"] == "confirmatory" for item in family)
    assert all(
        item["inference"] != "confirmatory" or item["status"] != OK or item["p"] is None
        for item in others
    )
    assert crawl.findings["holm"]["members"] == len(family)
    declared = len(crawl.findings["holm"]["family"])
    assert len(family) + len(crawl.findings["holm"]["not_computed"]) == declared
    raw = [item["p"] for item in family]
    m = len(raw)
    order = sorted(range(m), key=lambda i: raw[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * raw[index]))
        adjusted[index] = running
    assert [item["p_holm"] for item in family] == pytest.approx(adjusted)


@pytest.mark.parametrize("size", [0, 3, 12])
def test_tiny_populations_give_insufficient_data_never_nan(co2_crawl: Crawled, size: int) -> None:
    population = co2_crawl.population
    small = replace(population, reporters=population.reporters.head(size))
    for unit in STATISTICS:
        for name in unit.populations:
            result = unit(small, name)
            numbers = [result.statistic, result.p, *(result.ci or ())]
            if result.status == OK:
                assert all(v is None or math.isfinite(v) for v in numbers), unit.id
            else:
                assert result.statistic is None and result.p is None, unit.id
                assert result.note, unit.id
            assert result.n >= 0
