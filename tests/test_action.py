"""The composite Action: third-party actions pinned by commit, pip's cache, the light install,
and several paths (one per line, spaces kept) reaching `hubcarbon lint` as they are."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from support import FIXTURES, REPO_ROOT

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]


def test_third_party_actions_are_pinned_by_commit_and_pip_is_cached() -> None:
    uses = [step["uses"] for step in STEPS if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    cache = next(step for step in STEPS if step.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == "${{ steps.pip-cache.outputs.dir }}"
    install = next(step for step in STEPS if step.get("name", "").startswith("Install"))
    assert 'pip install --quiet "$GITHUB_ACTION_PATH"' in install["run"]  # no [all] extra


def test_paths_one_per_line_with_spaces_reach_the_linter(tmp_path: Path) -> None:
    lint = next(step for step in STEPS if step.get("name") == "Lint model cards")
    bin_dir = tmp_path / "runner" / "hubcarbon" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "hubcarbon").symlink_to(Path(sys.executable).parent / "hubcarbon")
    work = tmp_path / "work"
    for folder in ("my models/a", "b"):
        (work / folder).mkdir(parents=True)
    shutil.copyfile(FIXTURES / "lint_cases" / "HC102_negative.md", work / "my models/a/README.md")
    shutil.copyfile(FIXTURES / "lint_cases" / "clean.md", work / "b/README.md")
    env = {
        **os.environ,
        "RUNNER_TEMP": str(tmp_path / "runner"),
        "HUBCARBON_PATHS": "my models/a\n\n  \nb/README.md\n",
        "HUBCARBON_ARGS": "--format concise --fail-on warning",
    }
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run(
        ["bash", "-e", "-c", lint["run"]],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("my models/a/README.md:4:14: HC102 [error]")
    assert "b/README.md" not in done.stdout and not done.stderr
