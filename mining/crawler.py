"""The resumable crawl: list models into DuckDB page by page, then fetch and parse their cards.

Each crawl is a run. The listing cursor and every finished page are committed in the same
transaction as the page's rows, and fetched cards are committed in batches together with their
parsed emissions, so a crawl stopped by Ctrl-C, SIGKILL or a lost network resumes where it
stopped: no lost rows, no duplicates, no finished page fetched again. Cards whose commit is
unchanged since an earlier run are copied from it instead of being downloaded again.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd
from huggingface_hub.errors import HfHubHTTPError
from tqdm import tqdm

from mining import records
from mining.errors import CrawlError
from mining.hubclient import NETWORK_ERRORS, CardFetch, HubClient, ListingQuery
from mining.snapshot import embedded_snapshot_file

ModelsScope = Literal["all", "co2"]
CardsScope = Literal["all", "co2", "none"]

CARD_BATCH = 256
CARD_FLUSH_SECONDS = 2.0


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl. Two invocations with equal options continue the same unfinished run."""

    models: ModelsScope = "all"
    cards: CardsScope = "all"
    limit: int | None = None
    author: str | None = None
    page_size: int = 1000
    concurrency: int = field(default=8, compare=False)

    def identity(self) -> str:
        options = asdict(self)
        options.pop("concurrency")
        return json.dumps(options, sort_keys=True)


@dataclass(frozen=True)
class CrawlSummary:
    run_id: int
    resumed: bool
    models: int
    pages_fetched: int
    cards_fetched: int
    cards_reused: int
    card_failures: int
    co2_reporters: int
    errors: int
    seconds: float

    def lines(self) -> list[str]:
        return [
            f"run {self.run_id}{' (resumed)' if self.resumed else ''} finished in "
            f"{self.seconds:.1f} s",
            f"models: {self.models:,} ({self.pages_fetched:,} listing pages fetched)",
            f"cards: {self.cards_fetched:,} fetched, {self.cards_reused:,} unchanged and reused, "
            f"{self.card_failures:,} not available",
            f"CO2 reporters: {self.co2_reporters:,}",
            f"errors recorded: {self.errors:,} (table crawl_errors)",
        ]


@dataclass(frozen=True)
class _Run:
    run_id: int
    next_path: str | None
    listing_done: bool
    resumed: bool


class Crawl:
    """One crawl of one Hub into one database."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        client: HubClient,
        options: CrawlOptions,
        *,
        snapshot: str | None = None,
        progress: bool = True,
    ) -> None:
        self.con = con
        self.client = client
        self.options = options
        self.snapshot = snapshot
        self.progress = progress
        self._pages_fetched = 0
        self._cards_fetched = 0

    def run(self) -> CrawlSummary:
        started = time.monotonic()
        run = self._open_run()
        if not run.listing_done:
            self._list_models(run)
        reused = self._reuse_unchanged_cards(run.run_id) if self.options.cards != "none" else 0
        if self.options.cards != "none":
            self._fetch_cards(run.run_id)
        self.con.execute(
            "UPDATE runs SET status = 'finished', finished_at = ? WHERE run_id = ?",
            [_now(), run.run_id],
        )
        return self._summary(run, reused, time.monotonic() - started)

    # -- runs -----------------------------------------------------------------------------------

    def _open_run(self) -> _Run:
        identity = self.options.identity()
        where_source = "snapshot = ?" if self.snapshot else "endpoint = ? AND snapshot IS NULL"
        source = self.snapshot or self.client.endpoint
        row = self.con.execute(
            f"SELECT run_id, next_page_url, listing_done FROM runs "
            f"WHERE status = 'running' AND options::VARCHAR = ?::JSON::VARCHAR AND {where_source} "
            f"ORDER BY run_id DESC LIMIT 1",
            [identity, source],
        ).fetchone()
        if row is not None:
            return _Run(int(row[0]), row[1], bool(row[2]), resumed=True)
        created = self.con.execute(
            "INSERT INTO runs (started_at, status, endpoint, snapshot, options) "
            "VALUES (?, 'running', ?, ?, ?::JSON) RETURNING run_id",
            [_now(), self.client.endpoint, self.snapshot, identity],
        ).fetchone()
        assert created is not None
        return _Run(int(created[0]), None, False, resumed=False)

    # -- listing --------------------------------------------------------------------------------

    def _list_models(self, run: _Run) -> None:
        query = ListingQuery(
            co2_only=self.options.models == "co2",
            author=self.options.author,
            page_size=self.options.page_size,
        )
        path = run.next_path or query.first_page_path()
        listed = self._count("models", run.run_id)
        bar = tqdm(
            desc="listing models",
            unit=" models",
            initial=listed,
            total=self.options.limit,
            mininterval=1.0,
            disable=not self.progress,
        )
        with bar:
            while True:
                try:
                    page = self.client.list_page(path)
                except NETWORK_ERRORS as exc:
                    raise CrawlError(
                        f"listing failed after retries ({_describe(exc)}); the crawl is saved: "
                        "run the same command again to resume"
                    ) from exc
                self._pages_fetched += 1
                items = page.items
                if self.options.limit is not None:
                    items = items[: max(0, self.options.limit - listed)]
                listed += len(items)
                done = page.next_path is None or (
                    self.options.limit is not None and listed >= self.options.limit
                )
                self._commit_page(run.run_id, items, page.next_path, done)
                bar.update(len(items))
                if done:
                    return
                assert page.next_path is not None
                path = page.next_path

    def _commit_page(
        self, run_id: int, items: list[dict[str, Any]], next_path: str | None, done: bool
    ) -> None:
        models = pd.DataFrame(
            [records.model_row(run_id, item) for item in items], columns=records.MODEL_COLUMNS
        )
        emissions = pd.DataFrame(columns=records.EMISSION_COLUMNS)
        if self.options.cards == "none":
            emissions = pd.DataFrame(
                [
                    row
                    for item in items
                    if (row := records.emission_from_card_data(run_id, item)) is not None
                ],
                columns=records.EMISSION_COLUMNS,
            )
        self.con.execute("BEGIN TRANSACTION")
        try:
            _insert(self.con, "models", models)
            _insert(self.con, "emissions", emissions)
            self.con.execute(
                "UPDATE runs SET next_page_url = ?, pages_done = pages_done + 1, "
                "listing_done = ? WHERE run_id = ?",
                [next_path, done, run_id],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    # -- cards ----------------------------------------------------------------------------------

    def _card_scope_sql(self) -> str:
        if self.options.cards == "co2":
            return (
                " AND (list_contains(m.tags, 'co2_eq_emissions')"
                " OR json_exists(m.card_data, '$.co2_eq_emissions'))"
            )
        return ""

    def _reuse_unchanged_cards(self, run_id: int) -> int:
        """Copy cards (and their emissions and file sizes) whose commit is unchanged since the
        newest earlier run that fetched them, instead of downloading them again."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE reusable AS
                SELECT m.model_id, arg_max(c.run_id, c.run_id) AS from_run
                FROM models m
                JOIN cards c ON c.model_id = m.model_id AND c.sha = m.sha
                    AND c.run_id < m.run_id AND c.fetch_status = 'ok'
                WHERE m.run_id = ? AND m.sha IS NOT NULL
                    AND m.model_id NOT IN (SELECT model_id FROM cards WHERE run_id = ?)
                    {self._card_scope_sql()}
                GROUP BY m.model_id
                """,
                [run_id, run_id],
            )
            self.con.execute(
                "INSERT INTO cards SELECT ? AS run_id, c.* EXCLUDE (run_id) FROM cards c "
                "JOIN reusable r ON c.model_id = r.model_id AND c.run_id = r.from_run",
                [run_id],
            )
            self.con.execute(
                "INSERT OR REPLACE INTO emissions SELECT ? AS run_id, e.* EXCLUDE (run_id) "
                "FROM emissions e JOIN reusable r ON e.model_id = r.model_id "
                "AND e.run_id = r.from_run",
                [run_id],
            )
            self.con.execute(
                "UPDATE models SET pytorch_model_bytes = old.pytorch_model_bytes "
                "FROM (SELECT o.model_id, o.pytorch_model_bytes FROM models o "
                "      JOIN reusable r ON o.model_id = r.model_id AND o.run_id = r.from_run) old "
                "WHERE models.run_id = ? AND models.model_id = old.model_id "
                "AND models.pytorch_model_bytes IS NULL",
                [run_id],
            )
            count = self.con.execute("SELECT count(*) FROM reusable").fetchone()
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return int(count[0]) if count else 0

    def _cards_to_fetch(self, run_id: int) -> list[tuple[str, str | None, bool, bool]]:
        """(model id, commit, whether to HEAD pytorch_model.bin, whether the listing shows the
        repository has no README.md, so that no request is needed to know it)."""
        rows = self.con.execute(
            f"""
            SELECT m.model_id, m.sha,
                   m.pytorch_model_bytes IS NULL
                   AND list_contains(coalesce(m.files, []), 'pytorch_model.bin') AS needs_size,
                   m.files IS NOT NULL
                   AND NOT list_contains(m.files, 'README.md') AS listed_without_readme
            FROM models m
            WHERE m.run_id = ?
              AND m.model_id NOT IN (SELECT model_id FROM cards WHERE run_id = ?)
              {self._card_scope_sql()}
            ORDER BY m.model_id
            """,
            [run_id, run_id],
        ).fetchall()
        return [(str(r[0]), r[1], bool(r[2]), bool(r[3])) for r in rows]

    def _fetch_cards(self, run_id: int) -> None:
        todo = self._cards_to_fetch(run_id)
        if not todo:
            return
        pending: list[records.FetchedCard] = []
        last_flush = time.monotonic()
        bar = tqdm(
            total=len(todo),
            desc="fetching cards",
            unit=" cards",
            mininterval=1.0,
            disable=not self.progress,
        )
        with bar, ThreadPoolExecutor(max_workers=self.options.concurrency) as pool:
            try:
                for fetched in self._fetch_in_pool(pool, todo):
                    pending.append(fetched)
                    bar.update(1)
                    if len(pending) >= CARD_BATCH or (
                        time.monotonic() - last_flush >= CARD_FLUSH_SECONDS
                    ):
                        self._commit_cards(run_id, pending)
                        pending, last_flush = [], time.monotonic()
            finally:
                self._commit_cards(run_id, pending)

    def _fetch_in_pool(
        self, pool: ThreadPoolExecutor, todo: list[tuple[str, str | None, bool, bool]]
    ) -> Iterator[records.FetchedCard]:
        window = self.options.concurrency * 4
        queue = iter(todo)
        running: set[Future[records.FetchedCard]] = set()
        try:
            while True:
                while len(running) < window:
                    job = next(queue, None)
                    if job is None:
                        break
                    running.add(pool.submit(self._fetch_one, *job))
                if not running:
                    return
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()
        finally:
            for future in running:
                future.cancel()

    def _fetch_one(
        self, model_id: str, sha: str | None, needs_size: bool, listed_without_readme: bool
    ) -> records.FetchedCard:
        if listed_without_readme:
            fetch = CardFetch("missing", error="the repository lists no README.md")
        else:
            try:
                fetch = self.client.fetch_readme(model_id, sha)
            except Exception as exc:  # one repository must never end the crawl
                fetch = CardFetch("error", error=f"{type(exc).__name__}: {exc}"[:500])
            self._cards_fetched += 1
        size = None
        interpretation = records.interpret_card(fetch.text) if fetch.text is not None else None
        reports_co2 = interpretation is not None and interpretation.emission is not None
        if needs_size and reports_co2:
            size = self.client.file_size(model_id, "pytorch_model.bin", sha)
        return records.FetchedCard(model_id, sha, fetch, interpretation, size)

    def _commit_cards(self, run_id: int, fetched: list[records.FetchedCard]) -> None:
        if not fetched:
            return
        cards = pd.DataFrame(
            [records.card_row(run_id, f) for f in fetched], columns=records.CARD_COLUMNS
        )
        card_data_emissions = self._card_data_emissions(run_id, fetched)
        emissions = pd.DataFrame(
            [row for f in fetched if (row := records.emission_row(run_id, f)) is not None]
            + card_data_emissions,
            columns=records.EMISSION_COLUMNS,
        )
        errors = pd.DataFrame(
            [records.error_row(run_id, f) for f in fetched if f.fetch.status == "error"],
            columns=records.ERROR_COLUMNS,
        )
        sizes = pd.DataFrame(
            [(f.model_id, f.pytorch_model_bytes) for f in fetched if f.pytorch_model_bytes],
            columns=["model_id", "pytorch_model_bytes"],
        )
        self.con.execute("BEGIN TRANSACTION")
        try:
            _insert(self.con, "cards", cards)
            _insert(self.con, "emissions", emissions)
            _insert(self.con, "crawl_errors", errors)
            if len(sizes):
                self.con.register("fetched_sizes", sizes)
                self.con.execute(
                    "UPDATE models SET pytorch_model_bytes = s.pytorch_model_bytes "
                    "FROM fetched_sizes s WHERE models.run_id = ? AND models.model_id = s.model_id",
                    [run_id],
                )
                self.con.unregister("fetched_sizes")
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _card_data_emissions(
        self, run_id: int, fetched: list[records.FetchedCard]
    ) -> list[dict[str, Any]]:
        """For cards that could not be fetched, fall back to the listing's cardData."""
        failed = [f.model_id for f in fetched if f.fetch.status != "ok"]
        if not failed:
            return []
        rows = self.con.execute(
            "SELECT model_id, card_data FROM models "
            "WHERE run_id = ? AND list_contains(?, model_id)",
            [run_id, failed],
        ).fetchall()
        out = []
        for model_id, card_data in rows:
            item = {"id": model_id, "cardData": json.loads(card_data) if card_data else None}
            row = records.emission_from_card_data(run_id, item)
            if row is not None:
                out.append(row)
        return out

    # -- summary --------------------------------------------------------------------------------

    def _count(self, table: str, run_id: int, where: str = "") -> int:
        row = self.con.execute(
            f"SELECT count(*) FROM {table} WHERE run_id = ? {where}", [run_id]
        ).fetchone()
        return int(row[0]) if row else 0

    def _summary(self, run: _Run, reused: int, seconds: float) -> CrawlSummary:
        rid = run.run_id
        return CrawlSummary(
            run_id=rid,
            resumed=run.resumed,
            models=self._count("models", rid),
            pages_fetched=self._pages_fetched,
            cards_fetched=self._cards_fetched,
            cards_reused=reused,
            card_failures=self._count("cards", rid, "AND fetch_status <> 'ok'"),
            co2_reporters=self._count("emissions", rid, "AND co2_g IS NOT NULL"),
            errors=self._count("crawl_errors", rid),
            seconds=seconds,
        )


def snapshot_identity(path: Path | None) -> str:
    """How runs over a snapshot are matched for resumption (the mirror's port changes between
    invocations): the snapshot's name and the hash of its bytes."""
    source = embedded_snapshot_file() if path is None else path
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return f"{source.name} sha256:{digest.hexdigest()[:16]}"


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("batch_rows", frame)
    try:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f"INSERT OR IGNORE INTO {table} ({columns}) SELECT {columns} FROM batch_rows")
    finally:
        con.unregister("batch_rows")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, HfHubHTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
