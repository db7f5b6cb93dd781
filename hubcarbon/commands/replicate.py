"""`hubcarbon replicate`: the paper's statistics recomputed from its own data files."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import click
import pandas as pd

from analysis import paperdata
from analysis.replication import (
    ComparisonRow,
    comparison,
    dumps,
    mismatches,
    run_replication,
)
from hubcarbon.core.atomic import write_atomic
from hubcarbon.core.errors import InputError
from hubcarbon.core.paths import OUT_DIR

CLASSIFIER_SECTIONS = ("reporting_levels", "efficiency_labels_paper")

EPILOG = """\b
Examples:
  hubcarbon replicate                         # table on stdout, out/replication.json
  hubcarbon replicate --out build/rep.json    # write the JSON elsewhere
  hubcarbon replicate --format json           # the JSON document on stdout

Exit status 1 when a published value is not reproduced exactly.
"""


def classifier_sections() -> dict[str, Any]:
    """HOOK for the classifiers layer: the `reporting_levels` and `efficiency_labels_paper`
    sections, computed by the `paper2023` schemes on the paper's files.

    Preferred source: `classifiers.replication_sections() -> dict[str, dict]`, keyed by the
    section names in CLASSIFIER_SECTIONS. Until it exists, each section is computed through the
    public entry points of `classifiers.efficiency` and `classifiers.reporting` when present."""
    classifiers = importlib.import_module("classifiers")
    provider = getattr(classifiers, "replication_sections", None)
    if provider is not None:
        return dict(provider())
    sections: dict[str, Any] = {}
    efficiency = _optional_module("classifiers.efficiency")
    if efficiency is not None:
        inputs = efficiency.paper_inputs(paperdata.hfco2())
        letters = efficiency.efficiency_labels(inputs, "paper2023")["letter"].value_counts()
        sections["efficiency_labels_paper"] = {
            letter: int(letters.get(letter, 0)) for letter in "ABCDE"
        }
    reporting = _optional_module("classifiers.reporting")
    if reporting is not None:
        streamlit = paperdata.hfstreamlit()
        grades = reporting.reporting_grades(reporting.paper_inputs(streamlit), "paper2023")
        names = grades["level_name"].value_counts()
        by_auto = pd.crosstab(streamlit["auto"].to_numpy(), grades["level_name"].to_numpy())
        sections["reporting_levels"] = {
            **{name: int(names.get(name, 0)) for name in reporting.LEVEL_NAMES.values()},
            "by_auto": {
                str(auto): {str(name): int(count) for name, count in row.items()}
                for auto, row in by_auto.iterrows()
            },
            "scope": "the 1,417 reporters of HFStreamlit; levels 1-2 need the full crawl",
        }
    return sections


def _optional_module(name: str) -> Any:
    """The module `name`, or None when that part of the classifiers layer is not installed."""
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


def replication_document() -> dict[str, Any]:
    """The analysis sections plus the classifier sections; absent ones listed as pending."""
    results = run_replication()
    results.update(classifier_sections())
    results["sections_pending"] = [name for name in CLASSIFIER_SECTIONS if name not in results]
    return results


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
