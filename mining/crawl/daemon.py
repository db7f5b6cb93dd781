"""An `Executor` whose calls run in daemon threads, for the crawl's network I/O.

`ThreadPoolExecutor` joins its workers when the interpreter exits, so after Ctrl-C a process
waits for every request still blocked in a socket read (up to its read timeout). The crawl's
requests hold nothing that must be finished (a batch commits in the main thread or not at all),
so they run in daemon threads: the process exits at once and the request dies with it. Callers
bound how many calls are in flight (`mining.crawl.cards._bounded`); each call gets its thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")


class DaemonThreads(Executor):
    """`submit` runs the call in a new daemon thread; `shutdown` never waits for them."""

    def __init__(self, name: str = "crawl") -> None:
        self._name = name

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the caller through the future
                future.set_exception(exc)

        threading.Thread(target=run, name=self._name, daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for: a call still running ends with the process or on its own."""
