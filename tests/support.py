"""Helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Sequence
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


def fast_sample(paths: Sequence[Path], per_folder: int = 20) -> list[Any]:
    """Every path as a pytest parameter; in each folder all but `per_folder` evenly spaced paths
    are marked slow, so `make test-fast` reads a sample of every kind of card and `make test`
    reads every card."""
    import pytest

    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    kept = set()
    for folder_paths in by_folder.values():
        step = max(1, -(-len(folder_paths) // per_folder))
        kept.update(folder_paths[::step])
    return [
        pytest.param(path, id=f"{path.parent.name}/{path.name}")
        if path in kept
        else pytest.param(path, id=f"{path.parent.name}/{path.name}", marks=pytest.mark.slow)
        for path in paths
    ]
