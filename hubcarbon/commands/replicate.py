"""`hubcarbon replicate`: the paper's statistics recomputed from its own data files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hubcarbon.core.atomic import write_atomic
from hubcarbon.core.errors import InputError
from hubcarbon.core.paths import OUT_DIR

if TYPE_CHECKING:
    from analysis.replication import ComparisonRow

EPILOG = """\b
Examples:
  hubcarbon replicate                         # table on stdout, out/replication.json
  hubcarbon replicate --out build/rep.json    # write the JSON elsewhere
  hubcarbon replicate --format json           # the JSON document on stdout

Exit status 1 when a published value is not reproduced exactly.
"""


def render_table(rows: list[ComparisonRow]) -> str:
    """Plain aligned text, one row per quantity."""
    cells = [("quantity", "published", "ours", "match")]
    cells += [(row.quantity, row.published, row.ours, row.match) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


@click.command("replicate", epilog=EPILOG)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=OUT_DIR / "replication.json",
    show_default=True,
    help="Where to write the JSON document.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="What to print on stdout.",
)
def command(out_path: Path, output_format: str) -> None:
    """Replicate Castaño et al. (ESEM 2023) exactly from the paper's own data files.

    Runs every procedure of the paper as its notebooks did (same subsets, log constant, scipy
    defaults, Holm family, monthly windows, OLS split), writes the results as JSON and prints
    the published values next to ours.
    """
    from analysis.replication import comparison, dumps, mismatches
    from classifiers import replication_document

    results = replication_document()
    text = dumps(results)
    try:
        write_atomic(out_path, text)
    except OSError as exc:
        raise InputError(f"cannot write {out_path}: {exc.strerror or exc}") from exc
    if output_format == "json":
        click.echo(text, nl=False)
    else:
        click.echo(render_table(comparison(results)))
        click.echo(f"\nwrote {out_path}")
    if mismatches(results):
        raise click.exceptions.Exit(1)
