"""Run a real `hubcarbon` command in a subprocess and press Ctrl-C at a chosen moment.

The command runs in its own session and SIGINT goes to its whole process group, as a terminal
sends it, so worker processes receive it too. `tree_bytes` snapshots a directory (every file,
hidden ones included, with its bytes) to prove the previous outputs survive byte for byte.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil
from support import REPO_ROOT

Trigger = Callable[[float, int], bool]
"""When to interrupt: called with the seconds since the start and the command's pid, true when
it is time."""


@dataclass(frozen=True)
class Outcome:
    """How an interrupted command ended."""

    returncode: int
    stdout: str
    stderr: str
    interrupted_at: float | None  # seconds after the start; None when it ended first

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()


def after(seconds: float) -> Trigger:
    return lambda elapsed, _pid: elapsed >= seconds


def when(condition: Callable[[], bool]) -> Trigger:
    return lambda _elapsed, _pid: condition()


def with_workers(count: int, *, for_seconds: float = 0.0) -> Trigger:
    """Once the command has `count` child processes (workers), `for_seconds` later."""
    seen: list[float] = []

    def trigger(elapsed: float, pid: int) -> bool:
        try:
            children = psutil.Process(pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return False
        workers = [c for c in children if "resource_tracker" not in " ".join(_cmdline(c))]
        if len(workers) >= count and not seen:
            seen.append(elapsed)
        return bool(seen) and elapsed - seen[0] >= for_seconds

    return trigger


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def run_and_interrupt(
    args: Sequence[str],
    trigger: Trigger,
    *,
    python_prelude: str = "",
    cwd: Path | None = None,
    timeout: float = 300.0,
) -> Outcome:
    """Run `hubcarbon ARGS` in a new Python (after `python_prelude`, when given), send SIGINT to
    its process group when `trigger` says so, and wait for it to end."""
    # Python keeps SIGINT ignored when its parent ignored it (pytest started in the background
    # by a shell does): give the command Python's own handler, as a terminal session would.
    code = "\n".join(
        [
            "import signal",
            "signal.signal(signal.SIGINT, signal.default_int_handler)",
            python_prelude,
            "from hubcarbon.cli import main",
            "raise SystemExit(main())",
        ]
    )
    command = [sys.executable, "-c", code, *args]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    interrupted_at = None
    try:
        while process.poll() is None and time.monotonic() - started < timeout:
            elapsed = time.monotonic() - started
            if trigger(elapsed, process.pid):
                os.killpg(process.pid, signal.SIGINT)
                interrupted_at = elapsed
                break
            time.sleep(0.02)
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return Outcome(process.returncode, stdout, stderr, interrupted_at)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden ones included) with its bytes, by relative path."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def hidden_siblings(path: Path) -> list[str]:
    """Temporary siblings of `path` left behind (names starting with `.<name>`)."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f".{path.name}"))


def ready_prelude(marker: Path, *modules: str) -> str:
    """Python run before the CLI: import it and `modules` (e.g. the command's own module),
    then create `marker`, so that a trigger can wait for the interpreter to have started (a
    Ctrl-C before then, while Python itself starts, is beyond any program's reach) or for the
    command's own work to have begun."""
    imports = "".join(f"import {name}\n" for name in ("pathlib", "hubcarbon.cli", *modules))
    return f"{imports}pathlib.Path({str(marker)!r}).touch()"


def after_ready(marker: Path, seconds: float) -> Trigger:
    """`seconds` after `marker` appeared (see ready_prelude)."""
    seen: list[float] = []

    def trigger(elapsed: float, _pid: int) -> bool:
        if not seen and marker.exists():
            seen.append(elapsed)
        return bool(seen) and elapsed - seen[0] >= seconds

    return trigger


def assert_interrupted(outcome: Outcome) -> None:
    """Ctrl-C was pressed while the command ran, and it ended with 130 and one line."""
    assert outcome.interrupted_at is not None, f"ended before the signal: {outcome}"
    assert outcome.returncode == 130, outcome
    assert outcome.stderr_lines == ["hubcarbon: interrupted"], outcome.stderr
    assert "Traceback" not in outcome.stderr + outcome.stdout
