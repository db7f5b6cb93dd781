"""`hubcarbon lint`: lint model cards offline, as in CI and pre-commit."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from classifiers.lint import Severity
from classifiers.lint.config import ConfigFinder, Overrides, Selection
from classifiers.lint.files import atomic_text
from classifiers.lint.formats import FORMATS, Options, Tally, writer
from classifiers.lint.formats.machine import step_summary
from classifiers.lint.formats.text import statistics
from classifiers.lint.session import PARALLEL_MIN_FILES, LintSession
from classifiers.lint.sources import Pending, from_hub, iter_pending
from hubcarbon.core.errors import ConfigError, InputError

EPILOG = """\b
Examples:
  hubcarbon lint README.md                       # one card
  hubcarbon lint models/                         # every README.md under models/
  cat README.md | hubcarbon lint -               # stdin
  hubcarbon lint --hub bigscience/bloom          # a card on the Hub (needs hubcarbon[hub])
  hubcarbon lint --fix README.md                 # apply safe fixes in place
  hubcarbon lint --diff --unsafe-fixes README.md # show every fix as a diff, write nothing
  hubcarbon lint --statistics models/            # findings per rule, most frequent first
  hubcarbon lint --jobs 1 models/                # one process (default: a worker per CPU)
  hubcarbon lint --format sarif -o lint.sarif .  # for GitHub code scanning
  hubcarbon lint --select HC1,HC2 --ignore HC104 --fail-on warning models/

\b
Exit status: 0 when nothing at or above --fail-on was found, 1 when something was (with
--diff: when something would be fixed), 2 for usage, configuration or I/O errors.
Configuration: [tool.hubcarbon.lint] in the pyproject.toml (or [lint] in the hubcarbon.toml)
nearest to each file; --select/--extend-select/--ignore override it. Rules: `hubcarbon rules`.
"""

LEVELS = [str(s) for s in Severity]
BLOCK_CHARS = 1 << 16
COLORS = ["auto", "always", "never"]


def _selectors(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@click.command("lint", epilog=EPILOG)
@click.argument("paths", nargs=-1, metavar="[PATH|DIR|-]...")
@click.option("--hub", "hub_ids", multiple=True, metavar="REPO_ID", help="Lint a Hub card.")
@click.option("--endpoint", metavar="URL", help="Hub for --hub (default $HF_ENDPOINT or the Hub).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS.ids()),
    help="Output format.",
    show_default="text; github when GITHUB_ACTIONS=true",
)
@click.option(
    "--fail-on",
    type=click.Choice(LEVELS),
    help="Lowest severity that fails the run.",
    show_default="error, or fail-on of the configuration",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes to the files.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also apply unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option(
    "--show-fixes", is_flag=True, help="List the fixes applied (or, without --fix, available)."
)
@click.option(
    "--select", multiple=True, metavar="RULES", help="Run only these rules (replaces the config's)."
)
@click.option("--extend-select", multiple=True, metavar="RULES", help="Run these rules too.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these.")
@click.option("--statistics", is_flag=True, help="Print the count of findings per rule instead.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary, no notes.")
@click.option(
    "--color",
    type=click.Choice(COLORS),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: on a terminal, unless NO_COLOR is set).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pyproject.toml or hubcarbon.toml to use for every file (default: the nearest one).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    help=f"Worker processes for many cards (one process below {PARALLEL_MIN_FILES} cards, "
    "and with --fix/--diff).",
    show_default="one per CPU",
)
@click.option(
    "--stdin-filename",
    default="-",
    show_default=True,
    metavar="PATH",
    help="Path to show (and match) for `-`.",
)
def command(
    paths: tuple[str, ...],
    hub_ids: tuple[str, ...],
    endpoint: str | None,
    output_format: str | None,
    fail_on: str | None,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    statistics: bool,
    quiet: bool,
    color: str,
    exit_zero: bool,
    config_path: Path | None,
    output: Path | None,
    jobs: int | None,
    stdin_filename: str,
) -> int:
    """Lint model cards (README.md): front matter, co2_eq_emissions, license, model-index."""
    if not paths and not hub_ids:
        raise ConfigError("nothing to lint: give PATH, DIR, - (stdin) or --hub REPO_ID")
    if fix and not diff and ("-" in paths or hub_ids):
        raise ConfigError("--fix rewrites files: it cannot be used with stdin or --hub")
    selection = Selection(_selectors(select) or None, _selectors(extend_select), _selectors(ignore))
    finder = ConfigFinder(config_path, Overrides(selection, Severity(fail_on) if fail_on else None))
    finder.for_file(None)  # a bad configuration or selector fails before any output
    name = output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    shows_text = not (diff or statistics) and FORMATS[name].reads_text
    run = LintSession(
        finder,
        fix=fix and not diff,
        diff=diff,
        unsafe=unsafe_fixes,
        keep_text=shows_text,
        jobs=jobs or os.cpu_count() or 1,
    )
    with _destination(output) as stream, _emitter(stream, _use_color(color, stream)) as emit:
        options = Options(_use_color(color, stream), quiet, unsafe_fixes)
        out = None if diff or statistics else writer(name, options)
        emit(out.start() if out else "")
        cards = iter_pending(paths, finder, stdin_name=stdin_filename)
        for report in run.lint_all(_chain(cards, hub_ids, endpoint, finder)):
            emit(out.file(report) if out else run.last_diff)
        emit(out.finish(run.tally) if out else "")
        if statistics:
            emit(_statistics(run.tally, options))
    if name == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        _append(Path(os.environ["GITHUB_STEP_SUMMARY"]), step_summary(run.tally))
    _notes(run, quiet=quiet, show_fixes=show_fixes)
    if diff:
        return 1 if run.fixable_count else 0
    return 1 if run.failing and not exit_zero else 0


def _chain(
    cards: Iterator[Pending], hub_ids: Sequence[str], endpoint: str | None, finder: ConfigFinder
) -> Iterator[Pending]:
    yield from cards
    if hub_ids:
        config = finder.for_file(None)
        for source in from_hub(hub_ids, endpoint):
            yield Pending(source.display, config, None, source.content)


def _statistics(tally: Tally, options: Options) -> str:
    return statistics(tally, options)


def _notes(run: LintSession, *, quiet: bool, show_fixes: bool) -> None:
    if show_fixes and run.fixed:
        verb = "Fixed" if run.fix else "Would fix"
        click.echo(f"{verb} {run.fixable_count} finding(s):", err=True)
        for (display, code, name), count in sorted(run.fixed.items()):
            click.echo(f"  {display}: {code} {name} ({count})", err=True)
    elif show_fixes and not run.fix and not run.diff:
        fixable = sum(run.tally.fixable.values())
        click.echo(f"hubcarbon: {fixable} fixable finding(s); --diff shows the fixes", err=True)
    if quiet:
        return
    if run.fix and run.fixable_count:
        click.echo(f"hubcarbon: fixed {run.fixable_count} finding(s)", err=True)
    if run.diff:
        click.echo(f"hubcarbon: would fix {run.fixable_count} finding(s)", err=True)
    if not run.tally.files:
        click.echo("hubcarbon: no cards found", err=True)


def _use_color(choice: str, stream: IO[str]) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


@contextmanager
def _emitter(stream: IO[str], color: bool) -> Iterator[Callable[[str], None]]:
    """Writes text to `stream` in blocks of about BLOCK_CHARS characters (each piece at once on a
    terminal), through click.echo (which drops colour codes when `color` is off); what is
    left is written when the block ends, whether or not it fails."""
    waiting: list[str] = []
    size = 0
    at_once = stream.isatty()

    def flush() -> None:
        nonlocal size
        if waiting:
            click.echo("".join(waiting), file=stream, nl=False, color=color)
            waiting.clear()
            size = 0

    def emit(text: str) -> None:
        nonlocal size
        if text:
            waiting.append(text)
            size += len(text)
            if at_once or size >= BLOCK_CHARS:
                flush()

    try:
        yield emit
    finally:
        flush()


@contextmanager
def _destination(output: Path | None) -> Iterator[IO[str]]:
    """stdout, or `output` written atomically when the run completes."""
    if output is None:
        yield sys.stdout
        return
    with atomic_text(output) as handle:
        yield handle


def _append(path: Path, text: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise InputError(f"cannot write the step summary {path}: {exc.strerror or exc}") from None
