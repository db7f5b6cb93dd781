"""The leaderboard's view lives in its URL: filters and sort are read from the query string on
load, written with history.replaceState as the user works, restored on Back from a model page
(from file:// and over HTTP), and shared with "copy link"; #status carries data-matching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from leaderboard_page import READY, matching, open_index, query, runs, shown_ids

pytestmark = pytest.mark.browser


def searched(rows: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    keys = ("id", "author", "task_shown", "domain", "library")
    return [
        r for r in rows if text in " ".join(str(r[k]) for k in keys if r[k] is not None).lower()
    ]


def test_a_shared_url_opens_its_view(site: Path, page: Any) -> None:
    rows = runs(site)
    open_index(page, (site / "index.html").as_uri() + "?q=bert&domain=NLP")
    expected = [r for r in searched(rows, "bert") if r["domain"] == "NLP"]
    assert 0 < len(expected) < len(rows)
    assert page.page.input_value("#filter-text") == "bert"
    assert page.page.input_value("#filter-domain") == "NLP"
    assert matching(page) == len(expected)
    assert shown_ids(page) == [r["id"] for r in expected][:50]
    assert page.errors == []


def test_sort_and_order_from_the_url(site: Path, page: Any) -> None:
    rows = runs(site)
    open_index(page, (site / "index.html").as_uri() + "?sort=likes&order=desc&size=25")
    assert page.page.get_attribute('th[data-key="likes"]', "aria-sort") == "descending"
    present = sorted((r for r in rows if r["likes"] is not None), key=lambda r: -r["likes"])
    assert shown_ids(page) == [r["id"] for r in present][:25]
    assert page.page.input_value("#page-size") == "25"


def test_the_url_follows_the_user(site: Path, page: Any) -> None:
    open_index(page, (site / "index.html").as_uri())
    assert query(page) == {}
    page.page.fill("#filter-text", "distil")
    assert query(page) == {"q": "distil"}
    page.page.click('th[data-key="co2_g"] button')
    assert query(page) == {"q": "distil", "sort": "co2_g", "order": "asc"}
    page.page.click('th[data-key="co2_g"] button')
    assert query(page)["order"] == "desc"
    page.page.select_option("#filter-source", "false")
    assert query(page)["source"] == "false"
    page.page.select_option("#filter-source", "")
    page.page.fill("#filter-text", "")
    assert query(page) == {"sort": "co2_g", "order": "desc"}


def test_invalid_values_in_the_url_are_ignored(site: Path, page: Any) -> None:
    rows = runs(site)
    hostile = "?task=%3Cscript%3E&sort=constructor&order=sideways&page=-4&size=7&label=Z"
    open_index(page, (site / "index.html").as_uri() + hostile)
    assert page.page.input_value("#filter-task") == ""
    assert page.page.input_value("#filter-label") == ""
    assert matching(page) == len(rows)
    assert shown_ids(page) == [r["id"] for r in rows][:50]
    assert page.page.text_content("#page-info") == f"Page 1 of {-(-len(rows) // 50)}"
    assert page.errors == []


@pytest.mark.parametrize("over", ["file", "http"])
def test_back_from_a_model_page_restores_sort_page_and_search(
    site: Path, page: Any, static_server: Any, over: str
) -> None:
    def visit(base: str) -> None:
        open_index(page, base + "index.html")
        page.page.fill("#filter-text", "bert")
        page.page.select_option("#filter-task", "text-classification")
        page.page.click('th[data-key="downloads"] button')
        page.page.click("#page-next")
        before = shown_ids(page)
        url = page.page.url
        assert query(page) == {
            "q": "bert",
            "task": "text-classification",
            "sort": "downloads",
            "order": "asc",
            "page": "2",
        }
        page.page.click("#leaderboard tbody tr:first-child th a:first-child")
        page.page.wait_for_load_state()
        assert "/models/" in page.page.url
        page.page.go_back()
        page.page.wait_for_selector(READY, state="attached")
        assert page.page.url == url
        assert page.page.input_value("#filter-text") == "bert"
        assert page.page.input_value("#filter-task") == "text-classification"
        assert page.page.get_attribute('th[data-key="downloads"]', "aria-sort") == "ascending"
        assert page.page.text_content("#page-info").startswith("Page 2 of")
        assert shown_ids(page) == before
        # a reload (no page cache) rebuilds the same view from the URL alone
        page.page.reload()
        page.page.wait_for_selector(READY, state="attached")
        assert shown_ids(page) == before

    if over == "file":
        visit(site.as_uri() + "/")
    else:
        with static_server(site) as base:
            visit(base)
    assert page.errors == []


def test_a_plain_url_after_a_filtered_one_shows_everything(site: Path, page: Any) -> None:
    rows = runs(site)
    open_index(page, (site / "index.html").as_uri() + "?task=summarization")
    assert matching(page) < len(rows)
    open_index(page, (site / "index.html").as_uri())
    assert page.page.input_value("#filter-task") == ""
    assert matching(page) == len(rows)


def test_copy_link_copies_the_view_over_http(site: Path, browser: Any, static_server: Any) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        with static_server(site) as base:
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base[:-1])
            page = context.new_page()
            page.goto(base + "index.html?q=bert")
            page.wait_for_selector(READY, state="attached")
            page.click("#copy-link")
            page.wait_for_selector("#copy-state:not(:empty)")
            assert page.text_content("#copy-state") == f"Link copied: {base}index.html?q=bert"
            assert page.evaluate("navigator.clipboard.readText()") == base + "index.html?q=bert"
    finally:
        context.close()


def test_copy_link_from_file_shows_the_link(site: Path, page: Any) -> None:
    open_index(page, (site / "index.html").as_uri() + "?label=A")
    page.page.click("#copy-link")
    page.page.wait_for_selector("#copy-state:not(:empty)")
    shown = str(page.page.text_content("#copy-state"))
    # copied when the browser grants the clipboard to a file:// page, else shown to copy
    assert shown.split(": ", 1) in (
        ["Link copied", f"{(site / 'index.html').as_uri()}?label=A"],
        ["Copy this link", f"{(site / 'index.html').as_uri()}?label=A"],
    )
