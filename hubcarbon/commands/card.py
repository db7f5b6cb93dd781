"""`hubcarbon card`: write model-card metadata (`card from-codecarbon`)."""

from __future__ import annotations

from pathlib import Path

import click

from classifiers.lint.codecarbon import (
    TRAINING_TYPES,
    co2_block,
    read_emissions_csv,
    select_runs,
    write_block,
)
from hubcarbon.core.errors import ConfigError, InputError

EPILOG = """\b
Examples:
  hubcarbon card from-codecarbon emissions.csv                 # print the YAML block
  hubcarbon card from-codecarbon emissions.csv --card README.md          # print the card
  hubcarbon card from-codecarbon emissions.csv --card README.md --write  # update it
  hubcarbon card from-codecarbon emissions.csv --last --training-type fine-tuning
  hubcarbon card from-codecarbon sweep.csv --project bigscience/bloomz-560m
"""


@click.group("card", epilog=EPILOG)
def command() -> None:
    """Write model-card metadata."""


@command.command("from-codecarbon", epilog=EPILOG)
@click.argument("emissions_csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--card",
    "card_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="README.md whose co2_eq_emissions to set (printed unless --write).",
)
@click.option("--write", is_flag=True, help="Write the updated card back to --card.")
@click.option("--run-id", "run_ids", multiple=True, metavar="ID", help="Only this run (repeat).")
@click.option("--project", metavar="NAME", help="Only rows of this project_name.")
@click.option("--last", is_flag=True, help="Only the last run of the file.")
@click.option("--training-type", type=click.Choice(TRAINING_TYPES), help="State the training type.")
def from_codecarbon(
    emissions_csv: Path,
    card_path: Path | None,
    write: bool,
    run_ids: tuple[str, ...],
    project: str | None,
    last: bool,
    training_type: str | None,
) -> None:
    """Turn CodeCarbon's emissions.csv (kg) into the card's co2_eq_emissions block (grams).

    All rows are summed unless --run-id, --project or --last selects some; the rest of the
    card is kept byte for byte."""
    if write and card_path is None:
        raise ConfigError("--write needs --card README.md")
    data = read_emissions_csv(emissions_csv)
    block = co2_block(select_runs(data, run_ids=run_ids, project=project, last=last), training_type)
    skipped = f", {block.skipped} without a value skipped" if block.skipped else ""
    click.echo(
        f"hubcarbon: {emissions_csv}: {data.layout} layout, {block.rows} row(s) of "
        f"{block.runs} run(s){skipped}: {block.grams:.6g} g CO2eq",
        err=True,
    )
    if card_path is None:
        click.echo(block.yaml(), nl=False)
        return
    try:
        raw = card_path.read_bytes()
        card = raw.decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {card_path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{card_path}: not UTF-8 text; it cannot be rewritten safely") from None
    updated = write_block(card, block)
    if not write:
        click.echo(updated, nl=False)
        return
    try:
        card_path.write_bytes(updated.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write {card_path}: {exc.strerror or exc}") from None
    click.echo(f"hubcarbon: updated {card_path}", err=True)
