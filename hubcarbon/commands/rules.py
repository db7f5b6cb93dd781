"""`hubcarbon rules`: the lint rules, or the documentation of one."""

from __future__ import annotations

import json

import click

from classifiers.lint import RULES, find_rule
from hubcarbon.core.errors import ConfigError

EPILOG = """\b
Examples:
  hubcarbon rules                 # code, name, severity, fix kind of every rule
  hubcarbon rules HC101           # what HC101 checks, why, examples, fix safety
  hubcarbon rules co2-missing     # a rule by name
  hubcarbon rules --format json   # the catalogue as JSON
"""


@click.command("rules", epilog=EPILOG)
@click.argument("rule", required=False, metavar="[CODE|NAME]")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def command(rule: str | None, output_format: str) -> None:
    """List the lint rules, or explain one."""
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
