"""Unit-aware reading of CO2-eq amounts as model cards write them, normalised to grams.

The Hub convention is grams (`co2_eq_emissions: 12.5` means 12.5 g). Cards also write strings
such as `1.2 kg`, `24_700_000`, `0,5 g`, `3.4e2`, `12 tCO2eq` or `11250 kg CO2 eq.`. `parse_co2`
reads one metadata value strictly (the whole value must be an amount); `find_co2` finds the first
amount inside free text (a prose line). Both keep the text as written and the unit recognised, and
neither ever raises.

Units recognised (case-insensitive, optionally followed by `CO2`, `CO2e`, `CO2eq`, `CO₂e`,
`CO2 eq.`, `of CO2`, `CO2-equivalent`):

| unit | written as | grams |
|---|---|---|
| `mg` | mg, milligram(s) | 0.001 |
| `g` | g, gram(s), gr | 1 |
| `kg` | kg, kilo(s), kilogram(s) | 1,000 |
| `t` | t, ton(s), tonne(s), metric ton(s) | 1,000,000 |
| `lb` | lb(s), pound(s) | 453.59237 |

Number syntax: optional sign, `_` or `,` thousands separators (`24_700_000`, `1,234,567`), a
decimal point or a decimal comma (`0,5`), an exponent (`3.4e2`, `1.2E+3`). A single comma
followed by exactly three digits is a thousands separator (`1,234` is 1234), otherwise a decimal
comma (`0,5`, `1,25`). When both `.` and `,` occur, the last one is the decimal separator.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

GRAMS_PER_UNIT: dict[str, float] = {
    "mg": 0.001,
    "g": 1.0,
    "kg": 1_000.0,
    "t": 1_000_000.0,
    "lb": 453.59237,
}

_UNIT_SPELLINGS: dict[str, str] = {
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "g": "g",
    "gr": "g",
    "gram": "g",
    "grams": "g",
    "kg": "kg",
    "kgs": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "t": "t",
    "ton": "t",
    "tons": "t",
    "tonne": "t",
    "tonnes": "t",
    "metric ton": "t",
    "metric tons": "t",
    "metric tonne": "t",
    "metric tonnes": "t",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
}

_NUMBER = r"[-+]?(?:\d(?:[\d_,.]*\d)?|\.\d+)(?:[eE][-+]?\d+)?"
_UNIT_WORD = "|".join(sorted((re.escape(u) for u in _UNIT_SPELLINGS), key=len, reverse=True))
_CO2_SUFFIX = r"\s*(?:of\s+)?co2(?:[\s-]*(?:eq(?:uivalents?)?|e)(?![a-z]))?\.?"
_UNIT = rf"(?P<unit>{_UNIT_WORD})(?:{_CO2_SUFFIX}|(?![a-z0-9]))"
_QUALIFIER = r"(?:~|≈|<|>|<=|>=|approx\.?|approximately|about|around|roughly|circa|ca\.|est\.)\s*+"
_AMOUNT = rf"(?P<number>{_NUMBER})\s*(?:{_UNIT})?"
# In a whole value every run of blanks is followed by something else than a blank (a number, a
# unit, a dot) or by the end, so each `\s*+` takes its run whole and never gives any back.
_STRICT_AMOUNT = rf"(?P<number>{_NUMBER})\s*+(?:{_UNIT})?"

_STRICT = re.compile(rf"\s*+(?:{_QUALIFIER})?{_STRICT_AMOUNT}\s*+\.?\s*+", re.IGNORECASE)
_SEARCH = re.compile(rf"(?<![\w.]){_AMOUNT}(?![\w])", re.IGNORECASE)
_UNIT_ONLY = re.compile(rf"(?<![a-z0-9]){_UNIT}", re.IGNORECASE)


class Co2Problem(StrEnum):
    """Why a value gave no grams."""

    MISSING = "missing"  # null / empty
    BOOLEAN = "boolean"  # yes / no / true / false
    NOT_A_NUMBER = "not_a_number"  # text that is not an amount, a date, ...
    LIST = "list"
    MAPPING = "mapping"
    NEGATIVE = "negative"
    NOT_FINITE = "not_finite"  # nan, inf, or too large for a float


@dataclass(frozen=True)
class Co2Value:
    """One CO2-eq amount: as written, and in grams when it could be read.

    `number` is the amount in the unit written; `unit` the canonical unit (a key of
    GRAMS_PER_UNIT), `g` by convention when none was written; `unit_text` the unit exactly as
    written (None when none was). `plain_number` is True when the value was a number, not text
    (a YAML int or float). `problem` says why `grams` is None.
    """

    raw: str | None
    grams: float | None
    number: float | None
    unit: str | None
    unit_text: str | None
    plain_number: bool
    problem: Co2Problem | None


def parse_co2(value: object, *, written: str | None = None, default_unit: str = "g") -> Co2Value:
    """Read one metadata value (a YAML scalar as safe_load gives it) as an amount of CO2-eq.

    `written` is the value's source text when known (the YAML scalar as written); it becomes `raw`.
    """
    raw = written if written is not None else _raw_text(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return _failed(raw, Co2Problem.MISSING)
    if isinstance(value, bool):
        return _failed(raw, Co2Problem.BOOLEAN)
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            return _failed(raw, Co2Problem.NOT_FINITE)
        return _from_number(raw, number, None, default_unit, plain_number=True)
    if isinstance(value, list | tuple | set):
        return _failed(raw, Co2Problem.LIST)
    if isinstance(value, dict):
        return _failed(raw, Co2Problem.MAPPING)
    if not isinstance(value, str):
        return _failed(raw, Co2Problem.NOT_A_NUMBER)
    match = _STRICT.fullmatch(_plain_co2(value))
    if match is None:
        return _failed(raw, Co2Problem.NOT_A_NUMBER)
    return _from_match(raw, match, default_unit)


def find_co2(text: str, *, default_unit: str = "g") -> Co2Value | None:
    """The first amount in free text (`11250 kg CO2 eq.`, `about 0.5 g`), or None when no number.

    A bare number takes `default_unit` (a unit written nearby, e.g. in a label `(in grams)`).
    """
    for match in _SEARCH.finditer(_plain_co2(text)):
        if _number(match.group("number")) is not None:
            return _from_match(match.group(0).strip(), match, default_unit)
    return None


def find_unit(text: str) -> str | None:
    """The canonical unit named in a label such as `(in grams)` or `(tCO2eq)`, if any."""
    match = _UNIT_ONLY.search(_plain_co2(text))
    return _UNIT_SPELLINGS[_spaced(match.group("unit"))] if match else None


def _from_match(raw: str | None, match: re.Match[str], default_unit: str) -> Co2Value:
    number = _number(match.group("number"))
    if number is None:
        return _failed(raw, Co2Problem.NOT_A_NUMBER)
    unit_text = match.group("unit")
    unit = _UNIT_SPELLINGS[_spaced(unit_text)] if unit_text else None
    if unit_text:
        unit_text = match.group(0)[match.start("unit") - match.start() :].strip()
    return _from_number(raw, number, unit, default_unit, plain_number=False, unit_text=unit_text)


def _from_number(
    raw: str | None,
    number: float,
    unit: str | None,
    default_unit: str,
    *,
    plain_number: bool,
    unit_text: str | None = None,
) -> Co2Value:
    unit = unit or default_unit
    grams = number * GRAMS_PER_UNIT[unit]
    if not math.isfinite(number) or not math.isfinite(grams):
        return Co2Value(raw, None, number, unit, unit_text, plain_number, Co2Problem.NOT_FINITE)
    if number < 0:
        return Co2Value(raw, None, number, unit, unit_text, plain_number, Co2Problem.NEGATIVE)
    return Co2Value(raw, grams, number, unit, unit_text, plain_number, None)


def _number(text: str) -> float | None:
    """A float from a number written with `_`, `,` or `.` separators; None when malformed."""
    mantissa, _, exponent = text.lower().partition("e")
    digits = mantissa.replace("_", "")
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        digits = digits.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif digits.count(",") > 1 or re.fullmatch(r"[-+]?[1-9]\d{0,2},\d{3}", digits):
        digits = digits.replace(",", "")
    else:
        digits = digits.replace(",", ".")
    try:
        return float(f"{digits}e{exponent}" if exponent else digits)
    except ValueError:
        return None


def _plain_co2(text: str) -> str:
    """`CO₂` and `CO<sub>2</sub>` spelled `CO2`, so one pattern reads them all."""
    return text.replace("₂", "2").replace("<sub>2</sub>", "2")


def _spaced(unit: str) -> str:
    return " ".join(unit.lower().split())


def _raw_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        return str(value)
    except ValueError:  # an int beyond Python's digit limit for str()
        return None


def _failed(raw: str | None, problem: Co2Problem) -> Co2Value:
    return Co2Value(raw, None, None, None, None, False, problem)
