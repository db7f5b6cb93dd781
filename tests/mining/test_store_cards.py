"""A card is stored once: README texts and their parse live in `card_texts`, once per content
hash, and every run's `cards` rows name them; migration 3 moves older databases there."""

from __future__ import annotations

import hashlib
from itertools import takewhile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from support import embedded_snapshot, unbudgeted

from hubcarbon.cli import main
from mining import store
from mining.crawl import records
from mining.crawl.cards import CardStage
from mining.crawl.crawler import Crawl, CrawlOptions
from mining.crawl.hubclient import HubClient
from mining.mirror.server import serve_snapshot
from mining.snapshot.reader import ModelRecord, Snapshot

# The crawl migrations before card texts were shared: applied as they stand, they give the old
# layout, one text per `cards` row.
BEFORE_CARD_TEXTS = tuple(
    takewhile(
        lambda m: m.description != "card texts stored once per content hash",
        store.CRAWL_MIGRATIONS,
    )
)
OLD_CARD_COLUMNS = (
    "run_id", "model_id", "sha", "etag", "fetch_status", "fetch_error", "raw_text",
    "front_matter", "parse_status", "parse_error",
)  # fmt: skip


def _crawl(url: str, db: Path, options: CrawlOptions) -> None:
    con = store.connect(db)
    try:
        client = HubClient(endpoint=url, base_wait=0.05, **unbudgeted())
        Crawl(con, client, options, progress=False).run()
    finally:
        con.close()


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_each_text_is_stored_once_and_reuse_copies_none(tmp_path: Path) -> None:
    db = tmp_path / "twice.duckdb"
    with serve_snapshot(embedded_snapshot()) as url:
        _crawl(url, db, CrawlOptions(limit=1500))
        texts_after_one = _query(db, "SELECT count(*), sum(strlen(raw_text)) FROM card_texts")
        _crawl(url, db, CrawlOptions(limit=1500))  # run 1 finished: this is run 2
    assert _query(db, "SELECT count(*), sum(strlen(raw_text)) FROM card_texts") == texts_after_one
    ((texts, fetched, distinct, runs),) = _query(
        db,
        "SELECT (SELECT count(*) FROM card_texts), count(*) FILTER (fetch_status = 'ok'), "
        "count(DISTINCT text_sha256), count(DISTINCT run_id) FROM cards",
    )
    assert runs == 2 and texts == distinct and 0 < texts <= fetched // 2
    # the key of cards, kept by the writers
    assert _query(db, "SELECT count(*) - count(DISTINCT (run_id, model_id)) FROM cards") == [(0,)]
    # an unchanged card is stored once: run 2 names the outcomes run 1 stored
    assert _query(db, "SELECT count(*) FROM card_fetches") == _query(
        db, "SELECT count(*) FROM cards WHERE run_id = 1"
    )
    # a fetched card names its text by the text's hash, an unavailable one names none
    assert _query(
        db,
        "SELECT count(*) FROM cards_with_text WHERE (fetch_status = 'ok') <> "
        "(text_sha256 IS NOT NULL AND raw_text IS NOT NULL AND sha256(raw_text) = text_sha256)",
    ) == [(0,)]
    # readers see the same card rows in both runs, texts and parse included
    first, second = (
        _query(
            db,
            "SELECT * EXCLUDE (run_id) FROM cards_with_text "
            f"WHERE run_id = {run} ORDER BY model_id",
        )
        for run in (1, 2)
    )
    assert first == second
    latest = _query(db, "SELECT * EXCLUDE (run_id) FROM latest_cards ORDER BY model_id")
    assert latest == second


@pytest.mark.slow
def test_a_new_commit_with_the_same_readme_adds_no_text_and_keeps_its_emissions(
    tmp_path: Path,
) -> None:
    db = tmp_path / "recommitted.duckdb"
    options = CrawlOptions(models="co2", limit=300)
    with serve_snapshot(embedded_snapshot()) as url:
        _crawl(url, db, options)
        # Made-up history: run 1 saw other commits, so run 2 downloads every README again
        # (the commit changed, the README did not) instead of reusing run 1's cards.
        with duckdb.connect(str(db)) as con:
            con.execute("UPDATE card_fetches SET sha = 'an-earlier-commit'")  # run 1's only
        texts = _query(db, "SELECT * FROM card_texts ORDER BY text_sha256")
        _crawl(url, db, options)
    assert _query(db, "SELECT * FROM card_texts ORDER BY text_sha256") == texts
    downloads = _query(
        db, "SELECT count(*) FROM cards WHERE run_id = 2 AND sha <> 'an-earlier-commit'"
    )
    assert downloads == [(300,)]
    first, second = (
        _query(db, f"SELECT * EXCLUDE (run_id) FROM emissions WHERE run_id = {run} ORDER BY 1")
        for run in (1, 2)
    )
    assert len(first) == 300 and second == first


# -- the migration from the layout with one text per card row ---------------------------------


def _blob_id(text: str) -> str:
    """The ETag the Hub serves for a README: its git blob id."""
    data = text.encode("utf-8")
    return '"' + hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() + '"'


def _old_card(
    run_id: int, record: ModelRecord, text: str | None, *, parsed: bool
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(OLD_CARD_COLUMNS)
    row.update(run_id=run_id, model_id=record.id, sha=record.sha)
    if text is None:
        row.update(fetch_status="missing", fetch_error="the repository lists no README.md")
        return row
    row.update(fetch_status="ok", etag=_blob_id(text), raw_text=text)
    if parsed:
        (parsed_row,) = records.parse_texts([(record.id, text)])
        row.update({k: v for k, v in parsed_row.text_update.items() if k != "text_sha256"})
    return row


def _old_layout_database(db: Path, snapshot: Snapshot) -> list[dict[str, Any]]:
    """A database in the layout before card texts were shared (created by applying the crawl
    migrations before that one, `BEFORE_CARD_TEXTS`) holding what two crawls of real snapshot cards
    wrote there: run 1 finished; run 2, a re-crawl, interrupted before it parsed its one new
    README (a reporter's); every text of run 1 stored again in run 2, one text shared by two
    models. Returns the card rows written."""
    reporters = [r for r in snapshot.reporters if snapshot.readme(r) is not None]
    with_text, new_text = reporters[:40], reporters[40]
    without = [r for r in snapshot if snapshot.readme(r) is None][:10]
    cards: list[dict[str, Any]] = []
    for run, parsed in ((1, True), (2, True)):
        cards += [_old_card(run, r, snapshot.readme(r), parsed=parsed) for r in with_text]
        cards += [_old_card(run, r, None, parsed=parsed) for r in without]
    shared = _old_card(2, without[0], snapshot.readme(with_text[0]), parsed=True)
    cards = [c for c in cards if (c["run_id"], c["model_id"]) != (2, without[0].id)] + [shared]
    cards.append(_old_card(2, new_text, snapshot.readme(new_text), parsed=False))
    emissions = [
        {"run_id": c["run_id"], "model_id": c["model_id"], **parsed.emission}
        for c in cards
        if c["parse_status"] is not None
        for parsed in records.parse_texts([(c["model_id"], c["raw_text"])])
        if parsed.emission is not None
    ]
    con = duckdb.connect(str(db))
    try:
        store.apply_migrations(con, "mining", BEFORE_CARD_TEXTS)
        con.execute(
            "INSERT INTO runs (run_id, started_at, status, endpoint, options) VALUES "
            "(1, now(), 'finished', 'http://127.0.0.1:1', '{}'), "
            "(2, now(), 'running', 'http://127.0.0.1:1', '{}')"
        )
        con.register("cards_in", pa.Table.from_pylist(cards))
        con.execute("INSERT INTO models BY NAME SELECT run_id, model_id, sha FROM cards_in")
        con.execute("INSERT INTO cards BY NAME SELECT * FROM cards_in")
        con.register("emissions_in", records.batch(emissions, records.EMISSION_SCHEMA))
        old_columns = [  # the layout before the audit columns (a later migration) existed
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'emissions' ORDER BY ordinal_position"
            ).fetchall()
        ]
        listed = ", ".join(f'"{name}"' for name in old_columns)
        con.execute(f"INSERT INTO emissions ({listed}) SELECT {listed} FROM emissions_in")
    finally:
        con.close()
    return cards


def _as_read(db: Path, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_migration_keeps_every_card_row_and_stores_each_text_once(
    tmp_path: Path, snapshot: Snapshot
) -> None:
    db = tmp_path / "old.duckdb"
    written = _old_layout_database(db, snapshot)
    columns = ", ".join(OLD_CARD_COLUMNS)
    before = _as_read(db, f"SELECT {columns} FROM cards ORDER BY run_id, model_id")
    emission_columns = ", ".join(
        name for (name,) in _query(db, "SELECT name FROM pragma_table_info('emissions')")
    )  # later migrations add columns: the rows must keep these
    emissions_sql = f"SELECT {emission_columns} FROM emissions ORDER BY run_id, model_id"
    emissions_before = _query(db, emissions_sql)
    assert len(before) == len(written) == 101
    texts = {row["raw_text"] for row in before if row["raw_text"] is not None}
    assert len(texts) == 41 < sum(row["raw_text"] is not None for row in before)

    store.connect(db, read_only=True).close()  # a reader's open migrates an older crawl

    assert _query(db, "SELECT max(version) FROM schema_migrations WHERE namespace = 'mining'") == [
        (store.CRAWL_MIGRATIONS[-1].version,)
    ]
    after = _as_read(db, f"SELECT {columns} FROM cards_with_text ORDER BY run_id, model_id")
    assert after == before
    assert _query(db, emissions_sql) == emissions_before
    stored = _query(db, "SELECT text_sha256, raw_text FROM card_texts")
    assert len(stored) == len(texts) and {text for _, text in stored} == texts
    assert all(key == records.text_sha256(text) for key, text in stored)
    card_columns = {name for (name,) in _query(db, "SELECT name FROM pragma_table_info('cards')")}
    assert not card_columns & {"raw_text", "front_matter", "parse_status", "parse_error"}
    latest = _as_read(db, f"SELECT {columns} FROM latest_cards ORDER BY model_id")
    assert latest == [row for row in before if row["run_id"] == 1]


def test_a_migrated_interrupted_run_resumes_its_parse(tmp_path: Path, snapshot: Snapshot) -> None:
    db = tmp_path / "old.duckdb"
    written = _old_layout_database(db, snapshot)
    (unparsed,) = [c for c in written if c["fetch_status"] == "ok" and c["parse_status"] is None]
    con = store.connect(db)
    try:
        # parsing reads the store only: the client is never asked for anything
        CardStage(con, HubClient(endpoint="http://127.0.0.1:9"), 2, progress=False).parse()
    finally:
        con.close()
    (expected,) = records.parse_texts([(unparsed["model_id"], unparsed["raw_text"])])
    rows = _as_read(
        db,
        "SELECT front_matter, parse_status, parse_error FROM cards_with_text "
        f"WHERE run_id = 2 AND model_id = '{unparsed['model_id']}'",
    )
    assert rows == [{k: v for k, v in expected.text_update.items() if k != "text_sha256"}]
    assert expected.emission is not None  # a reporter's card: its emissions row comes back
    emission = _as_read(
        db,
        "SELECT * EXCLUDE (run_id, model_id) FROM emissions "
        f"WHERE run_id = 2 AND model_id = '{unparsed['model_id']}'",
    )
    # the parse's own columns (the crawl audit's, added by a later migration, are not the parse's)
    assert [{k: row[k] for k in expected.emission} for row in emission] == [expected.emission]


# -- growth of the file: the embedded snapshot crawled twice ----------------------------------


ONCE_PER_CONTENT = (
    "SELECT (SELECT count(*) FROM card_texts), (SELECT count(*) FROM card_fetches),"
    " (SELECT count(*) FROM text_facts)"
)


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int, list[Any]]:
    """The embedded snapshot crawled twice into one file, unchanged: the file, its size after
    each crawl, and the rows of what is stored once (ONCE_PER_CONTENT) after the first."""
    db = tmp_path_factory.mktemp("recrawl") / "hub.duckdb"
    assert main(["crawl", "--db", str(db), "--no-progress"]) == 0
    once = db.stat().st_size
    texts = _query(db, ONCE_PER_CONTENT)
    assert main(["crawl", "--db", str(db), "--no-progress"]) == 0
    return db, once, db.stat().st_size, texts


@pytest.mark.slow
def test_an_unchanged_recrawl_stores_no_card_text_again(
    recrawled: tuple[Path, int, int, list[Any]],
) -> None:
    db, _, _, texts = recrawled
    assert _query(db, ONCE_PER_CONTENT) == texts  # no text, outcome or text facts again
    assert _query(db, "SELECT count(DISTINCT run_id) FROM cards") == [(2,)]


@pytest.mark.slow
def test_an_unchanged_recrawl_grows_the_file_by_at_most_15_percent(
    recrawled: tuple[Path, int, int, list[Any]],
) -> None:
    _, once, twice, _ = recrawled
    assert twice <= 1.15 * once, (
        f"{once / 2**20:.1f} MiB after one crawl, {twice / 2**20:.1f} after two"
    )
