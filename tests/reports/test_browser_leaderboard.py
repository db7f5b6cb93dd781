"""The leaderboard in headless Debian chromium: from file:// and over HTTP, sorting, filtering,
paging, keyboard operation, a model page, no console errors, nothing fetched from elsewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from reports.leaderboard import decode, hides

pytestmark = pytest.mark.browser

DATA = re.compile(
    r'<script type="application/json" id="leaderboard-data">(.*?)</script>', re.DOTALL
)


def all_rows_of(site: Path) -> list[dict[str, Any]]:
    match = DATA.search((site / "index.html").read_text("utf-8"))
    assert match is not None
    return decode(json.loads(match.group(1)))


def rows_of(site: Path) -> list[dict[str, Any]]:
    """The rows the page lists by default: one per training run (copies folded)."""
    return [r for r in all_rows_of(site) if r["copy_of"] is None]


def open_index(page: Any, url: str) -> None:
    page.page.goto(url)
    page.page.wait_for_function("document.documentElement.dataset.leaderboard === 'ready'")


def shown_ids(page: Any) -> list[str]:
    ids: list[str] = page.page.eval_on_selector_all(
        "#leaderboard tbody tr th a:first-child", "links => links.map(a => a.textContent)"
    )
    return ids


def status(page: Any) -> str:
    return str(page.page.text_content("#status"))


def sorted_ids(rows: list[dict[str, Any]], key: str, descending: bool = False) -> list[str]:
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    ordered = sorted(present, key=lambda r: r[key], reverse=descending)
    if descending:  # ties keep the id order, as a stable sort in the page does
        ordered = sorted(present, key=lambda r: (-r[key], r["id"]))
    return [r["id"] for r in ordered + missing]


def test_loads_from_file_with_the_first_page_and_no_errors(
    site: Path, page: Any, artifacts: Path
) -> None:
    url = (site / "index.html").as_uri()
    open_index(page, url)
    rows = rows_of(site)
    assert shown_ids(page) == [r["id"] for r in rows[:50]]
    everything = all_rows_of(site)
    assert len(everything) > len(rows)  # the copies are folded into their training run
    assert status(page) == (
        f"Showing 50 of {len(rows):,} matching models ({len(everything):,} in all)."
        f" {len(everything) - len(rows):,} copies folded into their training runs."
    )
    assert page.page.text_content("#page-info") == f"Page 1 of {-(-len(rows) // 50)}"
    page.page.screenshot(path=str(artifacts / "leaderboard.png"))
    assert page.errors == []
    assert all(request.startswith("file://") for request in page.requests), page.requests


def test_loads_over_http_and_fetches_only_from_its_own_server(
    site: Path, page: Any, static_server: Any
) -> None:
    with static_server(site) as base:
        open_index(page, base + "index.html")
        assert len(shown_ids(page)) == 50
        page.page.click("#leaderboard tbody tr:first-child th a:first-child")
        page.page.wait_for_load_state()
        assert page.page.url.startswith(base + "models/")
    assert page.errors == []
    assert page.requests and all(r.startswith(base) for r in page.requests), page.requests


def test_the_javascript_rows_read_like_the_html_rows(site: Path, page: Any) -> None:
    page.page.goto((site / "index.html").as_uri())
    before = page.page.eval_on_selector_all(
        "#leaderboard tbody tr", "trs => trs.map(tr => tr.innerText)"
    )
    page.page.wait_for_function("document.documentElement.dataset.leaderboard === 'ready'")
    after = page.page.eval_on_selector_all(
        "#leaderboard tbody tr", "trs => trs.map(tr => tr.innerText)"
    )
    assert len(after) == 50 and after == before


def test_sorting_any_column_both_ways_with_missing_values_last(site: Path, page: Any) -> None:
    open_index(page, (site / "index.html").as_uri())
    rows = rows_of(site)
    header = page.page.locator('th[data-key="co2_g"]')
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    # CO2 ascending hides flagged figures by default
    trusted = [r for r in rows if not hides(r["flags"])]
    assert len(trusted) < len(rows)
    assert shown_ids(page) == sorted_ids(trusted, "co2_audited")[:50]
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert shown_ids(page) == sorted_ids(rows, "co2_audited", descending=True)[:50]
    # a column with many missing values: they go last in both directions
    params = page.page.locator('th[data-key="downloads"] button')
    params.click()
    assert shown_ids(page) == sorted_ids(rows, "downloads")[:50]
    assert header.get_attribute("aria-sort") == "none"
    author = page.page.locator('th[data-key="author"] button')
    author.click()
    expected = sorted(
        (r for r in rows if r["author"] is not None), key=lambda r: r["author"].lower()
    )
    assert shown_ids(page) == [r["id"] for r in expected][:50]
    assert page.errors == []


def test_sort_headers_work_from_the_keyboard(site: Path, page: Any) -> None:
    open_index(page, (site / "index.html").as_uri())
    rows = rows_of(site)
    button = page.page.locator('th[data-key="likes"] button')
    button.focus()
    page.page.keyboard.press("Enter")
    assert page.page.get_attribute('th[data-key="likes"]', "aria-sort") == "ascending"
    page.page.keyboard.press("Space")
    assert page.page.get_attribute('th[data-key="likes"]', "aria-sort") == "descending"
    assert shown_ids(page) == sorted_ids(rows, "likes", descending=True)[:50]


def test_filters_by_text_and_facets(site: Path, page: Any) -> None:
    open_index(page, (site / "index.html").as_uri())
    rows = rows_of(site)
    page.page.fill("#filter-text", "bert")
    matching = [
        r
        for r in rows
        if "bert"
        in " ".join(
            str(r[k])
            for k in ("id", "author", "task_shown", "domain", "library")
            if r[k] is not None
        ).lower()
    ]
    assert 0 < len(matching) < len(rows)
    assert f"of {len(matching):,} matching" in status(page)
    assert shown_ids(page) == [r["id"] for r in matching][:50]
    page.page.fill("#filter-text", "")
    page.page.select_option("#filter-domain", "Computer Vision")
    vision = [r for r in rows if r["domain"] == "Computer Vision"]
    assert f"of {len(vision):,} matching" in status(page)
    page.page.select_option("#filter-source", "false")
    human_vision = [r for r in vision if not r["autotrain"]]
    assert f"of {len(human_vision):,} matching" in status(page)
    page.page.select_option("#filter-domain", "")
    page.page.select_option("#filter-source", "")
    page.page.select_option("#filter-label", "A")
    page.page.select_option("#filter-grade", "Energy Awareness")
    both = [r for r in rows if r["label"] == "A" and r["grade"] == "Energy Awareness"]
    assert f"of {len(both):,} matching" in status(page)
    assert shown_ids(page) == [r["id"] for r in both][:50]
    page.page.select_option("#filter-grade", "")
    page.page.select_option("#filter-label", "")
    page.page.select_option("#filter-task", "text-classification")
    tasks = [r for r in rows if r["task_shown"] == "text-classification"]
    assert f"of {len(tasks):,} matching" in status(page)
    assert page.errors == []


def test_paging_and_page_size(site: Path, page: Any) -> None:
    open_index(page, (site / "index.html").as_uri())
    rows = rows_of(site)
    pages = -(-len(rows) // 50)
    page.page.click("#page-next")
    assert shown_ids(page) == [r["id"] for r in rows[50:100]]
    assert page.page.text_content("#page-info") == f"Page 2 of {pages}"
    assert page.page.is_enabled("#page-prev")
    page.page.click("#page-prev")
    assert shown_ids(page) == [r["id"] for r in rows[:50]]
    assert not page.page.is_enabled("#page-prev")
    page.page.select_option("#page-size", "250")
    assert shown_ids(page) == [r["id"] for r in rows[:250]]
    for _ in range(-(-len(rows) // 250) - 1):
        page.page.click("#page-next")
    assert shown_ids(page) == [r["id"] for r in rows[(-(-len(rows) // 250) - 1) * 250 :]]
    assert not page.page.is_enabled("#page-next")


def test_a_model_page_opens_from_the_leaderboard(site: Path, page: Any, artifacts: Path) -> None:
    open_index(page, (site / "index.html").as_uri())
    page.page.fill("#filter-text", "distil")
    first = page.page.locator("#leaderboard tbody tr:first-child th a:first-child")
    model_id = first.text_content()
    first.click()
    page.page.wait_for_load_state()
    assert page.page.url.startswith((site / "models").as_uri())
    assert page.page.text_content("h1") == model_id
    assert page.page.locator(".badge img").evaluate("img => img.naturalWidth") > 0
    page.page.screenshot(path=str(artifacts / "model.png"), full_page=True)
    page.page.goto((site / "report.html").as_uri())
    page.page.eval_on_selector_all("img", "imgs => imgs.forEach(i => { i.loading = 'eager'; })")
    page.page.wait_for_function("() => [...document.images].every(i => i.complete)")
    broken = page.page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == []
    assert page.errors == []
