"""The resumable crawl: list models into DuckDB page by page, fetch and parse their cards, audit
them (mining.audit), store each model's facts (mining.facts), then read the datasets they name
(mining.crawl.datasets).

Each crawl is a run. Listing pages are committed with their rows, their refused items and the
cursor to the page after them (the pages waiting, in one transaction; `mining.crawl.feed`
fetches ahead), and fetched cards are committed in batches together with their parsed
emissions, so a crawl stopped by Ctrl-C, SIGKILL or a lost network resumes where it stopped: no
lost rows, no duplicates, no committed page fetched again. Cards whose commit is unchanged since
an earlier run are copied from it instead of being downloaded again. A listing request that
fails for good is a failure of the Hub (`HubUnavailable`): the run is marked failed, its
checkpoint kept.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
from tqdm import tqdm

from hubcarbon.core.db import insert_rows, transaction
from hubcarbon.core.errors import CrawlError
from mining.audit import run_audit
from mining.crawl import listing, records
from mining.crawl.cards import CardStage, bars_disabled
from mining.crawl.datasets import DatasetsScope, DatasetStage
from mining.crawl.failures import ErrorKind, HubFailure, HubUnavailable, RequestFailed
from mining.crawl.feed import Fetched, PageFeed
from mining.crawl.hubclient import HubClient, ListingQuery, Page
from mining.facts import derive_facts

ModelsScope = Literal["all", "co2"]
CardsScope = Literal["all", "co2", "none"]

CARD_BATCH = 256
# Listing pages fetched ahead of the store (files in a spool directory), and stored in one
# transaction; the byte bounds (each passed by at most the one page that crosses it) hold for
# pages of any size (a Hub may send up to MAX_LISTING_BYTES a page). Batches of 128 pages (over
# a DuckDB row group, written at commit without the WAL) were no faster at 2,700,000 models,
# and held 2.5x the memory.
LISTING_AHEAD, LISTING_AHEAD_BYTES = 48, 256 << 20
LISTING_BATCH_LEAST, LISTING_BATCH_MOST, LISTING_BATCH_BYTES = 8, 32, 128 << 20
LISTING_BATCH_WAIT = 0.5  # seconds a batch waits for its least pages when they come slowly
LISTING_CHECKPOINT = "256MB"  # WAL size that makes DuckDB checkpoint during the listing
CARD_FLUSH_SECONDS = 2.0


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl. Two invocations with equal options continue the same unfinished run."""

    models: ModelsScope = "all"
    cards: CardsScope = "all"
    limit: int | None = None
    author: str | None = None
    page_size: int = 1000
    datasets: DatasetsScope = "reporters"
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
    errors: dict[str, int]  # crawl_errors rows of the run by kind
    seconds: float
    listing_seconds: float  # of `seconds`, the listing's (0 when resumed past it)

    def lines(self) -> list[str]:
        return [
            f"run {self.run_id}{' (resumed)' if self.resumed else ''} finished in "
            f"{self.seconds:.1f} s",
            f"models: {self.models:,} ({self.pages_fetched:,} listing pages fetched)",
            f"cards: {self.cards_fetched:,} fetched, {self.cards_reused:,} unchanged and reused, "
            f"{self.card_failures:,} not available",
            f"CO2 reporters: {self.co2_reporters:,}",
            f"errors recorded: {self._errors_line()} (table crawl_errors)",
        ]

    def _errors_line(self) -> str:
        total = sum(self.errors.values())
        if not total:
            return "0"
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in sorted(self.errors.items()))
        return f"{total:,}: {kinds}"


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
        progress: bool | None = None,
    ) -> None:
        self.con = con
        self.client = client
        self.options = options
        self.snapshot = snapshot
        self.progress = progress
        self._pages_fetched = 0
        self._cards_fetched = 0
        self._listing_seconds = 0.0

    def run(self) -> CrawlSummary:
        """Crawl to the end. A failure of the Hub itself (`HubUnavailable`, or the listing
        failing for good) marks the run failed, keeps its checkpoint and raises `CrawlError`;
        Ctrl-C (KeyboardInterrupt) cancels the requests in flight and leaves the run to resume."""
        started = time.monotonic()
        run = self._open_run()
        try:
            reused = self._crawl(run)
        except HubFailure as failure:
            self._fail(run, failure)
            raise CrawlError(
                f"{failure}; the crawl is saved: run the same command again to resume"
            ) from None
        except duckdb.InterruptException:
            self.client.cancel()
            raise KeyboardInterrupt from None
        except BaseException:
            self.client.cancel()
            raise
        self.con.execute(
            "UPDATE runs SET status = 'finished', finished_at = ? WHERE run_id = ?",
            [_now(), run.run_id],
        )
        return self._summary(run, reused, time.monotonic() - started)

    def _crawl(self, run: _Run) -> int:
        """The listing (unless done) and the cards; returns how many cards were reused."""
        if not run.listing_done:
            started = time.monotonic()
            self._list_models(run)
            self._listing_seconds = time.monotonic() - started
        reused = 0
        if self.options.cards != "none":
            cards = CardStage(
                self.con,
                self.client,
                run.run_id,
                scope_sql=self._card_scope_sql(),
                concurrency=self.options.concurrency,
                progress=self.progress,
            )
            reused = cards.reuse_unchanged()
            cards.download()
            cards.parse()
            cards.measure_sizes()
            self._cards_fetched = cards.downloaded
        run_audit(self.con, run.run_id)
        derive_facts(self.con, run.run_id, progress=self.progress)
        DatasetStage(
            self.con,
            self.client,
            run.run_id,
            scope=self.options.datasets,
            stated_sizes=self.snapshot is not None,  # only a snapshot mirror states them
            concurrency=self.options.concurrency,
            progress=self.progress,
        ).run()
        return reused

    def _fail(self, run: _Run, failure: HubFailure) -> None:
        """Mark the run failed (it resumes from its checkpoint) and record why."""
        self.client.cancel()
        stage = "listing" if not self._listing_finished(run.run_id) else "card"
        row = {"run_id": run.run_id, "model_id": None, "stage": stage,
               "kind": str(failure.kind), "message": str(failure)}  # fmt: skip
        with transaction(self.con):
            insert_rows(self.con, "crawl_errors", records.batch([row], records.ERROR_SCHEMA))
            self.con.execute("UPDATE runs SET status = 'failed' WHERE run_id = ?", [run.run_id])

    def _listing_finished(self, run_id: int) -> bool:
        rows = self.con.execute(
            "SELECT listing_done FROM runs WHERE run_id = ?", [run_id]
        ).fetchall()
        return bool(rows and rows[0][0])

    # -- runs -----------------------------------------------------------------------------------

    def _open_run(self) -> _Run:
        identity = self.options.identity()
        where_source = "snapshot = ?" if self.snapshot else "endpoint = ? AND snapshot IS NULL"
        source = self.snapshot or self.client.endpoint
        # fetchall throughout: duckdb keeps a fetchone() result open on the connection
        unfinished = self.con.execute(
            f"SELECT run_id, next_page_url, listing_done FROM runs "
            f"WHERE status IN ('running', 'failed') "
            f"AND options::VARCHAR = ?::JSON::VARCHAR AND {where_source} "
            f"ORDER BY run_id DESC LIMIT 1",
            [identity, source],
        ).fetchall()
        if unfinished:
            run_id, next_path, listing_done = unfinished[0]
            self.con.execute("UPDATE runs SET status = 'running' WHERE run_id = ?", [run_id])
            return _Run(int(run_id), next_path, bool(listing_done), resumed=True)
        created = self.con.execute(
            "INSERT INTO runs (started_at, status, endpoint, snapshot, options) "
            "VALUES (?, 'running', ?, ?, ?::JSON) RETURNING run_id",
            [_now(), self.client.endpoint, self.snapshot, identity],
        ).fetchall()
        return _Run(int(created[0][0]), None, False, resumed=False)

    # -- listing --------------------------------------------------------------------------------

    def _list_models(self, run: _Run) -> None:
        query = ListingQuery(
            co2_only=self.options.models == "co2",
            author=self.options.author,
            page_size=self.options.page_size,
            card_data=self.options.cards == "none",
        )
        listed = self._count("models", run.run_id)
        bar = tqdm(
            desc="listing models",
            unit=" models",
            initial=listed,
            total=self.options.limit,
            mininterval=1.0,
            disable=bars_disabled(self.progress),
        )
        # With --limit, a page is fetched only once the one before is counted (the next one
        # downloads while this one is committed); without, the feed runs ahead and the pages
        # waiting are stored together, in one transaction and a few statements.
        bounded = self.options.limit is not None
        # DuckDB checkpoints (rewriting the key index) each time the WAL passes 16 MB: over
        # millions of listed models that is quadratic. Until a checkpoint, though, every row
        # appended since the last one stays in memory (a little more than the WAL holds), so the
        # listing checkpoints every LISTING_CHECKPOINT of WAL (about 600,000 models) and at its end
        self.con.execute(f"SET checkpoint_threshold = '{LISTING_CHECKPOINT}'")
        spool_dir = tempfile.TemporaryDirectory(
            prefix="hubcarbon-listing-", ignore_cleanup_errors=True
        )  # a feed thread stopped by Ctrl-C may still be writing its last page there
        with bar, spool_dir as spool:
            first = run.next_path or query.first_page_path()
            feed = PageFeed(
                self.client,
                first,
                Path(spool),
                1 if bounded else LISTING_AHEAD,
                LISTING_AHEAD_BYTES,
            )
            try:
                done = False
                while not done:
                    if bounded:
                        batch = feed.take(1, 1, LISTING_BATCH_BYTES)
                    else:
                        batch = feed.take(
                            LISTING_BATCH_LEAST,
                            LISTING_BATCH_MOST,
                            LISTING_BATCH_BYTES,
                            LISTING_BATCH_WAIT,
                        )
                        feed.release(batch)
                    stored, kept, done = self._commit_batch(run.run_id, batch, query, listed, feed)
                    listed += kept
                    bar.update(stored)
            except BaseException:
                self.client.cancel()  # the feed's request in flight stops now, not at its timeout
                raise
            finally:
                feed.close()
                self.con.execute("RESET checkpoint_threshold")
        self.con.execute("CHECKPOINT")

    def _commit_batch(
        self,
        run_id: int,
        batch: list[Fetched],
        query: ListingQuery,
        listed: int,
        feed: PageFeed,
    ) -> tuple[int, int, bool]:
        """Store fetched pages with the cursor to the page after them, in one transaction;
        (models stored, models kept toward --limit, whether the listing is done)."""
        pages = [f.page for f in batch if f.page is not None]
        bounded = self.options.limit is not None
        scanned = not bounded and bool(pages) and listing.scan_batch(self.con, _bodies(pages))
        new_ids = True
        while True:
            try:
                stored, kept, done, failure = self._store_batch(
                    run_id, batch, query, listed, scanned=scanned, new_ids=new_ids
                )
                break
            except duckdb.ConstraintException:  # a model listed twice: again, duplicates ignored
                if not new_ids:
                    raise
                new_ids = False
            except listing.IllTypedPages:  # the transaction rolled back: every page carefully
                scanned = False
        if bounded and not done:
            feed.release(batch)
        for page in pages:
            page.body.unlink(missing_ok=True)
        self._pages_fetched += len(pages)
        if failure is not None:
            raise self._listing_failed(failure)
        return stored, kept, done

    def _store_batch(
        self,
        run_id: int,
        batch: list[Fetched],
        query: ListingQuery,
        listed: int,
        *,
        scanned: bool,
        new_ids: bool,
    ) -> tuple[int, int, bool, BaseException | None]:
        """The transaction of `_commit_batch`: (models stored, models kept, whether the listing
        is done, the failure that ended it). `scanned`: the pages are scanned into
        `listing_batch`. `new_ids`: no id of the batch is stored yet (a duplicate raises
        ConstraintException); IllTypedPages when a scanned page does not fit its types."""
        pages = [f.page for f in batch if f.page is not None]
        failure = batch[-1].error
        errors: list[dict[str, Any]] = []
        done = batch[-1].last
        with transaction(self.con):
            if self.options.limit is not None and pages:  # one page, counted before the next
                take = max(0, self.options.limit - listed)
                stored, kept = self._store_page(run_id, pages[0].body, query, take, errors)
                done = done or listed + kept >= self.options.limit
            else:
                stored = kept = self._store_pages(
                    run_id, _bodies(pages), query, errors, scanned=scanned, new_ids=new_ids
                )
            stop = batch[-1].stop
            if stop is not None:
                errors.append(listing.listing_error(run_id, *stop))
            if isinstance(failure, RequestFailed) and failure.kind is ErrorKind.TOO_LARGE:
                message = f"{failure}; the listing stops here"
                errors.append(listing.listing_error(run_id, ErrorKind.TOO_LARGE, message))
                failure = None
            listing.insert_errors(self.con, errors)
            finished = done and failure is None
            self.con.execute(
                "UPDATE runs SET next_page_url = CASE WHEN ? THEN NULL "
                "ELSE coalesce(?, next_page_url) END, pages_done = pages_done + ?, "
                "listing_done = ? WHERE run_id = ?",
                [finished, pages[-1].next_path if pages else None, len(pages), finished, run_id],
            )
        return stored, kept, done, failure

    def _listing_failed(self, failure: BaseException) -> BaseException:
        """What a failed listing request raises: the listing failing for good is the Hub
        failing (`HubUnavailable`, naming the endpoint); Ctrl-C and the rest as they came."""
        if isinstance(failure, HubUnavailable) or not isinstance(failure, HubFailure):
            return failure
        where = f"the listing at {self.client.endpoint} failed"
        return HubUnavailable(failure.kind, f"{where}: {failure}")

    def _store_pages(
        self,
        run_id: int,
        files: list[Path],
        query: ListingQuery,
        errors: list[dict[str, Any]],
        *,
        scanned: bool,
        new_ids: bool,
    ) -> int:
        """Store whole pages: all at once when they are `scanned` and every id is valid, page
        by page (`_store_page`) for the others. Returns how many models were new."""
        if not files:
            return 0
        careful = [str(f) for f in files]
        stored = 0
        if scanned:
            careful = listing.careful_pages(self.con, query.page_size)
            passed = [str(f) for f in files if str(f) not in careful]
            stored += listing.insert_pages(self.con, run_id, passed, new_ids=new_ids)
            if self.options.cards == "none":  # no README will be read: cardData is all there is
                listing.batch_emissions(self.con, run_id, careful, new_ids=new_ids)
        for file in careful:
            stored += self._store_page(run_id, Path(file), query, None, errors)[0]
        return stored

    def _store_page(
        self,
        run_id: int,
        file: Path,
        query: ListingQuery,
        take: int | None,
        errors: list[dict[str, Any]],
    ) -> tuple[int, int]:
        """Store one page read carefully (ill-typed fields NULL, invalid ids and items over the
        limit refused and recorded in `errors`); (models new, models kept)."""
        try:
            staged = listing.stage(self.con, file, page_limit=query.page_size, take=take)
        except listing.PageError as exc:
            raise CrawlError(f"{exc}; the crawl is saved and can be resumed") from exc
        stored = listing.insert_staged(self.con, run_id)
        errors.extend(listing.refused_rows(self.con, run_id, staged, query.page_size))
        if self.options.cards == "none":
            listing.card_data_emissions(self.con, run_id)
        return stored, staged.kept

    # -- cards ----------------------------------------------------------------------------------

    def _card_scope_sql(self) -> str:
        if self.options.cards == "co2":
            return (
                " AND (list_contains(m.tags, 'co2_eq_emissions')"
                " OR json_exists(m.card_data, '$.co2_eq_emissions'))"
            )
        return ""

    # -- summary --------------------------------------------------------------------------------

    def _count(self, table: str, run_id: int, where: str = "") -> int:
        rows = self.con.execute(
            f"SELECT count(*) FROM {table} WHERE run_id = ? {where}", [run_id]
        ).fetchall()
        return int(rows[0][0])

    def _errors_by_kind(self, run_id: int) -> dict[str, int]:
        rows = self.con.execute(
            "SELECT kind, count(*) FROM crawl_errors WHERE run_id = ? GROUP BY kind", [run_id]
        ).fetchall()
        return {str(kind): int(n) for kind, n in rows}

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
            errors=self._errors_by_kind(rid),
            seconds=seconds,
            listing_seconds=self._listing_seconds,
        )


def _bodies(pages: list[Page]) -> list[Path]:
    return [page.body for page in pages]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
