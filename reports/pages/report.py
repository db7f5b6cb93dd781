"""The study report (`report.html`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup
from PIL import Image, UnidentifiedImageError

from classifiers.lint import RULES
from classifiers.methods import methods
from hubcarbon.core.registry import documentation
from reports.context import SiteContext
from reports.documents import Findings, Statistic, comparison
from reports.inputs import Missing
from reports.lintcounts import CorpusCounts, corpus_counts
from reports.pages.base import Files, page
from reports.render import render

PREVIEW_ROWS = 12
QUESTIONS = (
    ("RQ1", "RQ1: how do models report their emissions?"),
    ("RQ2", "RQ2: what relates to the emissions reported?"),
)
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class TablePreview:
    """The first rows of a CSV table named by a statistic."""

    path: str
    header: list[str]
    rows: list[list[str]]
    total: int


def method_html(text: str) -> Markup:
    """A method text (Markdown, raw HTML disabled) as HTML."""
    return Markup(_MARKDOWN.render(text))  # raw HTML in the text is escaped by markdown-it


def preview(findings: Findings, name: str | None) -> TablePreview | None:
    """The first PREVIEW_ROWS rows of a CSV asset, or None."""
    if not name or not name.endswith(".csv") or name not in findings.assets:
        return None
    return _preview(name, findings.assets[name])


def _preview(name: str, source: Path) -> TablePreview | None:
    try:
        lines = list(csv.reader(io.StringIO(source.read_text("utf-8"))))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if not lines:
        return None
    return TablePreview(name, lines[0], lines[1 : PREVIEW_ROWS + 1], len(lines) - 1)


def image_size(findings: Findings, name: str) -> tuple[int, int] | None:
    """(width, height) in pixels of a PNG figure findings.json names, read from its header (so
    the page reserves its space before it loads); None for another or unreadable file."""
    source = findings.assets.get(name)
    if source is None or not name.endswith(".png"):
        return None
    try:
        with Image.open(source) as image:
            return image.size
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


@dataclass(frozen=True)
class RuleDoc:
    """A lint rule as the report documents it."""

    code: str
    name: str
    severity: str
    text: str


def lint_rules() -> list[RuleDoc]:
    """Every rule of the linter's registry, by code, with its documentation."""
    return sorted(
        (
            RuleDoc(
                rule.code,
                rule.name,
                str(getattr(rule.severity, "value", rule.severity)),
                documentation(rule),
            )
            for rule in RULES
        ),
        key=lambda r: r.code,
    )


@dataclass(frozen=True)
class StatisticGroup:
    """One statistic of the report: its entries per population and what they share."""

    id: str
    title: str
    entries: list[Statistic]
    method: str
    figure: str | None
    table: str | None


def sections(findings: Findings) -> list[tuple[str, str, list[StatisticGroup]]]:
    """(anchor, heading, statistics) per research question, then any other question."""
    groups = []
    for entries in findings.by_id():
        first = entries[0]
        groups.append(
            StatisticGroup(
                id=first.id,
                title=first.title,
                entries=entries,
                method=next((e.method for e in entries if e.method), ""),
                figure=next((e.figure for e in entries if e.figure), None),
                table=next((e.table for e in entries if e.table), None),
            )
        )
    known = {question for question, _ in QUESTIONS}
    out = [
        (q.lower(), heading, [g for g in groups if g.entries[0].question == q])
        for q, heading in QUESTIONS
    ]
    others = [g for g in groups if g.entries[0].question not in known]
    if others:
        out.append(("other", "Other statistics", others))
    return out


@page("report")
def report(context: SiteContext) -> Files:
    """The study report (`report.html`): data provenance (the crawl run, the snapshot and its
    sources and dates), the RQ1 and RQ2 findings of findings.json with their figures (alt text
    from the statistic's title), the tables behind them, each statistic's test, n, what it rests
    on (rows, training runs, authors), its role (confirmatory member of the declared Holm family,
    exploratory with a raw p, or descriptive), statistic, p, Holm-adjusted p, effect size and
    confidence interval, the reading of a "no relation" result (relation, no relation within the
    equivalence bound, or inconclusive), the snapshot-window caveat, and its method text; the
    replication table "published vs ours" from replication.json (constants and values not
    computable marked); the lint statistics over the corpus; the
    method texts of the classification schemes and of the greener alternatives
    (`#method-<id>`); and the documentation of every lint rule (`#rule-<code>`)."""
    findings = context.findings
    replication = context.replication
    corpus = corpus_counts()
    present = findings if isinstance(findings, Findings) else None
    return {
        "report.html": render(
            "report.html.j2",
            root="",
            current="report",
            run=context.run,
            notices=context.notices,
            snapshot=context.snapshot,
            findings=present,
            findings_missing=findings.message if isinstance(findings, Missing) else "",
            sections=sections(present) if present else [],
            preview=(lambda name: preview(present, name)) if present else None,
            image_size=(lambda name: image_size(present, name)) if present else None,
            method_html=method_html,
            replication=comparison(replication) if isinstance(replication, dict) else [],
            replication_missing=(replication.message if isinstance(replication, Missing) else ""),
            pending=(
                replication.get("sections_pending") or [] if isinstance(replication, dict) else []
            ),
            lint_counts=context.lint_counts if isinstance(context.lint_counts, list) else [],
            corpus=corpus if isinstance(corpus, CorpusCounts) else None,
            corpus_missing=corpus.message if isinstance(corpus, Missing) else "",
            lint_missing=(
                context.lint_counts.message if isinstance(context.lint_counts, Missing) else ""
            ),
            methods=methods(),
            rules=lint_rules(),
            models=len(context.rows),
        )
    }
