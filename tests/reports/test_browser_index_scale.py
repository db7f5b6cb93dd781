"""The leaderboard at any size: with "all" rows the table renders a window around its scroll
position (a hundred rows or so in the DOM, whatever the count), and the view stays sortable.
Speed at 20,000 and 100,000 rows is measured by bench/bench_report.py, not here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from leaderboard_page import matching, open_index, query, runs, shown_ids

pytestmark = pytest.mark.browser


def dom_rows(page: Any) -> int:
    return int(page.page.locator("#leaderboard tbody tr:not(.spacer)").count())


def scroll_to(page: Any, fraction: float) -> None:
    page.page.eval_on_selector(
        ".table-wrap", f"w => {{ w.scrollTop = (w.scrollHeight - w.clientHeight) * {fraction}; }}"
    )
    page.page.wait_for_timeout(200)  # one animation frame renders the new window


def test_all_rows_render_as_a_window_while_scrolling(site: Path, page: Any) -> None:
    rows = runs(site)
    open_index(page, (site / "index.html").as_uri())
    page.page.select_option("#page-size", "0")
    assert query(page)["size"] == "0"
    assert matching(page) == len(rows)
    assert 0 < dom_rows(page) < 150 < len(rows)
    assert shown_ids(page)[0] == rows[0]["id"]
    scroll_to(page, 1.0)
    assert shown_ids(page)[-1] == rows[-1]["id"]
    assert dom_rows(page) < 150
    scroll_to(page, 0.5)
    middle = shown_ids(page)
    assert rows[0]["id"] not in middle and rows[-1]["id"] not in middle
    ids = [r["id"] for r in rows]
    assert middle == ids[ids.index(middle[0]) : ids.index(middle[0]) + len(middle)]
    assert page.errors == []


def test_sorting_all_rows_starts_at_the_top(site: Path, page: Any) -> None:
    rows = runs(site)
    open_index(page, (site / "index.html").as_uri() + "?size=0&sort=likes&order=desc")
    liked = sorted((r for r in rows if r["likes"] is not None), key=lambda r: -r["likes"])
    assert shown_ids(page)[:20] == [r["id"] for r in liked][:20]
    assert page.page.text_content("#page-info") == "All rows (scroll the table)"
    assert page.page.is_disabled("#page-next")
