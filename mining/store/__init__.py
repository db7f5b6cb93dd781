"""The DuckDB store: the connection, numbered migrations per layer, the crawl tables and the
`latest_*` views (mining.store.schema)."""

from mining.store.schema import (
    CRAWL_MIGRATIONS,
    DEFAULT_DB,
    Migration,
    apply_migrations,
    connect,
    flagged_figures,
    latest_run_id,
)

__all__ = [
    "CRAWL_MIGRATIONS",
    "DEFAULT_DB",
    "Migration",
    "apply_migrations",
    "connect",
    "flagged_figures",
    "latest_run_id",
]
