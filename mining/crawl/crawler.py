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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa
from tqdm import tqdm

from hubcarbon.core.db import insert_rows, transaction
from hubcarbon.core.errors import CrawlError
from mining.crawl import records
from mining.crawl.cards import CardStage, bars_disabled
from mining.crawl.daemon import DaemonThreads
from mining.crawl.failures import HubFailure, HubUnavailable
from mining.crawl.hubclient import HubClient, ListingQuery, Page
from mining.snapshot.reader import embedded_snapshot_file

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
    errors: dict[str, int]  # crawl_errors rows of the run by kind
    seconds: float

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
            self._list_models(run)
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
        path = run.next_path or query.first_page_path()
        listed = self._count("models", run.run_id)
        bar = tqdm(
            desc="listing models",
            unit=" models",
            initial=listed,
            total=self.options.limit,
            mininterval=1.0,
            disable=bars_disabled(self.progress),
        )
        with bar, DaemonThreads("listing") as fetcher:
            # The next page downloads while this one is committed; a page counts as finished
            # only once committed together with the cursor to the page after it.
            upcoming = fetcher.submit(self.client.list_page, path)
            while True:
                try:
                    page = upcoming.result()
                except HubUnavailable:
                    raise
                except HubFailure as failure:  # the listing failing for good is the Hub failing
                    where = f"the listing at {self.client.endpoint} failed"
                    raise HubUnavailable(failure.kind, f"{where}: {failure}") from None
                self._pages_fetched += 1
                take = None if self.options.limit is None else max(0, self.options.limit - listed)
                if take is None:
                    done = page.next_path is None
                else:  # the page must be counted before deciding whether another one is needed
                    try:
                        listed += min(take, records.listing_size(self.con, page.body))
                    except ValueError as exc:
                        if isinstance(exc.__cause__, duckdb.InterruptException):
                            raise KeyboardInterrupt from None
                        raise CrawlError(f"{exc}; the crawl is saved and can be resumed") from exc
                    done = page.next_path is None or listed >= (self.options.limit or 0)
                if not done:
                    assert page.next_path is not None
                    upcoming = fetcher.submit(self.client.list_page, page.next_path)
                bar.update(self._commit_page(run.run_id, page, take, done))
                if done:
                    return

    def _commit_page(self, run_id: int, page: Page, take: int | None, done: bool) -> int:
        """Store a page's models (at most `take`) with the cursor to the next page; returns how
        many models were stored."""
        with transaction(self.con):
            try:
                stored = records.insert_listing(self.con, run_id, page.body, take)
            except duckdb.InterruptException:
                raise
            except duckdb.Error as exc:
                raise CrawlError(
                    f"the listing page is not a JSON array of models ({exc}); "
                    "the crawl is saved and can be resumed"
                ) from exc
            if self.options.cards == "none":  # no README will be read: cardData is all there is
                insert_rows(self.con, "emissions", self._card_data_emissions(run_id))
            self.con.execute(
                "UPDATE runs SET next_page_url = ?, pages_done = pages_done + 1, "
                "listing_done = ? WHERE run_id = ?",
                [page.next_path, done, run_id],
            )
        return stored

    def _card_data_emissions(self, run_id: int) -> pa.Table:
        """Emissions rows from the cardData of listed models that have none yet."""
        rows = self.con.execute(
            "SELECT model_id, card_data FROM models WHERE run_id = $run "
            "AND json_exists(card_data, '$.co2_eq_emissions') "
            "AND model_id NOT IN (SELECT model_id FROM emissions WHERE run_id = $run)",
            {"run": run_id},
        ).fetchall()
        found = (
            records.emission_from_card_data(run_id, model_id, json.loads(card_data))
            for model_id, card_data in rows
        )
        return records.batch([row for row in found if row is not None], records.EMISSION_SCHEMA)

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


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
