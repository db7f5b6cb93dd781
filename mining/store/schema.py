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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from hubcarbon.core.db import transaction
from hubcarbon.core.errors import StoreError

DEFAULT_DB = Path("out") / "hubcarbon.duckdb"


@dataclass(frozen=True)
class Migration:
    """One schema step: `version` counts up per namespace; `sql` may hold several statements."""

    version: int
    description: str
    sql: str


_CARD_FACTS_VIEW = """
CREATE VIEW card_facts AS
    SELECT m.run_id, m.model_id, m.autotrain, m.domain, m.domain_candidates,
           t.text_sha256, t.base_model, t.accuracy, t.f1, t.rouge1, t."rougeL",
           t.metric_sources, t.metrics, t.prose_hardware, t.prose_region, t.prose_hours
    FROM model_facts m
    LEFT JOIN cards c
        ON c.run_id = m.run_id AND c.model_id = m.model_id AND c.fetch_status = 'ok'
    LEFT JOIN text_facts t ON t.text_sha256 = c.text_sha256;
"""
"""The facts of each model as one row (docs/schema.md, `card_facts`): its `model_facts` row
with the `text_facts` of its fetched README, by the text's hash (NULL until the text is read)."""


SAME_FETCH = """
    f.model_id = {new}.model_id AND f.sha IS NOT DISTINCT FROM {new}.sha
    AND f.etag IS NOT DISTINCT FROM {new}.etag AND f.fetch_status = {new}.fetch_status
    AND f.fetch_error IS NOT DISTINCT FROM {new}.fetch_error
    AND f.text_sha256 IS NOT DISTINCT FROM {new}.text_sha256"""
"""A `card_fetches` row `f` that is the outcome of the cards row `{new}` (format it)."""


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
            parameters          BIGINT,           -- the listing's safetensors.total, when present
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
    Migration(
        3,
        "card texts stored once per content hash",
        """
        CREATE TABLE card_texts (
            text_sha256   VARCHAR PRIMARY KEY,    -- sha256 of raw_text's UTF-8 bytes (hex)
            raw_text      VARCHAR NOT NULL,       -- the README exactly as served
            front_matter  JSON,                   -- parsed metadata mapping, when it parsed
            parse_status  VARCHAR,                -- FrontMatterStatus, or parse_failed
            parse_error   VARCHAR
        );
        INSERT INTO card_texts
            SELECT DISTINCT ON (sha256(raw_text))
                sha256(raw_text), raw_text, front_matter, parse_status, parse_error
            FROM cards WHERE raw_text IS NOT NULL
            ORDER BY sha256(raw_text), parse_status IS NULL, run_id DESC;
        DROP VIEW latest_cards;
        CREATE TABLE cards_by_hash (
            run_id        INTEGER NOT NULL,
            model_id      VARCHAR NOT NULL,
            sha           VARCHAR,                -- commit the README was resolved at
            etag          VARCHAR,
            fetch_status  VARCHAR NOT NULL,       -- ok | missing | gated | not_found | error
            fetch_error   VARCHAR,
            text_sha256   VARCHAR                 -- the README in card_texts, when fetched
        );  -- one row per (run_id, model_id), kept so by the writers: no index, see docs
        INSERT INTO cards_by_hash
            SELECT run_id, model_id, sha, etag, fetch_status, fetch_error, sha256(raw_text)
            FROM cards ORDER BY run_id, model_id;
        DROP TABLE cards;
        ALTER TABLE cards_by_hash RENAME TO cards;
        CREATE VIEW cards_with_text AS
            SELECT c.run_id, c.model_id, c.sha, c.etag, c.fetch_status, c.fetch_error,
                   t.raw_text, t.front_matter, t.parse_status, t.parse_error, c.text_sha256
            FROM cards c LEFT JOIN card_texts t ON t.text_sha256 = c.text_sha256;
        CREATE VIEW latest_cards AS
            SELECT * FROM cards_with_text WHERE run_id = (SELECT run_id FROM latest_run);
        """,
    ),
    Migration(
        4,
        "training runs of emissions rows (mining.audit.runs)",
        """
        ALTER TABLE emissions ADD COLUMN training_run VARCHAR;  -- model id of the run's origin
        ALTER TABLE emissions ADD COLUMN copied_from VARCHAR;   -- the origin, on a copy
        ALTER TABLE emissions ADD COLUMN copy_reason VARCHAR;   -- how the copy joined the run
        """,
    ),
    Migration(
        5,
        "parameter counts per dtype from the listing's safetensors",
        """
        -- safetensors.parameters: count per dtype (BF16, F32, ...), when the listing gives it
        ALTER TABLE models ADD COLUMN parameters_by_dtype MAP(VARCHAR, BIGINT);
        """,
    ),
    Migration(
        6,
        "history views: run_pairs and model_history (mining.store.history)",
        """
        CREATE VIEW run_pairs AS
            WITH finished AS (
                SELECT run_id, started_at, finished_at,
                       coalesce('snapshot ' || snapshot, endpoint) AS crawl_source,
                       json_merge_patch(options, '{"page_size": null}')::VARCHAR AS scope
                FROM runs WHERE status = 'finished'
            ),
            paired AS (
                SELECT lag(run_id) OVER w AS from_run, run_id AS to_run, crawl_source, scope,
                       lag(finished_at) OVER w AS from_finished_at, finished_at AS to_finished_at
                FROM finished WINDOW w AS (PARTITION BY crawl_source, scope ORDER BY run_id)
            )
            SELECT * FROM paired WHERE from_run IS NOT NULL;
        CREATE VIEW model_history AS
            SELECT m.run_id, r.status AS run_status, r.started_at, r.finished_at,
                   coalesce('snapshot ' || r.snapshot, r.endpoint) AS crawl_source,
                   m.model_id, e.model_id IS NOT NULL AS reports, e.co2_g,
                   -- columns a later migration adds are read by name from the row: NULL
                   -- until emissions has them, no change to this view when they land
                   json_extract(to_json(e), '$.co2_g_audited')::DOUBLE AS co2_g_audited,
                   json_extract(to_json(e), '$.flags')::VARCHAR[] AS flags,
                   e.raw_value, e.unit, e.provenance, e.source, e.training_type,
                   e.geographical_location, e.hardware_used, e.hours, e.cloud_provider,
                   m.pipeline_tag, m.library_name, m.gated, m.sha, m.downloads, m.likes
            FROM models m
            JOIN runs r ON r.run_id = m.run_id
            LEFT JOIN emissions e ON e.run_id = m.run_id AND e.model_id = m.model_id;
        """,
    ),
    Migration(  # rows crawled before it keep NULL audit columns until the cards are parsed again
        7,
        "audited emissions: flags, audited figure, energy and the statements read",
        """
        ALTER TABLE emissions ADD COLUMN co2_g_audited DOUBLE;  -- the figure the study uses
        ALTER TABLE emissions ADD COLUMN energy_kwh DOUBLE;     -- energy stated, in kWh
        ALTER TABLE emissions ADD COLUMN flags VARCHAR[];       -- mining.cards.emission_record.Flag
        ALTER TABLE emissions ADD COLUMN statements JSON;       -- every figure read, and why
        """,
    ),
    Migration(
        8,
        "datasets named by models, their stated sizes, and models' training-data sizes",
        """
        CREATE TABLE datasets (
            run_id                     INTEGER NOT NULL,
            dataset_id                 VARCHAR NOT NULL,
            fetch_status               VARCHAR NOT NULL, -- ok, or the crawl_errors kind
            sha                        VARCHAR,
            gated                      VARCHAR,          -- false | auto | manual
            dataset_size               BIGINT,           -- bytes: dataset_info.dataset_size
            dataset_size_provenance    VARCHAR,          -- card | paper | gaissalabel | ...
            download_size              BIGINT,           -- bytes: dataset_info.download_size
            download_size_provenance   VARCHAR,
            num_rows                   BIGINT,           -- dataset_info splits' num_examples
            num_rows_provenance        VARCHAR,
            size_categories            VARCHAR[],        -- e.g. 10K<n<100K
            size_categories_provenance VARCHAR,          -- card | tags
            PRIMARY KEY (run_id, dataset_id)
        );
        CREATE TABLE model_datasets (
            run_id     INTEGER NOT NULL,
            model_id   VARCHAR NOT NULL,
            dataset_id VARCHAR NOT NULL,
            named_in   VARCHAR NOT NULL,              -- card | tag | card,tag
            PRIMARY KEY (run_id, model_id, dataset_id)
        );
        CREATE TABLE model_data_sizes (
            run_id       INTEGER NOT NULL,
            model_id     VARCHAR NOT NULL,
            fetch_status VARCHAR NOT NULL,            -- ok, or the crawl_errors kind
            data_bytes   BIGINT,                      -- stated for the model itself, or NULL
            provenance   VARCHAR,                     -- paper | paper_curated
            source       VARCHAR,                     -- the source rows of the value
            PRIMARY KEY (run_id, model_id)
        );
        CREATE VIEW model_dataset_size AS
        WITH linked AS (
            SELECT l.run_id, l.model_id, count(*) AS named, count(d.dataset_size) AS sized,
                   sum(d.dataset_size) AS total,
                   string_agg(DISTINCT d.dataset_size_provenance, ','
                              ORDER BY d.dataset_size_provenance) AS provenance
            FROM model_datasets l
            LEFT JOIN datasets d ON d.run_id = l.run_id AND d.dataset_id = l.dataset_id
            GROUP BY l.run_id, l.model_id
        ),
        summed AS (SELECT * FROM linked WHERE named = sized),
        stated AS (SELECT * FROM model_data_sizes WHERE data_bytes IS NOT NULL)
        SELECT run_id, model_id,
               CASE WHEN s.provenance = 'paper_curated' OR k.total IS NULL THEN s.data_bytes
                    ELSE k.total END AS dataset_bytes,
               CASE WHEN s.provenance = 'paper_curated' THEN 'curated'
                    WHEN k.total IS NOT NULL THEN 'datasets_sum'
                    ELSE 'stated_sum' END AS measure,
               CASE WHEN s.provenance = 'paper_curated' OR k.total IS NULL THEN s.provenance
                    ELSE k.provenance END AS provenance,
               CASE WHEN s.provenance = 'paper_curated' OR k.total IS NULL THEN s.source END
                   AS source
        FROM stated s FULL JOIN summed k USING (run_id, model_id);
        """,
    ),
    Migration(  # runs crawled before it have no card_facts rows (docs/schema.md says what then)
        9,
        "card facts derived once per model at crawl time (mining.facts)",
        """
        CREATE TABLE card_facts (
            run_id            INTEGER NOT NULL,
            model_id          VARCHAR NOT NULL,
            autotrain         BOOLEAN NOT NULL,  -- a tag of mining.facts.AUTOTRAIN_TAGS
            domain            VARCHAR,           -- mining.facts.tags rule; NULL: no domain tag
            domain_candidates VARCHAR[] NOT NULL, -- the domains its tags name, in DOMAIN_ORDER
            text_sha256       VARCHAR,           -- the README read for the columns below
            base_model        VARCHAR[],         -- the metadata's base_model names
            accuracy          DOUBLE,            -- metrics on [0, 1] (mining.cards.metrics)
            f1                DOUBLE,
            rouge1            DOUBLE,
            rougeL            DOUBLE,
            metric_sources    VARCHAR,           -- model-index | card-text | both, comma-joined
            metrics           JSON,              -- each metric: value, raw, source, dataset
            prose_hardware    VARCHAR,           -- the body's template lines
            prose_region      VARCHAR,
            prose_hours       DOUBLE
        );  -- one row per (run_id, model_id), kept so by its one writer: no index, as cards
        """,
    ),
    Migration(
        10,
        "card facts of a README stored once per text, read with each model's through a view",
        f"""
        CREATE TABLE model_facts (
            run_id            INTEGER NOT NULL,
            model_id          VARCHAR NOT NULL,
            autotrain         BOOLEAN NOT NULL,  -- a tag of mining.facts.AUTOTRAIN_TAGS
            domain            VARCHAR,           -- mining.facts.tags rule; NULL: no domain tag
            domain_candidates VARCHAR[] NOT NULL -- the domains its tags name, in DOMAIN_ORDER
        );  -- one row per (run_id, model_id), kept so by its one writer: no index, as cards
        INSERT INTO model_facts
            SELECT run_id, model_id, autotrain, domain, domain_candidates
            FROM card_facts ORDER BY run_id, model_id;
        CREATE TABLE text_facts (
            text_sha256    VARCHAR NOT NULL,     -- the README in card_texts
            base_model     VARCHAR[],
            accuracy       DOUBLE,
            f1             DOUBLE,
            rouge1         DOUBLE,
            rougeL         DOUBLE,
            metric_sources VARCHAR,
            metrics        JSON,
            prose_hardware VARCHAR,
            prose_region   VARCHAR,
            prose_hours    DOUBLE
        );  -- one row per text_sha256, kept so by its one writer
        INSERT INTO text_facts
            SELECT DISTINCT ON (text_sha256) * EXCLUDE (run_id, model_id, autotrain, domain,
                                                        domain_candidates)
            FROM card_facts WHERE text_sha256 IS NOT NULL
            ORDER BY text_sha256, run_id DESC;
        DROP TABLE card_facts;
        {_CARD_FACTS_VIEW}
        """,
    ),
    Migration(
        11,
        "cards stored once per fetch outcome, each run naming its fetches",
        f"""
        CREATE SEQUENCE IF NOT EXISTS card_fetch_ids START 1;
        CREATE TABLE card_fetches (
            fetch_id      BIGINT NOT NULL DEFAULT nextval('card_fetch_ids'),
            model_id      VARCHAR NOT NULL,
            sha           VARCHAR,                -- commit the README was resolved at
            etag          VARCHAR,
            fetch_status  VARCHAR NOT NULL,       -- ok | missing | gated | not_found | error
            fetch_error   VARCHAR,
            text_sha256   VARCHAR                 -- the README in card_texts, when fetched
        );  -- one row per distinct outcome, kept so by the writers: no index, see docs
        INSERT INTO card_fetches (model_id, sha, etag, fetch_status, fetch_error, text_sha256)
            SELECT DISTINCT model_id, sha, etag, fetch_status, fetch_error, text_sha256
            FROM cards ORDER BY ALL;
        CREATE TABLE run_cards (
            run_id   INTEGER NOT NULL,
            fetch_id BIGINT NOT NULL              -- the run's card of the model, in card_fetches
        );  -- one row per (run_id, model of the fetch), kept so by the writers
        INSERT INTO run_cards
            SELECT c.run_id, f.fetch_id
            FROM cards c JOIN card_fetches f ON {SAME_FETCH.format(new="c")}
            ORDER BY c.run_id, f.fetch_id;
        DROP TABLE cards;
        CREATE VIEW cards AS
            SELECT r.run_id, f.model_id, f.sha, f.etag, f.fetch_status, f.fetch_error,
                   f.text_sha256
            FROM run_cards r JOIN card_fetches f USING (fetch_id);
        """,
    ),
)


CRAWL_TABLES: tuple[str, ...] = ("runs", "models", "cards", "emissions")
"""What makes a database a crawl store: the stages after the crawl refuse one without them."""


def require_crawl_store(path: Path) -> None:
    """StoreError unless `path` is a database holding a crawl (missing, empty, foreign or
    damaged files are refused). It only looks, read-only: the commands call it before they
    import the analysis stack, so a wrong --db is answered at once."""
    if not path.exists():
        raise StoreError(f"no database at {path}: run `hubcarbon crawl` (or `make crawl`) first")
    check_database(path, require_crawl=True)


def connect(
    path: Path | str, *, read_only: bool = False, require_crawl: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the database and, unless `read_only`, bring the crawl schema up to date.

    A missing file is created only when writing without `require_crawl` (a first crawl). An
    existing file is first checked through a read-only connection (`check_database`), so an
    empty, foreign, damaged or crawl-less file is refused with a StoreError before anything
    is written into it. `read_only` implies `require_crawl`; a read-only open of a crawl in an
    older layout migrates it first, then reopens it read-only."""
    path = Path(path)
    if require_crawl or read_only:
        require_crawl_store(path)
    elif path.exists():
        check_database(path, require_crawl=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    with reading(path):
        con = _open(path, read_only=read_only)
        if not read_only:
            apply_migrations(con, "mining", CRAWL_MIGRATIONS)
        elif 0 < _version(con, "mining") < CRAWL_MIGRATIONS[-1].version:
            # a crawl of an older layout: bring it up to date once, then read it
            con.close()
            writer = _open(path, read_only=False)
            try:
                apply_migrations(writer, "mining", CRAWL_MIGRATIONS)
            finally:
                writer.close()
            con = _open(path, read_only=True)
    return con


def _open(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "could not set lock" in str(exc).lower():  # another process writes it
            first_line = str(exc).splitlines()[0]
            raise StoreError(f"cannot open {path}: {first_line}") from None
        raise


def _version(con: duckdb.DuckDBPyConnection, namespace: str) -> int:
    """The schema version of `namespace` reached (0 when no migration ever ran)."""
    tables = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()
    if not tables[0][0]:
        return 0
    rows = con.execute(
        "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE namespace = ?", [namespace]
    ).fetchall()
    return int(rows[0][0])


def check_database(path: Path, *, require_crawl: bool = True) -> None:
    """Refuse, with a one-line StoreError, a file that is not a DuckDB database, is damaged, or
    (with `require_crawl`) lacks the crawl tables; opens it read-only and writes nothing.

    A DuckDB database with no table at all is accepted when not `require_crawl` (a new store);
    one holding tables of something else is always refused."""
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a DuckDB database")
    if path.stat().st_size == 0:
        raise StoreError(f"{path} is an empty file, not a DuckDB database: {_CRAWL_HINT}")
    with reading(path):
        con = duckdb.connect(str(path), read_only=True)
        try:
            rows = con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
            tables = {str(name) for (name,) in rows}
            if tables.issuperset(CRAWL_TABLES):
                con.execute("SELECT count(*) FROM runs").fetchall()  # reads the catalog's blocks
        finally:
            con.close()
    if not tables and not require_crawl:
        return
    missing = [name for name in CRAWL_TABLES if name not in tables]
    if not tables:
        raise StoreError(f"{path} holds no crawl yet: run `hubcarbon crawl` first")
    if missing:
        raise StoreError(
            f"{path} is a DuckDB database without the crawl tables ({', '.join(missing)} "
            f"missing): {_CRAWL_HINT}"
        )


_CRAWL_HINT = "point --db at a database written by `hubcarbon crawl`"

_DAMAGE: tuple[type[duckdb.Error], ...] = (
    duckdb.IOException,
    duckdb.InternalException,
    duckdb.SerializationException,
    duckdb.FatalException,
)


@contextmanager
def reading(path: Path | str) -> Iterator[None]:
    """Turn what DuckDB raises on a damaged or unreadable file into a one-line StoreError, and
    DuckDB's "Query interrupted" (its answer to Ctrl-C during a query) into KeyboardInterrupt.

    Wrap every stage that reads the store in it: damage can surface at the first query that
    reads a damaged block, long after the file opened."""
    try:
        yield
    except RuntimeError as exc:
        if str(exc) == "Query interrupted":
            raise KeyboardInterrupt from None
        raise
    except duckdb.Error as exc:
        if not _is_damage(exc):
            raise
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        if "not a valid DuckDB database" in first_line:
            raise StoreError(
                f"{path} is not a DuckDB database (damaged, or another kind of file): {_CRAWL_HINT}"
            ) from None
        if "could not set lock" in first_line.lower():  # another process writes it
            raise StoreError(f"cannot open {path}: {first_line}") from None
        raise StoreError(f"{path} is damaged or truncated: {first_line}") from None


def _is_damage(exc: duckdb.Error) -> bool:
    """IO, internal, serialization and fatal errors, and a plain duckdb.Error (DuckDB raises its
    base class for a block whose checksum does not match)."""
    return isinstance(exc, _DAMAGE) or type(exc) is duckdb.Error


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
    current = _version(con, namespace)
    expected = 1
    for migration in migrations:
        if migration.version != expected:
            raise ValueError(f"{namespace} migrations must be numbered 1, 2, ... without gaps")
        expected += 1
        if migration.version <= current:
            continue
        with transaction(con):
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations (namespace, version, description) VALUES (?, ?, ?)",
                [namespace, migration.version, migration.description],
            )
        current = migration.version
    return current


def latest_run_id(con: duckdb.DuckDBPyConnection) -> int:
    """The run the `latest_*` views show; a StoreError when nothing was crawled yet."""
    rows = con.execute("SELECT run_id FROM latest_run").fetchall()  # fetchall: result consumed
    if not rows:
        raise StoreError("the database holds no crawl yet: run `hubcarbon crawl` first")
    return int(rows[0][0])


def flagged_figures(con: duckdb.DuckDBPyConnection) -> tuple[int, int, dict[str, int]]:
    """On the latest run: emissions rows, rows with an audit flag, and rows per flag (none
    flagged on a database from before the audit, opened read-only so not migrated)."""
    audited = con.execute(
        "SELECT count(*) FROM information_schema.columns"
        " WHERE table_name = 'emissions' AND column_name = 'flags'"
    ).fetchall()
    if not audited[0][0]:
        total = con.execute("SELECT count(*) FROM latest_emissions").fetchall()
        return int(total[0][0]), 0, {}
    rows = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE len(flags) > 0) FROM latest_emissions"
    ).fetchall()
    per_flag = con.execute(
        "SELECT flag, count(*) FROM (SELECT unnest(flags) AS flag FROM latest_emissions)"
        " GROUP BY flag ORDER BY count(*) DESC, flag"
    ).fetchall()
    return int(rows[0][0]), int(rows[0][1]), {str(f): int(n) for f, n in per_flag}
