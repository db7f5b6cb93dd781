"""`hubcarbon card`: write model-card metadata (`card from-codecarbon`)."""

from __future__ import annotations

from pathlib import Path

import click

from classifiers.lint.codecarbon import (
    TRAINING_TYPES,
    Co2Block,
    changes,
    co2_block,
    read_emissions_csv,
    select_runs,
    stated,
    write_block,
)
from classifiers.lint.files import replace_bytes
from classifiers.lint.numbers import yaml_number
from hubcarbon.core.errors import ConfigError, HubcarbonError, InputError

EPILOG = """\b
Examples:
  hubcarbon card from-codecarbon emissions.csv                 # print the YAML block
  hubcarbon card from-codecarbon emissions.csv --card README.md          # print the card
  hubcarbon card from-codecarbon emissions.csv --card README.md --write  # set it
  hubcarbon card from-codecarbon emissions.csv --card README.md --write --replace
  hubcarbon card from-codecarbon emissions.csv --location "Oregon, USA" --hardware "8 x A100"
  hubcarbon card from-codecarbon emissions.csv --last --training-type fine-tuning
  hubcarbon card from-codecarbon sweep.csv --project bigscience/bloomz-560m
"""


class RefusedError(HubcarbonError):
    """The card states a figure already and --replace was not given."""

    exit_code = 1


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
@click.option(
    "--replace",
    is_flag=True,
    help="With --write, replace a figure the card states already (its other keys are kept).",
)
@click.option("--run-id", "run_ids", multiple=True, metavar="ID", help="Only this run (repeat).")
@click.option("--project", metavar="NAME", help="Only rows of this project_name.")
@click.option("--last", is_flag=True, help="Only the last run of the file.")
@click.option("--training-type", type=click.Choice(TRAINING_TYPES), help="State the training type.")
@click.option(
    "--location", metavar="TEXT", help="State geographical_location (e.g. 'Oregon, USA')."
)
@click.option("--hardware", metavar="TEXT", help="State hardware_used (e.g. '8 x A100').")
def from_codecarbon(
    emissions_csv: Path,
    card_path: Path | None,
    write: bool,
    replace: bool,
    run_ids: tuple[str, ...],
    project: str | None,
    last: bool,
    training_type: str | None,
    location: str | None,
    hardware: str | None,
) -> None:
    """Turn CodeCarbon's emissions.csv (kg) into the card's co2_eq_emissions block (grams).

    CodeCarbon writes running totals, so each run counts with its last row; the runs are added
    up unless --run-id, --project or --last selects some. --location and --hardware state what
    CodeCarbon could not. The rest of the card is kept byte for byte; --write refuses (exit 1)
    to overwrite a figure the card states unless --replace is given."""
    if write and card_path is None:
        raise ConfigError("--write needs --card README.md")
    if replace and not write:
        raise ConfigError("--replace goes with --write")
    data = read_emissions_csv(emissions_csv)
    rows = select_runs(data, run_ids=run_ids, project=project, last=last)
    block = co2_block(
        rows,
        training_type,
        location=_text(location, "--location"),
        hardware=_text(hardware, "--hardware"),
    )
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
    already = stated(card)
    if already is not None and not replace:
        raise RefusedError(
            f"{card_path} states co2_eq_emissions already ({_figure(*already)}); the CSV gives "
            f"{yaml_number(block.grams)} g. Nothing written: add --replace to replace it "
            "(the entry's other keys are kept)"
        )
    replace_bytes(card_path, updated.encode("utf-8"))
    _report_changes(card_path, card, block)


def _text(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    one_line = " ".join(value.split())
    if not one_line or len(one_line) > 200:
        raise ConfigError(f"{option} should be one line of 1 to 200 characters")
    return one_line


def _figure(raw: str, grams: float | None) -> str:
    return f"{yaml_number(grams)} g" if grams is not None else f"{raw!r}, not a number of grams"


def _report_changes(card_path: Path, before: str, block: Co2Block) -> None:
    changed = changes(before, block)
    if not changed:
        click.echo(f"hubcarbon: {card_path}: co2_eq_emissions unchanged", err=True)
        return
    click.echo(f"hubcarbon: updated {card_path}:", err=True)
    for change in changed:
        old = change.before if change.before is not None else "(absent)"
        click.echo(f"  co2_eq_emissions.{change.key}: {old} -> {change.after}", err=True)
