"""hubcarbon.core.atomic: outputs are the previous version or the new one, whole, never a mix."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from hubcarbon.core.atomic import Staged, deferred_interrupt, replace_directory, write_atomic


def test_write_atomic_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "out" / "findings.json"
    write_atomic(target, "first\n")
    assert target.read_text("utf-8") == "first\n"
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()
    target.chmod(0o640)
    write_atomic(target, b"second\n")
    assert target.read_bytes() == b"second\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["findings.json"]


def test_staged_files_move_into_place_together(tmp_path: Path) -> None:
    old = {"a.csv": b"old a", "b.svg": b"old b"}
    for name, content in old.items():
        (tmp_path / name).write_bytes(content)
    with Staged() as staged:
        staged.path(tmp_path / "a.csv").write_bytes(b"new a")
        staged.write(tmp_path / "b.svg", "new b")
        staged.write(tmp_path / "c.png", b"new c")
        # nothing is in place before the block ends
        assert (tmp_path / "a.csv").read_bytes() == b"old a"
        assert not (tmp_path / "c.png").exists()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        "a.csv": b"new a",
        "b.svg": b"new b",
        "c.png": b"new c",
    }


def test_a_failing_block_leaves_the_previous_files_and_no_temporary(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"old a")
    with pytest.raises(KeyboardInterrupt), Staged() as staged:
        staged.write(tmp_path / "a.csv", b"new a")
        staged.write(tmp_path / "b.csv", b"new b")
        raise KeyboardInterrupt
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"a.csv": b"old a"}


def test_a_target_staged_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="staged twice"), Staged() as staged:
        staged.write(tmp_path / "a", b"1")
        staged.write(tmp_path / "a", b"2")
    assert list(tmp_path.iterdir()) == []


def test_replace_directory_swaps_a_complete_tree(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "models").mkdir(parents=True)
    (site / "index.html").write_text("old", "utf-8")
    (site / "models" / "gone.html").write_text("old", "utf-8")
    with replace_directory(site) as building:
        (building / "index.html").write_text("new", "utf-8")
        assert (site / "index.html").read_text("utf-8") == "old"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == ["index.html"]
    assert (site / "index.html").read_text("utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # nothing left beside it


def test_replace_directory_on_failure_keeps_the_old_tree(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", "utf-8")
    with pytest.raises(RuntimeError), replace_directory(site) as building:
        (building / "index.html").write_text("half", "utf-8")
        raise RuntimeError("page failed")
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text("utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_new_directory_gets_the_umask_mode(tmp_path: Path) -> None:
    with replace_directory(tmp_path / "site") as building:
        (building / "index.html").write_text("x", "utf-8")
    assert (tmp_path / "site").stat().st_mode & 0o777 == 0o777 & ~_umask()


def test_ctrl_c_during_a_deferred_block_lands_after_it() -> None:
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    finished = []
    try:
        with pytest.raises(KeyboardInterrupt), deferred_interrupt():
            os.kill(os.getpid(), signal.SIGINT)
            finished.append(True)  # the block runs to its end despite the signal
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert finished == [True]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
