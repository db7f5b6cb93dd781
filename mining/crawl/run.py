"""One call that crawls a Hub into a database: what `hubcarbon crawl` and `hubcarbon.crawl` run.

    crawl(db, endpoint=None, snapshot=None, models="all", cards="all", ...) -> CrawlSummary

With no endpoint the snapshot (the embedded one by default) is served on loopback and crawled
exactly as the live Hub would be; on a remote Hub the request budgets default to values below
the Hub's anonymous limits, on a snapshot they are unlimited.
"""

from __future__ import annotations

from pathlib import Path

from mining import store
from mining.crawl.budget import DEFAULT_API_BUDGET, DEFAULT_RESOLVER_BUDGET, RequestBudget
from mining.crawl.crawler import CardsScope, Crawl, CrawlOptions, CrawlSummary, ModelsScope
from mining.crawl.hubclient import (
    DEFAULT_MAX_CARD_BYTES,
    DEFAULT_MAX_RATE_WAIT,
    DEFAULT_REQUEST_DEADLINE,
    HubClient,
)
from mining.hub import HubSource, open_hub


def crawl(
    db: Path | str = store.DEFAULT_DB,
    *,
    endpoint: str | None = None,
    snapshot: Path | str | None = None,
    token: str | None = None,
    models: ModelsScope = "all",
    cards: CardsScope = "all",
    limit: int | None = None,
    author: str | None = None,
    concurrency: int = 8,
    page_size: int = 1000,
    budget_api: int | None = None,
    budget_resolvers: int | None = None,
    request_deadline: float = DEFAULT_REQUEST_DEADLINE,
    max_rate_wait: float = DEFAULT_MAX_RATE_WAIT,
    max_card_bytes: int = DEFAULT_MAX_CARD_BYTES,
    progress: bool | None = False,
) -> CrawlSummary:
    """Crawl `endpoint` (or the snapshot) into the DuckDB file `db`, resuming an unfinished run
    with the same options; returns the run's summary. The token is used in memory only."""
    options = CrawlOptions(
        models=models,
        cards=cards,
        limit=limit,
        author=author,
        page_size=page_size,
        concurrency=concurrency,
    )
    with open_hub(endpoint, Path(snapshot) if snapshot is not None else None) as source:
        client = hub_client(
            source,
            token=token,
            budget_api=budget_api,
            budget_resolvers=budget_resolvers,
            request_deadline=request_deadline,
            max_rate_wait=max_rate_wait,
            max_card_bytes=max_card_bytes,
        )
        con = store.connect(db)
        try:
            return Crawl(con, client, options, snapshot=source.snapshot, progress=progress).run()
        finally:
            con.close()


def hub_client(
    source: HubSource,
    *,
    token: str | None = None,
    budget_api: int | None = None,
    budget_resolvers: int | None = None,
    request_deadline: float = DEFAULT_REQUEST_DEADLINE,
    max_rate_wait: float = DEFAULT_MAX_RATE_WAIT,
    max_card_bytes: int = DEFAULT_MAX_CARD_BYTES,
) -> HubClient:
    """The client for `source`: the default budgets on a remote Hub, none on a snapshot unless
    asked for."""
    api = budget_api or (DEFAULT_API_BUDGET if source.remote else None)
    resolvers = budget_resolvers or (DEFAULT_RESOLVER_BUDGET if source.remote else None)
    return HubClient(
        endpoint=source.url,
        token=token or False,
        api_budget=RequestBudget(api),
        resolver_budget=RequestBudget(resolvers),
        request_deadline=request_deadline,
        max_rate_wait=max_rate_wait,
        max_card_bytes=max_card_bytes,
    )
