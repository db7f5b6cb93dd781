"""A two-run history built offline (helpers shared by the history tests).

The mirror serves `tests/fixtures/history/before.parquet`, the crawler crawls it, the same mirror
(same URL, hence the same source) then serves `after.parquet` and the crawler crawls it again:
two finished runs of one endpoint whose differences are the made-up changes listed in
`changes.json` (see the README there).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support import FIXTURES, unbudgeted

from mining import store
from mining.crawl.crawler import Crawl, CrawlOptions
from mining.crawl.hubclient import HubClient
from mining.mirror.server import MirrorServer
from mining.snapshot.reader import open_snapshot

HISTORY = FIXTURES / "history"
BEFORE = HISTORY / "before.parquet"
AFTER = HISTORY / "after.parquet"


def changes() -> list[dict[str, Any]]:
    """The made-up changes from before.parquet to after.parquet."""
    manifest = json.loads((HISTORY / "changes.json").read_text())
    return list(manifest["changes"])


def crawl(con: Any, url: str, options: CrawlOptions | None = None) -> int:
    client = HubClient(endpoint=url, base_wait=0.05, max_retries=12, **unbudgeted())
    return Crawl(con, client, options or CrawlOptions(), progress=False).run().run_id


def two_run_db(db: Path, snapshots: tuple[Path, ...] = (BEFORE, AFTER)) -> list[int]:
    """Crawl each snapshot in turn through one mirror into `db`; returns the run ids."""
    con = store.connect(db)
    try:
        with MirrorServer(open_snapshot(snapshots[0])) as server:
            runs = [crawl(con, server.url)]
            for path in snapshots[1:]:
                server.load(open_snapshot(path))
                runs.append(crawl(con, server.url))
    finally:
        con.close()
    return runs
