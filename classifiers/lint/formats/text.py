"""`text` (the default) and `concise`: for people and for grep/editors."""

from __future__ import annotations

from dataclasses import dataclass

import click

from classifiers.lint.findings import Finding, Fixable, Severity
from classifiers.lint.formats.base import FileReport, Options, Tally, plural

FIX_MARK = {Fixable.SAFE: " [*]", Fixable.UNSAFE: " [unsafe fix]"}
MAX_FRAME_WIDTH = 120
COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


@dataclass(frozen=True)
class ConciseWriter:
    """One line per finding: `path:line:col: CODE [severity] message`."""

    options: Options

    def start(self) -> str:
        return ""

    def file(self, file: FileReport) -> str:
        return "".join(f"{_location(file, f, self.options)} {f.message}\n" for f in file.findings)

    def finish(self, tally: Tally) -> str:
        return ""


@dataclass(frozen=True)
class TextWriter:
    """Each finding with its rule name, fix marker and the line it points at, then a summary."""

    options: Options

    def start(self) -> str:
        return ""

    def file(self, file: FileReport) -> str:
        out: list[str] = []
        source = file.text.splitlines() if file.text is not None else []
        for finding in file.findings:
            mark = FIX_MARK.get(finding.fixable, "") if finding.fixable else ""
            out.append(
                f"{_location(file, finding, self.options)} {finding.message} "
                f"({finding.name}){_style(mark, self.options, fg='cyan')}"
            )
            out.extend(_frame(source, finding, self.options))
        return "".join(line + "\n" for line in out)

    def finish(self, tally: Tally) -> str:
        return "" if self.options.quiet else _summary(tally, self.options) + "\n"


def _style(text: str, options: Options, **style: object) -> str:
    return click.style(text, **style) if options.color and text else text  # type: ignore[arg-type]


def _location(file: FileReport, finding: Finding, options: Options) -> str:
    where = _style(f"{file.path}:{finding.line}:{finding.column}:", options, bold=True)
    code = _style(finding.code, options, fg=COLOR[finding.severity], bold=True)
    return f"{where} {code} [{finding.severity}]"


def _frame(source: list[str], finding: Finding, options: Options) -> list[str]:
    if not 1 <= finding.line <= len(source):
        return []
    line = source[finding.line - 1].replace("\t", " ")
    column = min(finding.column, len(line) + 1)
    start = max(0, column - 1 - MAX_FRAME_WIDTH // 2) if len(line) > MAX_FRAME_WIDTH else 0
    shown = line[start : start + MAX_FRAME_WIDTH]
    gutter = " " * len(str(finding.line))
    caret = _style("^", options, fg=COLOR[finding.severity], bold=True)
    return [
        f"  {gutter} |",
        f"  {finding.line} | {shown}",
        f"  {gutter} | {' ' * (column - 1 - start)}{caret}",
    ]


def _summary(tally: Tally, options: Options) -> str:
    s = tally.summary()
    if not tally.findings:
        return f"All checks passed ({plural(s['files'], 'file')})."
    text = (
        f"Found {plural(tally.findings, 'finding')} ({plural(s['errors'], 'error')}, "
        f"{plural(s['warnings'], 'warning')}, {plural(s['infos'], 'info')}) in "
        f"{plural(s['files'], 'file')}."
    )
    safe, unsafe = tally.fixable[Fixable.SAFE], tally.fixable[Fixable.UNSAFE]
    if options.unsafe_fixes and safe + unsafe:
        text += f" {safe + unsafe} fixable with --fix --unsafe-fixes."
    else:
        if safe:
            text += f" {safe} fixable with --fix."
        if unsafe:
            text += f" {unsafe} more with --unsafe-fixes."
    return text


def statistics(tally: Tally, options: Options) -> str:
    """`--statistics`: findings per rule, most frequent first (ties by code)."""
    rows = sorted(tally.rules.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(count)) for _, count in rows), default=1)
    lines = []
    for code, count in rows:
        name, severity = tally.names[code]
        styled = _style(code, options, fg=COLOR[Severity(severity)], bold=True)
        lines.append(f"{count:>{width}}  {styled}  {name} [{severity}]")
    return "".join(line + "\n" for line in lines)
