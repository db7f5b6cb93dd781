from __future__ import annotations

import pytest

from mining.crawl.budget import RequestBudget


class _FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_budget_waits_for_the_next_window_when_used_up() -> None:
    clock = _FakeClock()
    budget = RequestBudget(3, window=300, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        budget.spend()
    assert clock.sleeps == []
    clock.now = 100.0
    budget.spend()
    assert clock.sleeps == [200.0]
    assert budget.waited_seconds == 200.0
    budget.spend()
    budget.spend()
    assert clock.sleeps == [200.0]


def test_unlimited_budget_never_waits() -> None:
    clock = _FakeClock()
    budget = RequestBudget(None, clock=clock, sleep=clock.sleep)
    for _ in range(10_000):
        budget.spend()
    assert clock.sleeps == []


def test_budget_rejects_zero() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RequestBudget(0)
