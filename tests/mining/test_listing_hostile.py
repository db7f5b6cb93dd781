"""The listing against a hostile mirror, through the real huggingface_hub client: repeated
cursors, Links to another host, invalid ids, over-limit and oversized pages. Each crawl must end
(bounded in time), record what it refused in `crawl_errors`, build no request from a refused
id, and keep the rows of every valid model. Plus: huggingface_hub's id rule applied in bulk
agrees with `validate_repo_id`, and a listing's safetensors counts reach `models.parameters`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub.errors import HFValidationError
from huggingface_hub.utils import validate_repo_id
from hypothesis import given, settings
from hypothesis import strategies as st

from hubcarbon.cli import main
from mining import store
from mining.crawl import crawler, listing
from mining.crawl.crawler import Crawl, CrawlOptions
from mining.crawl.hubclient import HubClient, ListingQuery
from mining.mirror.faults import HOSTILE_IDS, ListingFaults
from mining.mirror.server import MirrorConfig, MirrorServer
from mining.snapshot.reader import Snapshot, embedded_snapshot_file, open_snapshot

PAGE = 50
SMALL_PAGE = 5  # a few hundred models on enough pages for several batches
TOKEN = "hf_listingTestToken0123456789"


@pytest.fixture(scope="module")
def first_ids(snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The first 400 valid ids a clean mirror lists, in order, read from its JSON pages."""
    ids: list[str] = []
    with MirrorServer(snapshot, MirrorConfig(page_size=PAGE)) as server:
        client = HubClient(endpoint=server.url)
        path: str | None = ListingQuery(page_size=PAGE, card_data=True).first_page_path()
        while path is not None and len(ids) < 400:
            page = client.list_page(path, tmp_path_factory.mktemp("pages") / "page.json")
            items = json.loads(page.body.read_text(encoding="utf-8"))
            ids += [item["id"] for item in items if _library_accepts(item["id"])]
            path = page.next_path
    return ids[:400]


def crawl(con: duckdb.DuckDBPyConnection, url: str, options: CrawlOptions, **client: Any) -> None:
    hub = HubClient(endpoint=url, token=TOKEN, base_wait=0.01, max_retries=2, **client)
    Crawl(con, hub, options, progress=False).run()


def crawled(
    config: MirrorConfig, options: CrawlOptions, snapshot: Snapshot, **client: Any
) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """Crawl a mirror with `config` into a fresh in-memory store; (connection, request log)."""
    con = duckdb.connect()
    store.apply_migrations(con, "mining", store.CRAWL_MIGRATIONS)
    with MirrorServer(snapshot, config) as server:
        crawl(con, server.url, options, **client)
        log = list(server.request_log)
    return con, log


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def errors(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    """The listing's errors (the dataset stage records the datasets the Hub has not)."""
    return rows(
        con,
        "SELECT stage, kind, model_id, message FROM crawl_errors "
        "WHERE stage IN ('listing', 'card', 'parse') ORDER BY kind",
    )


def listing_requests(log: list[str]) -> list[str]:
    return [line for line in log if line.startswith("GET /api/models?")]


@pytest.mark.timeout(60)
@pytest.mark.slow
def test_invalid_ids_are_refused_recorded_and_never_requested(
    snapshot: Snapshot, first_ids: list[str]
) -> None:
    config = MirrorConfig(page_size=PAGE, listing_faults=ListingFaults(invalid_ids=True))
    con, log = crawled(config, CrawlOptions(limit=120, page_size=PAGE, cards="all"), snapshot)
    stored = [r[0] for r in rows(con, "SELECT model_id FROM models ORDER BY created_at DESC")]
    assert set(stored) == set(first_ids[:120])  # the valid ids of every page, none skipped
    refused = [e for e in errors(con) if e[1] == "invalid_id"]
    pages = len(listing_requests(log))
    assert pages == -(-120 // (PAGE - len(HOSTILE_IDS)))
    assert len(refused) == pages * len(HOSTILE_IDS)
    assert {(e[0], e[2]) for e in refused} == {("listing", None)}
    messages = [str(e[3]) for e in refused]
    assert all(len(m) <= 600 and "\x00" not in m for m in messages)
    assert any("'../../../../etc/passwd'" in m and "must be in the form" in m for m in messages)
    assert any("10,000 characters" in m for m in messages)
    assert any("must be a string" in m for m in messages)
    assert any("has no id" in m for m in messages)
    # cards were fetched for the stored models only: no URL was built from a refused id
    resolves = [line for line in log if "/resolve/" in line]
    assert len(resolves) >= 100
    for line in log:
        assert "etc/passwd" not in line and "xxxxxxxxxx" not in line
        assert "%00" not in line and "/12345/" not in line and "byte/model" not in line
    assert rows(con, "SELECT status FROM runs") == [("finished",)]
    con.close()


@pytest.mark.timeout(60)
def test_a_repeated_cursor_stops_the_listing_with_a_recorded_error(
    snapshot: Snapshot, first_ids: list[str]
) -> None:
    config = MirrorConfig(page_size=PAGE, listing_faults=ListingFaults(repeat_cursor=True))
    con, log = crawled(config, CrawlOptions(page_size=PAGE, cards="none"), snapshot)
    assert len(listing_requests(log)) == 2  # page 1, then page 2 whose Link is page 2 again
    stored = {r[0] for r in rows(con, "SELECT model_id FROM models")}
    assert stored == set(first_ids[: 2 * PAGE])
    [(stage, kind, model_id, message)] = errors(con)
    assert (stage, kind, model_id) == ("listing", "repeated_cursor", None)
    assert "repeats a page already fetched" in str(message)
    assert rows(con, "SELECT status, listing_done, next_page_url FROM runs") == [
        ("finished", True, None)
    ]
    con.close()


@pytest.mark.timeout(60)
def test_a_link_to_another_host_is_not_followed(snapshot: Snapshot, first_ids: list[str]) -> None:
    with MirrorServer(snapshot, MirrorConfig()) as elsewhere:
        host = elsewhere.url.removeprefix("http://")  # same machine, another port: another host
        faults = ListingFaults(foreign_link_host=host)
        con, log = crawled(
            MirrorConfig(page_size=PAGE, listing_faults=faults),
            CrawlOptions(page_size=PAGE, cards="none"),
            snapshot,
        )
        assert list(elsewhere.request_log) == []  # the token never travelled there
    assert len(listing_requests(log)) == 1
    assert {r[0] for r in rows(con, "SELECT model_id FROM models")} == set(first_ids[:PAGE])
    [(stage, kind, _, message)] = errors(con)
    assert (stage, kind) == ("listing", "foreign_link")
    assert host in str(message) and "not followed" in str(message)
    con.close()


@pytest.mark.timeout(60)
@pytest.mark.slow
def test_over_limit_pages_are_truncated_with_a_recorded_error(
    snapshot: Snapshot, first_ids: list[str]
) -> None:
    config = MirrorConfig(page_size=PAGE, listing_faults=ListingFaults(over_limit=7))
    con, _ = crawled(config, CrawlOptions(limit=200, page_size=PAGE, cards="none"), snapshot)
    assert {r[0] for r in rows(con, "SELECT model_id FROM models")} == set(first_ids[:200])
    over = [e for e in errors(con) if e[1] == "over_limit_page"]
    assert len(over) == 4 and len(errors(con)) == 4
    assert "holds 57 models but 50 were asked for" in str(over[0][3])
    con.close()


def _listed_models(snapshot: Snapshot, author: str) -> int:
    """How many models of `author` a clean listing gives (the mirror's own count)."""
    con, _ = crawled(
        MirrorConfig(page_size=PAGE), CrawlOptions(author=author, cards="none"), snapshot
    )
    [(count, untagged)] = rows(con, "SELECT count(*), count(*) FILTER (len(tags) = 0) FROM models")
    con.close()
    assert untagged == 0
    return int(count)


def _timm_listing(
    faults: ListingFaults, snapshot: Snapshot
) -> tuple[duckdb.DuckDBPyConnection, int]:
    """timm's models listed (no cards) in small pages with `faults`: the database and the
    number of listing pages requested."""
    con, log = crawled(
        MirrorConfig(page_size=SMALL_PAGE, listing_faults=faults),
        CrawlOptions(author="timm", page_size=SMALL_PAGE, cards="none"),
        snapshot,
    )
    return con, len(listing_requests(log))


@pytest.mark.timeout(120)
def test_a_model_listed_twice_is_stored_once_and_the_pages_in_batches(
    snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --limit the pages waiting are stored together, with a plain INSERT: a model
    met again on a later page makes that batch be stored again with duplicates ignored."""
    expected = _listed_models(snapshot, "timm")
    monkeypatch.setattr(crawler, "LISTING_BATCH_MOST", 16)  # timm's pages make several batches
    con, pages = _timm_listing(ListingFaults(repeated_model=True), snapshot)
    assert pages > 2 * 16  # later batches repeat a model stored before them
    assert rows(con, "SELECT count(*), count(DISTINCT model_id) FROM models") == [
        (expected, expected)
    ]
    assert errors(con) == []
    assert rows(con, "SELECT status, listing_done, pages_done FROM runs") == [
        ("finished", True, pages)
    ]
    con.close()


@pytest.mark.timeout(120)
def test_a_page_with_an_ill_typed_field_is_read_carefully_within_its_batch(
    snapshot: Snapshot,
) -> None:
    """The typed read of a batch fails on a page whose `tags` are a string: the batch's
    transaction rolls back whole, and every page of the batch is then read on its own, the
    ill-typed value stored as no tags."""
    expected = _listed_models(snapshot, "timm")
    con, pages = _timm_listing(ListingFaults(ill_typed=True), snapshot)
    assert rows(con, "SELECT count(*), count(*) FILTER (len(tags) = 0) FROM models") == [
        (expected, pages)
    ]
    assert errors(con) == []
    assert rows(con, "SELECT status FROM runs") == [("finished",)]
    con.close()


@pytest.mark.timeout(120)
def test_a_batch_with_a_repeated_model_and_an_ill_typed_field_is_stored_once_carefully(
    snapshot: Snapshot,
) -> None:
    """Both retries in one batch: the duplicate makes it be stored again with duplicates
    ignored, the ill-typed field makes every page be read on its own; nothing is lost."""
    expected = _listed_models(snapshot, "timm")
    faults = ListingFaults(repeated_model=True, ill_typed=True)
    con, pages = _timm_listing(faults, snapshot)
    assert rows(con, "SELECT count(*), count(DISTINCT model_id) FROM models") == [
        (expected, expected)
    ]
    assert errors(con) == []
    assert rows(con, "SELECT status, pages_done FROM runs") == [("finished", pages)]
    con.close()


@pytest.mark.timeout(60)
def test_an_oversized_page_is_refused_before_it_is_read_whole(snapshot: Snapshot) -> None:
    con, log = crawled(
        MirrorConfig(page_size=PAGE),
        CrawlOptions(page_size=PAGE, cards="none"),
        snapshot,
        max_listing_bytes=4_000,
    )
    assert len(listing_requests(log)) == 1
    assert rows(con, "SELECT count(*) FROM models") == [(0,)]
    [(stage, kind, _, message)] = errors(con)
    assert (stage, kind) == ("listing", "too_large")
    assert "4,000" in str(message)
    con.close()


@pytest.mark.timeout(120)
@pytest.mark.slow
def test_the_cli_ends_a_hostile_listing_with_a_summary_not_a_traceback(
    tmp_path: Path, snapshot: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = ListingFaults(repeat_cursor=True, invalid_ids=True, over_limit=3)
    with MirrorServer(snapshot, MirrorConfig(page_size=PAGE, listing_faults=faults)) as server:
        db = tmp_path / "hostile.duckdb"
        argv = ["crawl", "--endpoint", server.url, "--db", str(db), "--cards", "co2",
                "--page-size", str(PAGE), "--datasets", "none", "--no-progress"]  # fmt: skip
        assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert f"errors recorded: {2 * len(HOSTILE_IDS) + 2 + 1:,}" in out
    con = duckdb.connect(str(db), read_only=True)
    kinds = dict(rows(con, "SELECT kind, count(*) FROM crawl_errors GROUP BY kind"))
    con.close()
    assert kinds == {"invalid_id": 2 * len(HOSTILE_IDS), "over_limit_page": 2, "repeated_cursor": 1}


# -- the id rule in bulk ----------------------------------------------------------------------

_ID_CHARS = "aZ09_.-/" + "-._" + "\x00\n é/"


def _library_accepts(repo_id: str) -> bool:
    try:
        validate_repo_id(repo_id)
    except HFValidationError:
        return False
    return True


_BOUNDARY_IDS = st.builds(
    lambda a, b, sep: ("a" * a) + sep + ("b" * b),
    st.integers(0, 98),
    st.integers(0, 98),
    st.sampled_from(["", "/", "//", "-", "."]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=_ID_CHARS, max_size=24) | _BOUNDARY_IDS | st.text(max_size=12),
        min_size=1,
        max_size=40,
    )
)
@pytest.mark.slow
def test_the_bulk_id_rule_agrees_with_validate_repo_id(ids: list[str]) -> None:
    con = duckdb.connect()
    got = con.execute(
        f"SELECT coalesce({listing.valid_repo_id('i')}, false) FROM unnest($ids) AS t(i)",
        {"ids": ids},
    ).fetchall()
    con.close()
    assert [row[0] for row in got] == [_library_accepts(i) for i in ids]


def test_the_bulk_id_rule_on_every_snapshot_id_and_the_hostile_ones(snapshot: Snapshot) -> None:
    ids = [r.id for r in snapshot] + [v for v in HOSTILE_IDS if isinstance(v, str)]
    ids += ["gpt2", "a/b", "a--b", "a..b", "x.git", "-a", "a-", "a/b/c", "_a/b_", "a" * 96]
    con = duckdb.connect()
    got = con.execute(
        f"SELECT {listing.valid_repo_id('i')} FROM unnest($ids) AS t(i)", {"ids": ids}
    )
    verdicts = [row[0] for row in got.fetchall()]
    con.close()
    assert verdicts == [_library_accepts(i) for i in ids]


# -- parameters -------------------------------------------------------------------------------


def test_a_listing_with_safetensors_reaches_models_parameters(tmp_path: Path) -> None:
    """A made-up snapshot: the first 120 real rows of the embedded one, every third given a
    made-up `safetensors` object (the embedded snapshot has no parameter counts)."""
    with embedded_snapshot_file().open("rb") as handle:
        table = pq.read_table(handle).slice(0, 120)
    counts = {
        table.column("id")[i].as_py(): {
            "parameters": {"BF16": 1_000 * i, "F32": i},
            "total": 1_001 * i,
        }
        for i in range(0, 120, 3)
    }
    column = [
        json.dumps(counts[m]) if m in counts else None for m in table.column("id").to_pylist()
    ]
    path = tmp_path / "with_safetensors.parquet"
    pq.write_table(table.append_column("safetensors", pa.array(column, pa.string())), path)
    con, log = crawled(
        MirrorConfig(page_size=PAGE),
        CrawlOptions(page_size=PAGE, cards="none"),
        open_snapshot(path),
    )
    assert all("expand=safetensors" in line for line in listing_requests(log))
    got = rows(con, "SELECT model_id, parameters, parameters_by_dtype FROM models")
    assert len(got) == 120
    for model_id, parameters, by_dtype in got:
        want = counts.get(str(model_id))
        assert parameters == (want["total"] if want else None)
        assert by_dtype == (want["parameters"] if want else None)
    con.close()


def test_pages_read_at_once_and_page_by_page_give_the_same_rows(
    snapshot: Snapshot, tmp_path: Path
) -> None:
    """The fast path (a batch of pages scanned, then inserted with declared types) and the
    careful one (a page at a time, ill-typed fields NULL) agree on real listing pages, and
    so do the CO2 reporters each finds."""
    files: list[Path] = []
    with MirrorServer(snapshot, MirrorConfig(page_size=200)) as server:
        client = HubClient(endpoint=server.url)
        path: str | None = ListingQuery(page_size=200, card_data=True).first_page_path()
        while path is not None and len(files) < 5:
            page = client.list_page(path, tmp_path / f"{len(files)}.json")
            files.append(page.body)
            path = page.next_path
    tables, reporters = [], []
    for batched in (True, False):
        con = duckdb.connect()
        store.apply_migrations(con, "mining", store.CRAWL_MIGRATIONS)
        if batched:
            assert listing.scan_batch(con, files)
            assert listing.careful_pages(con, 200) == []
            assert listing.insert_pages(con, 1, [str(f) for f in files], new_ids=True) == 1_000
            listing.batch_emissions(con, 1, [], new_ids=True)
        else:
            for file in files:
                listing.stage(con, file, page_limit=200, take=None)
                listing.insert_staged(con, 1)
                listing.card_data_emissions(con, 1)
        tables.append(con.execute("SELECT * FROM models ORDER BY model_id").df())
        reporters.append(con.execute("SELECT * FROM emissions ORDER BY model_id").df())
        con.close()
    assert tables[0]["created_at"].notna().sum() > 900
    pd.testing.assert_frame_equal(tables[0], tables[1])
    assert len(reporters[0]) > 0
    pd.testing.assert_frame_equal(reporters[0], reporters[1])


def test_bad_hostile_listing_options_are_one_line_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["mirror", "serve", "--foreign-link", "evil.example/path"]) == 2
    err = capsys.readouterr().err
    assert "foreign_link_host must be a host[:port]" in err and "Traceback" not in err
    with pytest.raises(ValueError, match="over_limit"):
        ListingFaults(over_limit=-1)
