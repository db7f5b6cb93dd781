"""`hubcarbon lint`: lint model cards offline, as in CI and pre-commit."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click
from tqdm import tqdm

from classifiers.lint import LintConfig, Severity, fix_text, lint_text, load_config
from classifiers.lint.formats import FORMATS, FileReport, Report, render
from classifiers.lint.formats.machine import step_summary
from classifiers.lint.sources import Source, from_arguments, from_hub
from hubcarbon.core.errors import ConfigError, InputError

EPILOG = """\b
Examples:
  hubcarbon lint README.md                       # one card
  hubcarbon lint models/                         # every README.md under models/
  cat README.md | hubcarbon lint -               # stdin
  hubcarbon lint --hub bigscience/bloom          # a card on the Hub
  hubcarbon lint --fix README.md                 # apply safe fixes in place
  hubcarbon lint --format sarif -o lint.sarif .  # for GitHub code scanning
  hubcarbon lint --select HC1 --ignore HC104 --fail-on warning models/

\b
Exit status: 0 when nothing at or above --fail-on (default error) was found, 1 when
something was, 2 for usage, configuration or I/O errors. Configuration: [tool.hubcarbon.lint]
in the nearest pyproject.toml. Rules: `hubcarbon rules`.
"""

LEVELS = [str(s) for s in Severity]
PROGRESS_FROM = 50


def _selectors(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.command("lint", epilog=EPILOG)
@click.argument("paths", nargs=-1, metavar="[PATH|DIR|-]...")
@click.option("--hub", "hub_ids", multiple=True, metavar="REPO_ID", help="Lint a Hub card.")
@click.option("--endpoint", metavar="URL", help="Hub for --hub (default $HF_ENDPOINT or the Hub).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS.ids()),
    help="Output format (default text; github when GITHUB_ACTIONS=true).",
)
@click.option("--fail-on", type=click.Choice(LEVELS), help="Lowest severity that fails the run.")
@click.option("--fix", is_flag=True, help="Apply safe fixes to the files.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, also apply unsafe fixes.")
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pyproject.toml to read [tool.hubcarbon.lint] from (default: the nearest one).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--stdin-filename", default="-", metavar="PATH", help="Path to show (and match) for `-`."
)
@click.pass_context
def command(
    ctx: click.Context,
    paths: tuple[str, ...],
    hub_ids: tuple[str, ...],
    endpoint: str | None,
    output_format: str | None,
    fail_on: str | None,
    fix: bool,
    unsafe_fixes: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exit_zero: bool,
    config_path: Path | None,
    output: Path | None,
    stdin_filename: str,
) -> int:
    """Lint model cards (README.md): front matter, co2_eq_emissions, license, model-index."""
    if not paths and not hub_ids:
        raise ConfigError("nothing to lint: give PATH, DIR, - (stdin) or --hub REPO_ID")
    if unsafe_fixes and not fix:
        fix = True
    config = load_config(config_path).with_overrides(
        select=_selectors(select) or None,
        ignore=_selectors(ignore),
        fail_on=Severity(fail_on) if fail_on else None,
    )
    if fix and ("-" in paths or hub_ids):
        raise ConfigError("--fix rewrites files: it cannot be used with stdin or --hub")
    sources = from_arguments(paths, stdin_name=stdin_filename) + from_hub(hub_ids, endpoint)
    report, fixed = _lint(sources, config, fix=fix, unsafe=unsafe_fixes)
    name = output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    _write(render(report, name), output)
    if name == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        _append(Path(os.environ["GITHUB_STEP_SUMMARY"]), step_summary(report))
    if fixed:
        click.echo(f"hubcarbon: fixed {fixed} finding(s)", err=True)
    if not sources:
        click.echo("hubcarbon: no README.md files found", err=True)
    failing = any(f.severity.at_least(config.fail_on) for _, f in report.findings())
    return 1 if failing and not exit_zero else 0


def _lint(
    sources: list[Source], config: LintConfig, *, fix: bool, unsafe: bool
) -> tuple[Report, int]:
    files: list[FileReport] = []
    fixed = 0
    progress = tqdm(sources, desc="lint", unit="card", disable=len(sources) < PROGRESS_FROM or None)
    for source in progress:
        if fix and source.file is not None:
            result = fix_text(source.content, source.display, config, unsafe=unsafe)
            if result.content != source.content:
                _rewrite(source.file, result.content)
            fixed += len(result.fixed)
            findings, content = result.remaining, result.content
        else:
            findings, content = lint_text(source.content, source.display, config), source.content
        files.append(FileReport(source.display, findings, _as_text(content)))
    return Report(files), fixed


def _as_text(content: str | bytes) -> str:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    return content.decode("utf-8-sig", errors="replace")


def _rewrite(path: Path, content: str | bytes) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None


def _append(path: Path, text: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise InputError(f"cannot write the step summary {path}: {exc.strerror or exc}") from None
