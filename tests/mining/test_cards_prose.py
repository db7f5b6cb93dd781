"""Emissions in the Markdown body: template lines in every common shape, placeholders,
statements, what is not prose, and the mention flag."""

from __future__ import annotations

import re
import sys

import pytest
from support import FIXTURES

from mining.cards import parse_card, prose
from mining.cards.prose import ProseEmissions, ProseField
from mining.cards.text import LineIndex


def _prose(body: str) -> ProseEmissions:
    return parse_card("---\nlicense: mit\n---\n" + body).prose


@pytest.mark.parametrize(
    "line",
    [
        "- **Carbon Emitted:** 12 kg",
        "* **Carbon Emitted**: 12 kg",
        "Carbon Emitted: 12 kg",
        "1. __Carbon emitted:__ 12 kg",
        "> - **Carbon Emitted:** 12 kg",
        "| Carbon Emitted | 12 kg |",
        "| **Carbon Emitted:** | 12 kg |",
        "- **Carbon Emitted (Power consumption x Time x Carbon produced):** 12 kg CO2 eq.",
        "- Carbon Emitted (kg CO2eq): 12",
    ],
)
def test_carbon_emitted_shapes(line: str) -> None:
    table_header = "| Field | Value |\n|---|---|\n" if line.startswith("|") else ""
    prose = _prose(f"# Environmental Impact\n\n{table_header}{line}\n")
    assert prose.co2 is not None
    assert prose.co2.value.grams == 12_000
    assert prose.co2.value.unit == "kg"
    values = [v for v in prose.values if v.field is ProseField.CARBON_EMITTED]
    assert len(values) == 1 and values[0].in_environmental_impact


def test_autotrain_line_is_grams() -> None:
    prose = _prose("# Model Trained Using AutoTrain\n\n- CO2 Emissions (in grams): 0.1414\n")
    assert prose.co2 is not None
    assert (prose.co2.value.grams, prose.co2.value.unit) == (0.1414, "g")
    assert prose.co2.label == "CO2 Emissions (in grams)"
    assert str(prose.co2.position) == "6:29"


def test_label_note_gives_the_unit_of_a_bare_number() -> None:
    prose = _prose("- Carbon Emitted (tCO2eq): 3.5\n")
    assert prose.co2 is not None and prose.co2.value.grams == 3_500_000


@pytest.mark.parametrize(
    "value",
    [
        "[More Information Needed]",
        "More information needed",
        "More information needed.",
        "[More information needed]",
        "information needed",
        "Unknown",
        "N/A",
        "TBD",
        "",
        '{{ co2_emitted | default("[More Information Needed]", true)}}',
    ],
)
def test_placeholders_are_not_values(value: str) -> None:
    prose = _prose(f"## Environmental Impact\n\n- **Carbon Emitted:** {value}\n")
    assert prose.co2 is None
    assert prose.values == ()
    (placeholder,) = prose.placeholders
    assert placeholder.field is ProseField.CARBON_EMITTED
    assert placeholder.text == value
    assert placeholder.in_environmental_impact
    assert placeholder.label_position.line == 6


def test_the_hub_template_is_all_placeholders() -> None:
    template = FIXTURES / "cards" / "hf_hub_template" / "modelcard_template.md"
    card = parse_card(template.read_bytes())
    assert [p.field for p in card.prose.placeholders] == list(ProseField)
    assert all(
        p.text.startswith("{{") and p.in_environmental_impact for p in card.prose.placeholders
    )
    assert card.prose.values == ()
    assert card.prose.co2 is None


def test_context_fields_and_hours() -> None:
    prose = _prose(
        "# Environmental Impact\n\n"
        "- **Hardware Type:** 8 A100\n"
        "- **Hours used:** Approximately 336 hours (2 weeks)\n"
        "- **Cloud Provider:** GCP\n"
        "- **Compute Region:** europe-west4\n"
        "- **Carbon Emitted:** 4.2 kg\n"
    )
    assert (prose.hardware_type, prose.hours, prose.cloud_provider, prose.compute_region) == (
        "8 A100",
        336.0,
        "GCP",
        "europe-west4",
    )
    assert [v.field for v in prose.values] == list(ProseField)


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ("150000", 150000.0),
        ("24 hours (one day)", 24.0),
        ("2 days", 48.0),
        ("Two days.", None),
        ("Roughly 1-2 week(s) for pre-training", None),
        ("1,200 h", 1200.0),
    ],
)
def test_hours_used_reading(hours: str, expected: float | None) -> None:
    assert _prose(f"- **Hours used:** {hours}\n").hours == expected


def test_statement_needs_a_unit() -> None:
    assert _prose("Estimated total emissions were 2290 tCO2eq.\n").co2 is not None
    assert _prose("Total emissions were 2290 in our estimate.\n").co2 is None


def test_labelled_value_wins_over_a_statement() -> None:
    prose = _prose("Total emissions were 5 t CO2.\n\n- Carbon Emitted: 12 kg\n")
    assert prose.co2 is not None and prose.co2.value.grams == 12_000


def test_code_blocks_and_html_blocks_are_not_prose() -> None:
    prose = _prose(
        "```\n- Carbon Emitted: 12 kg\nco2 emissions\n```\n\n"
        "    Carbon Emitted: 13 kg\n\n"
        "<!-- Total emissions (in grams of CO2eq) go here\n- Carbon Emitted: 14 kg -->\n"
    )
    assert prose.co2 is None and prose.values == () and not prose.mentions_emissions


def test_wide_table_rows_are_not_label_value_pairs() -> None:
    prose = _prose(
        "| Hardware Type | Hours used | Carbon Emitted |\n|---|---|---|\n| A | 1 | 2 |\n"
    )
    assert prose.values == () and prose.placeholders == ()


@pytest.mark.parametrize(
    "text",
    [
        "We report the carbon footprint.",
        "CO2 emissions during pretraining.",
        "Measured with codecarbon.",
        "See the ML CO2 Impact calculator.",
        "CO<sub>2</sub> emissions",
        "Emissions: unknown",
        "## Environmental Impact",
    ],
)
def test_mentions(text: str) -> None:
    prose = _prose(f"# Model\n\n{text}\n")
    assert prose.mentions_emissions
    assert prose.first_mention is not None and prose.first_mention.line == 6


@pytest.mark.parametrize(
    "text", ["Carbonara pasta.", "COCO2017 validation set.", "Photo of a carbon fibre bike."]
)
def test_not_mentions(text: str) -> None:
    assert not _prose(f"{text}\n").mentions_emissions


def test_environmental_impact_section_bounds() -> None:
    card = parse_card(
        "# Model\n\n## Environmental Impact\n\ntext\n\n### Detail\n\nmore\n\n## Citation\n"
    )
    assert card.prose.environmental_impact_lines == ((3, 10),)


@pytest.mark.parametrize("label", ["Carbon Emıtted", "CO2 EMİSSİONS", "Hardware  Type"])
def test_a_label_ignorecase_matches_is_read(label: str) -> None:
    """IGNORECASE equates the dotless ı and the dotted İ with i, which lower() does not."""
    prose = _prose(f"- {label}: 5 kg\n")
    assert len(prose.values) == 1 and prose.values[0].text == "5 kg"


def test_lower_traps_are_every_character_ignorecase_matches_to_a_keyword_letter() -> None:
    """The precheck lowercases the text: any other character IGNORECASE equates with a letter of
    the keywords must lowercase to that letter, and whitespace must stay whitespace."""
    pattern = prose._KEYWORDS_LOWERCASE.pattern
    assert pattern == pattern.lower()
    letters = sorted({c for c in pattern if c.isalnum()})
    any_letter = re.compile(f"[{''.join(letters)}]", re.IGNORECASE)
    gaps = set()
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char.isspace():
            assert char.lower() == char
        lowered_apart = any_letter.fullmatch(char) and char.lower() not in letters
        if len(char.lower()) != 1 or lowered_apart:
            gaps.add(char)
    assert gaps == set(prose.LOWER_TRAPS)


def test_every_keyword_alternative_holds_a_word_the_fast_precheck_looks_for() -> None:
    """`_may_mention` skips the combined pattern when the text holds none of `_KEYWORD_WORDS`
    and no `_DIGIT_WH`: sound only if every alternative but that last one needs one of them
    (a run of literal characters it must match)."""
    from re import _constants, _parser  # the pattern as the re module reads it

    parsed = _parser.parse(prose._KEYWORDS_LOWERCASE.pattern)
    [(operator, (_, alternatives))] = parsed.data
    assert operator is _constants.BRANCH
    *worded, last = alternatives
    assert str(last) == str(_parser.parse(prose._DIGIT_WH.pattern))
    for alternative in worded:
        runs, run = [], ""
        for code, argument in alternative.data:
            if code is _constants.LITERAL:
                run += chr(argument)
            else:
                runs.append(run)
                run = ""
        runs.append(run)
        assert any(word in run for word in prose._KEYWORD_WORDS for run in runs), alternative


@pytest.mark.parametrize(
    "body",
    [
        "I used 3 kWh.\n",  # only the digit-wh alternative
        "Measured in kWh.\n",  # only the kwh alternative
        "It took 12 hours on a cloud provider.\n",  # words, yet nothing the reader reports
        "- Carbon Emıtted: 5 kg\n",  # a dotless ı, which IGNORECASE reads as i
        "- CARBON EMITTED: 5 kg\n",
        "Total emissions were 5 tCO2eq.\n",
        "Nothing here about it.\n",
    ],
)
def test_precheck_never_skips_what_the_reader_finds(body: str) -> None:
    front = "---\nlicense: mit\n---\n"
    text, lines = front + body, LineIndex(front + body)
    assert prose.read_prose(text, len(front), lines) == prose.read_every_line(
        text, len(front), lines
    )


def test_a_heading_over_quoted_lines_is_a_section() -> None:
    prose = _prose("> Carbon\n> footprint\n> ---\n\nSee the paper.\n")
    assert prose.environmental_impact_lines == ((4, 9),)
    assert not prose.mentions_emissions


@pytest.mark.slow  # the whole fixture corpus
def test_precheck_agrees_with_the_full_reader_on_every_fixture_card() -> None:
    for path in sorted(FIXTURES.rglob("*.md")):
        card = parse_card(path.read_bytes())
        lines = LineIndex(card.text)
        full = prose.read_every_line(
            card.text, card.body_offset, lines, keep_all=card.co2 is not None
        )
        assert card.prose == full, path
