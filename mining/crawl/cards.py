"""The card half of a crawl, in three resumable steps, each committing in batches:

1. download: README texts, many at a time in threads (I/O-bound), stored raw in `card_texts`,
   once per content hash, with a `cards` row per model naming its text;
2. parse: stored texts not parsed yet, in worker processes (CPU-bound), giving the parsed front
   matter (once per text) and the `emissions` rows of the run's cards;
3. sizes: `pytorch_model.bin` byte sizes of CO2 reporters by HEAD, as the paper measured size.

What a step has committed is never done again: a restarted crawl picks up the cards without a
row, the rows without a parse, the reporters without a size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
from tqdm import tqdm

from hubcarbon.core.db import insert_rows, registered, transaction
from hubcarbon.core.pool import chunked, ordered_map, workers
from mining.crawl import records
from mining.crawl.daemon import DaemonThreads
from mining.crawl.failures import ErrorKind, HubUnavailable
from mining.crawl.hubclient import CardFetch, HubClient
from mining.store.cards import append_cards

BATCH = 256
FLUSH_SECONDS = 2.0
PARSE_IN_PROCESSES_FROM = 500  # fewer cards parse faster inline than a pool starts

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class _Download:
    model_id: str
    sha: str | None
    fetch: CardFetch
    card_data: dict[str, Any] | None  # fetched only when the README is out of reach

    @property
    def failed(self) -> bool:
        return self.fetch.status == "error"


class CardStage:
    """Downloads, parses and sizes the cards of one run; `scope_sql` restricts which models."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        client: HubClient,
        run_id: int,
        *,
        scope_sql: str = "",
        concurrency: int = 8,
        progress: bool | None = None,
    ) -> None:
        self.con = con
        self.client = client
        self.run_id = run_id
        self.scope_sql = scope_sql
        self.concurrency = concurrency
        self.progress = progress
        self.downloaded = 0

    # -- 0. reuse -------------------------------------------------------------------------------

    def reuse_unchanged(self) -> int:
        """Copy cards (with their emissions and sizes) whose commit is unchanged since the newest
        earlier run that fetched them, instead of downloading them again. A copied card is one
        `run_cards` row naming the stored outcome: nothing else of it is copied."""
        with transaction(self.con):
            self.con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE reusable AS
                SELECT m.model_id, max(r.run_id) AS from_run,
                       arg_max(r.fetch_id, r.run_id) AS fetch_id
                FROM models m
                JOIN card_fetches f ON f.model_id = m.model_id AND f.sha = m.sha
                    AND f.fetch_status = 'ok'
                JOIN run_cards r ON r.fetch_id = f.fetch_id AND r.run_id < m.run_id
                JOIN card_texts t ON t.text_sha256 = f.text_sha256
                    AND t.parse_status IS NOT NULL
                WHERE m.run_id = $run AND m.sha IS NOT NULL
                    AND m.model_id NOT IN (SELECT model_id FROM cards WHERE run_id = $run)
                    {self.scope_sql}
                GROUP BY m.model_id
                """,
                {"run": self.run_id},
            )
            run = {"run": self.run_id}
            # the run names the stored outcome (`reusable` holds no model with a card in it)
            self.con.execute(
                "INSERT INTO run_cards (run_id, fetch_id) "
                "SELECT $run, fetch_id FROM reusable ORDER BY fetch_id",
                run,
            )
            self.con.execute(
                "INSERT OR IGNORE INTO emissions SELECT $run AS run_id, e.* EXCLUDE (run_id) "
                "FROM emissions e JOIN reusable r ON e.model_id = r.model_id "
                "AND e.run_id = r.from_run",
                run,
            )
            self.con.execute(
                "UPDATE models SET pytorch_model_bytes = old.pytorch_model_bytes "
                "FROM (SELECT o.model_id, o.pytorch_model_bytes FROM models o "
                "      JOIN reusable r ON o.model_id = r.model_id AND o.run_id = r.from_run) old "
                "WHERE models.run_id = $run AND models.model_id = old.model_id "
                "AND models.pytorch_model_bytes IS NULL",
                {"run": self.run_id},
            )
            rows = self.con.execute("SELECT count(*) FROM reusable").fetchall()
        return int(rows[0][0])

    # -- 1. download ----------------------------------------------------------------------------

    def download(self) -> None:
        todo = self.con.execute(
            f"""
            SELECT m.model_id, m.sha,
                   m.files IS NOT NULL AND NOT list_contains(m.files, 'README.md')
            FROM models m
            WHERE m.run_id = $run
              AND m.model_id NOT IN (SELECT model_id FROM cards WHERE run_id = $run)
              {self.scope_sql}
            ORDER BY m.model_id
            """,
            {"run": self.run_id},
        ).fetchall()
        jobs = [(str(model_id), sha, bool(no_readme)) for model_id, sha, no_readme in todo]
        results = _in_threads(self._download_one, jobs, self.concurrency)
        for done in self._batches(results, len(jobs), "downloading cards"):
            self._commit_downloads(done)

    def _download_one(self, job: tuple[str, str | None, bool]) -> _Download:
        model_id, sha, listed_without_readme = job
        if listed_without_readme:  # the listing's file list already says so: no request needed
            fetch = CardFetch("missing", error="the repository lists no README.md")
            return _Download(model_id, sha, fetch, None)
        try:
            fetch = self.client.fetch_readme(model_id, sha)
        except HubUnavailable:  # the Hub itself, not this repository: the crawl stops
            raise
        except Exception as exc:  # one repository must never end the crawl
            message = self.client.redact(f"{type(exc).__name__}: {exc}")
            fetch = CardFetch("error", error=message, kind=ErrorKind.BAD_RESPONSE)
        self.downloaded += 1
        card_data = None
        if fetch.status == "gated" or fetch.kind not in (None, ErrorKind.INVALID_ID):
            # The README is out of reach but its metadata may not be: the Hub's own cardData
            # is then all there is to read emissions from.
            card_data = self.client.card_data(model_id)
        return _Download(model_id, sha, fetch, card_data)

    def _commit_downloads(self, done: list[_Download]) -> None:
        run = self.run_id
        cards = [records.card_row(run, d.model_id, d.sha, d.fetch) for d in done]
        errors = [records.error_row(run, d.model_id, d.fetch) for d in done if d.failed]
        fallback = [
            row
            for d in done
            if (row := records.emission_from_card_data(run, d.model_id, d.card_data)) is not None
        ]
        card_data = pa.table(
            {
                "model_id": [d.model_id for d in done if d.card_data is not None],
                "card_data": [json.dumps(d.card_data) for d in done if d.card_data is not None],
            },
            schema=pa.schema([("model_id", pa.string()), ("card_data", pa.string())]),
        )
        texts = records.text_rows([d.fetch for d in done])
        with transaction(self.con):
            insert_rows(self.con, "card_texts", records.batch(texts, records.CARD_TEXT_SCHEMA))
            append_cards(self.con, run, records.batch(cards, records.CARD_SCHEMA))
            insert_rows(self.con, "crawl_errors", records.batch(errors, records.ERROR_SCHEMA))
            insert_rows(self.con, "emissions", records.batch(fallback, records.EMISSION_SCHEMA))
            if card_data.num_rows:
                with registered(self.con, fetched_card_data=card_data):
                    self.con.execute(
                        "UPDATE models SET card_data = f.card_data FROM fetched_card_data f "
                        "WHERE models.run_id = ? AND models.model_id = f.model_id",
                        [self.run_id],
                    )

    # -- 2. parse -------------------------------------------------------------------------------

    def parse(self) -> None:
        """Parse the run's texts that no run has parsed yet, then give every fetched card of the
        run whose text was parsed before the emissions row of that text."""
        todo = self.con.execute(  # each text read for the first model (by id) holding it
            "SELECT t.text_sha256, t.raw_text, min(c.model_id) FROM card_texts t "
            "JOIN cards c ON c.text_sha256 = t.text_sha256 AND c.run_id = ? "
            "AND c.fetch_status = 'ok' WHERE t.parse_status IS NULL "
            "GROUP BY t.text_sha256, t.raw_text ORDER BY t.text_sha256",
            [self.run_id],
        ).fetchall()
        if todo:
            self._parse_texts(todo)
        with transaction(self.con):
            self.con.execute(_EMISSIONS_OF_PARSED_TEXTS, {"run": self.run_id})

    def _parse_texts(self, todo: list[records.ParseJob]) -> None:
        processes = workers() if len(todo) >= PARSE_IN_PROCESSES_FROM else 1
        with ordered_map(records.parse_texts, chunked(todo, 64), processes=processes) as parsed:
            self._commit_parsed_chunks(parsed, len(todo))

    def _commit_parsed_chunks(self, chunks: Iterable[list[records.ParsedRow]], total: int) -> None:
        flat = (row for chunk in chunks for row in chunk)
        for done in self._batches(flat, total, "parsing cards"):
            updates = records.batch([row.text_update for row in done], records.TEXT_UPDATE_SCHEMA)
            emissions = records.batch(
                [
                    {"text_sha256": row.text_sha256, **row.emission}
                    for row in done
                    if row.emission is not None
                ],
                records.TEXT_EMISSION_SCHEMA,
            )
            problems = records.batch(
                [p for row in done if (p := records.parse_problem(row)) is not None],
                records.PARSE_PROBLEM_SCHEMA,
            )
            parsed = {"parsed_texts": updates, "parsed_emissions": emissions,
                      "parse_problems": problems}  # fmt: skip
            with transaction(self.con), registered(self.con, **parsed):
                self.con.execute(
                    "UPDATE card_texts SET front_matter = p.front_matter, "
                    "parse_status = p.parse_status, parse_error = p.parse_error "
                    "FROM parsed_texts p WHERE card_texts.text_sha256 = p.text_sha256"
                )
                # what a text gives goes to every card of the run with that text
                self.con.execute(
                    "INSERT OR IGNORE INTO emissions BY NAME "
                    "SELECT c.run_id, c.model_id, p.* EXCLUDE (text_sha256) "
                    f"FROM parsed_emissions p {_CARDS_OF_THE_RUN}",
                    {"run": self.run_id},
                )
                self.con.execute(
                    "INSERT INTO crawl_errors (run_id, model_id, stage, kind, message) "
                    "SELECT c.run_id, c.model_id, 'parse', p.kind, p.message "
                    f"FROM parse_problems p {_CARDS_OF_THE_RUN}",
                    {"run": self.run_id},
                )

    # -- 3. sizes -------------------------------------------------------------------------------

    def measure_sizes(self) -> None:
        todo = self.con.execute(
            "SELECT m.model_id, m.sha FROM models m "
            "JOIN emissions e ON e.run_id = m.run_id AND e.model_id = m.model_id "
            "WHERE m.run_id = ? AND m.pytorch_model_bytes IS NULL "
            "AND list_contains(coalesce(m.files, []), 'pytorch_model.bin') ORDER BY m.model_id",
            [self.run_id],
        ).fetchall()
        jobs = [(str(model_id), sha) for model_id, sha in todo]

        def measure(job: tuple[str, str | None]) -> tuple[str, int | None]:
            return job[0], self.client.file_size(job[0], "pytorch_model.bin", job[1])

        for done in self._batches(
            _in_threads(measure, jobs, self.concurrency), len(jobs), "sizing reporters"
        ):
            sizes = pa.table(
                {
                    "model_id": [model_id for model_id, size in done if size],
                    "size": pa.array([size for _, size in done if size], pa.int64()),
                }
            )
            with transaction(self.con), registered(self.con, sizes=sizes):
                self.con.execute(
                    "UPDATE models SET pytorch_model_bytes = s.size FROM sizes s "
                    "WHERE models.run_id = ? AND models.model_id = s.model_id",
                    [self.run_id],
                )

    # -- shared ---------------------------------------------------------------------------------

    def _batches(self, items: Iterable[T], total: int, label: str) -> Iterator[list[T]]:
        """Group results for one commit each: every BATCH items or FLUSH_SECONDS. The last group
        is yielded only when `items` ran out: never while unwinding (Ctrl-C, a failure)."""
        bar = tqdm(
            total=total,
            desc=label,
            unit=" cards",
            mininterval=1.0,
            disable=bars_disabled(self.progress),
        )
        pending: list[T] = []
        last = time.monotonic()
        with bar:
            for item in items:
                pending.append(item)
                bar.update(1)
                if len(pending) >= BATCH or time.monotonic() - last >= FLUSH_SECONDS:
                    yield pending
                    pending, last = [], time.monotonic()
            if pending:
                yield pending


def bars_disabled(progress: bool | None) -> bool | None:
    """tqdm's `disable` for a `--progress` choice: None draws bars only on a terminal."""
    return None if progress is None else not progress


_CARDS_OF_THE_RUN = (
    "JOIN cards c ON c.text_sha256 = p.text_sha256 AND c.run_id = $run AND c.fetch_status = 'ok'"
)

# A fetched card's emissions row comes from its text alone, so every fetched card with a text
# parsed in an earlier run (or for another model) gets the row of a card with the same text.
_EMISSIONS_OF_PARSED_TEXTS = """
INSERT OR IGNORE INTO emissions BY NAME
WITH pending AS (
    SELECT model_id, text_sha256 FROM cards
    WHERE run_id = $run AND fetch_status = 'ok'
      AND model_id NOT IN (SELECT model_id FROM emissions WHERE run_id = $run)
),
known AS (
    SELECT DISTINCT ON (s.text_sha256) s.text_sha256, e.* EXCLUDE (run_id, model_id)
    FROM cards s JOIN emissions e ON e.run_id = s.run_id AND e.model_id = s.model_id
    WHERE s.fetch_status = 'ok' AND s.text_sha256 IN (SELECT text_sha256 FROM pending)
    ORDER BY s.text_sha256, s.run_id DESC
)
SELECT $run AS run_id, p.model_id, k.* EXCLUDE (text_sha256)
FROM pending p JOIN known k ON k.text_sha256 = p.text_sha256
"""


def _in_threads(work: Callable[[T], R], jobs: list[T], concurrency: int) -> Iterator[R]:
    """Results of `work` over `jobs` as they complete, at most `concurrency` in flight, each in
    a daemon thread (so that Ctrl-C never waits for a request blocked in a read)."""
    if not jobs:
        return
    yield from _bounded(DaemonThreads("cards"), work, jobs, concurrency)


def _bounded(pool: Executor, work: Callable[[T], R], jobs: list[T], window: int) -> Iterator[R]:
    queue = iter(jobs)
    running: set[Future[R]] = set()
    try:
        while True:
            running.update(pool.submit(work, job) for job in islice(queue, window - len(running)))
            if not running:
                return
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
    finally:
        for future in running:
            future.cancel()
