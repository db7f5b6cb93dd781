"""A client-side request budget per fixed 5-minute window, one per Hub rate-limit bucket.

The Hub counts requests in fixed 5-minute windows per bucket (`api` for /api/..., `resolvers` for
/resolve/... downloads). The crawler spends from a `RequestBudget` before every request, so a
crawl never trips the Hub's limits: when a window's allowance is used up, callers wait for the
next window instead of collecting 429s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from mining.crawl.failures import Cancelled

WINDOW_SECONDS = 300.0

# Below the anonymous limits (api 500, resolvers 3,000 per 5 minutes), so a crawl without a
# token stays under them too.
DEFAULT_API_BUDGET = 450
DEFAULT_RESOLVER_BUDGET = 2_700


@dataclass
class _Window:
    started: float
    used: int = 0


class RequestBudget:
    """At most `limit` requests per fixed window of `window` seconds (None: unlimited)."""

    def __init__(
        self,
        limit: int | None,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        if limit is not None and limit < 1:
            raise ValueError("a request budget must allow at least one request per window")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep or self._wait_unless_cancelled
        self._lock = threading.Lock()
        self._current = _Window(started=clock())
        self._cancelled = threading.Event()
        self.waited_seconds = 0.0

    def cancel(self) -> None:
        """Wake every caller waiting for a window: they raise `Cancelled` (Ctrl-C)."""
        self._cancelled.set()

    def spend(self) -> None:
        """Take one request from the budget, waiting for the next window when it is used up."""
        if self.limit is None:
            return
        while True:
            with self._lock:
                now = self._clock()
                if now - self._current.started >= self.window:
                    self._current = _Window(started=now)
                if self._current.used < self.limit:
                    self._current.used += 1
                    return
                wait = self._current.started + self.window - now
            self.waited_seconds += wait
            if self._cancelled.is_set():
                raise Cancelled
            self._sleep(wait)

    def _wait_unless_cancelled(self, seconds: float) -> None:
        if self._cancelled.wait(seconds):
            raise Cancelled
