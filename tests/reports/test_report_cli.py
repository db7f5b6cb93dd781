"""`hubcarbon report` on the command line: the closing summary, errors as one line, help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hubcarbon.cli import main


def hubcarbon(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubcarbon", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def test_the_summary_names_the_output_and_every_missing_input(co2_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = hubcarbon(
        "report",
        *("--db", str(co2_db), "--out", str(out)),
        *("--findings", str(tmp_path / "findings.json")),
        *("--replication", str(tmp_path / "replication.json")),
    )
    assert result.returncode == 0, result.stderr
    assert "1,418 models from crawl run 1" in result.stdout
    assert f"to {out}:" in result.stdout
    assert "missing: findings (findings.json): not computed: run `hubcarbon analyze`" in (
        result.stdout
    )
    assert "missing: replication (replication.json): not computed: run `hubcarbon replicate`" in (
        result.stdout
    )
    assert result.stderr == ""  # no progress bar drawn into a pipe (--progress forces one)
    assert (out / "index.html").is_file()


def test_a_missing_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = hubcarbon("report", "--db", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"hubcarbon: error: no database at {tmp_path / 'nope.duckdb'}: run `hubcarbon crawl`"
        " (or `make crawl`) first"
    ]
    assert "Traceback" not in result.stderr


def test_a_foreign_directory_is_not_overwritten(co2_db: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep", encoding="utf-8")
    code = main(["report", "--db", str(co2_db), "--out", str(tmp_path), "--quiet"])
    assert code == 2
    assert (tmp_path / "notes.txt").read_text("utf-8") == "keep"


def test_an_empty_database_says_to_crawl_first(tmp_path: Path) -> None:
    from mining.store.schema import connect

    connect(tmp_path / "empty.duckdb").close()
    result = hubcarbon(
        "report", "--db", str(tmp_path / "empty.duckdb"), "--out", str(tmp_path / "s")
    )
    assert result.returncode == 2
    assert "run `hubcarbon crawl` first" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_has_examples(flag: str) -> None:
    result = hubcarbon("report", flag)
    assert result.returncode == 0
    assert "Examples:" in result.stdout
    assert "hubcarbon report --db build/ci.duckdb --out build/site" in result.stdout
