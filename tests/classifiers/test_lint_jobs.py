"""`hubcarbon lint --jobs N` over a directory of real cards: the same report as one process, in
the same order; configuration found per directory (a nested hubcarbon.toml applies below it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import FIXTURES

import classifiers.lint.workers
from classifiers.lint.session import PARALLEL_MIN_FILES
from hubcarbon.cli import main

REAL_CARDS = sorted((FIXTURES / "cards").rglob("*.md"))


@pytest.fixture
def cards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every real fixture card as `models/<group>/<name>/README.md`, run from `tmp_path`."""
    (tmp_path / "pyproject.toml").write_text("[tool.hubcarbon.lint]\n")
    for card in REAL_CARDS:
        group = card.parent.relative_to(FIXTURES / "cards").as_posix().replace("/", "__")
        target = tmp_path / "models" / group / card.stem / "README.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(card, target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path / "models"


@pytest.fixture
def worker_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the worker pool ran (the parallel path is taken, not silently skipped)."""
    runs: list[int] = []
    real = classifiers.lint.workers.lint_in_workers

    def counted(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        runs.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(classifiers.lint.workers, "lint_in_workers", counted)
    return runs


def _report(
    argv: list[str], tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, bytes]:
    out = tmp_path / name
    code = main([*argv, "-o", str(out)])
    capsys.readouterr()
    return code, out.read_bytes()


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_workers_give_the_one_process_report_byte_for_byte(
    cards: Path,
    tmp_path: Path,
    worker_runs: list[int],
    capsys: pytest.CaptureFixture[str],
    output_format: str,
) -> None:
    assert len(REAL_CARDS) >= PARALLEL_MIN_FILES
    argv = ["lint", "--format", output_format, "models"]
    one_code, one = _report([*argv, "--jobs", "1"], tmp_path, "one", capsys)
    assert not worker_runs
    two_code, two = _report([*argv, "--jobs", "2"], tmp_path, "two", capsys)
    assert worker_runs == [1]
    assert one_code == two_code == 1  # the corpus holds errors
    assert two == one
    if output_format == "json":
        paths = [file["path"] for file in json.loads(one)["files"]]
        assert len(paths) == len(REAL_CARDS)
        assert paths == sorted(paths, key=lambda path: path.split("/"))  # the walk's order


def test_few_cards_stay_in_one_process(
    cards: Path, worker_runs: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    few = sorted(cards.iterdir())[0]
    assert len(list(few.rglob("README.md"))) < PARALLEL_MIN_FILES
    main(["lint", "--exit-zero", "--jobs", "2", str(few)])
    assert not worker_runs
    assert capsys.readouterr().out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_nested_configuration_applies_to_its_directory_only(
    cards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    groups = sorted(cards.iterdir())
    nested = groups[1]
    (nested / "hubcarbon.toml").write_text('[lint]\nselect = ["HC200"]\n')
    (tmp_path / "pyproject.toml").write_text('[tool.hubcarbon.lint]\nignore = ["HC200"]\n')
    _, report = _report(
        ["lint", "--format", "json", "--jobs", jobs, "models"], tmp_path, "r", capsys
    )
    codes: dict[str, set[str]] = {}
    for file in json.loads(report)["files"]:
        group = file["path"].split("/")[1]
        codes.setdefault(group, set()).update(f["code"] for f in file["findings"])
    assert codes[nested.name] == {"HC200"}  # the nested file's selection, below it
    others = set().union(*(found for group, found in codes.items() if group != nested.name))
    assert "HC200" not in others  # the root file's ignore, everywhere else
    assert others  # and the other rules still run there


def test_jobs_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--jobs", "0", "README.md"]) == 2
    assert "--jobs" in capsys.readouterr().err
