"""The process pool: results in order; forked only when the process runs no other thread;
submitting work one item at a time."""

from __future__ import annotations

import math
import os
import threading
from typing import Any

import pytest

from analysis import FIGURE_MODULES
from hubcarbon.core import pool

SEEN: list[float] = []


def _recorded_sqrt(x: float) -> float:
    SEEN.append(x)
    return math.sqrt(x)


def test_in_one_process_nothing_runs_until_its_result_is_asked_for() -> None:
    SEEN.clear()
    with pool.submitting(_recorded_sqrt, processes=1) as submit:
        first, second = submit(4.0), submit(9.0)
        assert SEEN == []
        assert (second(), first()) == (3.0, 2.0)
    assert SEEN == [9.0, 4.0]


def test_workers_give_each_result_and_raise_what_the_work_raised() -> None:
    with pool.submitting(math.sqrt, processes=2, preload=FIGURE_MODULES) as submit:
        results = [submit(float(x * x)) for x in range(20)]
        failed = submit(-1.0)
        assert [result() for result in results] == [float(x) for x in range(20)]
        with pytest.raises(ValueError, match="math domain error"):
            failed()


def test_background_workers_run_at_a_lower_priority_than_their_parent() -> None:
    parent = os.nice(0)
    with pool.submitting(os.nice, processes=2, background=True) as submit:
        niceness = submit(0)()
    assert niceness == min(19, parent + pool.BACKGROUND_NICENESS)
    with pool.submitting(os.nice, processes=2) as submit:
        assert submit(0)() == parent


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


def test_without_a_fork_server_preloaded_pools_are_spawned(monkeypatch: pytest.MonkeyPatch) -> None:
    methods: list[str | None] = []
    get_context = pool.multiprocessing.get_context

    def recorded(method: str | None = None) -> Any:
        methods.append(method)
        return get_context(method)

    monkeypatch.setattr(pool.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(pool.multiprocessing, "get_context", recorded)
    pool.start_fork_server(FIGURE_MODULES)  # nothing to start: no error
    with pool.submitting(math.sqrt, processes=2, preload=FIGURE_MODULES) as submit:
        assert submit(16.0)() == 4.0
    assert methods == ["spawn"]
