"""Every quantity a card writes about a training run: CO2-eq, energy, power, time, intensity.

`find_measures(text)` returns each amount with a unit in a piece of text (a line, a cell), in
order, with its kind and its amount in the kind's base unit:

| kind | units (case-insensitive) | base |
|---|---|---|
| `co2` | mg, g, kg, t / ton(s) / tonne(s) / metric ton(s), lb(s) / pound(s) | grams |
| `energy` | Wh, kWh, MWh, GWh, kilowatt-hour(s), megawatt-hour(s) | kWh |
| `power` | W, kW, watt(s), kilowatt(s) | W |
| `hours` | h, hr(s), hour(s), GPU / TPU hours, min(s), sec(s), day(s), week(s) | hours |
| `intensity` | a CO2 unit per kWh (`kg CO2e/kWh`, `gCO2eq per kWh`) | g per kWh |

A CO2 unit may be followed by CO2, CO2e, CO2eq, CO2 eq., of CO2 (`12 kg of CO2eq`, `2290
tCO2eq`).

A number may carry a multiplier (`1.3M` GPU hours, `7.7K`), a range (`10-20 kg`, `960 - 1080
hours`, `10 to 20 kg`: `high` holds the upper bound) and an approximation before it (`~5 kg`,
`approximately 12 kg`, `about`, `around`, `roughly`, `a rough`, `up to`, `<`). `default_unit`
gives a bare number a unit (the unit of a label or a column header). Number syntax is the one
of mining.cards.quantities (thousands separators, decimal commas, exponents).

Linear time: a number starts only where no word character or dot precedes it, every run of
blanks is taken whole (`\\s*+`), and the look for an approximation reads a fixed window before
the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mining.cards.quantities import plain_co2, read_number


class Kind(StrEnum):
    """What a quantity measures."""

    CO2 = "co2"
    ENERGY = "energy"
    HOURS = "hours"
    INTENSITY = "intensity"
    POWER = "power"


# spelling -> (kind, canonical unit, base units per unit)
_UNITS: dict[str, tuple[Kind, str, float]] = {
    **dict.fromkeys(["mg", "milligram", "milligrams"], (Kind.CO2, "mg", 0.001)),
    **dict.fromkeys(["g", "gr", "gram", "grams"], (Kind.CO2, "g", 1.0)),
    **dict.fromkeys(
        ["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"], (Kind.CO2, "kg", 1_000.0)
    ),
    **dict.fromkeys(
        [
            "t",
            "ton",
            "tons",
            "tonne",
            "tonnes",
            "metric ton",
            "metric tons",
            "metric tonne",
            "metric tonnes",
        ],
        (Kind.CO2, "t", 1_000_000.0),
    ),
    **dict.fromkeys(["lb", "lbs", "pound", "pounds"], (Kind.CO2, "lb", 453.59237)),
    **dict.fromkeys(["wh", "watt hour", "watt hours"], (Kind.ENERGY, "Wh", 0.001)),
    **dict.fromkeys(["kwh", "kilowatt hour", "kilowatt hours"], (Kind.ENERGY, "kWh", 1.0)),
    **dict.fromkeys(["mwh", "megawatt hour", "megawatt hours"], (Kind.ENERGY, "MWh", 1e3)),
    **dict.fromkeys(["gwh", "gigawatt hour", "gigawatt hours"], (Kind.ENERGY, "GWh", 1e6)),
    **dict.fromkeys(["w", "watt", "watts"], (Kind.POWER, "W", 1.0)),
    **dict.fromkeys(["kw", "kilowatt", "kilowatts"], (Kind.POWER, "kW", 1_000.0)),
    **dict.fromkeys(
        ["h", "hr", "hrs", "hour", "hours", "gpu hour", "gpu hours", "tpu hour", "tpu hours"],
        (Kind.HOURS, "h", 1.0),
    ),
    **dict.fromkeys(["min", "mins", "minute", "minutes"], (Kind.HOURS, "min", 1 / 60)),
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds"], (Kind.HOURS, "s", 1 / 3600)),
    **dict.fromkeys(["d", "day", "days"], (Kind.HOURS, "d", 24.0)),
    **dict.fromkeys(["week", "weeks"], (Kind.HOURS, "week", 168.0)),
}
_MULTIPLIERS = {"K": 1e3, "M": 1e6, "B": 1e9}

_NUMBER = r"(?:\d(?:[\d_,.]*\d)?|\.\d++)(?:[eE][-+]?\d++)?"
_MULT = r"(?:[KMB](?![A-Za-z]))?"


def _spelling(unit: str) -> str:
    """A unit spelling as a pattern: blanks or a hyphen between its words."""
    return r"[\s-]++".join(re.escape(word) for word in unit.split())


_UNIT_WORDS = "|".join(_spelling(u) for u in sorted(_UNITS, key=len, reverse=True))
_CO2_SUFFIX = r"\s*+(?:of\s++)?co2(?:[\s-]*+(?:eq(?:uivalents?)?|e)(?![a-z]))?\.?"
_MEASURE = re.compile(
    rf"(?<![\w.])(?P<number>{_NUMBER})(?P<mult>{_MULT})"
    rf"(?:\s*+(?:-|–|—|to(?=\s))\s*+(?P<high>{_NUMBER})(?P<high_mult>{_MULT}))?"
    rf"\s*+(?P<unit>{_UNIT_WORDS})(?P<co2>{_CO2_SUFFIX})?(?![a-z0-9])",
    re.IGNORECASE,
)
_BARE = re.compile(
    rf"(?<![\w.])(?P<number>{_NUMBER})(?P<mult>{_MULT})"
    rf"(?:\s*+(?:-|–|—|to(?=\s))\s*+(?P<high>{_NUMBER})(?P<high_mult>{_MULT}))?",
    re.IGNORECASE,
)
_PER_KWH = re.compile(r"\s*+(?:/|per\s)\s*+k?wh\b", re.IGNORECASE)
_UNIT_IN_LABEL = re.compile(
    rf"(?<![a-z0-9])(?P<unit>{_UNIT_WORDS})(?P<co2>{_CO2_SUFFIX})?"
    r"(?P<per>\s*+(?:/|per\s)\s*+k?wh\b)?(?![a-z0-9])",
    re.IGNORECASE,
)
APPROX_WINDOW = 24
_APPROX_BEFORE = re.compile(
    r"(?:~|≈|<|>|≤|≥|\bapprox\.?|\bapproximately|\babout|\baround|\broughly|\bcirca|\bca\."
    r"|\brough|\bnearly|\balmost|\bup\s++to|\bless\s++than|\bmore\s++than|\bover|\bunder)"
    r"\s*+(?:an?\s++)?(?:estimated\s++)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Measure:
    """One quantity as written. `number` is in `unit`; `amount` in the kind's base unit (grams,
    kWh, W, hours, g/kWh); `high`/`high_amount` the upper bound of a range. `start`/`end` index
    the text searched; `unit_written` is False when the unit came from `default_unit`."""

    kind: Kind
    number: float
    unit: str
    amount: float
    high: float | None
    high_amount: float | None
    approximate: bool
    unit_written: bool
    text: str
    start: int
    end: int

    @property
    def is_range(self) -> bool:
        return self.high is not None


def unit_of_label(text: str) -> tuple[Kind, str] | None:
    """The kind and unit named in a label or a column header (`(in grams)`, `(tCO2eq)`,
    `(kg CO₂e/KWh)`, `(GPU hours)`, `(W)`), or None."""
    match = _UNIT_IN_LABEL.search(plain_co2(text))
    if match is None:
        return None
    kind, unit, _ = _UNITS[_canonical(match.group("unit"))]
    if match.group("per") and kind is Kind.CO2:
        return Kind.INTENSITY, f"{unit}/kWh"
    return kind, unit


def find_measures(text: str, default_unit: str | None = None) -> list[Measure]:
    """Every quantity with a unit in `text` (or with `default_unit`, a canonical unit or an
    intensity `g/kWh`, when none is written), in order."""
    plain = plain_co2(text)
    found: list[Measure] = []
    for match in _MEASURE.finditer(plain):
        measure = _measure(plain, match, None)
        if measure is not None:
            found.append(measure)
    if default_unit is None:
        return found
    taken = [(m.start, m.end) for m in found]
    for match in _BARE.finditer(plain):
        if any(a <= match.start() < b for a, b in taken):
            continue
        measure = _measure(plain, match, default_unit)
        if measure is not None:
            found.append(measure)
    return sorted(found, key=lambda m: m.start)


def _measure(text: str, match: re.Match[str], default_unit: str | None) -> Measure | None:
    number = _scaled(match.group("number"), match.group("mult"))
    if number is None:
        return None
    high = _scaled(match.group("high"), match.group("high_mult")) if match.group("high") else None
    if default_unit is None:
        kind, unit, factor = _UNITS[_canonical(match.group("unit"))]
        end = match.end()
        per = _PER_KWH.match(text, end)
        if kind is Kind.CO2 and per is not None:
            kind, unit, end = Kind.INTENSITY, f"{unit}/kWh", per.end()
        written = True
    else:
        kind, unit, factor = _default(default_unit)
        end = match.end()
        written = False
    if high is not None and high < number:
        high = None  # `2022-03` is no range
    before = text[max(0, match.start() - APPROX_WINDOW) : match.start()]
    return Measure(
        kind=kind,
        number=number,
        unit=unit,
        amount=number * factor,
        high=high,
        high_amount=None if high is None else high * factor,
        approximate=_APPROX_BEFORE.search(before) is not None,
        unit_written=written,
        text=text[match.start() : end].strip(),
        start=match.start(),
        end=end,
    )


def _default(unit: str) -> tuple[Kind, str, float]:
    if unit.endswith("/kWh"):
        _, _base, factor = _UNITS[unit.removesuffix("/kWh").lower()]
        return Kind.INTENSITY, unit, factor
    kind, canonical, factor = _UNITS[unit.lower()]
    return kind, canonical, factor


def _scaled(number: str, multiplier: str | None) -> float | None:
    value = read_number(number)
    if value is None:
        return None
    return value * _MULTIPLIERS.get((multiplier or "").upper(), 1.0)


def _canonical(unit: str) -> str:
    return " ".join(unit.lower().replace("-", " ").split())
