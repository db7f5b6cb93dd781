"""The one process pool: CPU-bound work (parsing, linting cards) over chunks, in spawned (or, for
a caller without threads, forked) worker processes, results in the order of the chunks."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

T = TypeVar("T")
R = TypeVar("R")

MOST_WORKERS = 4


def workers(most: int = MOST_WORKERS) -> int:
    """How many worker processes to start: one per CPU, at most `most`."""
    return max(1, min(os.cpu_count() or 1, most))


@contextmanager
def ordered_map(
    work: Callable[[T], R],
    chunks: Iterable[T],
    *,
    processes: int = 1,
    ahead: int | None = None,
    fork: bool = False,
) -> Iterator[Iterator[R]]:
    """`work` over `chunks`, lazily, in order, for the length of a `with` block: in this
    process when `processes` < 2, else in a pool of that many spawned workers. With `fork`,
    the workers are forked instead (they start at once, with this process's modules already
    imported) when the platform can fork and no other thread runs in this process (a forked
    child gets a copy of every lock, held or not, and none of the threads): the crawler and
    the analysis run threads, so their pools are spawned.

    The workers start while SIGINT is ignored (from the main thread; elsewhere from their
    initializer on), and an ignored signal stays ignored in them: a Ctrl-C from the terminal
    (sent to the whole process group) reaches only this process, which decides what it means.
    Any exception in the block, KeyboardInterrupt included, terminates the workers at once
    instead of waiting for their chunks.
    With `ahead`, `chunks` is read in this thread and at most that many chunks are in the
    workers' hands or waiting to be read back, so a long stream of chunks is held a few at a
    time; without it, a thread of the pool reads `chunks` as fast as it can.
    `work` must be a module-level function (it is pickled by name)."""
    if processes < 2:
        yield map(work, chunks)
        return
    context = multiprocessing.get_context("fork" if fork and _can_fork() else "spawn")
    main = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        pool = context.Pool(processes, initializer=_leave_ctrl_c_to_the_parent)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    try:
        yield pool.imap(work, chunks) if ahead is None else _bounded(pool, work, chunks, ahead)
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _can_fork() -> bool:
    """True when forking is safe here: a POSIX fork, and this thread alone in the process."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _bounded(pool: Pool, work: Callable[[T], R], chunks: Iterable[T], ahead: int) -> Iterator[R]:
    """`work` over `chunks` in the pool, in order, with at most `ahead` chunks outstanding."""
    outstanding: deque[AsyncResult[R]] = deque()
    for chunk in chunks:
        outstanding.append(pool.apply_async(work, (chunk,)))
        if len(outstanding) >= max(1, ahead):
            yield outstanding.popleft().get()
    while outstanding:
        yield outstanding.popleft().get()


def chunked(items: list[T], size: int) -> Iterator[list[T]]:
    """`items` in consecutive slices of `size` (the last one shorter)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _leave_ctrl_c_to_the_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
