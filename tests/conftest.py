"""Shared fixtures. The Hub client is pointed at loopback only, never at a real token."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from mining.snapshot.reader import Snapshot

# huggingface_hub reads these at import time: set them before any test imports it.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.pop("HF_TOKEN", None)
os.environ.pop("HUGGING_FACE_HUB_TOKEN", None)
os.environ.pop("HF_HUB_OFFLINE", None)


# Hypothesis tests assert behaviour, not speed (speed is bench/'s): on a shared 2-core machine
# its timing checks (a per-example deadline, "input generation is slow") only measure the
# neighbours, so they are off.
settings.register_profile("hubcarbon", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("hubcarbon")


PIPELINE_FIXTURES = frozenset(
    {"co2_crawl_db", "sample_crawl", "listing_crawl", "empty_pipeline", "hostile"}
)
"""Fixtures that crawl a whole scope of the embedded snapshot, or run the whole pipeline
(crawl, analyze, classify, report) on another snapshot: tens of seconds or more."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs a full crawl or a pipeline run is `slow` (left out of
    `make test-fast`)."""
    for item in items:
        if PIPELINE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _isolated_hf_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf_cache"))
    monkeypatch.delenv("HF_TOKEN", raising=False)


@pytest.fixture(scope="session")
def _session_hf_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("session_hf_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HOME", str(home))
        patch.setenv("HF_HUB_CACHE", str(home / "hub"))
        patch.delenv("HF_TOKEN", raising=False)
        yield


@pytest.fixture(scope="session")
def co2_crawl_db(tmp_path_factory: pytest.TempPathFactory, _session_hf_home: None) -> Path:
    """One real crawl per session (through the loopback mirror, with the real client) of the
    embedded snapshot's 1,418 models tagged co2_eq_emissions. Read it only: tests that write
    take `support.copy_db(co2_crawl_db, tmp_path)`."""
    from hubcarbon.cli import main

    db = tmp_path_factory.mktemp("co2_crawl") / "co2.duckdb"
    assert main(["crawl", "--db", str(db), "--models", "co2", "--no-progress"]) == 0
    return db


@pytest.fixture(scope="session")
def snapshot() -> Snapshot:
    """The embedded snapshot, read once per session (read-only: a Snapshot is immutable)."""
    from support import embedded_snapshot

    return embedded_snapshot()
