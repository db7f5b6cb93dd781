"""The DuckDB store: the connection, numbered migrations per layer, the crawl tables and the
`latest_*` views (mining.store.schema)."""

from mining.store.schema import (
    CRAWL_MIGRATIONS,
    CRAWL_TABLES,
    DEFAULT_DB,
    Migration,
    apply_migrations,
    check_database,
    connect,
    flagged_figures,
    latest_run_id,
    reading,
    require_crawl_store,
)

__all__ = [
    "CRAWL_MIGRATIONS",
    "CRAWL_TABLES",
    "DEFAULT_DB",
    "Migration",
    "apply_migrations",
    "check_database",
    "connect",
    "flagged_figures",
    "latest_run_id",
    "reading",
    "require_crawl_store",
]
