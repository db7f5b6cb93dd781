"""Dataset-stage benchmark against the loopback mirror (served from a separate process) at 50 ms
injected latency, on a `--models co2` crawl of the embedded snapshot (1,418 reporters naming
1,084 distinct datasets).

- Requests per dataset: every distinct dataset named is read once with one request (ids that
  `validate_repo_id` refuses take none). Goal: at most 1.0.
- Time per dataset against the listing's cost per page, both measured in the same run: the
  listing fetches its pages one after another (`--page-size 100`, 15 pages), the dataset stage
  reads `CONCURRENCY` datasets at a time, so the ideal is one dataset per latency/concurrency.
  Goal: at least 80 % of that ideal throughput; the ratio to a listing page is printed.

Run: `python bench/bench_datasets.py` (or `make bench`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_crawl import mirror

from mining import store
from mining.crawl.budget import RequestBudget
from mining.crawl.crawler import Crawl, CrawlOptions
from mining.crawl.datasets import DatasetStage
from mining.crawl.hubclient import HubClient

CONCURRENCY = 8
LATENCY_MS = 50
PAGE_SIZE = 100


class CountingBudget(RequestBudget):
    """An unlimited budget that counts the requests spent from it (retries included)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.spent = 0

    def spend(self) -> None:
        self.spent += 1
        super().spend()


def main() -> int:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()  # no options: --help describes the benchmark
    with tempfile.TemporaryDirectory() as scratch, mirror("--latency-ms", str(LATENCY_MS)) as url:
        con = store.connect(Path(scratch) / "datasets.duckdb")
        try:
            budget = CountingBudget()
            client = HubClient(endpoint=url, api_budget=budget)
            listing = CrawlOptions(models="co2", cards="none", datasets="none", page_size=PAGE_SIZE)
            started = time.perf_counter()
            Crawl(con, client, listing, progress=False).run()
            listing_seconds = time.perf_counter() - started
            pages = budget.spent

            stage = DatasetStage(con, client, 1, concurrency=CONCURRENCY, progress=False)
            stage.link()
            budget.spent = 0
            started = time.perf_counter()
            stage.fetch()
            seconds = time.perf_counter() - started
            datasets, invalid = con.execute(
                "SELECT count(*), count(*) FILTER (fetch_status = 'invalid_id') FROM datasets"
            ).fetchall()[0]
        finally:
            con.close()
    per_page = listing_seconds / pages
    per_dataset = seconds / datasets
    ideal = LATENCY_MS / 1000 / CONCURRENCY
    print(f"listing: {pages} pages of {PAGE_SIZE} in {listing_seconds:.2f} s, "
          f"{per_page * 1000:.0f} ms a page")  # fmt: skip
    print(
        f"datasets: {datasets} in {seconds:.2f} s at {LATENCY_MS} ms latency, concurrency "
        f"{CONCURRENCY}: {budget.spent / (datasets - invalid):.2f} requests per dataset "
        f"(goal <= 1.0; {invalid} invalid ids took none), {per_dataset * 1000:.1f} ms a "
        f"dataset = {per_dataset / per_page:.2f} of a listing page, {ideal / per_dataset:.0%} "
        f"of the ideal {ideal * 1000:.2f} ms (goal >= 80 %)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
