"""The leaderboard on a 390 px phone: no sideways scroll of the page (the table scrolls inside
its own box), CO2 on the first screen width, filters behind a button, a sticky header that
sticks while the table scrolls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from leaderboard_page import READY, matching, runs

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page
    finally:
        assert errors == []
        context.close()


def open_phone(phone: Any, site: Path, query: str = "") -> None:
    phone.goto((site / "index.html").as_uri() + query)
    phone.wait_for_selector(READY, state="attached")


def test_no_sideways_scroll_at_390_px(site: Path, phone: Any, artifacts: Path) -> None:
    open_phone(phone, site)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.click("#filters-toggle")
    phone.click('th[data-key="co2_g"] button')
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    wrap = phone.locator(".table-wrap")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # it scrolls, inside its box
    co2 = phone.locator('th[data-key="co2_g"]').bounding_box()
    assert co2 is not None and co2["x"] + co2["width"] <= PHONE["width"]
    phone.screenshot(path=str(artifacts / "leaderboard-phone.png"))


def test_filters_collapse_behind_a_button(site: Path, phone: Any) -> None:
    open_phone(phone, site)
    toggle = phone.locator("#filters-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not phone.locator("#filter-text").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    phone.fill("#filter-text", "bert")
    assert 0 < matching(Page(phone)) < len(runs(site))
    toggle.click()
    assert not phone.locator("#filter-text").is_visible()


def test_the_sticky_header_sticks(site: Path, phone: Any) -> None:
    open_phone(phone, site, "?size=100")
    wrap = phone.locator(".table-wrap")
    wrap.scroll_into_view_if_needed()
    top = wrap.evaluate("w => w.getBoundingClientRect().top")
    wrap.evaluate("w => { w.scrollTop = 1500; }")
    header = phone.locator('th[data-key="co2_g"]')
    assert wrap.evaluate("w => w.scrollTop") > 1000
    box = header.bounding_box()
    assert box is not None and abs(box["y"] - top) <= 2
    assert header.is_visible()


def test_desktop_shows_the_filters_without_the_button(site: Path, page: Any) -> None:
    page.page.goto((site / "index.html").as_uri())
    page.page.wait_for_selector(READY, state="attached")
    assert not page.page.locator("#filters-toggle").is_visible()
    assert page.page.locator("#filter-text").is_visible()
    assert page.page.evaluate("document.documentElement.scrollWidth") <= 1400


class Page:
    """The `page` fixture's shape, for the shared helpers."""

    def __init__(self, page: Any) -> None:
        self.page = page
