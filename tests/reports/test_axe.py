"""axe-core (tests/vendor/axe.min.js, the npm package's build) with the WCAG 2.0, 2.1 and 2.2
A and AA rules on every kind of page of the built site, in headless Debian chromium: 0
violations. axe is injected by the test, so the page's context ignores the site's
Content-Security-Policy (which would block the injected script, as it should)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reports.site import model_file

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(VIEWPORTS))
def axe_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORTS[request.param], bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def violations(page: Any, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))",
        TAGS,
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found]


def test_axe_is_the_vendored_version() -> None:
    assert AXE.read_text("utf-8").startswith("/*! axe v4.14.1")


KINDS = {
    "report": "report.html",
    "downloads": "downloads.html",
    "changes": "changes.html",
    "model-flagged": "dalle-mini/dalle-mega",
    "model-legacy": "",  # the first page of an id without an owner
    "model-autotrain": "Jacobsith/autotrain-Hello_there-1209845735",
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pages_have_no_wcag_violations(site: Path, axe_page: Any, kind: str) -> None:
    target = KINDS[kind]
    if not target:
        path = next(p for p in sorted((site / "models").glob("*.html")) if "__" not in p.name)
    else:
        path = site / target if target.endswith(".html") else model_file(site, target)
    assert path.is_file(), path
    assert violations(axe_page, path.as_uri()) == []


def test_the_index_has_no_wcag_violations(site: Path, axe_page: Any) -> None:
    axe_page.goto((site / "index.html").as_uri())
    axe_page.wait_for_function("document.documentElement.dataset.leaderboard === 'ready'")
    assert violations(axe_page, (site / "index.html").as_uri()) == []
