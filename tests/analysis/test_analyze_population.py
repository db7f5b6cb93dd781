"""The population DuckDB builds, recomputed row by row in plain Python from the raw tables."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pandas as pd
import pytest

from analysis import paperdata
from mining.cards.card import parse_card
from mining.cards.metrics import METRICS, performance_metrics

Crawled = Any  # tests/analysis/conftest.py: a crawled database and its analysis

ORDER = ["NLP", "Computer Vision", "Audio", "Multimodal", "Reinforcement Learning"]


def _listed(tags: Any) -> list[Any]:
    return [] if tags is None else list(tags)


def _normal(tags: Any, pipeline_tag: Any) -> set[str]:
    values = [*_listed(tags), pipeline_tag]
    return {
        str(v).strip().lower().replace(" ", "-") for v in values if isinstance(v, str) and v.strip()
    }


def _tag_domains() -> dict[str, str]:
    sections = paperdata.tags_metadata()["tags_to_domain"]
    return {
        str(tag).strip().lower().replace(" ", "-"): domain
        for mapping in sections.values()
        for tag, domain in mapping.items()
    }


def _expected_domain(tags: set[str], mapping: dict[str, str]) -> tuple[str | None, list[str]]:
    matched = {tag: mapping[tag] for tag in tags if tag in mapping}
    support = Counter(matched.values())
    candidates = sorted(support, key=ORDER.index)
    if not support:
        return None, []
    if len(support) == 1:
        return candidates[0], candidates
    if "feature-extraction" in matched and len(support) == 2:
        return "NLP", candidates
    if "Multimodal" in support:
        return "Multimodal", candidates
    return min(support, key=lambda d: (-support[d], ORDER.index(d))), candidates


def _merged(crawl: Crawled) -> pd.DataFrame:
    return crawl.emissions.merge(crawl.models, on="model_id", how="left", suffixes=("", "_m"))


def test_one_row_per_reporter_keyed_by_full_id(co2_crawl: Crawled) -> None:
    reporters = co2_crawl.population.reporters
    assert len(reporters) == len(co2_crawl.emissions) == 1418
    assert sorted(reporters["model_id"]) == sorted(co2_crawl.emissions["model_id"])
    assert reporters["model_id"].is_unique


def test_autotrain_flag_from_tags(co2_crawl: Crawled) -> None:
    merged = _merged(co2_crawl)
    expected = {
        row.model_id: any(str(t).lower() in ("autotrain", "autonlp") for t in _listed(row.tags))
        for row in merged.itertuples()
    }
    got = dict(
        zip(
            co2_crawl.population.reporters["model_id"],
            co2_crawl.population.reporters["autotrain"],
            strict=True,
        )
    )
    assert got == expected
    assert 1000 < sum(expected.values()) < 1418


def test_domain_rule_recomputed_for_every_reporter(co2_crawl: Crawled) -> None:
    mapping = _tag_domains()
    merged = _merged(co2_crawl).set_index("model_id")
    reporters = co2_crawl.population.reporters.set_index("model_id")
    several = 0
    for model_id, row in merged.iterrows():
        domain, candidates = _expected_domain(_normal(row["tags"], row["pipeline_tag"]), mapping)
        got = reporters.loc[model_id]
        assert (None if pd.isna(got["domain"]) else got["domain"]) == domain, model_id
        assert list(got["domain_candidates"]) == candidates, model_id
        several += len(candidates) > 1
    assert several >= 5  # the multi-domain rules are exercised on real reporters


def test_domain_is_deterministic_across_loads(co2_crawl: Crawled) -> None:
    import duckdb

    from analysis.population import load

    con = duckdb.connect(str(co2_crawl.db), read_only=True)
    try:
        again = load(con).reporters
    finally:
        con.close()
    pd.testing.assert_series_equal(again["domain"], co2_crawl.population.reporters["domain"])


def _expected_source(autotrain: bool, source: Any) -> str:
    text = source.strip().lower() if isinstance(source, str) else ""
    if autotrain:
        return "AutoTrain"
    if "codecarbon" in text or "code carbon" in text:
        return "CodeCarbon"
    if "mlco2" in text or re.search(r"ml ?co2", text):
        return "ML CO2 calculator"
    return "other" if text else "unspecified"


def _expected_training(value: Any) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    pre = re.search(r"pre[- _]?train", text) is not None
    fine = re.search(r"fine[- _]?tun", text) is not None
    if not text:
        return "unspecified"
    if pre and fine:
        return "both"
    return "fine-tuning" if fine else ("pre-training" if pre else "other")


def test_source_and_training_classes(sample_crawl: Crawled, co2_crawl: Crawled) -> None:
    for crawl in (sample_crawl, co2_crawl):
        reporters = crawl.population.reporters
        source = [
            _expected_source(a, s)
            for a, s in zip(reporters["autotrain"], reporters["source"], strict=True)
        ]
        assert list(reporters["source_class"]) == source
        training = [_expected_training(t) for t in reporters["training_type"]]
        assert list(reporters["training_class"]) == training
    assert "fine-tuning" in set(co2_crawl.population.reporters["training_class"])


def test_libraries_union_of_library_name_and_tags(co2_crawl: Crawled) -> None:
    libraries = [str(name) for name in paperdata.tags_metadata()["libraries"]]
    merged = _merged(co2_crawl).set_index("model_id")
    for model_id, row in co2_crawl.population.reporters.set_index("model_id").iterrows():
        raw = merged.loc[model_id]
        expected = {t for t in _normal(raw["tags"], raw["pipeline_tag"]) if t in libraries}
        if isinstance(raw["library_name"], str) and raw["library_name"].strip():
            expected.add(raw["library_name"].strip().lower())
        assert set(row["libraries"]) == expected, model_id


def test_metrics_match_parsing_the_stored_card(co2_crawl: Crawled) -> None:
    cards = co2_crawl.cards.set_index("model_id")
    reporters = co2_crawl.population.reporters.set_index("model_id")
    with_metric = 0
    for model_id, row in reporters.iterrows():
        text = cards.loc[model_id, "raw_text"]
        card = parse_card(text) if isinstance(text, str) else None
        model_index = (card.metadata or {}).get("model-index") if card else None
        expected = performance_metrics(model_index, card.body if card else None)
        for metric in METRICS:
            value = row[metric]
            if metric in expected:
                assert value == pytest.approx(expected[metric].value), (model_id, metric)
                with_metric += 1
            else:
                assert pd.isna(value), (model_id, metric)
    assert with_metric > 1000


def _expected_monthly(crawl: Crawled) -> pd.DataFrame:
    models = crawl.models.copy()
    models["month"] = models["created_at"].dt.to_period("M").dt.to_timestamp()
    models["autotrain"] = models["tags"].map(
        lambda tags: any(str(t).lower() in ("autotrain", "autonlp") for t in _listed(tags))
    )
    co2 = crawl.emissions.set_index("model_id")["co2_g"]
    models["reporter"] = models["model_id"].isin(co2.index)
    models["co2_g"] = models["model_id"].map(co2)
    frames = []
    for name, rows in (
        ("all", models),
        ("autotrain", models[models["autotrain"]]),
        ("human", models[~models["autotrain"]]),
    ):
        grouped = rows.groupby("month", dropna=False).agg(
            models=("model_id", "size"),
            reporters=("reporter", "sum"),
            reporters_with_co2=("co2_g", "count"),
        )
        frames.append(grouped.reset_index().assign(population=name))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("population", ["all", "autotrain", "human"])
def test_monthly_counts_match_pandas(sample_crawl: Crawled, population: str) -> None:
    expected = _expected_monthly(sample_crawl)
    expected = expected[expected["population"] == population].set_index("month")
    got = sample_crawl.population.monthly_of(population).set_index("month")  # type: ignore[arg-type]
    assert sorted(map(str, got.index)) == sorted(map(str, expected.index))
    for month, row in got.iterrows():
        want = expected.loc[month]
        assert (row["models"], row["reporters"]) == (want["models"], want["reporters"]), month
        assert row["reporters_with_co2"] == want["reporters_with_co2"], month
    if population == "all":
        assert got["models"].sum() == 5000


def _check_model_domains(crawl: Crawled) -> Counter[str]:
    """model_domains() against the Python rule for every crawled model; counts the branches."""
    import duckdb

    from analysis.population import model_domains

    mapping = _tag_domains()
    con = duckdb.connect(str(crawl.db), read_only=True)
    try:
        got = model_domains(con, int(crawl.findings["run_id"])).set_index("model_id")
    finally:
        con.close()
    assert len(got) == len(crawl.models)
    branches: Counter[str] = Counter()
    for row in crawl.models.itertuples():
        tags = _normal(row.tags, row.pipeline_tag)
        domain, candidates = _expected_domain(tags, mapping)
        value = got.loc[row.model_id, "domain"]
        assert (None if pd.isna(value) else value) == domain, row.model_id
        assert list(got.loc[row.model_id, "domain_candidates"]) == candidates, row.model_id
        support = Counter(mapping[tag] for tag in tags if tag in mapping)
        if len(support) > 1 and "Multimodal" not in support:
            top = sorted(support.values(), reverse=True)
            branches["tie" if top[0] == top[1] else "count"] += 1
    return branches


def test_domains_of_every_listed_model(sample_crawl: Crawled) -> None:
    assert _check_model_domains(sample_crawl)["count"] >= 1


@pytest.mark.slow
def test_domain_ties_on_the_whole_listing(listing_crawl: Crawled) -> None:
    branches = _check_model_domains(listing_crawl)
    assert branches["tie"] >= 10  # ties broken by the fixed order, on real tags
    assert branches["count"] >= 10
