"""`hubcarbon report`: the static site (leaderboard, model pages, report, downloads)."""

from __future__ import annotations

from pathlib import Path

import click

from hubcarbon.core.paths import OUT_DIR
from mining import store

EPILOG = """\b
Examples:
  hubcarbon report                                  # out/hubcarbon.duckdb -> out/site/
  hubcarbon report --db build/ci.duckdb --out build/site
  hubcarbon report --findings out/findings.json --replication out/replication.json
  python -m http.server -d out/site                 # or open out/site/index.html directly

\b
Inputs that do not exist yet (findings.json, replication.json, the classify tables) are shown
on the pages as "not computed: run ..." and listed at the end; the site is built anyway.
An --out directory is replaced only when a previous `hubcarbon report` built it.
"""


@click.command("report", epilog=EPILOG)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=store.DEFAULT_DB,
    show_default=True,
    help="DuckDB database to read (read-only).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=OUT_DIR / "site",
    show_default=True,
    help="Directory to build the site into.",
)
@click.option(
    "--findings",
    type=click.Path(dir_okay=False, path_type=Path),
    default=OUT_DIR / "findings.json",
    show_default=True,
    help="findings.json of `hubcarbon analyze` (figures and tables next to it).",
)
@click.option(
    "--replication",
    type=click.Path(dir_okay=False, path_type=Path),
    default=OUT_DIR / "replication.json",
    show_default=True,
    help="replication.json of `hubcarbon replicate`.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Force progress bars on or off  [default: on when stderr is a terminal]",
)
@click.option("--quiet", is_flag=True, help="Print nothing but errors (implies --no-progress).")
def command(
    db: Path, out: Path, findings: Path, replication: Path, progress: bool | None, quiet: bool
) -> None:
    """Build the static site: leaderboard, a page and badge per CO2 reporter, the study report
    and the downloads. It needs no server: open index.html or publish the directory."""
    store.require_crawl_store(db)  # a wrong --db is answered before the site's imports
    from reports.site import build_site

    summary = build_site(db, out, findings, replication, progress=False if quiet else progress)
    if quiet:
        return
    if summary.empty_run:
        click.echo(f"no models in run {summary.run_id}: the site says so on every page")
    click.echo(
        f"wrote {summary.files:,} files ({summary.bytes:,} bytes) to {summary.out}: "
        f"{summary.models:,} models from crawl run {summary.run_id}"
    )
    for notice in summary.notices:
        click.echo(f"  missing: {notice}")
    for problem in summary.problems:
        click.echo(f"  problem: {problem}")
    click.echo(f"open {summary.out / 'index.html'}")
