"""Crawl benchmarks against the loopback mirror (served from a separate process).

1. Listing ingest: `hubcarbon crawl --cards none` over every model of the embedded snapshot,
   against the floor of downloading the same listing pages with no parsing or storing.
   Goal: at most 1.3x the floor.
2. Card downloads at 50 ms injected latency with concurrency 16: the ideal is 16 / 0.05 s =
   320 cards/s. Goal: at least 80 % of it (256 cards/s). Measured on the download step of a
   `--models co2` crawl (1,418 cards): requests through the Hub client plus batched storing;
   parsing is a separate step that runs in worker processes.

Run: `python bench/bench_crawl.py` (or `make bench`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from huggingface_hub.utils import get_session
from serving import served

from mining import store
from mining.crawl.budget import RequestBudget
from mining.crawl.cards import CardStage
from mining.crawl.crawler import Crawl, CrawlOptions
from mining.crawl.hubclient import HubClient, ListingQuery

CONCURRENCY = 16
LATENCY_MS = 50


@contextmanager
def mirror(*flags: str) -> Iterator[str]:
    """`hubcarbon mirror serve` in its own process (its own interpreter lock), yielding its URL."""
    with served(
        [sys.executable, "-m", "hubcarbon", "mirror", "serve", "--port", "0", *flags], "mirror"
    ) as url:
        yield url


def listing_floor(url: str) -> tuple[float, int]:
    """Seconds to download every listing page (same query as the crawl), bytes only."""
    session = get_session()
    next_url: str | None = url + ListingQuery(card_data=True).first_page_path()
    pages = 0
    started = time.perf_counter()
    while next_url:
        response = session.get(next_url)
        response.raise_for_status()
        _ = response.content
        pages += 1
        next_url = response.links.get("next", {}).get("url")
    return time.perf_counter() - started, pages


def crawl_seconds(url: str, db: Path, options: CrawlOptions) -> float:
    con = store.connect(db)
    try:
        started = time.perf_counter()
        Crawl(
            con,
            HubClient(
                endpoint=url, api_budget=RequestBudget(None), resolver_budget=RequestBudget(None)
            ),
            options,
            progress=False,
        ).run()
        return time.perf_counter() - started
    finally:
        con.close()


def main() -> int:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()  # no options: --help describes the benchmark
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        with mirror() as url:
            listing_floor(url)  # warm the mirror's sort index and the page cache
            floor, pages = listing_floor(url)
            ingest = crawl_seconds(url, work / "listing.duckdb", CrawlOptions(cards="none"))
        ratio = ingest / floor
        print(f"listing: {pages} pages; floor {floor:.2f} s, crawl ingest {ingest:.2f} s, "
              f"ratio {ratio:.2f}x (goal <= 1.3x)")  # fmt: skip

        with mirror("--latency-ms", str(LATENCY_MS)) as url:
            con = store.connect(work / "cards.duckdb")
            try:
                client = HubClient(
                    endpoint=url,
                    api_budget=RequestBudget(None),
                    resolver_budget=RequestBudget(None),
                )
                listing = CrawlOptions(models="co2", cards="none")
                Crawl(con, client, listing, progress=False).run()
                stage = CardStage(con, client, run_id=1, concurrency=CONCURRENCY, progress=False)
                started = time.perf_counter()
                stage.download()
                seconds = time.perf_counter() - started
                cards = stage.downloaded
            finally:
                con.close()
        ideal = CONCURRENCY / (LATENCY_MS / 1000)
        rate = cards / seconds
        print(
            f"cards: {cards} at {LATENCY_MS} ms latency, concurrency {CONCURRENCY}: {rate:.0f} "
            f"cards/s = {rate / ideal:.0%} of the ideal {ideal:.0f} (goal >= 80 %), "
            "downloading and storing"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
