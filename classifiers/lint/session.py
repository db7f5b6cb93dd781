"""Linting many cards one after the other, keeping only counts: the loop `hubcarbon lint` runs
and the Python API's `lint_paths`.

    for report in lint_paths(["models/"]):   # FileReport per card, streamed
        print(report.display, [f.code for f in report.findings])

`LintSession` also applies fixes (`fix`, `unsafe`) or computes them as a unified diff (`diff`)
without writing; every rewrite is atomic.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.lint.config import ConfigFinder, Overrides, Selection
from classifiers.lint.engine import fix_text, lint_text
from classifiers.lint.files import replace_bytes
from classifiers.lint.formats import FileReport, Tally
from classifiers.lint.sources import Source, iter_sources


@dataclass
class LintSession:
    """Lints (and fixes, or diffs) one source after the other, keeping only counts."""

    finder: ConfigFinder
    fix: bool = False
    diff: bool = False
    unsafe: bool = False
    tally: Tally = field(default_factory=Tally)
    failing: bool = False
    fixed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    fixable_count: int = 0
    last_diff: str = ""

    def lint(self, source: Source, stdin_path: Path | None = None) -> FileReport:
        """One card's report; with `fix`, the card is rewritten (atomically) when a fix applies;
        with `diff`, `last_diff` holds the fixes as a unified diff."""
        config = self.finder.for_file(source.file or stdin_path)
        content = source.content
        if self.fix or self.diff:
            result = fix_text(content, source.display, config, unsafe=self.unsafe)
            self.fixable_count += len(result.fixed)
            for finding in result.fixed:
                self.fixed[(source.display, finding.code, finding.name)] += 1
            if self.diff:
                self.last_diff = unified_diff(source.display, content, result.content)
            elif result.content != content and source.file is not None:
                _rewrite(source.file, result.content)
            findings, content = result.remaining, result.content
        else:
            findings = lint_text(content, source.display, config)
        report = FileReport(source.display, findings, as_text(content))
        self.tally.add(report)
        self.failing |= any(f.severity.at_least(config.fail_on) for f in findings)
        return report


def lint_paths(
    paths: Iterable[str | Path],
    *,
    config: Path | None = None,
    select: tuple[str, ...] | None = None,
    extend_select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
) -> Iterator[FileReport]:
    """Lint every card under `paths` (files, directories of README.md files), streamed one
    report at a time; configuration discovered per file as on the command line (`config`
    fixes one file for all), and `select`/`extend_select`/`ignore` override it."""
    finder = ConfigFinder(config, Overrides(Selection(select, extend_select, ignore)))
    session = LintSession(finder)
    for source in iter_sources([str(path) for path in paths], finder.for_file):
        yield session.lint(source)


def unified_diff(display: str, before: str | bytes, after: str | bytes) -> str:
    """The change from `before` to `after` as a unified diff (empty when nothing changes)."""
    old, new = as_text(before), as_text(after)
    if old == new:
        return ""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{display}",
        tofile=f"b/{display}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def as_text(content: str | bytes) -> str:
    """A card's content as text, without a byte-order mark."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    return content.decode("utf-8-sig", errors="replace")


def _rewrite(path: Path, content: str | bytes) -> None:
    replace_bytes(path, content.encode("utf-8") if isinstance(content, str) else content)
