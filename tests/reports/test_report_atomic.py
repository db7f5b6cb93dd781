"""`hubcarbon report` swaps a complete site in: Ctrl-C at any moment (real command in a
subprocess, SIGINT to its process group) leaves the previous site byte for byte, and a finished
build replaces it whole, marker file included.

The previous site is made up for the purpose (the marker file, an index.html and a model page
holding "previous" bytes), so that any file the interrupted build touched would show.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from interrupting import (
    after_ready,
    assert_interrupted,
    hidden_siblings,
    ready_prelude,
    run_and_interrupt,
    tree_bytes,
    when,
)

from hubcarbon.cli import main
from reports.site import MARKER, MARKER_TEXT


def _previous_site(site: Path) -> dict[str, bytes]:
    (site / "models").mkdir(parents=True)
    (site / MARKER).write_bytes(MARKER_TEXT)
    (site / "index.html").write_bytes(b"<p>previous leaderboard</p>\n")
    (site / "models" / "previous-model.html").write_bytes(b"<p>previous model</p>\n")
    return tree_bytes(site)


def _building(site: Path, at_least: int) -> bool:
    """True once the temporary sibling being built holds `at_least` files."""
    for sibling in site.parent.iterdir():
        if sibling.name.startswith(f".{site.name}.tmp-"):
            return sum(1 for path in sibling.rglob("*") if path.is_file()) >= at_least
    return False


def _report(db: Path, site: Path, root: Path) -> list[str]:
    return [
        *("report", "--db", str(db), "--out", str(site), "--no-progress"),
        *("--findings", str(root / "findings.json"), "--replication", str(root / "r.json")),
    ]


@pytest.mark.parametrize("moment", ["importing", "loading", "first files", "1000 files"])
def test_interrupted_report_leaves_the_previous_site(
    moment: str, co2_crawl_db: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    before = _previous_site(site)
    ready = tmp_path / "ready"
    trigger = {
        "importing": after_ready(ready, 0.3),  # the command's modules, inside the CLI
        "loading": after_ready(ready, 0.5),
        "first files": when(lambda: _building(site, 1)),
        "1000 files": when(lambda: _building(site, 1000)),
    }[moment]
    outcome = run_and_interrupt(
        _report(co2_crawl_db, site, tmp_path),
        trigger,
        python_prelude=ready_prelude(
            ready, *([] if moment == "importing" else ["hubcarbon.commands.report"])
        ),
    )
    assert_interrupted(outcome)
    assert tree_bytes(site) == before
    assert hidden_siblings(site) == []  # the temporary build is gone


def test_a_finished_build_replaces_the_site_whole(co2_crawl_db: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _previous_site(site)
    assert main([*_report(co2_crawl_db, site, tmp_path), "--quiet"]) == 0
    files = tree_bytes(site)
    assert files[MARKER] == MARKER_TEXT
    assert "models/previous-model.html" not in files
    assert b"previous leaderboard" not in files["index.html"]
    assert len(files) > 1000
    assert hidden_siblings(site) == []


def test_a_foreign_directory_is_refused_before_anything_is_read(
    co2_crawl_db: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_bytes(b"mine")
    assert main(_report(co2_crawl_db, site, tmp_path)) == 2
    assert tree_bytes(site) == {"notes.txt": b"mine"}
    assert hidden_siblings(site) == []
