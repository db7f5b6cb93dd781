"""A loopback server in its own process (its own interpreter lock) for the benchmarks: the
child prints its URL on the first line of stdout."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


@contextmanager
def served(argv: Sequence[str], what: str) -> Iterator[str]:
    """Start `argv`, yield the URL it prints, stop it at the end."""
    child = subprocess.Popen(list(argv), stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"the {what} did not start: {url!r}")
        yield url
    finally:
        child.terminate()
        child.wait(timeout=10)
