"""Growth tests: the cost of a call on an input of size 4n against size n, as a ratio.

A linear call costs about 4x; a quadratic one 16x, a cubic one 64x. Time is the process's CPU
time (other processes on a loaded machine do not count), the runs at n and 4n alternate, the
ratio is between the best run at each size, and n is doubled until a run at n takes a measurable
time: so the check holds on a busy machine without any absolute time in it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

LINEAR_RATIO = 8.0  # between linear (4) and quadratic (16)
_MEASURABLE = 0.003  # CPU seconds a run at n should take for the ratio to mean something
_REPEATS = 7


def cpu_seconds(call: Callable[[str], object], text: str) -> float:
    """CPU time of one run of `call(text)`."""
    start = time.process_time()
    call(text)
    return time.process_time() - start


def growth_ratio(
    call: Callable[[str], object], make: Callable[[int], str], n: int, max_n: int = 1 << 20
) -> float:
    """time(call(make(4n))) / time(call(make(n))), n doubled (up to max_n) until measurable."""
    while n < max_n and cpu_seconds(call, make(n)) < _MEASURABLE:
        n *= 2
    small, large = make(n), make(4 * n)
    best_small = best_large = float("inf")
    for _ in range(_REPEATS):
        best_small = min(best_small, cpu_seconds(call, small))
        best_large = min(best_large, cpu_seconds(call, large))
    return best_large / max(best_small, 1e-9)
