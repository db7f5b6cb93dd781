"""The dataset stage against the loopback mirror, through the real huggingface_hub client: the
datasets reporters name, their sizes with provenance, failures as rows, resumption after a kill.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError
from support import embedded_snapshot, unbudgeted

from mining import store
from mining.crawl.crawler import Crawl, CrawlOptions
from mining.crawl.hubclient import HubClient
from mining.mirror.faults import FaultPlan, HostileReadmes
from mining.mirror.server import MirrorConfig, MirrorServer, serve_snapshot
from mining.snapshot.datasets import open_datasets

pytestmark = pytest.mark.slow  # crawls of the co2-tagged models


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_co2_crawl_sizes_reporters_from_the_snapshot(co2_crawl_db: Path) -> None:
    part = open_datasets()
    sized = dict(
        _query(
            co2_crawl_db,
            "SELECT dataset_id, dataset_size FROM latest_run "
            "JOIN datasets USING (run_id) WHERE fetch_status = 'ok'",
        )
    )
    assert sized == {s.id: s.size_bytes for s in part.datasets if s.id in sized}
    assert {"squad_it", "openwebtext", "banking77", "imdb"} <= sized.keys()
    reporters = _query(
        co2_crawl_db,
        "SELECT s.measure, s.provenance, count(*) FROM model_dataset_size s "
        "JOIN emissions e USING (run_id, model_id) JOIN latest_run USING (run_id) "
        "WHERE e.co2_g > 0 AND s.dataset_bytes > 0 GROUP BY ALL ORDER BY ALL",
    )
    assert sum(int(n) for *_, n in reporters) >= 30  # type: ignore[call-overload]
    assert {m for m, _, _ in reporters} == {"curated", "datasets_sum", "stated_sum"}
    # a curated value is kept whole on its model, never split over the datasets it names
    curated = _query(
        co2_crawl_db,
        "SELECT dataset_bytes, source FROM model_dataset_size JOIN latest_run USING (run_id) "
        "WHERE model_id = 'Maltehb/aelaectra-danish-electra-small-cased'",
    )
    assert curated == [(13_187_500_000, "HFClean.csv, Unnamed: 0 = 1")]
    assert "DAGW" not in sized
    kinds = dict(
        _query(
            co2_crawl_db,
            "SELECT kind, count(*) FROM crawl_errors "
            "JOIN latest_run USING (run_id) WHERE stage = 'dataset' GROUP BY kind",
        )
    )
    assert kinds.keys() == {"not_found", "invalid_id"}  # private or unknown; ids with spaces


def test_gated_missing_broken_and_invalid_datasets_are_rows(tmp_path: Path) -> None:
    hostile = HostileReadmes(failing=frozenset({"datasets/squad_it"}))
    config = MirrorConfig(hostile=hostile, gated_datasets=frozenset({"imdb"}))
    with MirrorServer(embedded_snapshot(), config) as server:
        api = HfApi(endpoint=server.url)
        assert api.dataset_info("imdb").gated == "manual"  # metadata is public, as on the Hub
        with pytest.raises(GatedRepoError):
            api.hf_hub_download("imdb", "README.md", repo_type="dataset")
        with pytest.raises(RepositoryNotFoundError):
            api.dataset_info("gsarti/change_it")
        db = tmp_path / "it5.duckdb"
        con = store.connect(db)
        client = HubClient(endpoint=server.url, base_wait=0.01, max_retries=1, **unbudgeted())
        Crawl(
            con, client, CrawlOptions(models="co2", author="it5"), snapshot="it5", progress=False
        ).run()
        con.close()
    statuses = dict(_query(db, "SELECT dataset_id, fetch_status FROM datasets"))
    assert statuses["squad_it"] == "server_error"
    assert statuses["gsarti/change_it"] == "not_found"
    errors = _query(db, "SELECT model_id, kind FROM crawl_errors WHERE stage = 'dataset'")
    assert sorted(errors) == sorted(statuses.items())  # one row per failed dataset
    # squad_it failed, so its models have no size; the stated (curated) sums still arrive
    sizes = dict(_query(db, "SELECT model_id, measure FROM model_dataset_size"))
    assert sizes == {
        "it5/mt5-base-news-summarization": "curated",
        "it5/mt5-small-news-summarization": "curated",
        "it5/it5-base-question-generation": "curated",
        "it5/it5-large-question-generation": "curated",
        "it5/it5-small-question-answering": "curated",
    }


def test_gated_dataset_sizes_are_read_and_marked(tmp_path: Path) -> None:
    db = tmp_path / "gated.duckdb"
    with serve_snapshot(embedded_snapshot(), gated_datasets=frozenset({"squad_it"})) as url:
        con = store.connect(db)
        options = CrawlOptions(models="co2", author="it5")
        Crawl(con, HubClient(endpoint=url, **unbudgeted()), options, progress=False).run()
        con.close()
    row = _query(
        db,
        "SELECT gated, dataset_size, dataset_size_provenance, sha FROM datasets "
        "WHERE dataset_id = 'squad_it'",
    )
    squad = open_datasets().dataset("squad_it")
    assert squad is not None
    assert row == [("manual", squad.size_bytes, "paper", squad.sha)]
    # without a snapshot run, no stated sizes are asked for (the live Hub has none)
    assert _query(db, "SELECT count(*) FROM model_data_sizes") == [(0,)]
    datasets_sum = _query(db, "SELECT DISTINCT measure FROM model_dataset_size")
    assert datasets_sum == [("datasets_sum",)]


def test_datasets_none_skips_the_stage(tmp_path: Path) -> None:
    db = tmp_path / "none.duckdb"
    with serve_snapshot(embedded_snapshot()) as url:
        con = store.connect(db)
        options = CrawlOptions(models="co2", author="it5", datasets="none")
        Crawl(con, HubClient(endpoint=url, **unbudgeted()), options, progress=False).run()
        con.close()
    assert _query(db, "SELECT count(*) FROM model_datasets") == [(0,)]
    assert _query(db, "SELECT count(*) FROM datasets") == [(0,)]


def test_sigkill_in_the_dataset_stage_then_resume(tmp_path: Path) -> None:
    limit, page_size = 1000, 100
    pages = limit // page_size
    argv = ["--models", "co2", "--limit", str(limit), "--page-size", str(page_size)]
    config = MirrorConfig(page_size=page_size, faults=FaultPlan(latency_ms=30))
    with MirrorServer(embedded_snapshot(), config) as server:
        db = tmp_path / "killed.duckdb"
        command = [
            sys.executable,
            "-m",
            "hubcarbon",
            "crawl",
            "--endpoint",
            server.url,
            "--db",
            str(db),
            "--no-progress",
            *argv,
        ]
        child = subprocess.Popen(command, env={**os.environ}, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while server.requests["api"] < pages + 400 and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL
        committed = _query(db, "SELECT count(*) FROM datasets")[0][0]
        linked = _query(db, "SELECT count(DISTINCT dataset_id) FROM model_datasets")[0][0]
        assert isinstance(committed, int) and isinstance(linked, int)
        assert 0 < committed < linked  # batches landed, the stage was cut short

        before = server.requests["api"]
        con = store.connect(db)
        options = CrawlOptions(models="co2", limit=limit, page_size=page_size)
        Crawl(con, HubClient(endpoint=server.url, **unbudgeted()), options, progress=False).run()
        con.close()
        assert server.requests["api"] - before == linked - committed  # none fetched twice
    assert _query(db, "SELECT count(*), min(status) FROM runs") == [(1, "finished")]
    assert _query(db, "SELECT count(*), count(DISTINCT dataset_id) FROM datasets") == [
        (linked, linked)
    ]
