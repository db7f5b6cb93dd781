"""The facts stage of a crawl: after the cards and the audit, every model of the run gets its
`card_facts` row, so that analysis, the classifiers and the site read each fact as stored
instead of deriving it again.

Two steps, each committed, so a stopped crawl resumes where it stopped:

1. tags: one row per model of the run without one, with its AutoTrain flag and domain
   (`mining.facts.tags`), in one statement;
2. texts: the README facts (`mining.facts.text`) of every fetched card whose row has not read
   its text yet: copied from any row that read the same text before, else parsed (once per
   distinct text, in worker processes from PROCESSES_FROM texts on) and committed in batches.
"""

from __future__ import annotations

import duckdb
from tqdm import tqdm

from hubcarbon.core.db import registered, transaction
from hubcarbon.core.pool import chunked, ordered_map, workers
from mining.crawl.cards import bars_disabled
from mining.crawl.records import batch
from mining.facts.tags import MODEL_FACTS_SQL
from mining.facts.text import TEXT_FACTS_SCHEMA, texts_facts
from mining.facts.vocabulary import domain_map

CHUNK = 64  # texts per worker task
BATCH = 512  # texts per commit
PROCESSES_FROM = 500  # fewer texts parse faster inline than a pool starts

_TEXT_COLUMNS = [field.name for field in TEXT_FACTS_SCHEMA if field.name != "text_sha256"]
_SET_TEXT_FACTS = ", ".join(f'"{name}" = s."{name}"' for name in ["text_sha256", *_TEXT_COLUMNS])

_UNREAD = """
    card_facts.run_id = $run AND c.run_id = $run AND c.model_id = card_facts.model_id
    AND c.fetch_status = 'ok' AND card_facts.text_sha256 IS DISTINCT FROM c.text_sha256"""
"""A `card_facts` row of the run whose fetched README (`cards c`) it has not read yet."""

_COPY_READ_TEXTS = f"""
UPDATE card_facts SET {_SET_TEXT_FACTS}
FROM cards c, (
    SELECT DISTINCT ON (text_sha256) * FROM card_facts WHERE text_sha256 IS NOT NULL
) s
WHERE {_UNREAD} AND s.text_sha256 = c.text_sha256
"""

_UNREAD_TEXTS = f"""
SELECT DISTINCT c.text_sha256, t.raw_text
FROM card_facts, cards c JOIN card_texts t ON t.text_sha256 = c.text_sha256
WHERE {_UNREAD}
ORDER BY c.text_sha256
"""

_STORE_READ_TEXTS = f"""
UPDATE card_facts SET {_SET_TEXT_FACTS}
FROM cards c, read_texts s
WHERE {_UNREAD} AND s.text_sha256 = c.text_sha256
"""


def derive_facts(
    con: duckdb.DuckDBPyConnection, run_id: int, *, progress: bool | None = None
) -> str:
    """Give every model of `run_id` its `card_facts` row and every fetched card's row the facts
    of its README; returns a one-line summary. Rows already complete are left as they are."""
    run = {"run": run_id}
    with transaction(con), registered(con, domain_map=domain_map()):
        con.execute(f"INSERT INTO card_facts BY NAME {MODEL_FACTS_SQL}", run)
    with transaction(con):
        con.execute(_COPY_READ_TEXTS, run)
    todo = [(str(key), str(text)) for key, text in con.execute(_UNREAD_TEXTS, run).fetchall()]
    processes = workers() if len(todo) >= PROCESSES_FROM else 1
    with tqdm(
        total=len(todo), desc="card facts", unit=" texts", disable=bars_disabled(progress)
    ) as bar:
        rows: list[dict[str, object]] = []
        with ordered_map(texts_facts, chunked(todo, CHUNK), processes=processes) as read:
            for facts in read:
                rows.extend(facts)
                if len(rows) >= BATCH:
                    _store(con, run_id, rows)
                    bar.update(len(rows))
                    rows = []
        _store(con, run_id, rows)
        bar.update(len(rows))
    counted = con.execute("SELECT count(*) FROM card_facts WHERE run_id = ?", [run_id])
    ((models,),) = counted.fetchall()
    return f"card facts: {models:,} models, {len(todo):,} README texts read"


def _store(con: duckdb.DuckDBPyConnection, run_id: int, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    with transaction(con), registered(con, read_texts=batch(rows, TEXT_FACTS_SCHEMA)):
        con.execute(_STORE_READ_TEXTS, {"run": run_id})
