"""Emissions-related statements: every figure a card writes about a training run, and where.

A `Statement` is one quantity (mining.cards.measures: co2, energy, hours, intensity, power)
with the place it was read (`where`: the metadata key, a table cell, a labelled line, a
sentence), its line, and its scope: `training` (the run that made this model), `inference`
(evaluation, a query, a request, an image), `family-total` (the sum over a family of models, a
table's Total row), `other-model` (a row or a section naming another model). Reading a line or a
table gives the statements and the scope the text itself shows; mining.cards.attribution then
decides, with the model id, which rows and sections are this model's.

What is read in the body's prose lines (outside code and HTML blocks):

- labelled lines: the template's `Carbon Emitted:` and `Hours used:`, AutoTrain's `CO2 Emissions
  (in grams):`, and lines that start with another emissions label, with or without a colon or a
  note (`Carbon emission 0.1069 Kg`, `Time: 44.0 hours`, `Training time: 30 minutes`, `Energy
  consumed: 10 kWh`, `Carbon efficiency: 0.0016 kg CO2e/kWh`); a bare number takes the unit
  named in the label's note (`(in grams)`, `(tCO2eq)`), else grams for a CO2 label and hours
  for `Hours used`. In a calculation (`10 epochs x 18 hours x 8 devices = 1440 hours`) the
  result after the last `=` is the value;
- sentences: an amount of CO2-eq with its unit written on a line that talks about emissions
  (`Training emitted approximately 12 kg of CO2eq`, `Estimated total emissions were 2290
  tCO2eq`), an energy amount (`135 MWh`), GPU or TPU hours, an intensity (`543 gCO2eq/kWh`);
- tables (mining.cards.tables) whose header names CO2, emissions or energy: one statement per
  cell of those columns (and of their time and power columns), the unit taken from the header
  (`Carbon Emissions (tCO2eq)`) unless the cell writes one; the row's first cell is its subject.

Ranges (`10-20 kg`) keep both bounds, approximations (`~5 kg`, "approximately") are marked;
an intensity or a per-query figure is never a training figure.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from mining.cards.measures import Kind, Measure, find_measures, unit_of_label
from mining.cards.tables import Table


class Where(StrEnum):
    """Where a statement was read."""

    METADATA = "metadata"
    TABLE = "table"
    LABEL = "label"
    SENTENCE = "sentence"


class Scope(StrEnum):
    """What run a statement is about."""

    TRAINING = "training"
    INFERENCE = "inference"
    FAMILY_TOTAL = "family-total"
    OTHER_MODEL = "other-model"


@dataclass(frozen=True)
class Statement:
    """One figure a card states. `value` is in `unit` as written (canonical spelling), `amount`
    in the kind's base unit (grams, kWh, hours, W, g/kWh), `high` the upper bound of a range in
    the base unit. `key` is the metadata key, the label, or the column header; `subject` the
    table row's name or the section heading it sits under; `attributed` is True when the card
    names this model for it (its table row, its section's heading); `reason` says why the scope
    is what it is."""

    kind: Kind
    value: float
    unit: str
    amount: float
    high: float | None
    approximate: bool
    unit_written: bool
    text: str
    where: Where
    key: str
    line: int
    scope: Scope = Scope.TRAINING
    subject: str | None = None
    section: str | None = None
    attributed: bool = False
    reason: str = ""
    says_total: bool = False

    @property
    def is_training_co2(self) -> bool:
        return self.kind is Kind.CO2 and self.scope is Scope.TRAINING

    def as_json(self) -> dict[str, Any]:
        row = asdict(self)
        row["kind"], row["where"], row["scope"] = str(self.kind), str(self.where), str(self.scope)
        row.pop("says_total")
        return row


def from_measure(measure: Measure, where: Where, key: str, line: int, **extra: Any) -> Statement:
    return Statement(
        kind=measure.kind,
        value=measure.number,
        unit=measure.unit,
        amount=measure.amount,
        high=measure.high_amount,
        approximate=measure.approximate,
        unit_written=measure.unit_written,
        text=measure.text,
        where=where,
        key=key,
        line=line,
        **extra,
    )


# Labels outside the template's (mining.cards.prose reads those); checked at a line's start.
_LABEL = re.compile(
    r"\s*+(?:>\s*+)*+(?:(?:[-*+]|\d++[.)])\s++)?[*_]{0,3}\s*+(?P<label>"
    r"carbon\s++emi(?:ssions?|tted)|co2(?:eq|e)?\s++emi(?:ssions?|tted)|carbon\s++footprint"
    r"|(?:total\s++|estimated\s++)?emissions|energy(?:\s++(?:consumption|consumed|used|usage))?"
    r"|electricity\s++(?:consumption|consumed|used|usage)|power\s++consumption"
    r"|(?:carbon|grid)\s++(?:efficiency|intensity)|hours\s++used|gpu\s++hours"
    r"|(?:total\s++)?(?:training\s++|compute\s++)?(?:time|duration)|co2\s++emissions)(?!\w)",
    re.IGNORECASE,
)
_AFTER_LABEL = re.compile(r"[*_\s]*+(?P<note>[*_]?\([^()]*+\)[*_]?)?[*_\s]*+:?[*_\s]*+")
_VALUE_START = re.compile(
    r"(?:~|≈|<|>|\d|\.\d|(?:approx\.?|approximately|about|around|roughly|circa|ca\.|est\.)\s)",
    re.IGNORECASE,
)
_CO2_WORDS = re.compile(r"co2|carbon|emission|emitted|emit|footprint|ghg|greenhouse", re.I)
_ENERGY_WORDS = re.compile(r"energy|electricity|consum|power|kwh|mwh|gwh", re.I)
_TRAIN_WORDS = re.compile(r"\btrain|gpu|tpu|pre-?train|fine-?tun", re.I)
_INFERENCE = re.compile(
    r"\binferenc|\bper\s++(?:query|queries|request|image|prediction|token|sample|call"
    r"|generation|inference|1,?000)|\bevaluat|\bdeploy",
    re.IGNORECASE,
)
_TOTAL = re.compile(r"\btotal\b|\bcumulative|\bcombined|\ball\s++(?:the\s++)?models", re.I)
_TOTAL_ROW = re.compile(r"(?:grand\s++)?(?:total|sum|all(?:\s++models)?|overall)\W*+", re.I)
_CO2_HEADER = re.compile(r"carbon|co2|emission|emitted|footprint|ghg", re.I)
_ENERGY_HEADER = re.compile(r"energy|electricity|power\s++consumption|kwh|mwh", re.I)
_INTENSITY_HEADER = re.compile(r"intensity|efficiency|/\s*+k?wh|per\s++k?wh", re.I)
_HOURS_HEADER = re.compile(r"time|hours|duration", re.I)
_POWER_HEADER = re.compile(r"power|tdp|\(w\)|\(kw\)", re.I)
_DIGIT = re.compile(r"\d")
_KEYWORDS = re.compile(
    r"co2|carbon|emission|emitted|footprint|kwh|mwh|gwh|energy|electricity|power|hour|time"
    r"|intensity|efficiency|duration",
    re.IGNORECASE,
)
_LABEL_KIND_WORDS = (
    (re.compile(r"efficiency|intensity", re.I), Kind.INTENSITY),
    (re.compile(r"carbon|co2|emission", re.I), Kind.CO2),
    (re.compile(r"energy|electricity", re.I), Kind.ENERGY),
    (re.compile(r"power", re.I), Kind.POWER),
    (re.compile(r"time|duration|hours", re.I), Kind.HOURS),
)
SENTENCE_KEY_CHARS = 60


def may_state(line: str) -> bool:
    """A cheap test: can this prose line hold a statement (a digit and a keyword)?"""
    return _DIGIT.search(line) is not None and _KEYWORDS.search(line) is not None


def label_kind(label: str) -> Kind:
    return next(kind for pattern, kind in _LABEL_KIND_WORDS if pattern.search(label))


def label_statement(
    label: str, value: str, line: int, *, default_unit: str | None = None
) -> Statement | None:
    """The statement of a labelled value (`Carbon Emitted (in grams)`, `5 kg`): the label's kind
    (an energy amount under a CO2 label is energy, never grams), the note's unit else
    `default_unit` for a bare number; in a calculation, the result after the last `=`."""
    wanted = label_kind(label)
    named = unit_of_label(label[label.find("(") :]) if "(" in label else None
    default = named[1] if named and named[0] in (wanted, Kind.INTENSITY) else default_unit
    measure = _value_measure(value, wanted, default)
    if measure is None:
        return None
    scope, reason = _intrinsic_scope(label + " " + value, measure)
    return from_measure(measure, Where.LABEL, _plain_label(label), line, scope=scope, reason=reason)


def _value_measure(value: str, wanted: Kind, default: str | None) -> Measure | None:
    result = value[value.rfind("=") + 1 :] if "=" in value else ""
    for text in (result, value):
        if not text.strip():
            continue
        found = find_measures(text, default)
        chosen = _first_of(found, wanted) or (
            _first_of(found, Kind.ENERGY) if wanted is Kind.CO2 else None
        )
        bare = chosen is not None and not chosen.unit_written and text is value
        if bare and not _VALUE_START.match(value.strip()):
            return None  # a bare number only when the value starts with it
        if chosen is not None:
            return chosen
    return None


def _first_of(measures: list[Measure], kind: Kind) -> Measure | None:
    return next((m for m in measures if m.kind is kind), None)


def extra_label(line: str) -> tuple[str, str] | None:
    """(label, value) of a line starting with an emissions label the template has not
    (`Carbon emission 0.1069 Kg`, `Time: 44.0 hours`), when a value follows it."""
    match = _LABEL.match(line)
    if match is None:
        return None
    after = _AFTER_LABEL.match(line, match.end())
    assert after is not None  # every part of it is optional
    value = line[after.end() :]
    if not _VALUE_START.match(value):
        return None
    label = match.group("label") + (f" {after.group('note').strip('*_')}" if after["note"] else "")
    return label, value


def line_statements(line: str, number: int) -> list[Statement]:
    """The statements of a prose line that is not a labelled line or a table row."""
    extra = extra_label(line)
    if extra is not None:
        label, value = extra
        wanted = label_kind(label)
        default = "h" if "hours" in label.lower() else None
        found = label_statement(label, value, number, default_unit=default)
        if found is not None and (found.unit_written or (wanted is Kind.HOURS and default)):
            return [found]
        return []
    return sentence_statements(line, number)


def sentence_statements(line: str, number: int) -> list[Statement]:
    """Amounts with a unit written, in a line whose words say what they measure."""
    statements = []
    talks_co2 = _CO2_WORDS.search(line) is not None
    talks_energy = talks_co2 or _ENERGY_WORDS.search(line) is not None
    talks_training = _TRAIN_WORDS.search(line) is not None
    for measure in find_measures(line):
        kind = measure.kind
        if kind is Kind.CO2 and not (talks_co2 or "co2" in measure.text.lower()):
            continue
        if kind in (Kind.ENERGY, Kind.POWER) and not talks_energy:
            continue
        if kind is Kind.HOURS and not ((talks_training and "gpu" in line.lower()) or talks_co2):
            continue
        window = line[max(0, measure.start - 200) : measure.end + 60]
        scope, reason = _intrinsic_scope(window, measure)
        before = line[max(0, measure.start - 120) : measure.start]
        statements.append(
            from_measure(
                measure,
                Where.SENTENCE,
                _sentence_key(line, measure.start),
                number,
                scope=scope,
                reason=reason,
                says_total=_TOTAL.search(before) is not None,
            )
        )
    return statements


def table_statements(table: Table) -> list[Statement]:
    """The statements of a table whose header names CO2 or energy, one per cell of its CO2,
    energy, intensity, time and power columns; the subject is the row's first cell."""
    columns = _columns(table.header.cells)
    if not any(kind in (Kind.CO2, Kind.ENERGY) for kind, _ in columns.values()):
        return []
    statements: list[Statement] = []
    for row in table.rows:
        subject = row.cells[0] if row.cells and 0 not in columns else None
        total = subject is not None and _TOTAL_ROW.fullmatch(subject) is not None
        for index, (kind, unit) in columns.items():
            if index >= len(row.cells) or not row.cells[index]:
                continue
            found = find_measures(row.cells[index], unit)
            measure = next((m for m in found if m.kind is kind or m.unit_written), None)
            if measure is None:
                continue
            scope, reason = (
                (Scope.FAMILY_TOTAL, f"the table's {subject!r} row")
                if total
                else _intrinsic_scope(table.header.cells[index], measure)
            )
            statements.append(
                from_measure(
                    measure,
                    Where.TABLE,
                    table.header.cells[index],
                    row.line,
                    scope=scope,
                    reason=reason,
                    subject=subject,
                )
            )
    return statements


def _columns(header: tuple[str, ...]) -> dict[int, tuple[Kind, str | None]]:
    """Column index -> (kind, unit named in the header) for the columns worth reading."""
    columns: dict[int, tuple[Kind, str | None]] = {}
    for index, cell in enumerate(header):
        named = unit_of_label(cell)
        if _INTENSITY_HEADER.search(cell):
            kind = Kind.INTENSITY
        elif _CO2_HEADER.search(cell):
            kind = Kind.CO2
        elif _ENERGY_HEADER.search(cell):
            kind = Kind.ENERGY
        elif _HOURS_HEADER.search(cell):
            kind = Kind.HOURS
        elif _POWER_HEADER.search(cell):
            kind = Kind.POWER
        else:
            continue
        if named is not None and named[0] is not kind and kind is not Kind.ENERGY:
            named = None if kind is not Kind.POWER or named[0] is not Kind.ENERGY else named
        columns[index] = (named[0] if named else kind, named[1] if named else None)
    return columns


def _intrinsic_scope(text: str, measure: Measure) -> tuple[Scope, str]:
    if measure.kind is Kind.INTENSITY:
        return Scope.TRAINING, "an intensity, not an amount"
    found = _INFERENCE.search(text)
    if found is not None:
        return Scope.INFERENCE, f"said of inference or evaluation ({found.group(0).strip()!r})"
    return Scope.TRAINING, ""


def _plain_label(label: str) -> str:
    return " ".join(label.replace("*", "").replace("_", " ").split())


def _sentence_key(line: str, at: int) -> str:
    start = max(0, at - SENTENCE_KEY_CHARS)
    return " ".join(line[start:at].replace("*", "").split())


def with_scope(statement: Statement, scope: Scope, reason: str, **extra: Any) -> Statement:
    return replace(statement, scope=scope, reason=reason, **extra)
