"""The listing's pages, fetched ahead in a thread while the store reads the earlier ones.

The thread follows each page's `next` Link itself and writes every body to its own file in a
spool directory (so no page is held in memory at all, and DuckDB reads the files directly). It
fetches only as far as the consumer allows: at most `ahead` pages, and `ahead_bytes` bytes plus
the one page that crosses them, not yet `release`d (so a Hub sending huge pages fills neither
the disk nor a batch's memory). It stops at the last page, at a Link the client refused
(another host), at a cursor already fetched in this run (a loop), or at the first failure,
which is handed over in place of a page.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from mining.crawl.failures import ErrorKind
from mining.crawl.hubclient import HubClient, Page

_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Fetched:
    """One listing request: its page, or the failure that ended the listing there."""

    path: str
    page: Page | None
    error: BaseException | None = None
    stop: tuple[ErrorKind, str] | None = None  # the page's `next` is not followed, and why
    size: int = 0  # bytes of the page's body

    @property
    def last(self) -> bool:
        return self.page is None or self.page.next_path is None or self.stop is not None


class PageFeed:
    """Pages from `first_path` on, fetched at most `ahead` pages (and `ahead_bytes` bytes plus
    the page that crosses them) before they are released."""

    def __init__(
        self, client: HubClient, first_path: str, spool: Path, ahead: int, ahead_bytes: int
    ) -> None:
        self._client = client
        self._spool = spool
        self._ahead = ahead
        self._ahead_bytes = ahead_bytes
        self._ready: queue.Queue[Fetched] = queue.Queue()
        self._room = threading.Condition()
        self._out_pages = 0  # fetched and not released
        self._out_bytes = 0
        self._closed = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(first_path,), name="listing-feed", daemon=True
        )
        self._thread.start()

    def take(self, least: int, most: int, most_bytes: int, wait: float = 0.0) -> list[Fetched]:
        """At least `least` pages (waiting for them, but no more than `wait` seconds after the
        first: a slow Hub still gets its pages committed), then every page already fetched, up
        to `most` pages or until the batch holds `most_bytes` (the page that crosses them
        included); the batch ends early at the listing's last page."""
        batch = [self._ready.get()]
        until = time.monotonic() + wait

        def full() -> bool:
            return batch[-1].last or sum(f.size for f in batch) >= most_bytes

        while len(batch) < least and not full():
            left = until - time.monotonic()
            if wait and left <= 0:
                break
            try:
                batch.append(self._ready.get(timeout=left if wait else None))
            except queue.Empty:
                break
        while len(batch) < most and not full():
            try:
                batch.append(self._ready.get_nowait())
            except queue.Empty:
                break
        return batch

    def release(self, batch: list[Fetched]) -> None:
        """Allow the thread to fetch as many pages and bytes more as `batch` holds."""
        with self._room:
            self._out_pages -= sum(1 for f in batch if f.page is not None)
            self._out_bytes -= sum(f.size for f in batch)
            self._room.notify()

    def close(self) -> None:
        self._closed.set()
        with self._room:
            self._room.notify()
        self._thread.join(timeout=1.0)

    def _full(self) -> bool:
        return self._out_pages >= self._ahead or (
            self._out_pages > 0 and self._out_bytes >= self._ahead_bytes
        )

    def _run(self, path: str) -> None:
        fetched = {path}  # every page asked for in this run: a cursor met twice is a loop
        number = 0
        while True:
            with self._room:
                while self._full() and not self._closed.is_set():
                    self._room.wait(timeout=_POLL_SECONDS)
            if self._closed.is_set():
                return
            number += 1
            body = self._spool / f"page-{number:07d}.json"
            try:
                page = self._client.list_page(path, body)
                size = body.stat().st_size
            except BaseException as exc:  # handed to the consumer (Cancelled too: it must not wait)
                self._ready.put(Fetched(path, None, error=exc))
                return
            item = Fetched(path, page, stop=_stop_reason(page, fetched), size=size)
            with self._room:
                self._out_pages += 1
                self._out_bytes += item.size
            self._ready.put(item)
            if item.last:
                return
            assert page.next_path is not None
            fetched.add(page.next_path)
            path = page.next_path


def _stop_reason(page: Page, fetched: set[str]) -> tuple[ErrorKind, str] | None:
    """(kind, message) when the page's `next` Link must not be followed."""
    if page.refused_link is not None:
        return ErrorKind.FOREIGN_LINK, f"{page.refused_link}; the listing stops here"
    if page.next_path is not None and page.next_path in fetched:
        return (
            ErrorKind.REPEATED_CURSOR,
            f"the next-page Link {page.next_path[:200]!a} repeats a page already fetched "
            "in this run; the listing stops here",
        )
    return None
