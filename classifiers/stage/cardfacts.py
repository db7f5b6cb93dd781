"""What the grading stage reads from each crawled card, beyond the crawl tables.

The crawl stores an emissions row only for cards that state emissions. Grading every card also
needs, for the others, the body's template lines (`Hardware Type:`, `Compute Region:`, `Hours
used:`); for all, the body text (optimisation evidence), the metadata's `base_model`, the
performance metrics and the lint findings. One pass parses each card once.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import multiprocessing.pool
import os
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
from tqdm import tqdm

from classifiers.stage import linting
from classifiers.stage.performance import METRICS, card_metrics
from mining.cards.card import ParsedCard, parse_card

CHUNK = 200
PROCESSES_FROM = 2_000  # cards; fewer are parsed in this process
MAX_WORKERS = 4
FACT_COLUMNS: tuple[str, ...] = (
    "model_id",
    "body",
    "body_line",
    "prose_hardware",
    "prose_region",
    "prose_hours",
    "base_model",
    *METRICS,
)


@dataclass(frozen=True)
class CardFacts:
    """Per-card facts (one row per fetched card) and the lint findings of all cards."""

    facts: pd.DataFrame
    findings: pd.DataFrame


def read_card_facts(
    con: duckdb.DuckDBPyConnection, run_id: int, *, progress: bool | None = False
) -> CardFacts:
    """Parse and lint every fetched card of `run_id`, with a progress bar over the cards
    (`progress` None: only on a terminal).

    From PROCESSES_FROM cards on, chunks of cards are parsed in worker processes (spawned,
    never forked), one per CPU up to MAX_WORKERS; results keep the order of the model ids."""
    ((total,),) = con.execute(
        "SELECT count(*) FROM cards WHERE run_id = ? AND fetch_status = 'ok'", [run_id]
    ).fetchall()
    facts: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    with tqdm(
        total=total,
        desc="grading cards",
        unit="card",
        disable=None if progress is None else not progress,
    ) as bar:
        for chunk_facts, chunk_findings in _read_chunks(_chunks(con, run_id), total):
            facts.extend(chunk_facts)
            findings.extend(chunk_findings)
            bar.update(len(chunk_facts))
    frame = pd.DataFrame(facts, columns=list(FACT_COLUMNS))
    frame = frame.astype({"prose_hours": "float64", **dict.fromkeys(METRICS, "float64")})
    lint_frame = pd.DataFrame(findings, columns=list(linting.FINDING_COLUMNS))
    return CardFacts(facts=frame, findings=lint_frame.astype({"fixable": bool}))


Chunk = list[tuple[str, str]]
ChunkResult = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _read_chunks(chunks: Iterable[Chunk], total: int) -> Iterator[ChunkResult]:
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if total < PROCESSES_FROM or workers < 2:
        yield from map(read_chunk, chunks)
        return
    with _worker_pool(workers) as pool:
        yield from pool.imap(read_chunk, chunks)


@contextlib.contextmanager
def _worker_pool(workers: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of spawned workers that leave Ctrl-C to this process, which terminates them.

    The workers are started while SIGINT is ignored: an ignored signal stays ignored through
    exec and Python keeps it so, so a Ctrl-C from the terminal (sent to every process of the
    group) never interrupts a worker, not even during its imports. Any exception here,
    KeyboardInterrupt included, terminates them at once instead of waiting for their chunks.
    (A Ctrl-C in the few milliseconds the workers take to fork is not seen.)"""
    spawn = multiprocessing.get_context("spawn")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pool = spawn.Pool(workers)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _chunks(con: duckdb.DuckDBPyConnection, run_id: int) -> Iterator[Chunk]:
    cursor = con.cursor()
    try:
        cursor.execute(
            "SELECT model_id, coalesce(raw_text, '') FROM cards_with_text"
            " WHERE run_id = ? AND fetch_status = 'ok' ORDER BY model_id",
            [run_id],
        )
        while batch := cursor.fetchmany(CHUNK):
            yield [(str(model_id), str(text)) for model_id, text in batch]
    finally:
        cursor.close()


def read_chunk(chunk: Chunk) -> ChunkResult:
    """Facts and lint-finding rows of a chunk of (model_id, README text) pairs."""
    facts: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    for model_id, text in chunk:
        card = parse_card(text)
        facts.append(card_fact(model_id, card))
        findings.extend(linting.finding_rows(model_id, linting.lint_parsed(card)))
    return facts, findings


def card_fact(model_id: str, card: ParsedCard) -> dict[str, Any]:
    """One row of facts for a parsed card."""
    meta = card.metadata if isinstance(card.metadata, dict) else {}
    return {
        "model_id": model_id,
        "body": card.body,
        "body_line": card.body_start_line,
        "prose_hardware": card.prose.hardware_type,
        "prose_region": card.prose.compute_region,
        "prose_hours": card.prose.hours,
        "base_model": _base_model_json(meta.get("base_model")),
        **card_metrics(meta, card.body),
    }


def _base_model_json(value: object) -> str | None:
    """base_model as a JSON list of strings (None when the card names none)."""
    if isinstance(value, str):
        names = [value]
    elif isinstance(value, list):
        names = [v for v in value if isinstance(v, str)]
    else:
        names = []
    return json.dumps(names) if names else None
