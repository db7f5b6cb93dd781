"""Writing the linter's files atomically (through the kernel's `hubcarbon.core.atomic`), so an
interrupted run never leaves half a card or half a report; a failure is one InputError line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from hubcarbon.core.atomic import Staged, write_atomic
from hubcarbon.core.errors import InputError


@contextmanager
def atomic_text(path: Path) -> Iterator[IO[str]]:
    """A text stream that becomes `path` when the block ends without an exception."""
    try:
        with Staged() as staged, staged.path(path).open("w", encoding="utf-8", newline="") as out:
            yield out
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def replace_bytes(path: Path, data: bytes) -> None:
    """Replace the file's content atomically (keeping its mode); InputError naming it when that
    fails."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
