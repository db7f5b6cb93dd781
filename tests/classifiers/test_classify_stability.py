"""Stability end to end: crawl, classify, add 100 models to the crawl, classify again. Every
hubcarbon-v1 label of a model present in both runs stays the same.

The 100 added models are real: 100 of the embedded snapshot's models tagged co2_eq_emissions,
left out of the first crawl's snapshot file and present in the second (the embedded one)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from hubcarbon.cli import main
from mining.snapshot.reader import embedded_snapshot_file

pytestmark = pytest.mark.slow  # two crawls of the embedded snapshot

ADDED = 100
# A base model whose same-name copy (`biomedical-ner-all`, created later) repeats its figure.
BASE_OF_A_COPY = "d4data/biomedical-ner-all"
LABEL_COLUMNS = ["letter", "rating", "compound", "metrics", "weights", "autotrain"]


def added_models(table: pa.Table) -> list[str]:
    """Every 14th tagged model in id order, plus BASE_OF_A_COPY: 100 ids."""
    rows = table.select(["id", "tags"]).to_pylist()
    ids = sorted(r["id"] for r in rows if "co2_eq_emissions" in (r["tags"] or ()))
    every_14th = [i for i in ids[::14] if i != BASE_OF_A_COPY]
    chosen = [*every_14th[: ADDED - 1], BASE_OF_A_COPY]
    assert len(set(chosen)) == ADDED
    return chosen


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("stability")
    with embedded_snapshot_file().open("rb") as handle:
        table = pq.read_table(handle)
    added = added_models(table)
    smaller = folder / "without_100.parquet"
    pq.write_table(table.filter(pc.invert(pc.is_in(table["id"], pa.array(added)))), smaller)
    db = folder / "h.duckdb"
    for snapshot in (["--snapshot", str(smaller)], []):
        args = ["crawl", "--db", str(db), "--models", "co2", "--no-progress", *snapshot]
        assert main(args) == 0
        assert main(["classify", "--db", str(db), "--no-progress"]) == 0
    return db, added


def table(db: Path, name: str, run_id: int, where: str = "TRUE") -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.execute(f"SELECT * FROM {name} WHERE run_id = ? AND {where}", [run_id]).df()
    return frame.drop(columns="run_id")


def test_the_second_run_adds_exactly_the_100_models(two_runs: tuple[Path, list[str]]) -> None:
    db, added = two_runs
    first = set(table(db, "efficiency_labels", 1)["model_id"])
    second = set(table(db, "efficiency_labels", 2)["model_id"])
    assert second - first == set(added)
    assert first <= second


def test_every_existing_hubcarbon_v1_label_is_unchanged(two_runs: tuple[Path, list[str]]) -> None:
    db, added = two_runs
    v1 = "scheme = 'hubcarbon-v1'"
    first = table(db, "efficiency_labels", 1, v1).set_index("model_id").sort_index()
    second = table(db, "efficiency_labels", 2, v1).set_index("model_id").loc[first.index]
    assert len(first) == 1418 - ADDED
    # Only rows that become copies of an added model change: they are marked and take the
    # origin's label (one training run, one label). xlmindic-base-multiscript is a near-copy of
    # the added -uniscript card that names it, with the same 28.53 g.
    changed = first.index[(first["status"] != second["status"]).to_numpy()]
    assert sorted(changed) == ["biomedical-ner-all", "ibraheemmoosa/xlmindic-base-multiscript"]
    assert (first.loc[changed, "status"] == "labelled").all()
    assert second.loc["biomedical-ner-all", "inherited_from"] == BASE_OF_A_COPY
    assert set(second.loc[changed, "inherited_from"]) <= set(added)
    stable = first.index.difference(changed)
    pd.testing.assert_frame_equal(
        first.loc[stable, LABEL_COLUMNS], second.loc[stable, LABEL_COLUMNS]
    )
    every = table(db, "efficiency_labels", 2, v1).set_index("model_id")
    for copy in changed:
        assert every.loc[copy, "letter"] == every.loc[every.loc[copy, "inherited_from"], "letter"]


def test_paper2023_labels_drift_where_v1_labels_do_not(two_runs: tuple[Path, list[str]]) -> None:
    """The same addition changes paper2023 labels (population percentiles): the comparison
    above can see a change."""
    db, _ = two_runs
    paper = "scheme = 'paper2023'"
    first = table(db, "efficiency_labels", 1, paper).set_index("model_id").sort_index()
    second = table(db, "efficiency_labels", 2, paper).set_index("model_id").loc[first.index]
    moved = (first["metrics"] != second["metrics"]) | (first["letter"] != second["letter"])
    assert moved.sum() > 100


def test_existing_reporting_grades_are_unchanged(two_runs: tuple[Path, list[str]]) -> None:
    db, _ = two_runs
    first = table(db, "reporting_grades", 1).set_index(["model_id", "scheme"]).sort_index()
    second = table(db, "reporting_grades", 2).set_index(["model_id", "scheme"]).loc[first.index]
    pd.testing.assert_frame_equal(first, second)


def test_alternatives_of_the_second_run_may_name_the_added_models(
    two_runs: tuple[Path, list[str]],
) -> None:
    db, added = two_runs
    first = table(db, "alternatives", 1)
    second = table(db, "alternatives", 2)
    assert not set(first["alternative_id"]) & set(added)
    assert set(second["alternative_id"]) & set(added)
    for frame in (first, second):
        assert frame.groupby("model_id")["rank"].max().le(3).all()


def test_lint_summary_of_each_run_totals_its_findings(two_runs: tuple[Path, list[str]]) -> None:
    db, _ = two_runs
    for run in (1, 2):
        assert table(db, "lint_summary", run)["findings"].sum() == len(
            table(db, "lint_findings", run)
        )
    hc104 = [
        json.loads(table(db, "lint_summary", run, "code = 'HC104'").to_json(orient="records"))
        for run in (1, 2)
    ]
    assert hc104[0][0]["cards"] <= hc104[1][0]["cards"]
