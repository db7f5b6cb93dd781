"""The crawler against the loopback mirror, through the real huggingface_hub client."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from huggingface_hub.errors import HFValidationError
from huggingface_hub.utils import validate_repo_id
from support import embedded_snapshot, unbudgeted

from hubcarbon.cli import main
from mining import store
from mining.crawl.crawler import Crawl, CrawlOptions
from mining.crawl.hubclient import HubClient
from mining.mirror.faults import FaultPlan
from mining.mirror.server import MirrorConfig, MirrorServer, serve_snapshot
from mining.snapshot.reader import Snapshot

TABLE_KEYS = {"models": "model_id", "cards": "model_id", "emissions": "model_id"}


def _valid_repo_id(model_id: str) -> bool:
    try:
        validate_repo_id(model_id)
    except HFValidationError:
        return False
    return True


def crawl_tables(db: Path) -> dict[str, pd.DataFrame]:
    """The latest run's crawl tables, without run ids, in a stable order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            table: con.execute(f"SELECT * EXCLUDE (run_id) FROM latest_{table} ORDER BY {key}").df()
            for table, key in TABLE_KEYS.items()
        }
    finally:
        con.close()


def assert_same_tables(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    for table in TABLE_KEYS:
        pd.testing.assert_frame_equal(left[table], right[table], obj=table)


def run_crawl(url: str, db: Path, options: CrawlOptions, *, base_wait: float = 0.05) -> None:
    con = store.connect(db)
    try:
        client = HubClient(endpoint=url, **unbudgeted(), base_wait=base_wait, max_retries=12)
        Crawl(con, client, options, progress=False).run()
    finally:
        con.close()


@pytest.mark.slow  # a crawl of every co2-tagged model
def test_co2_crawl_of_the_embedded_snapshot(tmp_path: Path, snapshot: Snapshot) -> None:
    db = tmp_path / "co2.duckdb"
    assert main(["crawl", "--db", str(db), "--models", "co2", "--no-progress"]) == 0
    tables = crawl_tables(db)
    tagged = {r.id for r in snapshot if "co2_eq_emissions" in r.tags}
    assert set(tables["models"]["model_id"]) == tagged
    assert len(tagged) == 1_418
    # every card byte-identical to the snapshot's README
    for row in tables["cards"].itertuples():
        record = snapshot.get(row.model_id)
        assert record is not None
        assert row.raw_text == snapshot.readme(record)
    # every tagged model states emissions, in grams; bloom through its YAML-1.1 underscores
    emissions = tables["emissions"].set_index("model_id")
    assert tagged <= set(emissions.index)
    assert emissions.loc["bigscience/bloom", "co2_g"] == 24_700_000
    assert emissions.loc["bigscience/bloom", "hardware_used"] == "384 A100 80GB GPUs"
    # reporters with pytorch_model.bin got its size by HEAD, as the paper measured it
    models = tables["models"].set_index("model_id")
    sized = [
        r.id
        for r in snapshot
        if r.id in tagged and any(s.rfilename == "pytorch_model.bin" and s.size for s in r.siblings)
    ]
    assert len(sized) > 1_000
    for model_id in sized[:50]:
        record = snapshot.get(model_id)
        assert record is not None
        size = next(s.size for s in record.siblings if s.rfilename == "pytorch_model.bin")
        assert models.loc[model_id, "pytorch_model_bytes"] == size


@pytest.mark.slow
def test_full_crawl_has_every_model_card_and_reporter_and_reuses_cards(
    tmp_path: Path, snapshot: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "full.duckdb"
    assert main(["crawl", "--db", str(db), "--no-progress"]) == 0
    first = capsys.readouterr().out
    tables = crawl_tables(db)
    valid = {r.id for r in snapshot if _valid_repo_id(r.id)}
    assert len(snapshot) - len(valid) == 2  # two truncated ids holding `--`: refused, recorded
    assert set(tables["models"]["model_id"]) == valid
    con = duckdb.connect(str(db), read_only=True)
    refused = con.execute(
        "SELECT stage, model_id, count(*) FROM crawl_errors"
        " WHERE kind = 'invalid_id' AND stage <> 'dataset' GROUP BY ALL"
    ).fetchall()
    con.close()
    assert refused == [("listing", None, 2)]  # refused by the listing, not again by the cards
    with_readme = {r.id: snapshot.readme(r) for r in snapshot if r.id in valid and r.has_readme}
    fetched = tables["cards"][tables["cards"]["fetch_status"] == "ok"]
    assert len(fetched) == len(with_readme)
    assert all(row.raw_text == with_readme[row.model_id] for row in fetched.itertuples())
    reporters = set(tables["emissions"]["model_id"])
    assert {r.id for r in snapshot.reporters} <= reporters
    assert "CO2 reporters" in first

    assert main(["crawl", "--db", str(db), "--no-progress"]) == 0
    second = capsys.readouterr().out
    assert f"cards: 0 fetched, {len(with_readme):,} unchanged and reused" in second
    assert_same_tables(tables, crawl_tables(db))


@pytest.mark.slow
def test_faults_do_not_change_what_is_crawled(tmp_path: Path) -> None:
    options = CrawlOptions(limit=400, page_size=50, concurrency=8)
    with serve_snapshot(embedded_snapshot(), page_size=50) as url:
        run_crawl(url, tmp_path / "clean.duckdb", options)
    faults = FaultPlan(fault_429=0.10, fault_5xx=0.05, drop=0.03, truncate=0.03, seed=7,
                       retry_after=0)  # fmt: skip
    with MirrorServer(embedded_snapshot(), MirrorConfig(page_size=50, faults=faults)) as server:
        run_crawl(server.url, tmp_path / "faulty.duckdb", options)
        injected = dict(server.injector.injected)
    assert injected.get("429", 0) > 20
    assert injected.get("5xx", 0) > 5
    assert injected.get("drop", 0) > 0
    assert injected.get("truncate", 0) > 0
    clean = crawl_tables(tmp_path / "clean.duckdb")
    assert len(clean["models"]) == 400
    assert_same_tables(clean, crawl_tables(tmp_path / "faulty.duckdb"))


@pytest.mark.slow
def test_sigkill_midway_then_resume_gives_the_same_tables(tmp_path: Path) -> None:
    limit, page_size = 600, 20
    pages = limit // page_size
    # without the dataset stage, so that the resumed crawl's API requests are listing pages only
    options = CrawlOptions(limit=limit, page_size=page_size, datasets="none")
    with serve_snapshot(embedded_snapshot(), page_size=page_size) as url:
        run_crawl(url, tmp_path / "clean.duckdb", options)

    config = MirrorConfig(page_size=page_size, faults=FaultPlan(latency_ms=40))
    with MirrorServer(embedded_snapshot(), config) as server:
        db = tmp_path / "killed.duckdb"
        argv = [sys.executable, "-m", "hubcarbon", "crawl", "--endpoint", server.url,
                "--db", str(db), "--limit", str(limit), "--page-size", str(page_size),
                "--datasets", "none", "--no-progress"]  # fmt: skip
        child = subprocess.Popen(argv, env={**os.environ}, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while server.requests["api"] < pages // 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL

        con = duckdb.connect(str(db), read_only=True)
        row = con.execute("SELECT pages_done, listing_done, status FROM runs").fetchone()
        rows_at_kill = con.execute("SELECT count(*) FROM models").fetchone()
        con.close()
        assert row is not None and rows_at_kill is not None
        pages_done, listing_done, status = row
        assert status == "running" and not listing_done
        assert 0 < pages_done < pages
        assert rows_at_kill[0] == pages_done * page_size  # pages land whole, with their cursor

        api_before = server.requests["api"]
        run_crawl(server.url, db, options)
        assert server.requests["api"] - api_before == pages - pages_done

    con = duckdb.connect(str(db), read_only=True)
    runs = con.execute("SELECT count(*), min(status) FROM runs").fetchone()
    con.close()
    assert runs == (1, "finished")
    assert_same_tables(crawl_tables(tmp_path / "clean.duckdb"), crawl_tables(db))


@pytest.mark.slow
def test_unavailable_cards_are_recorded_not_fatal(tmp_path: Path, snapshot: Snapshot) -> None:
    reporters = sorted(r.id for r in snapshot if "co2_eq_emissions" in r.tags)[:30]
    gated = frozenset(reporters[:3])
    with MirrorServer(embedded_snapshot(), MirrorConfig(gated=gated)) as server:
        client = HubClient(endpoint=server.url, **unbudgeted())
        statuses = {m: client.fetch_readme(m, None).status for m in reporters[:5]}
        assert client.fetch_readme("nobody/does-not-exist", None).status == "not_found"
        record = next(r for r in snapshot if snapshot.readme(r) is None)
        assert client.fetch_readme(record.id, None).status == "missing"
    assert [statuses[m] for m in reporters[:5]] == ["gated"] * 3 + ["ok"] * 2


def test_bad_endpoint_and_snapshot_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crawl", "--endpoint", "ftp://x", "--db", str(tmp_path / "x.duckdb")]) == 2
    assert "must be an http(s) URL" in capsys.readouterr().err
    assert main(["crawl", "--snapshot", str(tmp_path / "nope.parquet")]) == 2
    assert "no such file" in capsys.readouterr().err
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"not parquet")
    assert main(["crawl", "--snapshot", str(garbage), "--db", str(tmp_path / "y.duckdb")]) == 2
    assert "not a readable Parquet snapshot" in capsys.readouterr().err


@pytest.mark.slow  # a crawl of every co2-tagged model
def test_gated_cards_fall_back_to_the_hubs_card_data(tmp_path: Path, snapshot: Snapshot) -> None:
    reporters = sorted(
        r.id for r in snapshot if "co2_eq_emissions" in r.tags and snapshot.readme(r) is not None
    )
    gated = frozenset(reporters[:3])
    with MirrorServer(embedded_snapshot(), MirrorConfig(gated=gated)) as server:
        run_crawl(server.url, tmp_path / "gated.duckdb", CrawlOptions(models="co2"))
    tables = crawl_tables(tmp_path / "gated.duckdb")
    cards = tables["cards"].set_index("model_id")
    emissions = tables["emissions"].set_index("model_id")
    for model_id in gated:
        assert cards.loc[model_id, "fetch_status"] == "gated"
        assert emissions.loc[model_id, "provenance"] == "metadata"
        record = snapshot.get(model_id)
        assert record is not None and record.card_data is not None
        co2 = record.card_data["co2_eq_emissions"]
        expected = co2["emissions"] if isinstance(co2, dict) else co2
        assert emissions.loc[model_id, "co2_g"] == pytest.approx(float(expected))


@pytest.mark.slow  # a crawl of every co2-tagged model
def test_without_cards_emissions_come_from_the_listings_card_data(
    tmp_path: Path, snapshot: Snapshot
) -> None:
    db = tmp_path / "nocards.duckdb"
    assert main(["crawl", "--db", str(db), "--models", "co2", "--cards", "none",
                 "--page-size", "100", "--no-progress"]) == 0  # fmt: skip
    tables = crawl_tables(db)
    assert tables["cards"].empty
    emissions = tables["emissions"].set_index("model_id")
    assert len(emissions) == 1_418
    assert set(emissions["provenance"]) == {"metadata"}
    assert emissions.loc["bigscience/bloom", "co2_g"] == 24_700_000
