"""The leaderboard page (`index.html`)."""

from __future__ import annotations

import math

from reports import leaderboard
from reports.context import SiteContext
from reports.pages.base import Files, page
from reports.render import render

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 250, 1000)
FACETS = (("domain", "Domain"), ("task", "Task"), ("grade", "Reporting grade"), ("label", "Label"))


@page("index")
def index(context: SiteContext) -> Files:
    """The leaderboard (`index.html`): every CO2 reporter of the crawl with its id (linked to its
    Hub page and to its page here), author, task, domain, library, CO2 in grams with where the
    card states it (metadata or prose), parameters, weights size, downloads, likes, reporting
    grade and carbon-efficiency label (hubcarbon-v1) and creation date.

    The first page of rows is rendered into the HTML; all rows are embedded as JSON (escaped for
    a script element), and `static/leaderboard.js` sorts any column (missing values last),
    filters by text, domain, task, grade, label and source (AutoTrain or not) and pages through
    the result. It works from file:// and any static host, without network access."""
    rows = context.rows
    return {
        "index.html": render(
            "index.html.j2",
            root="",
            current="index",
            run=context.run,
            notices=context.notices,
            rows=rows,
            first_page=rows[:PAGE_SIZE],
            page_size=PAGE_SIZE,
            page_sizes=PAGE_SIZES,
            pages=max(1, math.ceil(len(rows) / PAGE_SIZE)),
            columns=leaderboard.COLUMNS,
            facets=leaderboard.facets(rows),
            facet_labels=FACETS,
            data=leaderboard.embedded(rows),
        )
    }
