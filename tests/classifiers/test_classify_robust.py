"""Ctrl-C during `hubcarbon classify` (real command in a subprocess, SIGINT to its whole process
group as a terminal sends it, worker processes included): exit 130, one line, no traceback from
any process, and the database byte for byte as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from interrupting import (
    after_ready,
    assert_interrupted,
    ready_prelude,
    run_and_interrupt,
    with_workers,
)
from support import copy_db

FORCE_WORKERS = "from classifiers.stage import cardfacts\ncardfacts.PROCESSES_FROM = 0"
"""The embedded crawl has fewer cards than the worker pool needs: parse them in workers anyway."""


@pytest.mark.parametrize("moment", ["importing", "grading", "workers starting", "workers parsing"])
def test_interrupted_classify_leaves_the_database_untouched(
    moment: str, co2_crawl_db: Path, tmp_path: Path
) -> None:
    db = copy_db(co2_crawl_db, tmp_path)
    before = db.read_bytes()
    ready = tmp_path / "ready"
    trigger, prelude = {
        "importing": (after_ready(ready, 0.3), ready_prelude(ready)),
        "grading": (after_ready(ready, 1.0), ready_prelude(ready, "hubcarbon.commands.classify")),
        "workers starting": (with_workers(2, for_seconds=0.2), FORCE_WORKERS),
        "workers parsing": (with_workers(2, for_seconds=2.0), FORCE_WORKERS),
    }[moment]
    outcome = run_and_interrupt(
        ["classify", "--db", str(db), "--no-progress"], trigger, python_prelude=prelude
    )
    assert_interrupted(outcome)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["hubcarbon.duckdb", *(["ready"] if ready.exists() else [])]
    )
