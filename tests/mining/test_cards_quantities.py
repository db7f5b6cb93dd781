"""Unit-aware CO2 amounts: metadata values (strict) and amounts inside prose (search)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mining.cards.quantities import Co2Problem, find_co2, find_unit, parse_co2


@pytest.mark.parametrize(
    ("value", "grams", "unit", "unit_text"),
    [
        ("1.2 kg", 1200.0, "kg", "kg"),
        ("24_700_000", 24_700_000.0, "g", None),
        ("0,5 g", 0.5, "g", "g"),
        ("3.4e2", 340.0, "g", None),
        ("12 tCO2eq", 12e6, "t", "tCO2eq"),
        ("17g", 17.0, "g", "g"),
        ("0", 0.0, "g", None),
        ("1,234", 1234.0, "g", None),
        ("1,234,567.5 g", 1_234_567.5, "g", "g"),
        ("1.234,5 kg", 1_234_500.0, "kg", "kg"),
        ("11250 kg CO2 eq.", 11_250_000.0, "kg", "kg CO2 eq."),
        ("5 kgCO2e", 5000.0, "kg", "kgCO2e"),
        ("3 g CO₂e", 3.0, "g", "g CO2e"),
        ("7 tonnes of CO2", 7e6, "t", "tonnes of CO2"),
        ("2 metric tons", 2e6, "t", "metric tons"),
        ("250 mg", 0.25, "mg", "mg"),
        ("2 lbs", 907.18474, "lb", "lbs"),
        ("~ 300 g", 300.0, "g", "g"),
        ("approximately 1.5 kilograms", 1500.0, "kg", "kilograms"),
        (".5", 0.5, "g", None),
        ("1.2E+3", 1200.0, "g", None),
        ("150000.", 150000.0, "g", None),
    ],
)
def test_strings_with_units_become_grams(
    value: str, grams: float, unit: str, unit_text: str | None
) -> None:
    parsed = parse_co2(value)
    assert parsed.grams == pytest.approx(grams)
    assert (parsed.unit, parsed.unit_text, parsed.raw) == (unit, unit_text, value)
    assert parsed.problem is None
    assert not parsed.plain_number


@pytest.mark.parametrize(("value", "grams"), [(12.5, 12.5), (0, 0.0), (24_700_000, 24_700_000.0)])
def test_numbers_are_grams_and_plain(value: float, grams: float) -> None:
    parsed = parse_co2(value)
    assert (parsed.grams, parsed.unit, parsed.unit_text, parsed.plain_number) == (
        grams,
        "g",
        None,
        True,
    )


def test_written_text_is_kept_as_raw() -> None:
    assert parse_co2(0.0121, written="0.0121").raw == "0.0121"
    assert parse_co2(24700000, written="24_700_000").raw == "24_700_000"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, Co2Problem.MISSING),
        ("  ", Co2Problem.MISSING),
        (True, Co2Problem.BOOLEAN),
        (False, Co2Problem.BOOLEAN),
        ([1, 2], Co2Problem.LIST),
        ({"value": 3, "unit": "kg"}, Co2Problem.MAPPING),
        ("garbage", Co2Problem.NOT_A_NUMBER),
        ("abc 5", Co2Problem.NOT_A_NUMBER),
        ("5 parsecs", Co2Problem.NOT_A_NUMBER),
        ("1.2.3", Co2Problem.NOT_A_NUMBER),
        ("-5", Co2Problem.NEGATIVE),
        (-0.3, Co2Problem.NEGATIVE),
        ("1e999", Co2Problem.NOT_FINITE),
        (float("nan"), Co2Problem.NOT_FINITE),
        (float("inf"), Co2Problem.NOT_FINITE),
        (10**400, Co2Problem.NOT_FINITE),
    ],
)
def test_values_that_are_not_amounts(value: object, problem: Co2Problem) -> None:
    parsed = parse_co2(value)
    assert parsed.grams is None
    assert parsed.problem is problem


def test_negative_keeps_the_number_for_the_message() -> None:
    parsed = parse_co2("-5 kg")
    assert (parsed.number, parsed.unit, parsed.grams) == (-5.0, "kg", None)


def test_dates_and_other_objects_are_not_numbers() -> None:
    import datetime

    assert parse_co2(datetime.date(2023, 1, 1)).problem is Co2Problem.NOT_A_NUMBER


def test_find_co2_in_prose() -> None:
    found = find_co2("Estimated total emissions were 2290 tCO2eq, 100% of which were offset")
    assert found is not None and found.grams == 2.29e9 and found.raw == "2290 tCO2eq"
    assert find_co2("COCO2017 validation set on A100 v1") is None
    assert find_co2("no numbers here") is None
    bare = find_co2("1.8892", default_unit="kg")
    assert bare is not None and bare.grams == pytest.approx(1889.2) and bare.unit_text is None


def test_find_unit_in_label_notes() -> None:
    assert find_unit("(in grams)") == "g"
    assert find_unit("(tCO<sub>2</sub>eq)") == "t"
    assert find_unit("(kg CO₂e)") == "kg"
    assert find_unit("(Power consumption x Time x Carbon produced based on location)") is None


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False), st.sampled_from(["g", "kg", "t"]))
def test_round_trip_of_written_amounts(number: float, unit: str) -> None:
    factor = {"g": 1.0, "kg": 1e3, "t": 1e6}[unit]
    parsed = parse_co2(f"{number!r} {unit}")
    assert parsed.grams is not None
    assert math.isclose(parsed.grams, number * factor, rel_tol=1e-12)


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none()))
def test_never_raises(value: object) -> None:
    parse_co2(value)
    if isinstance(value, str):
        find_co2(value)
        find_unit(value)
