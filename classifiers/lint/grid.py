"""Re-estimating training emissions from hardware, hours and location (rule HC103).

    estimate = power (W) x devices x hours / 1000 x grid intensity (gCO2eq/kWh)

the ML CO2 Impact calculator's formula without its PUE and offsets (HC103 only flags a factor
of 10). Power is the thermal design power of the first device named in `hardware_used` (the ML
CO2 Impact calculator's table), times the count written before it (`8 x A100`, `64 V100s`).
Intensity is that of a cloud region id written in the location (`us-east-1`, `europe-west4`),
else of a country (name, ISO alpha-3 code or a usual alias such as `USA`, `UK`) from
CodeCarbon's energy-mix table. Tables: classifiers/data/lint_tables/ (MIT, see its README).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

TABLES = resources.files("classifiers").joinpath("data", "lint_tables")
MAX_TEXT = 500  # hardware and location are short; longer values are cut before matching

_DROP = re.compile(r"\b(?:nvidia|tesla|geforce|chip|pcie|sxm\d?|nvl|oc|gigabyte|\d+\s*gb)\b")
_TPU = re.compile(r"\btpu\s*v(?=\d)")
_COUNT = re.compile(r"(?<![\w.])(\d{1,5})\s*(?:x|×|\*)?\s*$")
_COUNTRY_ALIASES = {
    "usa": "USA",
    "us": "USA",
    "u.s.": "USA",
    "u.s.a.": "USA",
    "united states of america": "USA",
    "america": "USA",
    "uk": "GBR",
    "england": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "south korea": "KOR",
    "korea": "KOR",
    "russia": "RUS",
    "the netherlands": "NLD",
    "holland": "NLD",
}


@dataclass(frozen=True)
class Device:
    name: str
    watts: float
    count: int


@dataclass(frozen=True)
class Grid:
    name: str
    g_per_kwh: float


def _read(name: str) -> str:
    return TABLES.joinpath(name).read_text(encoding="utf-8-sig")


def _normal(text: str) -> str:
    plain = _TPU.sub("tpuv", text.lower().replace("-", " "))
    return " ".join(_DROP.sub(" ", plain).split())


@cache
def _devices() -> tuple[tuple[re.Pattern[str], str, float], ...]:
    """(pattern, table name, watts), longest alias first; the first table row wins a shared
    alias (`a100` is the PCIe card's 250 W, `v100` the first V100 row)."""
    aliases: dict[str, tuple[str, float]] = {}
    for row in csv.DictReader(io.StringIO(_read("mlco2_gpus.csv"))):
        try:
            watts = float(row["tdp_watts"])
        except (TypeError, ValueError):
            continue
        full = _normal(row["name"])
        for alias in (full, full.replace(" ", ""), full.split()[0] if full else ""):
            if len(alias) >= 2 and not alias.isdigit():
                aliases.setdefault(alias, (row["name"], watts))
    ordered = sorted(aliases.items(), key=lambda kv: -len(kv[0]))
    return tuple(
        (re.compile(rf"(?<![\w]){re.escape(alias)}(?![\w])"), name, watts)
        for alias, (name, watts) in ordered
    )


def device(hardware: str) -> Device | None:
    """The device named in a `hardware_used` text, with its count, or None."""
    text = _normal(hardware[:MAX_TEXT])
    for pattern, name, watts in _devices():
        match = pattern.search(text)
        if match is not None:
            count = _COUNT.search(text[: match.start()])
            number = int(count.group(1)) if count else 1
            return Device(name, watts, max(number, 1))
    return None


@cache
def _regions() -> dict[str, tuple[str, float]]:
    regions: dict[str, tuple[str, float]] = {}
    for table in ("codecarbon_cloud_impact.csv", "mlco2_cloud_impact.csv"):
        for row in csv.DictReader(io.StringIO(_read(table))):
            try:
                impact = float(row["impact"])
            except (TypeError, ValueError):
                continue
            region = (row.get("region") or "").strip().lower()
            if region:
                regions.setdefault(region, (f"{row['provider']} {region}", impact))
    return regions


@cache
def _countries() -> tuple[dict[str, tuple[str, float]], tuple[tuple[re.Pattern[str], str], ...]]:
    mix = json.loads(_read("codecarbon_global_energy_mix.json"))
    by_iso: dict[str, tuple[str, float]] = {}
    names: dict[str, str] = {}
    for iso, row in mix.items():
        intensity = row.get("carbon_intensity")
        if isinstance(intensity, int | float):
            by_iso[iso.upper()] = (row.get("country_name") or iso, float(intensity))
            names[str(row.get("country_name") or iso).lower()] = iso.upper()
    names.update({k: v for k, v in _COUNTRY_ALIASES.items() if v in by_iso})
    ordered = sorted(names.items(), key=lambda kv: -len(kv[0]))
    patterns = tuple(
        (re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])"), iso) for name, iso in ordered
    )
    return by_iso, patterns


def grid(location: str) -> Grid | None:
    """The grid intensity for a `geographical_location` text, or None when not recognised."""
    text = location[:MAX_TEXT].lower()
    regions = _regions()
    for token in re.findall(r"[a-z]+(?:-[a-z0-9]+)+", text):
        if token in regions:
            name, impact = regions[token]
            return Grid(name, impact)
    by_iso, patterns = _countries()
    for word in re.findall(r"\b[A-Z]{3}\b", location[:MAX_TEXT]):
        if word in by_iso:
            return Grid(*by_iso[word])
    for pattern, iso in patterns:
        if pattern.search(text):
            return Grid(*by_iso[iso])
    return None


@dataclass(frozen=True)
class Estimate:
    grams: float
    device: Device
    hours: float
    grid: Grid

    def describe(self) -> str:
        return (
            f"{self.device.count} x {self.device.name} ({self.device.watts:g} W) for "
            f"{self.hours:g} h at {self.grid.g_per_kwh:g} gCO2eq/kWh ({self.grid.name})"
        )


def estimate(hardware: str, hours: float, location: str) -> Estimate | None:
    """power x hours x intensity, or None when the hardware or location is not recognised."""
    found_device, found_grid = device(hardware), grid(location)
    if found_device is None or found_grid is None or not hours > 0:
        return None
    kwh = found_device.watts * found_device.count * hours / 1000
    return Estimate(kwh * found_grid.g_per_kwh, found_device, hours, found_grid)
