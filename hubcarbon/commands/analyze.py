"""`hubcarbon analyze`: RQ1 and RQ2 on the latest crawl, written as findings.json, tables and
figures."""

from __future__ import annotations

from pathlib import Path

import click

from analysis import FIGURE_MODULES
from hubcarbon.core import pool
from hubcarbon.core.paths import OUT_DIR
from mining import store

EPILOG = """\b
Examples:
  hubcarbon analyze                                  # out/hubcarbon.duckdb -> out/findings.json
  hubcarbon analyze --db build/h.duckdb --out build  # another database and output folder
  hubcarbon analyze --no-progress                    # quiet, for CI logs

\b
Writes OUT/findings.json (every statistic with its test, n, statistic, p, Holm-adjusted p,
effect size and interval), OUT/analysis/*.csv|*.parquet (the tables behind them) and
OUT/analysis/*.png|*.svg (figures). Methods: docs/analysis.md.
"""


@click.command("analyze", epilog=EPILOG)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=store.DEFAULT_DB,
    show_default=True,
    help="DuckDB database written by `hubcarbon crawl` (opened read-only).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=OUT_DIR,
    show_default=True,
    help="Output folder for findings.json and analysis/.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Force progress bars on or off  [default: on when stderr is a terminal]",
)
def command(db: Path, out: Path, progress: bool | None) -> None:
    """Run every statistic of RQ1 and RQ2 on the latest crawl run."""
    store.require_crawl_store(db)  # a wrong --db is answered before the statistics' imports
    pool.start_fork_server(FIGURE_MODULES)  # the figure workers' imports overlap ours
    from analysis.run import analyze

    summary = analyze(db, out, progress=progress, echo=click.echo if progress else None)
    for line in summary.lines():
        click.echo(line)
