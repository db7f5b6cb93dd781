"""History: the views run_pairs and model_history, the diff of two runs, and `hubcarbon diff`.

Two real crawls (the real client over HTTP, through the loopback mirror) of the made-up
two-snapshot fixture (tests/fixtures/history/README.md) into one database; the diff must list
exactly the changes the fixture's builder made and recorded in changes.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from history_runs import AFTER, BEFORE, changes, crawl, two_run_db
from support import copy_db

from hubcarbon.cli import main
from mining import store
from mining.crawl.crawler import CrawlOptions
from mining.mirror.server import MirrorServer
from mining.snapshot.reader import open_snapshot
from mining.store.history import diff_runs

pytestmark = pytest.mark.slow  # crawls of the history snapshots


@pytest.fixture(scope="module")
def history_db(tmp_path_factory: pytest.TempPathFactory, _session_hf_home: None) -> Path:
    """Runs 1 (before.parquet) and 2 (after.parquet), one mirror URL. Read it only."""
    db = tmp_path_factory.mktemp("history") / "history.duckdb"
    assert two_run_db(db) == [1, 2]
    return db


def expected(kind: str) -> list[dict[str, Any]]:
    return sorted((c for c in changes() if c["kind"] == kind), key=lambda c: c["model_id"])


def diff_json(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["diff", "--db", str(db), "--format", "json", *args]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_diff_lists_exactly_the_changes_made(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = diff_json(history_db, capsys=capsys)
    assert (found["version"], found["from_run"], found["to_run"]) == (1, 1, 2)
    assert found["models_added"] == [c["model_id"] for c in expected("models_added")]
    assert found["models_removed"] == [c["model_id"] for c in expected("models_removed")]
    assert found["added_reporting"] == [
        {"model_id": "hubcarbon-fixture/added-reporter", "co2_g": 42.0, "co2_g_audited": 42.0}
    ]
    [removed_reporter] = found["removed_reporting"]
    assert removed_reporter["model_id"] in found["models_removed"]
    assert removed_reporter["co2_g"] > 0
    for kind in ("started_reporting", "stopped_reporting"):
        assert found[kind] == [
            {"model_id": c["model_id"], "co2_g": c["co2_g"], "co2_g_audited": c["co2_g"]}
            for c in expected(kind)
        ]
    assert found["co2_changed"] == [
        {
            "model_id": c["model_id"],
            "from_g": c["from_g"],
            "to_g": c["to_g"],
            "from_audited_g": c["from_g"],
            "to_audited_g": None,  # the new metadata disagrees with the body's AutoTrain line
        }
        for c in expected("co2_changed")
    ]
    assert found["fields_changed"] == [
        {"model_id": c["model_id"], "field": c["field"], "from": c["from"], "to": c["to"]}
        for c in expected("fields_changed")
    ]
    summary = found["summary"]
    assert [
        summary[k]
        for k in (
            "models_added",
            "models_removed",
            "started_reporting",
            "stopped_reporting",
            "co2_changed",
            "fields_changed",
        )
    ] == [2, 3, 1, 1, 1, 1]
    assert (summary["models_from"], summary["models_to"]) == (80, 79)
    # the run before reports 40; after: one removed, one added, one started, one stopped
    assert (summary["reporting_from"], summary["reporting_to"]) == (40, 40)
    assert summary["same_source"] is True


def test_a_new_model_that_reports_is_added_not_started(history_db: Path) -> None:
    con = store.connect(history_db, read_only=True)
    try:
        diff = diff_runs(con)
    finally:
        con.close()
    started = {f.model_id for f in diff.started_reporting}
    assert "hubcarbon-fixture/added-reporter" in diff.models_added
    assert "hubcarbon-fixture/added-reporter" not in started
    rows = diff.rows()
    assert {r["kind"] for r in rows} == set(diff.counts())
    assert len(rows) == sum(diff.counts().values())


def test_text_output_counts_first_then_a_table_per_kind(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "--db", str(history_db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "run 1 -> run 2"
    assert lines[4] == (
        "added 2, removed 3, started reporting 1, stopped reporting 1, CO2 changed 1, "
        "fields changed 1"
    )
    text = "\n".join(lines)
    for title in (
        "models added (2)",
        "models removed (3)",
        "started reporting (1)",
        "stopped reporting (1)",
        "CO2 changed (1)",
        "fields changed (1)",
    ):
        assert f"\n{title}\n" in text
    [corrected] = expected("co2_changed")
    row = next(line for line in lines if corrected["model_id"] in line)
    assert f"{corrected['from_g']:,.10g}" in row and f"{corrected['to_g']:,.10g}" in row


def test_explicit_runs_compare_in_the_order_given(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forward = diff_json(history_db, "--from", "1", "--to", "2", capsys=capsys)
    assert forward == diff_json(history_db, capsys=capsys)
    backward = diff_json(history_db, "--from", "2", "--to", "1", capsys=capsys)
    assert (backward["from_run"], backward["to_run"]) == (2, 1)
    assert backward["models_added"] == forward["models_removed"]
    assert backward["models_removed"] == forward["models_added"]
    assert [f["model_id"] for f in backward["started_reporting"]] == [
        f["model_id"] for f in forward["stopped_reporting"]
    ]
    [correction] = backward["co2_changed"]
    assert (correction["from_g"], correction["to_g"]) == (
        forward["co2_changed"][0]["to_g"],
        forward["co2_changed"][0]["from_g"],
    )
    # --to alone: the run before it on its source
    assert diff_json(history_db, "--to", "2", capsys=capsys) == forward


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "9"], "run 9 does not exist (runs: 1, 2)"),
        (["--from", "7", "--to", "2"], "run 7 does not exist (runs: 1, 2)"),
        (["--to", "1"], "run 1 is the first finished run of its source and scope"),
        (["--from", "2", "--to", "2"], "--from and --to both name run 2"),
    ],
)
def test_bad_runs_are_one_line_and_exit_2(
    history_db: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["diff", "--db", str(history_db), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"hubcarbon: error: {message}")


def test_a_single_run_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "one.duckdb"
    assert two_run_db(db, (BEFORE,)) == [1]
    assert main(["diff", "--db", str(db)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        "hubcarbon: error: the database holds 1 finished run: a diff needs two "
        "(crawl again later, or pass --from and --to)"
    )
    assert main(["diff", "--db", str(tmp_path / "none.duckdb")]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("hubcarbon: error: no database at")


def test_an_unfinished_run_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = copy_db(_history_copy_source(tmp_path), tmp_path / "copy")
    con = duckdb.connect(str(db))
    con.execute("UPDATE runs SET status = 'failed' WHERE run_id = 1")
    con.close()
    assert main(["diff", "--db", str(db), "--from", "1", "--to", "2"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "--from 1: the run has not finished (status failed)" in line
    assert main(["diff", "--db", str(db)]) == 2  # one finished run left


def _history_copy_source(tmp_path: Path) -> Path:
    db = tmp_path / "src" / "history.duckdb"
    db.parent.mkdir()
    two_run_db(db)
    return db


def test_the_views(history_db: Path) -> None:
    con = store.connect(history_db, read_only=True)
    try:
        pairs = con.execute(
            "SELECT from_run, to_run, crawl_source, scope FROM run_pairs"
        ).fetchall()
        per_run = con.execute(
            "SELECT run_id, count(*), count(*) FILTER (WHERE reports), count(DISTINCT model_id),"
            " count(co2_g_audited), count(flags) FROM model_history GROUP BY run_id ORDER BY 1"
        ).fetchall()
        [started] = expected("started_reporting")
        series = con.execute(
            "SELECT run_id, reports, co2_g FROM model_history WHERE model_id = ? ORDER BY run_id",
            [started["model_id"]],
        ).fetchall()
    finally:
        con.close()
    [(first, second, source, scope)] = pairs
    assert (first, second) == (1, 2)
    assert source.startswith("http://127.0.0.1:")
    assert json.loads(scope) == {
        "author": None,
        "cards": "all",
        "datasets": "reporters",
        "limit": None,
        "models": "all",
    }
    assert [row[:4] for row in per_run] == [(1, 80, 40, 80), (2, 79, 40, 79)]
    for _, _, reporters, _, audited, flagged in per_run:  # every row audited (migration 7)
        assert flagged == reporters and 0 < audited <= reporters
    assert series == [(1, False, None), (2, True, started["co2_g"])]


def test_another_scope_is_another_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A crawl of the CO2-tagged models only is not paired with crawls of all models."""
    db = tmp_path / "scopes.duckdb"
    two_run_db(db)
    con = store.connect(db)
    try:
        with MirrorServer(open_snapshot(AFTER)) as server:
            assert crawl(con, server.url, CrawlOptions(models="co2")) == 3
        assert con.execute("SELECT from_run, to_run FROM run_pairs").fetchall() == [(1, 2)]
    finally:
        con.close()
    assert main(["diff", "--db", str(db)]) == 2
    assert "run 3 is the first finished run of its source and scope" in capsys.readouterr().err


def test_two_snapshot_files_are_two_sources_unless_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history_db: Path
) -> None:
    db = tmp_path / "files.duckdb"
    for path in (BEFORE, AFTER):
        assert main(["crawl", "--db", str(db), "--snapshot", str(path), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["diff", "--db", str(db)]) == 2
    assert "run 2 is the first finished run of its source" in capsys.readouterr().err
    by_file = diff_json(db, "--from", "1", "--to", "2", capsys=capsys)
    by_mirror = diff_json(history_db, capsys=capsys)
    assert by_file["summary"]["same_source"] is False
    for key in (
        "models_added",
        "models_removed",
        "started_reporting",
        "stopped_reporting",
        "co2_changed",
        "fields_changed",
    ):
        assert by_file[key] == by_mirror[key]


def test_audited_figures_and_flags_once_the_columns_exist(
    tmp_path: Path, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """emissions.co2_g_audited and emissions.flags (mining migration 7) set by hand on a copy of
    the database: the views and the diff read them."""
    db = copy_db(history_db, tmp_path)
    [corrected] = expected("co2_changed")
    [started] = expected("started_reporting")
    con = duckdb.connect(str(db))
    con.execute(
        "UPDATE emissions SET co2_g_audited = co2_g / 2, flags = ['made-up-flag'] "
        "WHERE model_id IN (?, ?)",
        [corrected["model_id"], started["model_id"]],
    )
    flags = con.execute(
        "SELECT run_id, flags FROM model_history WHERE model_id = ? ORDER BY run_id",
        [corrected["model_id"]],
    ).fetchall()
    con.close()
    assert flags == [(1, ["made-up-flag"]), (2, ["made-up-flag"])]
    found = diff_json(db, capsys=capsys)
    assert found["co2_changed"] == [
        {
            "model_id": corrected["model_id"],
            "from_g": corrected["from_g"],
            "to_g": corrected["to_g"],
            "from_audited_g": corrected["from_g"] / 2,
            "to_audited_g": corrected["to_g"] / 2,
        }
    ]
    assert found["started_reporting"] == [
        {
            "model_id": started["model_id"],
            "co2_g": started["co2_g"],
            "co2_g_audited": started["co2_g"] / 2,
        }
    ]


def test_two_crawls_of_the_embedded_snapshot_differ_in_nothing(
    co2_crawl_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = copy_db(co2_crawl_db, tmp_path)
    assert main(["crawl", "--db", str(db), "--models", "co2", "--no-progress"]) == 0
    found = diff_json(db, capsys=capsys)
    assert (found["from_run"], found["to_run"]) == (1, 2)
    assert all(found[key] == [] for key in found if isinstance(found[key], list))
    assert found["summary"]["models_from"] == found["summary"]["models_to"] == 1_418
    assert main(["diff", "--db", str(db)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "nothing changed"
