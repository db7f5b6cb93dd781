"""The process pool: results in order, forked only when the process runs no other thread."""

from __future__ import annotations

import threading

import pytest

from hubcarbon.core import pool


@pytest.mark.parametrize("fork", [False, True])
def test_results_come_in_the_order_of_the_chunks(fork: bool) -> None:
    chunks = [-n for n in range(40)]
    with pool.ordered_map(abs, chunks, processes=2, ahead=3, fork=fork) as done:
        assert list(done) == list(range(40))


def test_no_fork_while_another_thread_runs() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not pool._can_fork()
    finally:
        release.set()
        other.join()
