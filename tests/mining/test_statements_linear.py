"""The statement reader's patterns grow linearly with hostile input (tests/growth.py).

Each input is made up: the worst case of one pattern (runs that quantifiers on both sides could
share, closed by a character that makes the match fail), grown from n to 4n; then whole bodies
built to stress the table, section and sentence readers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from growth import LINEAR_RATIO, growth_ratio

from mining.cards import attribution, measures, parse_card, prose, statements, tables
from mining.cards.emission_record import emission_record
from mining.cards.tables import html_tables

pytestmark = pytest.mark.slow  # each test times inputs of n and 4n characters

PAD = " "


def _all(pattern):  # type: ignore[no-untyped-def]
    return lambda text: list(pattern.finditer(text))


PATTERNS: dict[str, tuple[Callable[[str], object], Callable[[int], str]]] = {
    "measure, digit run": (_all(measures._MEASURE), lambda n: "1" * n + "x"),
    "measure, separators": (_all(measures._MEASURE), lambda n: "1" + "1,." * n + "x"),
    "measure, padded range": (_all(measures._MEASURE), lambda n: "1" + PAD * n + "-" + PAD * n),
    "measure, many ranges": (_all(measures._MEASURE), lambda n: "1-" * n + "x"),
    "measure, padded unit": (_all(measures._MEASURE), lambda n: "1" + PAD * n + "kg" + PAD * n),
    "measure, padded CO2 suffix": (
        _all(measures._MEASURE),
        lambda n: "1 kg" + PAD * n + "of" + PAD * n + "co2" + PAD * n + "x",
    ),
    "measure, unit words": (_all(measures._MEASURE), lambda n: "1 metric" + PAD * n + "x"),
    "bare number, padded range": (_all(measures._BARE), lambda n: "1" + PAD * n + "to" + PAD * n),
    "approximation before": (measures._APPROX_BEFORE.search, lambda n: "~" + PAD * n + "x"),
    "approximation, padded words": (
        measures._APPROX_BEFORE.search,
        lambda n: "up" + PAD * n + "to" + PAD * n + "x",
    ),
    "unit in a label": (
        measures._UNIT_IN_LABEL.search,
        lambda n: "(kg" + PAD * n + "co2" + PAD * n + "/" + PAD * n + "x",
    ),
    "label, padded prefix": (statements._LABEL.match, lambda n: "> " * n + PAD * n + "x"),
    "label, padded words": (statements._LABEL.match, lambda n: "carbon" + PAD * n + "x"),
    "after a label": (statements._AFTER_LABEL.match, lambda n: "*" * n + " " * n + "(" + "x" * n),
    "inference words": (statements._INFERENCE.search, lambda n: "per" + PAD * n + "x"),
    "total row": (statements._TOTAL_ROW.fullmatch, lambda n: "total" + "!" * n + "x"),
    "words of a name": (attribution._WORD.findall, lambda n: "1." * n + "x"),
    "section heading end": (
        attribution._SECTION_END.search,
        lambda n: "estimated" + PAD * n + "carbon" + PAD * n + "x",
    ),
    "source in prose": (prose._SOURCE.search, lambda n: "estimated " * n),
    "cell markup": (lambda text: tables._MARKUP.sub("", text), lambda n: "<" * n + "*" * n),
}


@pytest.mark.parametrize("name", PATTERNS)
def test_pattern_grows_linearly(name: str) -> None:
    call, make = PATTERNS[name]
    assert growth_ratio(call, make, 1_000) < LINEAR_RATIO


def _table(n: int) -> str:
    rows = "".join(f"| Model {i}B | {i} kg CO2eq |\n" for i in range(n))
    return "| Model | Carbon Emitted (kg) |\n|---|---|\n" + rows


def _html_table(n: int) -> str:
    cells = "".join(f"<tr><td>Model {i}B</td><td>{i}</td></tr>" for i in range(n))
    return f"<table><tr><td></td><td>Carbon Emitted (tCO2eq)</td></tr>{cells}</table>\n"


BODIES: dict[str, Callable[[int], str]] = {
    "markdown table rows": _table,
    "html table rows": _html_table,
    "sentences with amounts": lambda n: "Training emitted 1 kg CO2eq and 2 kWh. " * n + "\n",
    "labelled lines": lambda n: "- Carbon emission 0.1 Kg\n" * n,
    "calculations": lambda n: "- Hours used: " + "1 x " * n + "= 5 hours\n",
    "sections with figures": lambda n: "".join(
        f"## Model {i} Estimated Emissions\n- Carbon Emitted: {i} kg\n" for i in range(n)
    ),
}


@pytest.mark.parametrize("name", BODIES)
def test_body_statements_grow_linearly(name: str) -> None:
    make = BODIES[name]
    assert growth_ratio(parse_card, lambda n: "# Card\n\n" + make(n), 50) < LINEAR_RATIO


def test_html_tables_grow_linearly() -> None:
    assert growth_ratio(lambda t: html_tables(t, 1), _html_table, 50) < LINEAR_RATIO


def test_attribution_grows_linearly() -> None:
    def read(text: str) -> object:
        return attribution.card_statements(parse_card(text), "me/Model-7B")

    assert growth_ratio(read, lambda n: "# Card\n\n" + _table(n), 50) < LINEAR_RATIO


RECORDS: dict[str, Callable[[int], str]] = {
    "agreeing figures": lambda n: "- Carbon Emitted: 5 kg\n" * n,
    "figures and totals": lambda n: (
        "Estimated total emissions were 5 kg CO2eq.\n" * n + _table(n) + "| Total | 9 kg |\n" * n
    ),
}


@pytest.mark.parametrize("name", RECORDS)
def test_emission_record_grows_linearly(name: str) -> None:
    make = RECORDS[name]

    def record(text: str) -> object:
        return emission_record(parse_card(text), "me/Model-7B")

    assert growth_ratio(record, lambda n: "# Card\n\n" + make(n), 50) < LINEAR_RATIO
