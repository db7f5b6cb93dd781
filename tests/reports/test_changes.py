"""The site's changes page, the model pages' history and the diff downloads, from two real
crawls of the made-up two-snapshot fixture (tests/fixtures/history/README.md); the changes page
in headless Debian chromium too."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from history_runs import BEFORE, changes, two_run_db

from hubcarbon.cli import main as hubcarbon
from hubcarbon.core.paths import safe_child


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory, _session_hf_home: None) -> Path:
    root = tmp_path_factory.mktemp("history_site")
    db = root / "hubcarbon.duckdb"
    assert two_run_db(db) == [1, 2]
    site = root / "site"
    code = hubcarbon(
        [
            "report",
            "--db",
            str(db),
            "--out",
            str(site),
            "--findings",
            str(root / "none.json"),
            "--replication",
            str(root / "none.json"),
            "--quiet",
        ]
    )
    assert code == 0
    return site


def diff_document(site: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    db = site.parent / "hubcarbon.duckdb"
    assert hubcarbon(["diff", "--db", str(db), "--format", "json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [c for c in changes() if c["kind"] == kind]


def model_page(site: Path, model_id: str) -> Path:
    return safe_child(site / "models", model_id, ".html")


def test_downloads_hold_the_diff_as_json_and_csv(
    history_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads((history_site / "data" / "changes.json").read_text("utf-8"))
    printed = diff_document(history_site, capsys)
    for summary in (printed["summary"]["from"], printed["summary"]["to"]):  # a loopback mirror
        assert summary["crawl_source"].startswith("http://127.0.0.1:")
        summary["crawl_source"] = "a local mirror"
    assert document == printed
    with (history_site / "data" / "changes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(changes())
    assert {(r["kind"], r["model_id"]) for r in rows} == {
        (c["kind"], c["model_id"]) for c in changes()
    }
    [corrected] = of_kind("co2_changed")
    [row] = [r for r in rows if r["kind"] == "co2_changed"]
    assert (float(row["from"]), float(row["to"])) == (corrected["from_g"], corrected["to_g"])
    downloads = (history_site / "downloads.html").read_text("utf-8")
    assert 'href="data/changes.json"' in downloads and 'href="data/changes.csv"' in downloads


def test_changes_page_links_reporters_to_their_pages(history_site: Path) -> None:
    html = (history_site / "changes.html").read_text("utf-8")
    assert "Crawl run 1" in html and "crawl run 2" in html
    for change in changes():
        assert change["model_id"] in html
    # a model that reports in the shown run has a page, and the changes page links it
    [started] = of_kind("started_reporting")
    page = model_page(history_site, started["model_id"])
    assert page.is_file()
    assert f'href="models/{page.name}"' in html
    # a removed model has no page: its id is shown, not linked
    removed = [c["model_id"] for c in of_kind("models_removed")]
    assert not any(model_page(history_site, m).is_file() for m in removed)


def test_a_model_page_shows_its_history_across_runs(history_site: Path) -> None:
    [corrected] = of_kind("co2_changed")
    html = model_page(history_site, corrected["model_id"]).read_text("utf-8")
    assert '<h2 id="history">History across crawl runs</h2>' in html
    section = html.split('<h2 id="history">', 1)[1].split("</table>", 1)[0]
    assert section.count('<tr><th scope="row">') == 2
    assert '<tr><th scope="row">1</th>' in section and '<tr><th scope="row">2</th>' in section
    assert "9.38" in section and "93.85" in section


def test_a_single_run_says_there_is_nothing_to_compare(
    tmp_path: Path, _session_hf_home: None
) -> None:
    db = tmp_path / "one.duckdb"
    two_run_db(db, (BEFORE,))
    site = tmp_path / "site"
    with contextlib.redirect_stdout(io.StringIO()):
        assert (
            hubcarbon(
                [
                    "report",
                    "--db",
                    str(db),
                    "--out",
                    str(site),
                    "--findings",
                    str(tmp_path / "x.json"),
                    "--replication",
                    str(tmp_path / "x.json"),
                    "--quiet",
                ]
            )
            == 0
        )
    html = (site / "changes.html").read_text("utf-8")
    assert 'id="no-changes"' in html and "nothing to compare yet" in html
    assert not (site / "data" / "changes.json").exists()
    pages = list((site / "models").glob("*.html"))
    assert pages and not any('id="history"' in p.read_text("utf-8") for p in pages)


@pytest.mark.browser
def test_the_changes_page_in_chromium(history_site: Path, page: Any, artifacts: Path) -> None:
    page.page.goto((history_site / "changes.html").as_uri())
    counts = page.page.eval_on_selector_all(
        "#counts td[data-kind]", "cells => cells.map(c => [c.dataset.kind, c.textContent])"
    )
    assert counts == [
        ["added", "2"],
        ["removed", "3"],
        ["started", "1"],
        ["stopped", "1"],
        ["co2", "1"],
        ["fields", "1"],
    ]
    shown = page.page.eval_on_selector_all(
        "table.changes[data-kind=added] tbody th", "cells => cells.map(c => c.textContent)"
    )
    assert shown == sorted(c["model_id"] for c in of_kind("models_added"))
    page.page.screenshot(path=str(artifacts / "changes.png"), full_page=True)
    [corrected] = of_kind("co2_changed")
    page.page.click(f"table.changes[data-kind=co2] a:text-is('{corrected['model_id']}')")
    page.page.wait_for_selector("#history")
    assert page.page.title().startswith(corrected["model_id"])
    rows = page.page.eval_on_selector_all(
        "table.history tbody tr", "rows => rows.map(r => r.cells[4].textContent)"
    )
    assert rows == ["9.38", "93.85"]
    assert page.errors == []
    assert page.dialogs == []
