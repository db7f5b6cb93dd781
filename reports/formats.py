"""How numbers and dates read on the site. The leaderboard script shows these same strings (it
receives them with the data), so a value reads identically with and without JavaScript."""

from __future__ import annotations

import math
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


def size_bytes(value: Any) -> str:
    """A file size in MB (GB from 1 GB)."""
    if value is None:
        return DASH
    number = int(value)
    if number >= 1_000_000_000:
        return f"{number / 1e9:,.2f} GB"
    return f"{number / 1e6:,.1f} MB"


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
