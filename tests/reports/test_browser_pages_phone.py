"""The pages other than the index on a 390 px phone in headless Debian chromium: no sideways
scroll on model, report, downloads and changes pages, label chips readable (white text at
>= 4.5:1), and the report's figures lazy-loaded with their size reserved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reports.site import model_file

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MODELS = ("dalle-mini/dalle-mega",)  # flags, quotes, a long labelled line


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def pages(site: Path) -> list[Path]:
    found = [site / "report.html", site / "downloads.html", site / "changes.html"]
    found += [model_file(site, m) for m in MODELS if model_file(site, m).is_file()]
    legacy = next(p for p in sorted((site / "models").glob("*.html")) if "__" not in p.name)
    longest = max((site / "models").glob("*.html"), key=lambda p: len(p.name))
    widest = max((site / "models").glob("*.html"), key=lambda p: p.stat().st_size)
    return [*found, legacy, longest, widest]


def overflow(page: Any) -> dict[str, Any]:
    """How far the document is wider than the viewport, and the widest offenders."""
    result: dict[str, Any] = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1
                      && !e.closest('.table-wrap, pre'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40));
          return {scroll: document.documentElement.scrollWidth, width, wide};
        }"""
    )
    return result


def test_no_page_scrolls_sideways_at_390_px(site: Path, phone: Any, artifacts: Path) -> None:
    checked = pages(site)
    assert len(checked) >= 6
    for path in checked:
        phone.goto(path.as_uri())
        found = overflow(phone)
        assert found["width"] == PHONE["width"]
        assert found["scroll"] <= found["width"], (path.name, found)
        assert found["wide"] == [], (path.name, found)
    phone.goto(model_file(site, MODELS[0]).as_uri())
    phone.screenshot(path=str(artifacts / "model-phone.png"), full_page=True)


def test_wide_tables_scroll_inside_their_own_focusable_wrapper(site: Path, phone: Any) -> None:
    phone.goto((site / "report.html").as_uri())
    wraps = phone.eval_on_selector_all(
        ".table-wrap",
        "els => els.map(e => [e.scrollWidth > e.clientWidth, e.tabIndex, e.clientWidth])",
    )
    assert any(scrolls for scrolls, _, _ in wraps), "the report has tables wider than a phone"
    assert all(tab == 0 and width <= PHONE["width"] for _, tab, width in wraps)


def _luminance(rgb: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_known_ratios() -> None:
    assert round(contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)"), 1) == 21.0
    assert round(contrast("rgb(255, 255, 255)", "rgb(76, 154, 42)"), 2) == 3.52  # the old B


def test_every_label_chip_has_at_least_4_5_to_1_contrast(site: Path, phone: Any) -> None:
    seen: dict[str, float] = {}
    for path in sorted((site / "models").glob("*.html")):
        missing = {"A", "B", "C", "D", "E"} - set(seen)
        if not missing:
            break
        if not any(f"label label-{letter}" in path.read_text("utf-8") for letter in missing):
            continue
        phone.goto(path.as_uri())
        for letter, color, background in phone.eval_on_selector_all(
            ".label",
            "els => els.map(e => [e.textContent, getComputedStyle(e).color,"
            " getComputedStyle(e).backgroundColor])",
        ):
            seen[letter] = min(seen.get(letter, 99.0), contrast(color, background))
    assert set(seen) == {"A", "B", "C", "D", "E"}
    assert all(ratio >= 4.5 for ratio in seen.values()), seen


def test_report_figures_are_lazy_with_their_size_reserved(site: Path, phone: Any) -> None:
    phone.goto((site / "report.html").as_uri())
    images = phone.eval_on_selector_all(
        "img",
        "imgs => imgs.map(i => [i.getAttribute('src'), i.getAttribute('loading'),"
        " i.getAttribute('width'), i.getAttribute('height')])",
    )
    assert len(images) >= 10
    for src, loading, width, height in images:
        assert loading == "lazy" and width and height, src
    below = phone.evaluate(
        "() => [...document.images].filter(i => i.getBoundingClientRect().top > 3 * innerHeight)"
        ".filter(i => i.complete && i.naturalWidth > 0).length"
    )
    assert below == 0, "figures far below the first screen loaded eagerly"
    for index in range(len(images)):
        phone.locator("img").nth(index).scroll_into_view_if_needed()
    phone.wait_for_function("() => [...document.images].every(i => i.complete)")
    sizes = phone.eval_on_selector_all(
        "img", "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight, i.width, i.height])"
    )
    for (natural_w, natural_h, _, _), (_, _, width, height) in zip(sizes, images, strict=True):
        assert (natural_w, natural_h) == (int(width), int(height))
