"""How numbers and dates read on the site. The leaderboard script shows these same strings (it
receives them with the data), so a value reads identically with and without JavaScript."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DASH = "—"


def integer(value: Any) -> str:
    """`1,234,567`; a dash when unknown."""
    if value is None or isinstance(value, bool):
        return DASH
    return f"{int(value):,}"


def grams(value: Any) -> str:
    """CO2 in grams: grouped integers from 1,000 g, two decimals from 1 g, three significant
    digits below."""
    if value is None or not math.isfinite(float(value)):
        return DASH
    number = float(value)
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    if abs(number) >= 1:
        return f"{number:,.2f}"
    return f"{number:.3g}"


CO2_UNITS = ((1e6, "t"), (1e3, "kg"), (1.0, "g"))
"""Readable CO2 units, largest first, with their size in grams."""


def co2(value: Any) -> str:
    """CO2 in the largest of t, kg, g that leaves at least 1: two decimals (`24.70 t`,
    `1.13 kg`), two significant digits below 1 g (`0.00059 g`), halves rounded up (as the
    leaderboard script's `toFixed` does); a dash when unknown."""
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        return DASH
    grams_ = float(value)
    for size, unit in CO2_UNITS:
        if abs(grams_) >= size:
            return f"{fixed(grams_ / size, 2)} {unit}"
    if grams_ == 0:
        return "0 g"
    digits = min(20, 1 - math.floor(math.log10(abs(grams_))))
    return f"{fixed(grams_, digits)} g"


def exact_grams(value: Any) -> str:
    """The figure in grams as stored, to 12 significant digits (`450,300 g`, `0.000589 g`,
    `106.9 g` for a stored 106.89999999999999), for a hover text; a dash when unknown."""
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        return DASH
    number_ = significant(float(value))
    return f"{int(number_):,} g" if number_.is_integer() else f"{number_!r} g"


def significant(value: float, digits: int = 12) -> float:
    """`value` to `digits` significant digits: what a card states, without the binary noise of
    a unit conversion (0.1069 kg is 106.89999999999999 g)."""
    return float(f"{value:.{digits}g}")


def fixed(value: float, digits: int) -> str:
    """`value` with `digits` decimals, grouped, halves away from zero on the exact binary value
    (as JavaScript's `toFixed`, so the leaderboard script writes the same text)."""
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{rounded:,.{digits}f}"


def size_bytes(value: Any) -> str:
    """A file size in MB (GB from 1 GB)."""
    if value is None:
        return DASH
    number = int(value)
    if number >= 1_000_000_000:
        return f"{fixed(number / 1e9, 2)} GB"
    return f"{fixed(number / 1e6, 1)} MB"


def number(value: Any) -> str:
    """Any statistic: integers grouped, floats to 4 significant digits, a dash when absent."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return DASH
        return f"{value:.4g}"
    return str(value)


def day(timestamp: str | None) -> str:
    """`YYYY-MM-DD` of a stored timestamp; a dash when unknown."""
    return timestamp[:10] if timestamp else DASH


def mass(value: Any) -> str:
    """CO2 mass for reading: g, kg or t with three significant digits (`450 kg`, `24.7 t`,
    `1.23 g`, `0.00773 g`); a dash when unknown. The exact grams go alongside (`grams`)."""
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        return DASH
    number = float(value)
    for unit, scale in (("t", 1e6), ("kg", 1e3)):
        if abs(number) >= scale:
            return f"{_significant(number / scale)} {unit}"
    return f"{_significant(number)} g"


def _significant(number: float) -> str:
    if abs(number) >= 100:
        return f"{number:,.0f}"
    return f"{number:.3g}"
