"""Output formats of `hubcarbon lint`, registered by name (`--format`).

- `text`: each finding with its rule name and the line it points at, then a summary (default);
- `concise`: `path:line:col: CODE [severity] message`, one line per finding;
- `json`: `{"version": 1, "files": [...], "summary": {...}}`, a stable interface;
- `github`: GitHub Actions annotations (chosen automatically when GITHUB_ACTIONS=true);
- `sarif`: SARIF 2.1.0 for code scanning.
"""

from __future__ import annotations

from classifiers.lint.formats.base import FileReport, Format, Report
from classifiers.lint.formats.machine import render_github, render_json
from classifiers.lint.formats.sarif import render_sarif
from classifiers.lint.formats.text import render_concise, render_text
from hubcarbon.core.registry import Registry

FORMATS: Registry[Format] = Registry("output format", lambda f: f.name)
for _name, _render in (
    ("text", render_text),
    ("concise", render_concise),
    ("json", render_json),
    ("github", render_github),
    ("sarif", render_sarif),
):
    FORMATS.register(Format(_name, _render, _render.__doc__ or ""))


def render(report: Report, name: str) -> str:
    """Render a report in the named format."""
    return FORMATS[name].render(report)


__all__ = ["FORMATS", "FileReport", "Format", "Report", "render"]
