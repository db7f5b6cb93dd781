"""The facts stage of a crawl: after the cards and the audit, every model of the run gets its
facts, so that analysis, the classifiers and the site read each fact as stored (the view
`card_facts`) instead of deriving it again.

Two steps, each committed, so a stopped crawl resumes where it stopped:

1. tags: one `model_facts` row per model of the run without one, with its AutoTrain flag and
   domain (`mining.facts.tags`), MODEL_BATCH models (by rowid) a statement and a commit, so
   that the memory a statement takes does not grow with the listing (one statement over a
   listing of 1,000,000 models took about 800 MB);
2. texts: the README facts (`mining.facts.text`) of every text of the run's fetched cards that
   no run has read yet, once per text in `text_facts` (in worker processes from PROCESSES_FROM
   texts on), committed in batches. A text read before, by any run or model, is not read again.
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
MODEL_BATCH = 250_000  # rowids of `models` a model_facts statement reads

_UNREAD_TEXTS = """
SELECT DISTINCT c.text_sha256, t.raw_text
FROM cards c JOIN card_texts t ON t.text_sha256 = c.text_sha256
WHERE c.run_id = $run AND c.fetch_status = 'ok'
  AND c.text_sha256 NOT IN (SELECT text_sha256 FROM text_facts)
ORDER BY c.text_sha256
"""
"""The texts of the run's fetched cards without their `text_facts` row."""

_STORE_READ_TEXTS = """
INSERT INTO text_facts BY NAME
SELECT DISTINCT ON (text_sha256) * FROM read_texts
WHERE text_sha256 NOT IN (SELECT text_sha256 FROM text_facts)
"""
"""The texts read, each once: the key of `text_facts` is kept here, not by an index."""


def derive_facts(
    con: duckdb.DuckDBPyConnection, run_id: int, *, progress: bool | None = None
) -> str:
    """Give every model of `run_id` its `model_facts` row and every README of its fetched cards
    its `text_facts` row; returns a one-line summary. Rows already stored are left as they are."""
    run = {"run": run_id}
    with registered(con, domain_map=domain_map()):
        for first, after in _rowid_ranges(con, run_id):
            with transaction(con):
                con.execute(
                    f"INSERT INTO model_facts BY NAME {MODEL_FACTS_SQL}",
                    {**run, "first": first, "after": after},
                )
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
                    _store(con, rows)
                    bar.update(len(rows))
                    rows = []
        _store(con, rows)
        bar.update(len(rows))
    counted = con.execute("SELECT count(*) FROM model_facts WHERE run_id = ?", [run_id])
    ((models,),) = counted.fetchall()
    return f"card facts: {models:,} models, {len(todo):,} README texts read"


def _rowid_ranges(con: duckdb.DuckDBPyConnection, run_id: int) -> list[tuple[int, int]]:
    """[first, after) rowid ranges of MODEL_BATCH covering every `models` row of the run."""
    ((first, last),) = con.execute(
        "SELECT min(rowid), max(rowid) FROM models WHERE run_id = ?", [run_id]
    ).fetchall()
    if first is None:
        return []
    return [(start, start + MODEL_BATCH) for start in range(first, last + 1, MODEL_BATCH)]


def _store(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    with transaction(con), registered(con, read_texts=batch(rows, TEXT_FACTS_SCHEMA)):
        con.execute(_STORE_READ_TEXTS)
