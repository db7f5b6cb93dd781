"""The pre-commit hook for real: `pre-commit try-repo` on this checkout, in a temporary git
repository holding a good and a bad real card; the hook's environment is the light install."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support import FIXTURES, REPO_ROOT

MAX_HOOK_ENV_MB = 80  # the light install; with the analysis stack it was 832 MB


def _size_mb(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 1e6


@pytest.mark.slow
def test_try_repo_lints_a_good_and_a_bad_card(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(os.sys.executable).parent))
    assert pre_commit, "pre-commit is in the dev group"
    repo = tmp_path / "cards"
    for name, card in (("good", "lint_cases/clean.md"), ("bad", "lint_cases/HC102_negative.md")):
        (repo / name).mkdir(parents=True)
        shutil.copyfile(FIXTURES / card, repo / name / "README.md")
    home = tmp_path / "pre-commit-home"
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    env.pop("GITHUB_ACTIONS", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), cwd=repo, env=env, capture_output=True, text=True, timeout=600,
            check=False,
        )  # fmt: skip

    assert run("git", "init", "-q").returncode == 0
    assert run("git", "add", ".").returncode == 0
    good = run(pre_commit, "try-repo", str(REPO_ROOT), "hubcarbon-lint", "--files",
               "good/README.md")  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    both = run(pre_commit, "try-repo", str(REPO_ROOT), "hubcarbon-lint", "--all-files")
    assert both.returncode == 1, both.stdout + both.stderr
    assert "bad/README.md:4:14: HC102 [error]" in both.stdout
    assert "good/README.md" not in both.stdout.split("hubcarbon lint (model cards)")[-1]
    # try-repo keeps its environment in a temporary store: build the same hook from this
    # checkout's commit into PRE_COMMIT_HOME to measure it
    head = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {REPO_ROOT}\n    rev: {head}\n    hooks:\n      - id: hubcarbon-lint\n"
    )
    installed = run(pre_commit, "install-hooks")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    (environment,) = [p for p in home.rglob("py_env-*") if p.is_dir()]
    assert _size_mb(environment) < MAX_HOOK_ENV_MB, _size_mb(environment)
    assert not list(environment.rglob("duckdb")) and not list(environment.rglob("pandas"))
    hubcarbon = next(environment.glob("*/hubcarbon"))
    crawl = subprocess.run(
        [str(hubcarbon), "crawl"], capture_output=True, text=True, timeout=60, check=False
    )
    assert crawl.returncode == 2 and "pip install 'hubcarbon[all]'" in crawl.stderr
