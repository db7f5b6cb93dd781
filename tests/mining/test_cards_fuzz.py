"""parse_card never raises: arbitrary text, arbitrary bytes, and YAML-ish card text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mining.cards.card import FrontMatterStatus, parse_card
from mining.cards.emission_record import emission_record

_YAML_PIECES = st.sampled_from(
    [
        "---\n",
        "---\r\n",
        "\r",
        "\n",
        "\t",
        "  ",
        "- ",
        ": ",
        "key: value\n",
        "co2_eq_emissions:",
        " emissions: ",
        "12 kg",
        "24_700_000",
        "&a ",
        "*a",
        "<<: *a",
        "[",
        "]",
        "{",
        "}",
        ",",
        "!!python/object ",
        "!!binary ",
        "? ",
        "'",
        '"',
        "|\n",
        ">\n",
        "#",
        "...\n",
        "%YAML 1.1\n",
        "\ufeff",
        "\x00",
        "\x85",
        "\u2028",
        "é",
        "🤗",
        "yes",
        "no",
        "1.2e3",
        "2023-02-30",
        "**Carbon Emitted:** ",
        "[More Information Needed]",
        "CO2 Emissions (in grams): 3\n",
        "| Carbon Emitted | 5 kg |\n",
        "```\n",
        "<!-- ",
        " -->",
        "# Environmental Impact\n",
    ]
)
_YAMLISH = st.lists(st.one_of(_YAML_PIECES, st.text(max_size=8)), max_size=60).map("".join)


def _check(card_input: str | bytes) -> None:
    card = parse_card(card_input)
    assert card.status in set(FrontMatterStatus)
    lines = len(re.split(r"\r\n|\r|\n", card.text))
    assert 1 <= card.body_start_line <= lines
    for span in card.spans.values():
        assert 1 <= span.start.line <= lines
    if card.yaml_error is not None and card.yaml_error.position is not None:
        assert 1 <= card.yaml_error.position.line <= lines
    for labelled in (*card.prose.values, *card.prose.placeholders):
        assert 1 <= labelled.position.line <= lines
    card.metadata_json()
    emission_record(card)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    _check(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary())
def test_arbitrary_bytes(data: bytes) -> None:
    _check(data)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(_YAMLISH)
def test_yaml_ish_front_matter(body: str) -> None:
    _check("---\n" + body + "\n---\n" + body)
    _check(body)
