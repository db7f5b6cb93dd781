"""Output formats of `hubcarbon lint`, registered by name (`--format`).

- `text`: each finding with its rule name and the line it points at, then a summary (default);
- `concise`: `path:line:col: CODE [severity] message`, one line per finding;
- `json`: `{"version": 1, "files": [...], "summary": {...}}`, a stable interface;
- `github`: GitHub Actions annotations (chosen automatically when GITHUB_ACTIONS=true);
- `sarif`: SARIF 2.1.0 for code scanning (at most 25,000 results).

Every format but `sarif` writes each file's findings as soon as the file is linted.
"""

from __future__ import annotations

from classifiers.lint.formats.base import FileReport, Format, Options, Report, Tally, Writer
from classifiers.lint.formats.machine import GithubWriter, JsonWriter
from classifiers.lint.formats.sarif import SarifWriter
from classifiers.lint.formats.text import ConciseWriter, TextWriter
from hubcarbon.core.registry import Registry

FORMATS: Registry[Format] = Registry("output format", lambda f: f.name)
for _name, _writer, _reads_text in (
    ("text", TextWriter, True),
    ("concise", ConciseWriter, False),
    ("json", JsonWriter, False),
    ("github", GithubWriter, False),
    ("sarif", SarifWriter, False),
):
    FORMATS.register(Format(_name, _writer, _writer.__doc__ or "", _reads_text))


def writer(name: str, options: Options | None = None) -> Writer:
    """A fresh writer of the named format."""
    return FORMATS[name].writer(options or Options())


def render(report: Report, name: str, options: Options | None = None) -> str:
    """Render a whole report in the named format."""
    out = writer(name, options)
    parts = [out.start(), *(out.file(file) for file in report.files)]
    return "".join(parts) + out.finish(report.tally())


__all__ = ["FORMATS", "FileReport", "Format", "Options", "Report", "Tally", "render", "writer"]
