"""hubcarbon: mine, analyse, grade, publish and lint carbon reporting on the Hugging Face Hub.

The Python API (README, "Python API"): `crawl`, `open_db`, `lint_text`, `lint_paths`. Each name
is imported on first use, so `import hubcarbon` stays light and the linter's functions work in
the light install (without the `all` extra).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from classifiers.lint import Finding, lint_text
    from classifiers.lint.session import lint_paths
    from hubcarbon.api import Database, open_db
    from mining.crawl.crawler import CrawlSummary
    from mining.crawl.run import crawl

_HOMES = {
    "crawl": "mining.crawl.run",
    "CrawlSummary": "mining.crawl.crawler",
    "open_db": "hubcarbon.api",
    "Database": "hubcarbon.api",
    "lint_text": "classifiers.lint",
    "lint_paths": "classifiers.lint.session",
    "Finding": "classifiers.lint",
}

__all__ = [
    "CrawlSummary",
    "Database",
    "Finding",
    "__version__",
    "crawl",
    "lint_paths",
    "lint_text",
    "open_db",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'hubcarbon' has no attribute {name!r}")
