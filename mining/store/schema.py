"""The DuckDB store: connection, numbered migrations, the crawl tables and the `latest_*` views.

Every stage shares one database file (default `out/hubcarbon.duckdb`). Each layer owns its tables
and declares them as numbered migrations under its own namespace (`mining`, `analysis`,
`classifiers`, ...); `apply_migrations` records what ran in `schema_migrations`, so an old
database still opens and is brought up to date.

Crawl tables are keyed by (run_id, model_id): every crawl is a run, so snapshots over time can be
compared. The `latest_*` views show the newest finished run (or the newest run at all when none
has finished yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from hubcarbon.core.errors import StoreError

DEFAULT_DB = Path("out") / "hubcarbon.duckdb"


@dataclass(frozen=True)
class Migration:
    """One schema step: `version` counts up per namespace; `sql` may hold several statements."""

    version: int
    description: str
    sql: str


CRAWL_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "crawl tables and latest views",
        """
        CREATE SEQUENCE IF NOT EXISTS run_ids START 1;
        CREATE TABLE runs (
            run_id        INTEGER PRIMARY KEY DEFAULT nextval('run_ids'),
            started_at    TIMESTAMP NOT NULL,
            finished_at   TIMESTAMP,
            status        VARCHAR NOT NULL,       -- running | finished | failed
            endpoint      VARCHAR NOT NULL,       -- the Hub URL crawled (mirror URL on a snapshot)
            snapshot      VARCHAR,                -- snapshot file served, when crawling the mirror
            options       JSON NOT NULL,          -- the crawl options, never a token
            next_page_url VARCHAR,                -- listing checkpoint: the next page to fetch
            pages_done    INTEGER NOT NULL DEFAULT 0,
            listing_done  BOOLEAN NOT NULL DEFAULT false
        );
        CREATE TABLE models (
            run_id              INTEGER NOT NULL,
            model_id            VARCHAR NOT NULL,
            author              VARCHAR,
            created_at          TIMESTAMP,
            last_modified       TIMESTAMP,
            downloads           BIGINT,
            likes               BIGINT,
            pipeline_tag        VARCHAR,
            library_name        VARCHAR,
            tags                VARCHAR[],
            sha                 VARCHAR,
            gated               VARCHAR,          -- false | auto | manual
            parameters          BIGINT,           -- safetensors metadata total, when present
            pytorch_model_bytes BIGINT,           -- pytorch_model.bin bytes (reporters)
            files               VARCHAR[],        -- the repository's file names (siblings)
            card_data           JSON,             -- the listing's cardData (front matter as JSON)
            PRIMARY KEY (run_id, model_id)
        );
        CREATE TABLE cards (
            run_id        INTEGER NOT NULL,
            model_id      VARCHAR NOT NULL,
            sha           VARCHAR,                -- commit the README was resolved at
            etag          VARCHAR,
            fetch_status  VARCHAR NOT NULL,       -- ok | missing | gated | not_found | error
            fetch_error   VARCHAR,
            raw_text      VARCHAR,                -- the README exactly as served
            front_matter  JSON,                   -- parsed metadata mapping, when it parsed
            parse_status  VARCHAR,                -- see mining.cards.card.FrontMatterStatus
            parse_error   VARCHAR,
            PRIMARY KEY (run_id, model_id)
        );
        CREATE TABLE emissions (
            run_id                INTEGER NOT NULL,
            model_id              VARCHAR NOT NULL,
            co2_g                 DOUBLE,         -- grams CO2-eq after unit normalisation
            raw_value             VARCHAR,        -- the value exactly as written
            unit                  VARCHAR,        -- the unit recognised (g when none was written)
            provenance            VARCHAR NOT NULL, -- metadata | prose
            source                VARCHAR,
            training_type         VARCHAR,
            geographical_location VARCHAR,
            hardware_used         VARCHAR,
            hours                 DOUBLE,
            cloud_provider        VARCHAR,
            PRIMARY KEY (run_id, model_id)
        );
        CREATE TABLE crawl_errors (
            run_id   INTEGER NOT NULL,
            model_id VARCHAR,
            stage    VARCHAR NOT NULL,            -- listing | card
            kind     VARCHAR NOT NULL,            -- the exception class or HTTP status
            message  VARCHAR NOT NULL
        );
        CREATE VIEW latest_run AS
            SELECT run_id FROM runs
            ORDER BY (status = 'finished') DESC, run_id DESC
            LIMIT 1;
        CREATE VIEW latest_models AS
            SELECT * FROM models WHERE run_id = (SELECT run_id FROM latest_run);
        CREATE VIEW latest_cards AS
            SELECT * FROM cards WHERE run_id = (SELECT run_id FROM latest_run);
        CREATE VIEW latest_emissions AS
            SELECT * FROM emissions WHERE run_id = (SELECT run_id FROM latest_run);
        """,
    ),
    Migration(
        2,
        "crawl_errors keyed by error_id, with the time each was recorded",
        """
        CREATE SEQUENCE IF NOT EXISTS crawl_error_ids START 1;
        CREATE TABLE crawl_errors_keyed (
            error_id    BIGINT PRIMARY KEY DEFAULT nextval('crawl_error_ids'),
            run_id      INTEGER NOT NULL,
            model_id    VARCHAR,                  -- NULL for a failure of the listing itself
            stage       VARCHAR NOT NULL,         -- listing | card | parse
            kind        VARCHAR NOT NULL,         -- mining.crawl.failures.ErrorKind
            message     VARCHAR NOT NULL,         -- one line, secrets redacted
            recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        INSERT INTO crawl_errors_keyed (run_id, model_id, stage, kind, message)
            SELECT run_id, model_id, stage, kind, message FROM crawl_errors;
        DROP TABLE crawl_errors;
        ALTER TABLE crawl_errors_keyed RENAME TO crawl_errors;
        """,
    ),
)


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating when allowed) the database and bring the crawl schema up to date."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"no database at {path}: run `hubcarbon crawl` (or `make crawl`) first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    if not read_only:
        apply_migrations(con, "mining", CRAWL_MIGRATIONS)
    return con


def apply_migrations(
    con: duckdb.DuckDBPyConnection, namespace: str, migrations: Sequence[Migration]
) -> int:
    """Run the migrations of `namespace` that have not run yet, each in its own transaction.

    Returns the schema version reached.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " namespace VARCHAR NOT NULL, version INTEGER NOT NULL, description VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp,"
        " PRIMARY KEY (namespace, version))"
    )
    rows = con.execute(
        "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE namespace = ?", [namespace]
    ).fetchall()
    current = int(rows[0][0])
    expected = 1
    for migration in migrations:
        if migration.version != expected:
            raise ValueError(f"{namespace} migrations must be numbered 1, 2, ... without gaps")
        expected += 1
        if migration.version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations (namespace, version, description) VALUES (?, ?, ?)",
                [namespace, migration.version, migration.description],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = migration.version
    return current


def latest_run_id(con: duckdb.DuckDBPyConnection) -> int:
    """The run the `latest_*` views show; a StoreError when nothing was crawled yet."""
    rows = con.execute("SELECT run_id FROM latest_run").fetchall()  # fetchall: result consumed
    if not rows:
        raise StoreError("the database holds no crawl yet: run `hubcarbon crawl` first")
    return int(rows[0][0])
