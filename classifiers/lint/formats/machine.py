"""`json` and `github`: the versioned JSON document, and GitHub Actions workflow commands."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from classifiers.lint.findings import Severity
from classifiers.lint.formats.base import FileReport, Options, Tally

JSON_VERSION = 1
GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _indented(value: object, prefix: str) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)


@dataclass
class JsonWriter:
    """`{"version": 1, "files": [{"path", "findings": [...]}], "summary": {...}}` (stable),
    written file by file."""

    options: Options
    _written: int = field(default=0, init=False)

    def start(self) -> str:
        return f'{{\n  "version": {JSON_VERSION},\n  "files": ['

    def file(self, file: FileReport) -> str:
        entry = {"path": file.path, "findings": [f.as_dict() for f in file.findings]}
        lead = ",\n    " if self._written else "\n    "
        self._written += 1
        return lead + _indented(entry, "    ")

    def finish(self, tally: Tally) -> str:
        close = "\n  ]" if self._written else "]"
        return f'{close},\n  "summary": {_indented(tally.summary(), "  ")}\n}}\n'


@dataclass(frozen=True)
class GithubWriter:
    """One `::error|warning|notice` annotation per finding, errors first (GitHub shows only
    the first few of each level per step), each file's in a `::group::`."""

    options: Options

    def start(self) -> str:
        return ""

    def file(self, file: FileReport) -> str:
        if not file.findings:
            return ""
        out = [f"::group::{_data(file.path)}"]
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
        return "".join(line + "\n" for line in out)

    def finish(self, tally: Tally) -> str:
        s = tally.summary()
        return (
            f"hubcarbon lint: {s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos "
            f"in {s['files']} files\n"
        )


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def step_summary(tally: Tally) -> str:
    """A Markdown table for `$GITHUB_STEP_SUMMARY` (annotations are capped per step; the summary
    counts every finding per rule)."""
    s = tally.summary()
    lines = [
        "### hubcarbon lint",
        "",
        f"{s['files']} files: {s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos",
        "",
    ]
    if tally.rules:
        lines += ["| rule | severity | findings | files |", "|---|---|---:|---:|"]
        for code in sorted(tally.rules):
            name, severity = tally.names[code]
            found, files = tally.rules[code], tally.files_by_rule[code]
            lines.append(f"| {code} `{name}` | {severity} | {found} | {files} |")
    return "\n".join(lines) + "\n"
