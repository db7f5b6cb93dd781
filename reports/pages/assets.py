"""The site's static files and the analysis figures and tables the report shows."""

from __future__ import annotations

from importlib import resources

from reports.context import SiteContext
from reports.inputs import Missing
from reports.pages.base import Files, page

STATIC = ("favicon.svg", "index.css", "leaderboard.js", "style.css")


@page("assets")
def assets(context: SiteContext) -> Files:
    """Static assets: `static/leaderboard.js`, `static/style.css` (every page),
    `static/index.css` (the leaderboard's own), `static/favicon.svg` and
    `favicon.ico` (shipped in the package, no CDN), `.nojekyll` for GitHub Pages, and under
    `analysis/` the figures (PNG and SVG) and tables (CSV, Parquet) that findings.json names,
    copied byte for byte from the analysis output."""
    files: Files = {}
    static = resources.files("reports").joinpath("static")
    for name in STATIC:
        files[f"static/{name}"] = static.joinpath(name).read_bytes()
    # where browsers look when a document names no icon (e.g. a badge SVG opened directly)
    files["favicon.ico"] = static.joinpath("favicon.ico").read_bytes()
    # GitHub Pages would otherwise hide files whose names start with `_` (some model slugs do)
    files[".nojekyll"] = b""
    if not isinstance(context.findings, Missing):
        for name, source in sorted(context.findings.assets.items()):
            files[name] = source.read_bytes()
    return files
