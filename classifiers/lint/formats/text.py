"""`text` (the default) and `concise`: for people and for grep/editors."""

from __future__ import annotations

from classifiers.lint.findings import Finding, Fixable
from classifiers.lint.formats.base import FileReport, Report, plural

FIX_MARK = {Fixable.SAFE: " [*]", Fixable.UNSAFE: " [unsafe fix]"}
MAX_FRAME_WIDTH = 120


def render_concise(report: Report) -> str:
    """One line per finding: `path:line:col: CODE [severity] message`."""
    lines = [
        f"{file.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}"
        for file, f in report.findings()
    ]
    return "".join(line + "\n" for line in lines)


def render_text(report: Report) -> str:
    """Each finding with its rule name, fix marker and the line it points at, then a summary."""
    out: list[str] = []
    for file in report.files:
        source = file.text.splitlines() if file.text is not None else []
        for finding in file.findings:
            mark = FIX_MARK.get(finding.fixable, "") if finding.fixable else ""
            out.append(
                f"{file.path}:{finding.line}:{finding.column}: {finding.code} "
                f"[{finding.severity}] {finding.message} ({finding.name}){mark}"
            )
            out.extend(_frame(source, finding))
    out.append(_summary(report))
    return "\n".join(out) + "\n"


def _frame(source: list[str], finding: Finding) -> list[str]:
    if not 1 <= finding.line <= len(source):
        return []
    line = source[finding.line - 1].replace("\t", " ")
    column = min(finding.column, len(line) + 1)
    start = max(0, column - 1 - MAX_FRAME_WIDTH // 2) if len(line) > MAX_FRAME_WIDTH else 0
    shown = line[start : start + MAX_FRAME_WIDTH]
    gutter = " " * len(str(finding.line))
    return [
        f"  {gutter} |",
        f"  {finding.line} | {shown}",
        f"  {gutter} | {' ' * (column - 1 - start)}^",
    ]


def _summary(report: Report) -> str:
    s = report.summary()
    findings = s["errors"] + s["warnings"] + s["infos"]
    if not findings:
        return f"All checks passed ({plural(s['files'], 'file')})."
    safe = sum(1 for _, f in report.findings() if f.fixable is Fixable.SAFE)
    unsafe = sum(1 for _, f in report.findings() if f.fixable is Fixable.UNSAFE)
    text = (
        f"Found {plural(findings, 'finding')} ({plural(s['errors'], 'error')}, "
        f"{plural(s['warnings'], 'warning')}, {plural(s['infos'], 'info')}) in "
        f"{plural(s['files'], 'file')}."
    )
    if safe:
        text += f" {safe} fixable with --fix."
    if unsafe:
        text += f" {unsafe} more with --unsafe-fixes."
    return text


__all__ = ["FileReport", "render_concise", "render_text"]
