"""A crawl that finds no model (`--author no-such-author` against the embedded snapshot) goes
through analyze, classify and report: exit 0, "no models in run 1", valid empty outputs."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import duckdb
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from analysis.statistics import STATISTICS
from classifiers.lint import RULES
from classifiers.stage import TABLES
from hubcarbon.cli import main


@pytest.fixture(scope="module")
def empty_pipeline(
    tmp_path_factory: pytest.TempPathFactory, _session_hf_home: None
) -> tuple[Path, Path, dict[str, str]]:
    """(database, output folder, stdout of each stage) of the whole pipeline on an empty crawl."""
    root = tmp_path_factory.mktemp("empty_crawl")
    db, out = root / "hubcarbon.duckdb", root / "out"
    stages = {
        "crawl": ["crawl", "--db", str(db), "--author", "no-such-author"],
        "analyze": ["analyze", "--db", str(db), "--out", str(out)],
        "classify": ["classify", "--db", str(db)],
        "report": [
            *("report", "--db", str(db), "--out", str(out / "site")),
            *("--findings", str(out / "findings.json"), "--replication", str(out / "r.json")),
        ],
    }
    printed: dict[str, str] = {}
    for stage, args in stages.items():
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main([*args, "--no-progress"])
        assert code == 0, (stage, buffer.getvalue())
        printed[stage] = buffer.getvalue()
    return db, out, printed


def test_every_stage_says_the_run_is_empty(
    empty_pipeline: tuple[Path, Path, dict[str, str]],
) -> None:
    _, _, printed = empty_pipeline
    assert "models: 0" in printed["crawl"]
    for stage in ("analyze", "classify", "report"):
        assert printed[stage].startswith("no models in run 1"), (stage, printed[stage])


def test_findings_json_has_every_statistic_as_insufficient_data(
    empty_pipeline: tuple[Path, Path, dict[str, str]],
) -> None:
    _, out, _ = empty_pipeline
    document = json.loads((out / "findings.json").read_text("utf-8"))
    assert document["run_id"] == 1 and document["generated_from"]["models"] == 0
    expected = [(unit.id, name) for unit in STATISTICS for name in unit.populations]
    assert [(s["id"], s["population"]) for s in document["statistics"]] == expected
    assert {s["status"] for s in document["statistics"]} == {"insufficient_data"}
    assert all(s["p"] is None and s["figure"] is None for s in document["statistics"])
    assert document["holm"]["members"] == 0
    assert not list((out / "analysis").glob("*.png")) and not list((out / "analysis").glob("*.svg"))
    for name, entry in document["tables"].items():
        assert entry["rows"] == 0, name
        parquet = pq.read_table(out / entry["parquet"])
        assert parquet.num_rows == 0 and parquet.column_names == entry["columns"]
        csv = pa_csv.read_csv(out / entry["csv"])
        assert csv.num_rows == 0 and csv.column_names == entry["columns"]


def test_classify_writes_empty_tables(empty_pipeline: tuple[Path, Path, dict[str, str]]) -> None:
    db, _, _ = empty_pipeline
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in TABLES:
            if table != "lint_summary":
                query = f"SELECT count(*) FROM {table} WHERE run_id = 1"
                assert con.execute(query).fetchall() == [(0,)], table
        summary = con.execute(
            "SELECT count(*), sum(cards), sum(findings) FROM lint_summary WHERE run_id = 1"
        ).fetchall()
    finally:
        con.close()
    assert summary == [(len(RULES), 0, 0)]  # every rule listed, none fired


def test_the_site_says_the_crawl_is_empty(
    empty_pipeline: tuple[Path, Path, dict[str, str]],
) -> None:
    _, out, printed = empty_pipeline
    site = out / "site"
    assert "0 models from crawl run 1" in printed["report"]
    assert "missing: table" not in printed["report"]  # classify ran: nothing is missing
    for page in ("index.html", "report.html", "downloads.html"):
        html = (site / page).read_text("utf-8")
        assert "Crawl run 1 holds no models" in html, page
    assert (site / ".hubcarbon-site").is_file()
    header = (site / "data" / "leaderboard.csv").read_text("utf-8").splitlines()
    assert len(header) == 1 and header[0].startswith("model_id,")
    assert not list(site.glob("models/*.html"))


def test_progress_bars_only_when_asked_off_a_terminal(
    empty_pipeline: tuple[Path, Path, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Under pytest stderr is not a terminal: no bar by default, `--progress` forces one."""
    db, out, _ = empty_pipeline
    analyze = ["analyze", "--db", str(db), "--out", str(tmp_path)]
    report = [
        *("report", "--db", str(db), "--out", str(tmp_path / "site")),
        *("--findings", str(out / "findings.json"), "--replication", str(out / "r.json")),
    ]
    for args, bar in (
        (analyze, "statistics"),
        (["classify", "--db", str(db)], "grading cards"),
        (report, "pages"),
    ):
        assert main(args) == 0
        assert bar not in capsys.readouterr().err, args[0]
        assert main([*args, "--progress"]) == 0
        assert bar in capsys.readouterr().err, args[0]
