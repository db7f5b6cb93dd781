"""Writing amounts: as YAML both parsers read as the same number, and as text for messages."""

from __future__ import annotations

import math
import re
from decimal import Decimal

# A YAML scalar that YAML 1.1 (PyYAML, huggingface_hub) and YAML 1.2 (the Hub's JavaScript
# parser) both read as the same number: no `_`, no leading zero, no `0x`/`0o`, no `1:20`, and
# an exponent only after a fraction and with a sign (`1.5e+3`; PyYAML reads `1e3` as text).
_PORTABLE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+][0-9]+)?)?")


def is_portable_number(written: str) -> bool:
    """True when the scalar as written is a number for both YAML 1.1 and YAML 1.2."""
    return _PORTABLE.fullmatch(written.strip()) is not None


def yaml_number(value: float, *, significant: int | None = 6) -> str:
    """`value` rounded to `significant` digits (None: exactly, as Python's repr), in plain
    decimal notation (no exponent, no trailing zeros) so every YAML parser reads the same
    number: 1200.0 -> `1200`, 0.000743 -> `0.000743`."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite amount: {value}")
    if value == 0:
        return "0"
    rounded = Decimal(repr(float(value)) if significant is None else f"{value:.{significant}g}")
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def human_grams(grams: float) -> str:
    """An amount of grams for a message: `1,200 g`, `0.0411 g`, `24,700,000 g`."""
    if grams != 0 and (abs(grams) >= 1e15 or abs(grams) < 1e-6):
        return f"{grams:.3g} g"
    if abs(grams) >= 1000:
        return f"{grams:,.0f} g"
    return f"{yaml_number(grams, significant=4)} g"
