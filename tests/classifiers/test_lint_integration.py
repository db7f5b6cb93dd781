"""The pre-commit hook manifest and the GitHub Action run `hubcarbon lint` on model cards."""

from __future__ import annotations

import re
import shlex

import click
import yaml
from support import REPO_ROOT

from hubcarbon.cli import cli


def test_pre_commit_hooks_lint_readme_files() -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert set(by_id) == {"hubcarbon-lint", "hubcarbon-lint-fix"}
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        files = re.compile(hook["files"])
        assert files.search("README.md") and files.search("models/bert/README.md")
        assert not files.search("README.md.orig") and not files.search("NOT_README.md")
        program, subcommand, *flags = shlex.split(hook["entry"])
        assert (program, subcommand) == ("hubcarbon", "lint")
        lint = cli.get_command(click.Context(cli), "lint")
        assert lint is not None
        options = {o for p in lint.params for o in getattr(p, "opts", [])}
        assert set(flags) <= options


def test_action_is_composite_and_runs_the_linter() -> None:
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "args", "python-version"}
    scripts = " ".join(step.get("run", "") for step in action["runs"]["steps"])
    assert '"$GITHUB_ACTION_PATH"' in scripts
    assert 'hubcarbon" lint "${args[@]}" -- "${paths[@]}"' in scripts
    for step in action["runs"]["steps"]:  # inputs reach the shell only through env variables
        assert "${{" not in step.get("run", "")


def test_readme_documents_ci_use() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## Lint model cards in CI") :]
    assert "id: hubcarbon-lint" in section
    assert "uses: " in section and "hubcarbon lint" in section
    assert "upload-sarif" in section
