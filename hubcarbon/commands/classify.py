"""`hubcarbon classify`: grade the latest crawl into DuckDB."""

from __future__ import annotations

from pathlib import Path

import click

from mining import store

EPILOG = """\b
Examples:
  hubcarbon classify                            # grade the latest crawl in out/hubcarbon.duckdb
  hubcarbon classify --db out/other.duckdb --no-progress

\b
Writes reporting_grades, efficiency_labels, alternatives, lint_findings and lint_summary for
the latest run (tables in docs/schema.md). Running it again replaces that run's rows.
"""


@click.command("classify", epilog=EPILOG)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=store.DEFAULT_DB,
    show_default=True,
    help="DuckDB database holding the crawl.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Force the progress bar over cards on or off  [default: on when stderr is a terminal]",
)
def command(db: Path, progress: bool | None) -> None:
    """Grade the latest crawl: reporting levels, efficiency labels, greener alternatives, lint."""
    con = store.connect(db, require_crawl=True)
    from classifiers.stage import classify

    try:
        with store.reading(db):
            summary = classify(con, progress=progress)
    finally:
        con.close()
    for line in summary.lines():
        click.echo(line)
    click.echo(f"database: {db}")
