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
from itertools import chain, islice
from pathlib import Path

from classifiers.lint.config import ConfigFinder, LintConfig, Overrides, Selection
from classifiers.lint.engine import fix_text, lint_text
from classifiers.lint.files import replace_bytes
from classifiers.lint.findings import Finding
from classifiers.lint.formats import FileReport, Tally
from classifiers.lint.sources import Pending, Source, iter_pending

PARALLEL_MIN_FILES = 256


@dataclass
class LintSession:
    """Lints (and fixes, or diffs) one source after the other, keeping only counts.

    `keep_text`: reports carry the card's text (the `text` format shows the lines findings
    point at); `jobs`: how many worker processes `lint_all` may use."""

    finder: ConfigFinder
    fix: bool = False
    diff: bool = False
    unsafe: bool = False
    keep_text: bool = True
    jobs: int = 1
    tally: Tally = field(default_factory=Tally)
    failing: bool = False
    fixed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    fixable_count: int = 0
    last_diff: str = ""

    def lint(self, source: Source, stdin_path: Path | None = None) -> FileReport:
        """One card's report; with `fix`, the card is rewritten (atomically) when a fix applies;
        with `diff`, `last_diff` holds the fixes as a unified diff."""
        return self._lint(source, self.finder.for_file(source.file or stdin_path))

    def lint_all(self, cards: Iterable[Pending]) -> Iterator[FileReport]:
        """Each card's report, in order: in worker processes when `jobs` > 1 and there are at
        least `PARALLEL_MIN_FILES` cards to lint (never with `fix` or `diff`), else here."""
        pending = iter(cards)
        if self.jobs > 1 and not (self.fix or self.diff):
            head = list(islice(pending, PARALLEL_MIN_FILES))
            if len(head) == PARALLEL_MIN_FILES:
                from classifiers.lint.workers import lint_in_workers  # multiprocessing: only here

                for report, failing in lint_in_workers(
                    chain(head, pending), self.jobs, self.keep_text
                ):
                    self._record(report, failing)
                    yield report
                return
            pending = iter(head)
        for card in pending:
            yield self._lint(card.read(), card.config)

    def _lint(self, source: Source, config: LintConfig) -> FileReport:
        if not (self.fix or self.diff):
            report, failing = lint_source(source, config, keep_text=self.keep_text)
            self._record(report, failing)
            return report
        content = source.content
        result = fix_text(content, source.display, config, unsafe=self.unsafe)
        self.fixable_count += len(result.fixed)
        for finding in result.fixed:
            self.fixed[(source.display, finding.code, finding.name)] += 1
        if self.diff:
            self.last_diff = unified_diff(source.display, content, result.content)
        elif result.content != content and source.file is not None:
            _rewrite(source.file, result.content)
        findings, content = result.remaining, result.content
        text = as_text(content) if self.keep_text else None
        report = FileReport(source.display, findings, text)
        self._record(report, _fails(findings, config))
        return report

    def _record(self, report: FileReport, failing: bool) -> None:
        self.tally.add(report)
        self.failing |= failing


def lint_source(
    source: Source, config: LintConfig, *, keep_text: bool = True
) -> tuple[FileReport, bool]:
    """One card's report (with its text when `keep_text`), and whether it fails the run."""
    findings = lint_text(source.content, source.display, config)
    text = as_text(source.content) if keep_text else None
    return FileReport(source.display, findings, text), _fails(findings, config)


def _fails(findings: Iterable[Finding], config: LintConfig) -> bool:
    return any(f.severity.at_least(config.fail_on) for f in findings)


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
    yield from session.lint_all(iter_pending([str(path) for path in paths], finder))


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
