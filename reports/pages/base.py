"""The page unit: a stable id, a docstring that documents the page, and a render function that
turns the site's inputs into files (site-relative POSIX path -> bytes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hubcarbon.core.registry import Registry

if TYPE_CHECKING:
    from reports.context import SiteContext

Files = dict[str, bytes]
Render = Callable[["SiteContext"], Files]


class Page:
    """A registered page of the site (its documentation is the render function's docstring)."""

    def __init__(self, page_id: str, render: Render) -> None:
        self.id = page_id
        self.render = render
        self.__doc__ = render.__doc__

    def __call__(self, context: SiteContext) -> Files:
        return self.render(context)

    def __repr__(self) -> str:
        return f"Page({self.id!r})"


PAGES: Registry[Page] = Registry("page", lambda p: p.id)


def page(page_id: str) -> Callable[[Render], Page]:
    """Register the decorated render function as the page `page_id`."""

    def register(render: Render) -> Page:
        return PAGES.register(Page(page_id, render))

    return register
