"""`json` and `github`: the versioned JSON document, and GitHub Actions workflow commands."""

from __future__ import annotations

import json

from classifiers.lint.findings import Severity
from classifiers.lint.formats.base import Report

JSON_VERSION = 1
GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_json(report: Report) -> str:
    """`{"version": 1, "files": [{"path", "findings": [...]}], "summary": {...}}` (stable)."""
    document = {
        "version": JSON_VERSION,
        "files": [
            {"path": file.path, "findings": [f.as_dict() for f in file.findings]}
            for file in report.files
        ],
        "summary": report.summary(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_github(report: Report) -> str:
    """One `::error|warning|notice` annotation per finding, errors first (GitHub shows only
    the first few of each level per step), each file's in a `::group::`."""
    out: list[str] = []
    for file in report.files:
        if not file.findings:
            continue
        out.append(f"::group::{_data(file.path)}")
        ordered = sorted(file.findings, key=lambda f: (-f.severity.rank, f.line, f.column))
        for f in ordered:
            properties = ",".join(
                (
                    f"title={_property(f'hubcarbon {f.code} ({f.name})')}",
                    f"file={_property(file.path)}",
                    f"line={f.line}",
                    f"col={f.column}",
                )
            )
            out.append(f"::{GITHUB_LEVEL[f.severity]} {properties}::{_data(f.message)}")
        out.append("::endgroup::")
    s = report.summary()
    out.append(
        f"hubcarbon lint: {s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos "
        f"in {s['files']} files"
    )
    return "\n".join(out) + "\n"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def step_summary(report: Report) -> str:
    """A Markdown table for `$GITHUB_STEP_SUMMARY` (annotations are capped per step; the summary
    counts every finding per rule)."""
    counts: dict[tuple[str, str, str], list[int]] = {}
    for _, finding in report.findings():
        key = (finding.code, finding.name, str(finding.severity))
        entry = counts.setdefault(key, [0, 0])
        entry[0] += 1
    for (code, _, _), entry in counts.items():
        entry[1] = sum(1 for f in report.files if any(x.code == code for x in f.findings))
    s = report.summary()
    lines = [
        "### hubcarbon lint",
        "",
        f"{s['files']} files: {s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos",
        "",
    ]
    if counts:
        lines += ["| rule | severity | findings | files |", "|---|---|---:|---:|"]
        for (code, name, severity), (found, files) in sorted(counts.items()):
            lines.append(f"| {code} `{name}` | {severity} | {found} | {files} |")
    return "\n".join(lines) + "\n"
