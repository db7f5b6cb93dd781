"""`hubcarbon diff`: what changed between two crawl runs (the data: mining.store.history)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from mining import store
from mining.store.history import RunDiff, RunRef, diff_runs

EPILOG = """\b
Examples:
  hubcarbon diff                          # newest finished run against the one before it
  hubcarbon diff --format json > changes.json
  hubcarbon diff --from 3 --to 7          # any two finished runs

\b
By default the newest finished run is compared with the finished run before it on the same
source (the same snapshot file, or the same endpoint URL: the live Hub, or a mirror serving one
snapshot after another) and the same scope (--models, --cards, --limit, --author). A model
reports when its card states emissions; figures are grams as stated (co2_g), with the audited
figure alongside when the database has it.

\b
Exit codes:
  0    the diff was printed (empty when nothing changed)
  2    fewer than two finished runs to compare, an unknown or unfinished run, no database
"""

DASH = "—"
COUNT_LABELS = {
    "models_added": "added",
    "models_removed": "removed",
    "started_reporting": "started reporting",
    "stopped_reporting": "stopped reporting",
    "co2_changed": "CO2 changed",
    "fields_changed": "fields changed",
}


@click.command("diff", epilog=EPILOG)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=store.DEFAULT_DB,
    show_default=True,
    help="DuckDB database written by `hubcarbon crawl`.",
)
@click.option(
    "--from",
    "from_run",
    type=click.IntRange(min=1),
    metavar="RUN",
    help="The earlier run [default: the finished run before --to on its source].",
)
@click.option(
    "--to",
    "to_run",
    type=click.IntRange(min=1),
    metavar="RUN",
    help="The later run [default: the newest finished run].",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A short table per kind of change, or the JSON document (version 1).",
)
def command(db: Path, from_run: int | None, to_run: int | None, output: str) -> None:
    """Compare two crawl runs: models added and removed, models that started or stopped
    reporting emissions, corrected figures and changed fields."""
    con = store.connect(db, read_only=True)
    try:
        diff = diff_runs(con, from_run, to_run)
    finally:
        con.close()
    if output == "json":
        click.echo(json.dumps(diff.as_json(), indent=2, ensure_ascii=False, allow_nan=False))
        return
    for line in text_lines(diff):
        click.echo(line)


def text_lines(diff: RunDiff) -> Iterator[str]:
    """The text report: the runs, the counts, then a table per kind that has rows."""
    yield f"run {diff.from_run.run_id} -> run {diff.to_run.run_id}"
    yield f"  from: {_run(diff.from_run)}"
    yield f"  to:   {_run(diff.to_run)}"
    yield (
        f"models {diff.models_from:,} -> {diff.models_to:,}; "
        f"reporting {diff.reporting_from:,} -> {diff.reporting_to:,}"
    )
    counts = diff.counts()
    yield ", ".join(f"{COUNT_LABELS[name]} {n:,}" for name, n in counts.items())
    if diff.empty:
        yield "nothing changed"
        return
    added = {f.model_id: f for f in diff.added_reporting}
    removed = {f.model_id: f for f in diff.removed_reporting}
    figure_header = ("model", "co2_g", "co2_g_audited")
    tables: list[tuple[str, Sequence[str], list[Sequence[str]]]] = [
        (
            "models added",
            figure_header,
            [_figure_cells(m, added.get(m)) for m in diff.models_added],
        ),
        (
            "models removed",
            figure_header,
            [_figure_cells(m, removed.get(m)) for m in diff.models_removed],
        ),
        (
            "started reporting",
            figure_header,
            [_figure_cells(f.model_id, f) for f in diff.started_reporting],
        ),
        (
            "stopped reporting",
            figure_header,
            [_figure_cells(f.model_id, f) for f in diff.stopped_reporting],
        ),
        (
            "CO2 changed",
            ("model", "from_g", "to_g", "from_audited_g", "to_audited_g"),
            [
                (
                    c.model_id,
                    _grams(c.from_g),
                    _grams(c.to_g),
                    _grams(c.from_audited_g),
                    _grams(c.to_audited_g),
                )
                for c in diff.co2_changed
            ],
        ),
        (
            "fields changed",
            ("model", "field", "from", "to"),
            [(f.model_id, f.field, _cell(f.before), _cell(f.after)) for f in diff.fields_changed],
        ),
    ]
    for title, header, rows in tables:
        if rows:
            yield ""
            yield f"{title} ({len(rows):,})"
            yield from _table(header, rows)


def _run(ref: RunRef) -> str:
    when = ref.finished_at.isoformat(sep=" ", timespec="seconds") if ref.finished_at else DASH
    return f"run {ref.run_id}, finished {when}, {_printable(ref.crawl_source)}"


def _figure_cells(model_id: str, figure: object) -> Sequence[str]:
    co2 = getattr(figure, "co2_g", None)
    audited = getattr(figure, "co2_g_audited", None)
    return (model_id, _grams(co2) if figure else DASH, _grams(audited) if figure else DASH)


def _grams(value: float | None) -> str:
    return DASH if value is None else f"{value:,.10g}"


def _cell(value: object) -> str:
    if value is None or value == "":
        return DASH
    return _grams(value) if isinstance(value, float) else str(value)


def _table(header: Sequence[str], rows: list[Sequence[str]]) -> Iterator[str]:
    cells = [[_printable(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    for row in [list(header), *cells]:
        yield "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()


def _printable(value: str) -> str:
    """A value as a terminal may show it: escaped when it holds control characters."""
    return value if value.isprintable() else ascii(value)
