"""Helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mining.snapshot.reader import Snapshot

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"


def copy_db(db: Path, directory: Path, name: str = "hubcarbon.duckdb") -> Path:
    """A private copy of a session database, for a test or fixture that writes to it."""
    directory.mkdir(parents=True, exist_ok=True)
    copy = directory / name
    shutil.copyfile(db, copy)
    return copy


def unbudgeted() -> dict[str, Any]:
    """HubClient keyword arguments for the loopback mirror, which has no rate limits: fresh
    unlimited budgets (a budget keeps state, so each client gets its own)."""
    from mining.crawl.budget import RequestBudget

    return {"api_budget": RequestBudget(None), "resolver_budget": RequestBudget(None)}


@functools.cache
def embedded_snapshot() -> Snapshot:
    """The embedded snapshot, read once per test process (reading it takes seconds; it is
    immutable, so every test can share it)."""
    from mining.snapshot.reader import open_snapshot

    return open_snapshot()
