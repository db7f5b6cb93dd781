"""The listing feed: pages fetched ahead of the store, within a page and a byte bound."""

from __future__ import annotations

import time
from pathlib import Path

from mining.crawl.feed import PageFeed
from mining.crawl.hubclient import HubClient, ListingQuery
from mining.mirror.server import MirrorConfig, MirrorServer
from mining.snapshot.reader import Snapshot

PAGE = 50
SETTLE_SECONDS = 0.5  # far longer than a loopback page takes: a feed not held back runs ahead


def spooled(spool: Path) -> int:
    return len(list(spool.glob("page-*.json")))


def test_the_byte_bound_holds_the_feed_to_one_page_ahead(
    snapshot: Snapshot, tmp_path: Path
) -> None:
    """With `ahead_bytes` below one page, the feed fetches a page only once the one before is
    released, however many pages `ahead` allows; a batch stops at its byte bound."""
    first = ListingQuery(page_size=PAGE, card_data=True).first_page_path()
    with MirrorServer(snapshot, MirrorConfig(page_size=PAGE)) as server:
        feed = PageFeed(HubClient(endpoint=server.url), first, tmp_path, ahead=100, ahead_bytes=1)
        try:
            batch = feed.take(1, 100, most_bytes=1)
            time.sleep(SETTLE_SECONDS)
            assert len(batch) == 1 and batch[0].size > 0
            assert spooled(tmp_path) == 1
            feed.release(batch)
            second = feed.take(1, 100, most_bytes=1)
            assert [f.page.body.name for f in second if f.page] == ["page-0000002.json"]
        finally:
            feed.close()


def test_the_page_bound_lets_the_feed_run_ahead_and_a_batch_take_what_is_ready(
    snapshot: Snapshot, tmp_path: Path
) -> None:
    first = ListingQuery(page_size=PAGE, card_data=True).first_page_path()
    with MirrorServer(snapshot, MirrorConfig(page_size=PAGE)) as server:
        feed = PageFeed(
            HubClient(endpoint=server.url), first, tmp_path, ahead=4, ahead_bytes=1 << 30
        )
        try:
            deadline = time.monotonic() + 30
            while spooled(tmp_path) < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(SETTLE_SECONDS)
            assert spooled(tmp_path) == 4  # and no more: nothing is released yet
            batch = feed.take(1, 10, most_bytes=1 << 30)
            assert len(batch) == 4
            assert len({f.path for f in batch}) == 4  # four pages, each its own cursor
            feed.release(batch)
            assert len(feed.take(1, 10, most_bytes=1)) == 1  # a batch's own byte bound
        finally:
            feed.close()


def test_close_wakes_a_feed_held_by_its_byte_bound(snapshot: Snapshot, tmp_path: Path) -> None:
    first = ListingQuery(page_size=PAGE, card_data=True).first_page_path()
    with MirrorServer(snapshot, MirrorConfig(page_size=PAGE)) as server:
        feed = PageFeed(HubClient(endpoint=server.url), first, tmp_path, ahead=100, ahead_bytes=1)
        feed.take(1, 1, most_bytes=1)  # the thread now waits for room
        started = time.monotonic()
        feed.close()
        assert time.monotonic() - started < 0.9  # woken at once, not at close()'s 1 s join timeout
        assert not feed._thread.is_alive()
