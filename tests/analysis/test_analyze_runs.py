"""rq1.share_by_run: the share of reporters per crawl run, checked against counts taken from the
raw crawl tables (models, emissions), never from the history views the analysis reads."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from history_runs import two_run_db

from analysis.population import load
from analysis.statistics.rq1_runs import DAYS_PER_MONTH, share_by_run
from hubcarbon.cli import main

pytestmark = pytest.mark.slow  # crawls of the history snapshots

Crawled = Any  # tests/analysis/conftest.py

DAYS_APART = 30


@pytest.fixture(scope="module")
def dated_history_db(tmp_path_factory: pytest.TempPathFactory, _session_hf_home: None) -> Path:
    """The two-run history fixture; run 1 is then dated DAYS_APART days earlier (the crawls
    ran seconds apart, the statistic needs dates apart to give a slope)."""
    db = tmp_path_factory.mktemp("runs") / "hubcarbon.duckdb"
    assert two_run_db(db) == [1, 2]
    con = duckdb.connect(str(db))
    shift = timedelta(days=DAYS_APART)
    con.execute(
        "UPDATE runs SET started_at = started_at - ?, finished_at = finished_at - ? "
        "WHERE run_id = 1",
        [shift, shift],
    )
    con.close()
    return db


def raw_shares(db: Path) -> dict[int, float]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT m.run_id, count(*), count(e.model_id) FROM models m "
            "LEFT JOIN emissions e USING (run_id, model_id) GROUP BY m.run_id"
        ).fetchall()
    finally:
        con.close()
    return {int(run): 100 * reporters / models for run, models, reporters in rows}


def test_share_per_run_with_its_trend(dated_history_db: Path) -> None:
    shares = raw_shares(dated_history_db)
    assert shares[1] != shares[2]  # the fixture removes a listing-only model
    con = duckdb.connect(str(dated_history_db), read_only=True)
    try:
        result = share_by_run(load(con), "all")
        finished = dict(con.execute("SELECT run_id, finished_at FROM runs").fetchall())
    finally:
        con.close()
    assert result.status == "ok"
    assert result.n == 2
    assert result.p is None  # descriptive: out of the Holm family
    assert result.statistic == pytest.approx(shares[2] - shares[1])
    months = (finished[2] - finished[1]).total_seconds() / 86_400 / DAYS_PER_MONTH
    assert months == pytest.approx(DAYS_APART / DAYS_PER_MONTH, abs=0.01)
    assert result.effect_size is not None
    assert result.effect_size.value == pytest.approx((shares[2] - shares[1]) / months)
    assert result.table is not None
    assert list(result.table["run_id"]) == [1, 2]
    assert list(result.table["share_pct"]) == pytest.approx([shares[1], shares[2]])


def test_runs_seconds_apart_give_no_slope(tmp_path: Path, _session_hf_home: None) -> None:
    db = tmp_path / "hubcarbon.duckdb"
    two_run_db(db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = share_by_run(load(con), "all")
    finally:
        con.close()
    assert result.status == "ok"
    assert result.effect_size is None
    assert result.details["slope_note"] == "the runs span less than a day: no slope per month"


def test_one_run_is_insufficient_with_a_note(co2_crawl: Crawled) -> None:
    finding = co2_crawl.finding("rq1.share_by_run")
    assert finding["status"] == "insufficient_data"
    assert finding["n"] == 1
    assert "a single crawl run of this source and scope" in finding["note"]


def test_analyze_writes_the_finding_and_its_table(dated_history_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["analyze", "--db", str(dated_history_db), "--out", str(out), "--no-progress"]) == 0
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    [finding] = [s for s in findings["statistics"] if s["id"] == "rq1.share_by_run"]
    assert finding["status"] == "ok"
    assert finding["question"] == "RQ1"
    shares = raw_shares(dated_history_db)
    assert finding["statistic"] == pytest.approx(shares[2] - shares[1])
