"""Helpers of the leaderboard's browser tests: the rows the built index embeds, and reading the
page as a user sees it (shown ids, the status line, the URL's view)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from reports.leaderboard import decode

DATA = re.compile(
    r'<script type="application/json" id="leaderboard-data">(.*?)</script>', re.DOTALL
)
READY = "html[data-leaderboard='ready']"  # a selector: polling a script would need eval


def embedded(site: Path) -> dict[str, Any]:
    """The data embedded in the built index.html."""
    match = DATA.search((site / "index.html").read_text("utf-8"))
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def all_rows(site: Path) -> list[dict[str, Any]]:
    """Every row of the built leaderboard, copies included, in data (model id) order."""
    return decode(embedded(site))


def runs(site: Path) -> list[dict[str, Any]]:
    """The rows listed by default: one per training run (copies folded into their origin)."""
    return [r for r in all_rows(site) if r["copy_of"] is None]


def open_index(page: Any, url: str) -> None:
    """Open the leaderboard and wait for its script."""
    page.page.goto(url)
    page.page.wait_for_selector(READY, state="attached")


def shown_ids(page: Any) -> list[str]:
    """The model ids of the table's rows, top to bottom."""
    ids: list[str] = page.page.eval_on_selector_all(
        "#leaderboard tbody tr th a:first-child", "links => links.map(a => a.textContent)"
    )
    return ids


def matching(page: Any) -> int:
    """`#status`'s data-matching: how many rows match the view."""
    return int(page.page.get_attribute("#status", "data-matching"))


def query(page: Any) -> dict[str, str]:
    """The view in the page's URL (one value per name)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(page.page.url).query).items()}
