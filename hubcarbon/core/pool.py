"""The one process pool: CPU-bound work (parsing, linting cards, drawing figures) in worker
processes, results in the order of the work.

    ordered_map(work, chunks, processes=N)   # work over an iterable of chunks, lazily, in order
    submitting(work, processes=N)            # work submitted one item at a time, results later

Workers are spawned; or forked from a fork server that has imported `preload`
(`start_fork_server(preload)` starts that server early, so that its imports overlap the
caller's); or, with `fork`, forked from the caller itself when no other thread runs in it."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from multiprocessing import forkserver
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

T = TypeVar("T")
R = TypeVar("R")

MOST_WORKERS = 4
BACKGROUND_NICENESS = 10
"""How much lower than their parent's the priority of background workers is (os.nice)."""


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
    the workers are forked from this process instead (they start at once, with its modules
    already imported) when the platform can fork and no other thread runs in this process (a
    forked child gets a copy of every lock, held or not, and none of the threads): the crawler
    runs threads, so its pools are spawned.

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
    with _started(processes, (), fork=fork) as pool:
        yield pool.imap(work, chunks) if ahead is None else _bounded(pool, work, chunks, ahead)


@contextmanager
def submitting(
    work: Callable[[T], R],
    *,
    processes: int = 1,
    preload: tuple[str, ...] = (),
    background: bool = False,
) -> Iterator[Callable[[T], Callable[[], R]]]:
    """A `submit(item)` for the length of a `with` block: it hands `item` to `work` in a worker
    and returns a function that waits for and returns the result (raising what `work` raised).
    With `processes` < 2 nothing runs until that function is called, in this process. With
    `background`, the workers run at a lower priority (BACKGROUND_NICENESS) than this process,
    which goes on with its own work at full speed while they use what CPU it leaves. The
    workers start with the first item (a fork server still importing `preload` keeps this
    process waiting only if it has work for them by then); signals and termination are as in
    `ordered_map`."""
    if processes < 2:
        yield lambda item: partial(work, item)
        return
    niceness = BACKGROUND_NICENESS if background else 0
    with ExitStack() as stack:
        started: list[Pool] = []

        def submit(item: T) -> Callable[[], R]:
            if not started:
                started.append(stack.enter_context(_started(processes, preload, niceness)))
            return started[0].apply_async(work, (item,)).get

        yield submit


def start_fork_server(preload: tuple[str, ...]) -> None:
    """Start the fork server that `preload` pools fork their workers from, importing `preload`
    in the background (a pool started later waits only for what is left of those imports).
    From the main thread, the server starts with SIGINT ignored, and so do its workers. Where
    the platform has no fork server, nothing starts (such pools are spawned)."""
    if not _has_fork_server():
        return
    multiprocessing.set_forkserver_preload(list(preload))
    with _ctrl_c_ignored():
        forkserver.ensure_running()


@contextmanager
def _started(
    processes: int, preload: tuple[str, ...], niceness: int = 0, *, fork: bool = False
) -> Iterator[Pool]:
    if preload and _has_fork_server():
        start_fork_server(preload)
        method = "forkserver"
    else:
        method = "fork" if fork and _can_fork() else "spawn"
    context = multiprocessing.get_context(method)
    with _ctrl_c_ignored():
        pool = context.Pool(processes, initializer=_start_worker, initargs=(niceness,))
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _has_fork_server() -> bool:
    return "forkserver" in multiprocessing.get_all_start_methods()


def _can_fork() -> bool:
    """True when forking is safe here: a POSIX fork, and this thread alone in the process."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


@contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """SIGINT ignored for the block, when this is the main thread (only it may set handlers):
    a process started meanwhile inherits the ignored signal."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


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


def _start_worker(niceness: int) -> None:
    _leave_ctrl_c_to_the_parent()
    if niceness:
        os.nice(niceness)


def _leave_ctrl_c_to_the_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
