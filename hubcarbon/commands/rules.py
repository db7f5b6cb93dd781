"""`hubcarbon rules`: the lint rules, or the documentation of one."""

from __future__ import annotations

import json
from pathlib import Path

import click

from classifiers.lint import RULES, find_rule
from classifiers.lint.docs import pages
from classifiers.lint.files import replace_bytes
from hubcarbon.core.errors import ConfigError, InputError

EPILOG = """\b
Examples:
  hubcarbon rules                 # code, name, severity, fix kind of every rule
  hubcarbon rules HC101           # what HC101 checks, why, examples, fix safety
  hubcarbon rules co2-missing     # a rule by name
  hubcarbon rules --format json   # the catalogue as JSON
  hubcarbon rules --docs docs/rules   # write one Markdown page per rule (and an index)
"""


@click.command("rules", epilog=EPILOG)
@click.argument("rule", required=False, metavar="[CODE|NAME]")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--docs",
    "docs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the rule pages (HCnnn.md and README.md) into this directory.",
)
def command(rule: str | None, output_format: str, docs_dir: Path | None) -> None:
    """List the lint rules, or explain one."""
    if docs_dir is not None:
        _write_docs(docs_dir)
        return
    units = sorted(RULES, key=lambda r: r.code)
    if rule is not None:
        found = find_rule(rule)
        if found is None:
            raise ConfigError(f"unknown rule {rule!r}; `hubcarbon rules` lists them")
        units = [found]
    if output_format == "json":
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "severity": str(r.severity),
                "fixable": str(r.fixable) if r.fixable else None,
                "summary": r.summary,
                "documentation": r.doc,
            }
            for r in units
        ]
        click.echo(json.dumps(rows if rule is None else rows[0], indent=2))
        return
    if rule is not None:
        unit = units[0]
        fix = f", fix: {unit.fixable}" if unit.fixable else ""
        click.echo(f"{unit.code} {unit.name} (default severity: {unit.severity}{fix})\n")
        click.echo(unit.doc)
        return
    for r in units:
        fix = str(r.fixable) if r.fixable else "-"
        click.echo(f"{r.code}  {r.name:<26} {r.severity!s:<8} {fix:<7} {r.summary}")


def _write_docs(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {directory}: {exc.strerror or exc}") from None
    written = pages()
    for name, text in written.items():
        replace_bytes(directory / name, text.encode("utf-8"))
    stale = sorted(p.name for p in directory.glob("HC*.md") if p.name not in written)
    for name in stale:
        (directory / name).unlink()
    click.echo(f"hubcarbon: wrote {len(written)} pages to {directory}", err=True)
