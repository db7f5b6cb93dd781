"""`hubcarbon analyze` end to end: the findings.json contract, the files it points to, byte-stable
outputs, one-line errors, and docs/analysis.md generated from the code."""

from __future__ import annotations

import filecmp
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support import REPO_ROOT

from analysis import figure_specs, figures, run
from analysis.fixes import FIXES
from analysis.methods import methods_markdown
from analysis.replication.quirks import QUIRKS
from analysis.statistics import STATISTICS
from hubcarbon.cli import main
from hubcarbon.core.registry import documentation
from mining.store.schema import connect

Crawled = Any  # tests/analysis/conftest.py: a crawled database and its analysis

CONTRACT_KEYS = {
    "id", "title", "question", "population", "test", "n", "units", "inference", "statistic",
    "p", "p_holm", "effect_size", "ci", "method", "table", "figure",
}  # fmt: skip
QUESTIONS = {"rq1": "RQ1", "rq2": "RQ2", "sensitivity": "Sensitivity"}


def test_document_follows_the_contract(co2_crawl: Crawled) -> None:
    doc = co2_crawl.findings
    assert doc["version"] == 1
    assert doc["run_id"] == doc["generated_from"]["run_id"] == 1
    assert doc["generated_from"]["emissions"] == 1418
    expected = [(unit.id, name) for unit in STATISTICS for name in unit.populations]
    assert [(s["id"], s["population"]) for s in doc["statistics"]] == expected
    for item in doc["statistics"]:
        assert set(item) >= CONTRACT_KEYS, item["id"]
        assert re.fullmatch(r"(rq[12]|sensitivity)\.[a-z0-9_]+", item["id"], flags=re.IGNORECASE)
        assert item["question"] == QUESTIONS[item["id"].split(".")[0]]
        assert item["population"] in ("all", "autotrain", "human", "independent")
        assert item["inference"] in ("confirmatory", "exploratory", "descriptive")
        assert set(item["units"]) == {"rows", "training_runs", "authors"}, item["id"]
        assert item["method"] == documentation(STATISTICS[item["id"]])
        assert item["status"] in ("ok", "insufficient_data")
        if item["effect_size"] is not None:
            assert set(item["effect_size"]) == {"name", "value"}
        if item["ci"] is not None:
            low, high = item["ci"]
            assert low <= high
        for key in ("table", "figure"):
            if item[key] is not None:
                assert (co2_crawl.out / item[key]).is_file(), item[key]
    computed = [s for s in doc["statistics"] if s["status"] == "ok" and s["p"] is not None]
    assert len(computed) > 20
    assert doc["holm"]["family"] and set(doc["holm"]) >= {"method", "family", "members"}
    for name, entry in doc["tables"].items():
        for key in ("csv", "parquet"):
            assert (co2_crawl.out / entry[key]).is_file(), name
    assert doc["tables"]["reporters"]["rows"] == 1418


def test_figures_come_as_png_and_svg(co2_crawl: Crawled) -> None:
    figures = {s["figure"] for s in co2_crawl.findings["statistics"] if s["figure"]}
    assert len(figures) >= 15
    for figure in figures:
        png = co2_crawl.out / figure
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = png.with_suffix(".svg").read_text(encoding="utf-8")
        assert "<svg" in svg
        assert "<dc:date>" not in svg


def test_figures_from_the_workers_are_the_figures_drawn_here(co2_crawl: Crawled) -> None:
    """analyze draws its figures in worker processes: each file is the bytes this process
    renders from the same table and results."""
    analysis = run.compute(co2_crawl.population)
    with_figure = [s["id"] for s in co2_crawl.findings["statistics"] if s["figure"]]
    picked = ["rq1.reporters_by_source", "rq1.median_co2_by_month", "rq2.pearson_log_size"]
    assert set(picked) <= set(with_figure)
    for unit_id in picked:
        unit = STATISTICS[unit_id]
        assert unit.figure is not None
        drawn = figures.draw((unit.figure, analysis.tables[unit_id], analysis.results[unit_id]))
        assert drawn is not None
        for suffix, data in zip(figure_specs.FORMATS, drawn, strict=True):
            written = co2_crawl.out / "analysis" / f"{unit_id}.{suffix}"
            assert written.read_bytes() == data, written.name


def test_outputs_are_byte_stable(co2_crawl: Crawled, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["analyze", "--db", str(co2_crawl.db), "--out", str(again), "--no-progress"]) == 0
    first = sorted(p.relative_to(co2_crawl.out) for p in co2_crawl.out.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    different = [str(p) for p in first if not filecmp.cmp(co2_crawl.out / p, again / p, False)]
    assert different == []


def test_closing_summary(
    co2_crawl: Crawled, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "summary"
    assert main(["analyze", "--db", str(co2_crawl.db), "--out", str(out), "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "run 1: 1,418 models, 1,418 CO2 reporters"
    assert lines[-1] == f"wrote {out / 'findings.json'}"
    audit = re.fullmatch(
        r"training runs: ([\d,]+); flagged figures: ([\d,]+) of 1,418 emissions rows \((.+); "
        r"see docs/classifications\.md\)",
        lines[-2],
    )
    assert audit, lines[-2]
    runs, flagged = (int(group.replace(",", "")) for group in audit.groups()[:2])
    assert 0 < runs < 1418 and 0 < flagged < 1418  # copies share runs; some figures flagged
    assert "unit-suspect" in audit.group(3) and "conflict" in audit.group(3)
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    holm = sum(1 for s in doc["statistics"] if s["p_holm"] is not None and s["p_holm"] < 0.05)
    assert f"{holm} significant after Holm" in lines[1]


def test_missing_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "nothing.duckdb"
    assert main(["analyze", "--db", str(db), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("hubcarbon: error: no database at")
    assert "hubcarbon crawl" in err[0]
    assert not (tmp_path / "o").exists()


def test_database_without_a_crawl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema_only = tmp_path / "schema.duckdb"
    connect(schema_only).close()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    for db in (schema_only, empty):
        assert main(["analyze", "--db", str(db), "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "run `hubcarbon crawl` first" in err[0], err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--help"]) == 0
    text = capsys.readouterr().out
    assert "Examples:" in text
    assert "hubcarbon analyze --db" in text


def test_every_quirk_has_its_fix() -> None:
    assert set(FIXES) == {quirk.id for quirk in QUIRKS}


def test_statistics_are_documented_units() -> None:
    assert len(STATISTICS) >= 20
    for unit in STATISTICS:
        assert len(documentation(unit)) > 150, unit.id
        assert unit.title and unit.test


def test_docs_are_generated_from_the_code() -> None:
    committed = (REPO_ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
    assert committed == methods_markdown(), "run: python -m analysis.methods > docs/analysis.md"
    for unit in STATISTICS:
        assert f"`{unit.id}`" in committed
