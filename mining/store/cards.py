"""Writing `cards` rows: the view `cards` reads each run's `run_cards` rows with the outcome each
names in `card_fetches`, where an outcome (model, commit, ETag, status, error, text) is stored
once, whatever the number of runs that found it (migration `mining` 11)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from hubcarbon.core.db import registered
from mining.store.schema import SAME_FETCH

_KNOWN = """
CREATE OR REPLACE TEMP TABLE known_fetches AS
SELECT * FROM card_fetches WHERE model_id IN (SELECT model_id FROM new_cards)
"""
"""The stored outcomes of the models of `new_cards`: what the statements below compare with."""

_NEW = f"""
CREATE OR REPLACE TEMP TABLE new_fetches AS
WITH n AS (
    SELECT DISTINCT ON (model_id) model_id, sha, etag, fetch_status, fetch_error, text_sha256
    FROM new_cards
    WHERE model_id NOT IN (
        SELECT k.model_id FROM known_fetches k JOIN run_cards r USING (fetch_id)
        WHERE r.run_id = $run
    )
    ORDER BY ALL
)
SELECT DISTINCT ON (n.model_id) n.*, f.fetch_id
FROM n LEFT JOIN known_fetches f ON {SAME_FETCH.format(new="n")}
ORDER BY n.model_id, f.fetch_id
"""
"""The rows of `new_cards` for models without a card in the run, one per model, each with the
id of its outcome when it is stored already."""

_STORE_OUTCOMES = """
CREATE OR REPLACE TEMP TABLE stored_fetches AS
SELECT * REPLACE (nextval('card_fetch_ids') AS fetch_id) FROM new_fetches
WHERE fetch_id IS NULL ORDER BY model_id;
INSERT INTO card_fetches BY NAME SELECT * FROM stored_fetches;
"""
"""The outcomes not stored yet, each with a new id."""

_NAME_OUTCOMES = """
INSERT INTO run_cards (run_id, fetch_id)
SELECT $run, fetch_id FROM (
    SELECT fetch_id FROM new_fetches WHERE fetch_id IS NOT NULL
    UNION ALL
    SELECT fetch_id FROM stored_fetches
)
ORDER BY fetch_id
"""

_TEMPORARY = ("known_fetches", "new_fetches", "stored_fetches")


def append_cards(con: duckdb.DuckDBPyConnection, run_id: int, rows: pa.Table) -> None:
    """Add the `cards` rows `rows` (the view's columns; `run_id` is not read) to run `run_id`,
    for the models that have none in it yet: the key (run_id, model_id) of `cards` is kept
    here, not by an index. Call it inside the caller's transaction."""
    run = {"run": run_id}
    with registered(con, new_cards=rows):
        con.execute(_KNOWN)
        con.execute(_NEW, run)
        con.execute(_STORE_OUTCOMES)
        con.execute(_NAME_OUTCOMES, run)
    for name in _TEMPORARY:  # a failed statement leaves them to the caller's rollback
        con.execute(f"DROP TABLE {name}")
