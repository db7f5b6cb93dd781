"""What the grading stage reads from each crawled card itself: its lint findings, and its body
(the optimisation evidence of the reporting grades) as the linter parsed it.

Every other fact of a card (the body's template lines, `base_model`, the performance metrics)
was derived once by the crawl and is read from `card_facts` (`mining.facts`); the cards are
parsed here only because the lint rules run on the parsed card.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
from tqdm import tqdm

from classifiers.stage import linting
from hubcarbon.core.pool import ordered_map, workers
from mining.cards.card import parse_card

CHUNK = 200
PROCESSES_FROM = 2_000  # cards; fewer are parsed in this process
FACT_COLUMNS: tuple[str, ...] = ("model_id", "body", "body_line")


@dataclass(frozen=True)
class CardFacts:
    """Each fetched card's body (FACT_COLUMNS, one row per card) and the lint findings of all."""

    facts: pd.DataFrame
    findings: pd.DataFrame


def read_card_facts(
    con: duckdb.DuckDBPyConnection, run_id: int, *, progress: bool | None = False
) -> CardFacts:
    """Parse and lint every fetched card of `run_id`, with a progress bar over the cards
    (`progress` None: only on a terminal).

    From PROCESSES_FROM cards on, chunks of cards are linted in worker processes
    (`hubcarbon.core.pool`); results keep the order of the model ids."""
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
        processes = workers() if total >= PROCESSES_FROM else 1
        with ordered_map(read_chunk, _chunks(con, run_id), processes=processes) as read:
            for chunk_facts, chunk_findings in read:
                facts.extend(chunk_facts)
                findings.extend(chunk_findings)
                bar.update(len(chunk_facts))
    frame = pd.DataFrame(facts, columns=list(FACT_COLUMNS))
    lint_frame = pd.DataFrame(findings, columns=list(linting.FINDING_COLUMNS))
    return CardFacts(facts=frame, findings=lint_frame.astype({"fixable": bool}))


Chunk = list[tuple[str, str]]
ChunkResult = tuple[list[dict[str, Any]], list[dict[str, Any]]]


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
    """Body rows and lint-finding rows of a chunk of (model_id, README text) pairs."""
    facts: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    for model_id, text in chunk:
        card = parse_card(text)
        facts.append({"model_id": model_id, "body": card.body, "body_line": card.body_start_line})
        findings.extend(linting.finding_rows(model_id, linting.lint_parsed(card)))
    return facts, findings
