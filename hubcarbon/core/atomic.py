"""Atomic outputs: a file or a directory is either the previous version or the new one, whole.

Every output file is written to a hidden temporary sibling (same directory, so the same file
system), flushed to disk with fsync and moved over the target with `Path.replace` (os.replace),
which is atomic on POSIX and Windows. An interrupted or failing writer removes its temporary
files and leaves the previous outputs untouched.

- `write_atomic(path, data)`: one file from bytes or text;
- `Staged`: many files (a library that writes by path, such as matplotlib or pyarrow, writes to
  `staged.path(target)`), all moved into place together at the end;
- `replace_directory(target)`: a whole directory built in a temporary sibling and swapped in.

The moves at the end run with Ctrl-C deferred (`deferred_interrupt`), so an interrupt never
lands between two of them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

_TEMP_MARK = ".tmp-"


def _temp_name(target: Path) -> str:
    return f".{target.name}{_TEMP_MARK}"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _give_mode(temporary: Path, target: Path, default: int) -> None:
    """Give a temporary file or directory (created private by tempfile) the mode of the target
    it replaces, or `default` less the umask for a new one."""
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = default & ~_umask()
    temporary.chmod(mode)


def _fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Run a block with SIGINT held back: a Ctrl-C during it raises KeyboardInterrupt when the
    block ends. Outside the main thread (where signals cannot be handled) the block just runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[tuple[int, FrameType | None]] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        received.append((signum, frame))

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        if callable(previous):
            previous(*received[0])  # Python's default handler raises KeyboardInterrupt
        elif previous == signal.SIG_DFL:
            raise KeyboardInterrupt


def write_atomic(path: Path, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write `data` to `path` atomically (text is encoded with `encoding`); returns `path`."""
    content = data.encode(encoding) if isinstance(data, str) else data
    with Staged() as staged:
        staged.path(path).write_bytes(content)
    return path


class Staged:
    """A set of output files written to temporary siblings and moved into place together.

        with Staged() as staged:
            figure.savefig(staged.path(out / "a.png"), format="png")
            staged.path(out / "b.csv").write_text(text)
        # both files are in place here; on an exception neither was touched

    `path(target)` returns a fresh temporary path next to `target` (its name hidden, never a
    name the outputs use); leaving the block without an exception fsyncs every temporary file
    and replaces each target, with Ctrl-C deferred until all are in place.
    """

    def __init__(self) -> None:
        self._pending: dict[Path, Path] = {}

    def path(self, target: Path) -> Path:
        if target in self._pending:
            raise ValueError(f"{target} is staged twice")
        target.parent.mkdir(parents=True, exist_ok=True)
        with deferred_interrupt():  # a Ctrl-C here cannot leave a file the block does not know
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=_temp_name(target))
            os.close(fd)
            temporary = Path(name)
            self._pending[target] = temporary
        _give_mode(temporary, target, 0o666)
        return temporary

    def write(self, target: Path, data: bytes | str, *, encoding: str = "utf-8") -> None:
        content = data.encode(encoding) if isinstance(data, str) else data
        self.path(target).write_bytes(content)

    def commit(self) -> list[Path]:
        """fsync every staged file, then move each over its target; returns the targets."""
        for temporary in self._pending.values():
            _fsync_file(temporary)
        with deferred_interrupt():
            for target, temporary in self._pending.items():
                temporary.replace(target)
            for directory in {target.parent for target in self._pending}:
                _fsync_directory(directory)
        targets = list(self._pending)
        self._pending.clear()
        return targets

    def discard(self) -> None:
        """Remove every staged temporary file; the targets stay as they were."""
        for temporary in self._pending.values():
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        self._pending.clear()

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> None:
        if kind is None:
            try:
                self.commit()
            finally:
                self.discard()
        else:
            self.discard()


@contextlib.contextmanager
def replace_directory(target: Path) -> Iterator[Path]:
    """Build a directory in a temporary sibling of `target` and swap it in at the end.

        with replace_directory(out) as building:
            (building / "index.html").write_bytes(page)

    On a normal exit the previous `target` (if any) is moved aside, the new one moved to
    `target` and the old one deleted, all with Ctrl-C deferred; on an exception the temporary
    directory is deleted and `target` is left as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=target.parent, prefix=_temp_name(target)))
    _give_mode(building, target, 0o777)
    try:
        yield building
        _fsync_tree(building)
        with deferred_interrupt():
            _swap(building, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _swap(building: Path, target: Path) -> None:
    if not target.exists():
        building.replace(target)
        _fsync_directory(target.parent)
        return
    retired = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
    target.replace(retired / target.name)
    building.replace(target)
    _fsync_directory(target.parent)
    shutil.rmtree(retired, ignore_errors=True)


def _fsync_tree(root: Path) -> None:
    for directory, _, files in os.walk(root):
        for name in files:
            _fsync_file(Path(directory) / name)
        _fsync_directory(Path(directory))
