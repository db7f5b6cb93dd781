"""The pages of the site, one registered unit each (see `base.Page`); importing this package
registers them in build order."""

from reports.pages import assets, badges, changes, downloads, index, model, report
from reports.pages.base import PAGES, Page, page

__all__ = [
    "PAGES",
    "Page",
    "assets",
    "badges",
    "changes",
    "downloads",
    "index",
    "model",
    "page",
    "report",
]
