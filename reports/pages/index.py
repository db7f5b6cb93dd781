"""The leaderboard page (`index.html`; its stylesheet `static/index.css` ships with the assets)."""

from __future__ import annotations

import math

from classifiers.reporting.levels import LEVEL_NAMES
from reports import headline, leaderboard
from reports.context import SiteContext
from reports.pages.base import Files, page
from reports.render import render

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 250, 1000, 0)  # 0: all rows, rendered as the table scrolls
FACETS = (
    ("task", "Task"),
    ("domain", "Domain"),
    ("grade", "Reporting grade"),
    ("label", "Label"),
    ("library", "Library"),
    ("training", "Training type"),
    ("provenance", "Figure found in"),
)


@page("index")
def index(context: SiteContext) -> Files:
    """The leaderboard (`index.html`): every CO2 reporter of the crawl, one row per training
    run (copies behind "show copies"), with its id (linked to its Hub page and to its page
    here), audited CO2 in t/kg/g (exact grams on hover) with where the card states it, a
    visible marker with the reason on every flagged figure (the audit's flags and the linter's
    implausible/mismatch findings, also in the row's `data-flags`), carbon-efficiency label
    (hubcarbon-v1; paper2023 in the last column), reporting grade with its level, task
    (pipeline_tag, else the card's Hub task tag), domain, library, training type, performance
    score, parameters, weights and data size, downloads, likes, author and creation date.

    Above the table: headline figures (reporters, training runs, total and median audited CO2
    with an everyday equivalence), two inline SVG figures (training runs per month, CO2 by domain
    on a log axis) and a legend of the levels and labels. The first page of rows is rendered
    into the HTML; all rows are embedded as compact columnar JSON (`leaderboard.embedded`), and
    `static/leaderboard.js` sorts any column (missing values last), filters (text, task,
    domain, grade, label, library, training type, provenance, source, CO2 and creation-date
    ranges), hides flagged figures (by default while sorted by CO2 ascending), pages, and keeps
    the view in the query string (`?q=bert&sort=co2_g&order=asc`), restored on load and on
    Back. It works from file:// and any static host, without network access."""
    rows = context.rows
    runs = [row for row in rows if row["copy_of"] is None]
    figures = headline.headline(rows, context.run.models)
    return {
        "index.html": render(
            "index.html.j2",
            root="",
            current="index",
            run=context.run,
            notices=context.notices,
            rows=rows,
            runs=runs,
            folded=len(rows) - len(runs),
            first_page=runs[:PAGE_SIZE],
            page_size=PAGE_SIZE,
            page_sizes=PAGE_SIZES,
            pages=max(1, math.ceil(len(runs) / PAGE_SIZE)),
            columns=leaderboard.COLUMNS,
            facets=leaderboard.facets(rows),
            facet_labels=FACETS,
            levels=[
                (int(level), name, leaderboard.LEVEL_MEANINGS[level])
                for level, name in LEVEL_NAMES.items()
            ],
            labels=leaderboard.LABEL_MEANINGS,
            flag_reasons=leaderboard.FLAG_REASONS,
            headline=figures,
            months_svg=headline.reporters_per_month(rows),
            domains_svg=headline.co2_by_domain(rows),
            data=leaderboard.embedded(rows),
        ),
    }
