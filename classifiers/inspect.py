"""What hubcarbon reads from one model card: `inspect_card(text, model_id=None)`.

The answer is the emissions record the crawler would store for the card (the same fields as an
`emissions` row), every emissions statement the reader found (mining.cards.statements), and the
reporting level the default scheme gives the card, with its evidence. `hubcarbon card inspect`
prints it; contributors use it to see how their card will be read.

The reporting level is graded as in the classify stage, from the card alone: the record's
figure and context, the metadata's tags, the body, and the card's lint findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import pandas as pd
from huggingface_hub.utils import HFValidationError, validate_repo_id

from classifiers.lint import lint_text
from classifiers.reporting import DEFAULT_SCHEME, reporting_grades
from mining.cards.attribution import card_statements
from mining.cards.card import parse_card
from mining.cards.emission_record import EmissionRecord, emission_record
from mining.cards.statements import Statement

INSPECT_VERSION = 1
RECORD_FIELDS = (
    "co2_g",
    "co2_g_audited",
    "unit",
    "raw_value",
    "provenance",
    "source",
    "training_type",
    "geographical_location",
    "hardware_used",
    "hours",
    "energy_kwh",
    "cloud_provider",
    "flags",
)


@dataclass(frozen=True)
class Inspection:
    """One card read: its record (None when it states no emissions), statements, reporting."""

    model_id: str | None
    record: EmissionRecord | None
    statements: tuple[Statement, ...]
    reporting: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "emissions": record_fields(self.record) if self.record else None,
            "statements": [s.as_json() for s in self.statements],
            "reporting": self.reporting,
        }


def record_fields(record: EmissionRecord) -> dict[str, Any]:
    """The record as the `emissions` row's fields (flags as a list), plus how it was chosen."""
    row = record.as_row()
    fields = {name: row[name] for name in RECORD_FIELDS}
    fields["reasons"] = list(record.reasons)
    fields["chosen_statement"] = record.chosen
    return fields


def model_id_from_path(path: str) -> str | None:
    """`owner/name` from a file named `owner__name.md` (the corpus convention), when the name
    holds exactly one `__`; else None."""
    name = PurePath(path).name
    if name.count("__") != 1 or not name.endswith(".md"):
        return None
    model_id = name.removesuffix(".md").replace("__", "/")
    try:
        validate_repo_id(model_id)
    except HFValidationError:
        return None
    return model_id


def inspect_card(text: str | bytes, model_id: str | None = None) -> Inspection:
    """Read one card (of `model_id`, when known: it settles which table row or section is this
    model's). Never raises on the card's content."""
    card = parse_card(text)
    record = emission_record(card, model_id)
    statements = record.statements if record else card_statements(card, model_id)
    metadata = card.metadata if isinstance(card.metadata, dict) else {}
    tags = metadata.get("tags")
    inputs = {
        "model_id": model_id or "",
        "co2_g": record.co2_g if record else None,
        "hardware": record.hardware_used if record else card.prose.hardware_type,
        "location": record.geographical_location if record else card.prose.compute_region,
        "training_type": record.training_type if record else None,
        "hours": record.hours if record else None,
        "source": record.source if record else None,
        "tags": [str(t) for t in tags] if isinstance(tags, list) else [],
        "card_text": card.body,
        "lint_codes": sorted({finding.code for finding in lint_text(card.text)}),
    }
    graded = reporting_grades(pd.DataFrame([inputs]), DEFAULT_SCHEME).iloc[0]
    reporting = {
        "scheme": str(graded["scheme"]),
        "level": int(graded["level"]),
        "level_name": str(graded["level_name"]),
        "evidence": list(graded["evidence"]),
        "measured": bool(graded["measured"]),
    }
    return Inspection(model_id, record, tuple(statements), reporting)


def inspect_json(cards: list[tuple[str, Inspection]]) -> dict[str, Any]:
    """The `--format json` document: `{"version": 1, "cards": [...]}`."""
    return {
        "version": INSPECT_VERSION,
        "cards": [{"path": path, **inspection.as_json()} for path, inspection in cards],
    }


def inspect_text(path: str, inspection: Inspection) -> str:
    """The `--format text` report of one card."""
    lines = [f"{_printable(path)} (model {inspection.model_id or 'unknown'})"]
    record = inspection.record
    if record is None:
        lines.append("  emissions: none stated")
    else:
        lines.append("  emissions:")
        for name, value in record_fields(record).items():
            if name not in ("reasons", "chosen_statement"):
                shown = ", ".join(value) if isinstance(value, list) else value
                lines.append(f"    {name}: {'' if shown is None else _printable(str(shown))}")
        lines.extend(f"    why: {_printable(reason)}" for reason in record.reasons)
    lines.append(f"  statements: {len(inspection.statements)}")
    for index, statement in enumerate(inspection.statements):
        chosen = "*" if record is not None and index == record.chosen else " "
        subject = f" [{_printable(statement.subject)}]" if statement.subject else ""
        flags = "".join(
            [" range" if statement.high is not None else "",
             " approximate" if statement.approximate else "",
             "" if statement.unit_written else " unit-from-label"]
        )  # fmt: skip
        lines.append(
            f"  {chosen} line {statement.line}: {statement.kind} {statement.text!r} = "
            f"{statement.amount:g} ({statement.where} {statement.key!r}{subject}) "
            f"{statement.scope}{flags}"
            + (f": {_printable(statement.reason)}" if statement.reason else "")
        )
    reporting = inspection.reporting
    lines.append(
        f"  reporting: level {reporting['level']} {reporting['level_name']} ({reporting['scheme']})"
    )
    lines.extend(f"    evidence: {_printable(str(e))}" for e in reporting["evidence"])
    return "\n".join(lines)


def _printable(text: str) -> str:
    """Card text for a terminal: control characters escaped, never interpreted."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
