"""The card parser's work grows linearly with hostile input, and is capped per card.

Each input below is made-up: the worst case of one pattern (a run of blanks that quantifiers on
both sides could share, closed by a character that makes the match fail), grown from n to 4n.
Before the patterns were made linear these took cubic or quadratic time (a 4 KB card with a
padded `Carbon Emitted` line took minutes).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from growth import LINEAR_RATIO, growth_ratio

from mining.cards import metrics, parse_card, prose, quantities
from mining.cards.text import LineIndex

pytestmark = pytest.mark.slow  # each test times inputs of n and 4n characters

PAD = " "


def _label_line(n: int) -> str:
    return "- **Carbon Emitted:** [" + PAD * n + "x"


PATTERNS: dict[str, tuple[Callable[[str], object], Callable[[int], str]]] = {
    # the template line: blanks in the value, then after the label, then before the label
    "label line, padded value": (prose._LABEL_LINE.match, _label_line),
    "label line, padded label": (
        prose._LABEL_LINE.match,
        lambda n: "**Carbon Emitted" + PAD * n + "x",
    ),
    "label line, padded note": (
        prose._LABEL_LINE.match,
        lambda n: "Carbon Emitted (in grams)" + PAD * n + "**" + PAD * n + "x",
    ),
    "label line, padded prefix": (prose._LABEL_LINE.match, lambda n: "> " * n + PAD * n + "x"),
    "label cell": (prose._LABEL_CELL.fullmatch, lambda n: "Carbon Emitted" + PAD * n + "x"),
    "label cell, padded note": (
        prose._LABEL_CELL.fullmatch,
        lambda n: "**Carbon Emitted (g)" + PAD * n + ":" + PAD * n + "**" + PAD * n + "x",
    ),
    "placeholder": (prose._PLACEHOLDER.fullmatch, lambda n: "[" + PAD * n + "x"),
    "placeholder, padded bracket": (
        prose._PLACEHOLDER.fullmatch,
        lambda n: "[unknown" + PAD * n + "]" + PAD * n + "x",
    ),
    "strict amount": (quantities._STRICT.fullmatch, lambda n: "12" + PAD * n + "x"),
    "strict amount, padded unit": (
        quantities._STRICT.fullmatch,
        lambda n: "~" + PAD * n + "12 kg" + PAD * n + "." + PAD * n + "x",
    ),
    "strict amount, padded CO2 suffix": (
        quantities._STRICT.fullmatch,
        lambda n: "12 kg co2" + PAD * n + "x",
    ),
    # already linear before, kept as guards: a number or unit then blanks
    "amount in text": (quantities._SEARCH.search, lambda n: "12" + PAD * n + "kgx"),
    "unit in a note": (quantities._UNIT_ONLY.search, lambda n: "(g" + PAD * n + "of" + PAD * n),
    "validation metric line": (
        metrics._LINE.match,
        lambda n: "- Accuracy" + PAD * n + ":" + PAD * n + "0.5" + PAD * n + "%" + PAD * n + "x",
    ),
}


@pytest.mark.parametrize("name", PATTERNS)
def test_pattern_grows_linearly(name: str) -> None:
    call, make = PATTERNS[name]
    assert growth_ratio(call, make, 1_000) < LINEAR_RATIO


BODIES: dict[str, Callable[[int], str]] = {
    "padded template line": lambda n: "## Environmental Impact\n\n" + _label_line(n) + "\n",
    "padded table cell": lambda n: "| a | b |\n|---|---|\n| Carbon Emitted" + PAD * n + "x | 5 |\n",
    # many statements on one line, none followed by an amount
    "statements": lambda n: "emissions were x " * n + "\n",
    "statements with digits": lambda n: "emissions were 1x " * n + "\n",
    # many Environmental Impact sections, each a line
    "sections": lambda n: "## Environmental Impact\n- Hours used: 1\n" * n,
    "nested sections": lambda n: "".join(
        f"{'#' * (1 + i % 6)} Carbon footprint\n" for i in range(n)
    ),
    # already linear before, kept as guards
    "mentions": lambda n: "co2 " * n + "\n",
    "hours": lambda n: "- Hours used: 1" + "1" * n + PAD * n + "- 3\n",
}


@pytest.mark.parametrize("name", BODIES)
def test_body_parse_grows_linearly(name: str) -> None:
    make = BODIES[name]
    assert growth_ratio(parse_card, lambda n: "# Card\n\n" + make(n), 200) < LINEAR_RATIO


def test_strict_amount_through_parse_card_grows_linearly() -> None:
    def card(n: int) -> str:
        return f'---\nco2_eq_emissions:\n  emissions: "12{PAD * n}x"\n---\n# Card\n'

    assert growth_ratio(parse_card, card, 500) < LINEAR_RATIO


def test_validation_metrics_grow_linearly() -> None:
    def section(n: int) -> str:
        return "## Validation Metrics\n\n" + "- Accuracy: 0.5" + PAD * n + "x\n" * 3

    assert growth_ratio(metrics.from_card_text, section, 500) < LINEAR_RATIO


# The two hostile cards of the issue: before, 148 s and 7 s.
PADDED_CARBON_EMITTED = (
    "---\nlicense: mit\n---\n# Model\n\n## Environmental Impact\n\n"
    "- **Hardware Type:** A100\n- **Carbon Emitted:** [" + PAD * 4_000 + "x\n"
)
PADDED_QUOTED_CO2 = (
    '---\nlicense: mit\nco2_eq_emissions:\n  emissions: "12' + PAD * 2_000 + 'x"\n---\n# Model\n'
)


def _seconds(text: str) -> float:
    start = time.perf_counter()
    parse_card(text)
    return time.perf_counter() - start


def test_padded_carbon_emitted_card_is_read_quickly() -> None:
    assert 4_000 < len(PADDED_CARBON_EMITTED.encode()) < 4_200
    card = parse_card(PADDED_CARBON_EMITTED)
    (emitted,) = [v for v in card.prose.values if v.field is prose.ProseField.CARBON_EMITTED]
    assert emitted.text == "[" + PAD * 4_000 + "x"
    assert card.prose.co2 is None  # no amount in it
    assert _seconds(PADDED_CARBON_EMITTED) < 1.0  # generous: it takes milliseconds


def test_padded_quoted_co2_card_is_read_quickly() -> None:
    card = parse_card(PADDED_QUOTED_CO2)
    assert card.co2 is not None
    assert card.co2.emissions.problem is quantities.Co2Problem.NOT_A_NUMBER
    assert card.co2.emissions.raw == "12" + PAD * 2_000 + "x"
    assert _seconds(PADDED_QUOTED_CO2) < 1.0


def test_hostile_cards_grow_linearly() -> None:
    def emitted(n: int) -> str:
        return PADDED_CARBON_EMITTED.replace(PAD * 4_000, PAD * n)

    def quoted(n: int) -> str:
        return PADDED_QUOTED_CO2.replace(PAD * 2_000, PAD * n)

    assert growth_ratio(parse_card, emitted, 1_000) < LINEAR_RATIO
    assert growth_ratio(parse_card, quoted, 500) < LINEAR_RATIO


# The caps: a body over them is read up to there, and the card says where reading stopped.


def test_body_over_the_line_cap_is_read_up_to_it() -> None:
    lines_before = prose.MAX_BODY_LINES - 1
    text = "# Card\n" + "\n" * (lines_before - 1) + "- Carbon Emitted: 5 kg\n- Hours used: 3\n"
    card = parse_card(text)
    assert card.prose.co2 is not None and card.prose.co2.value.grams == 5_000
    assert card.prose.hours is None  # on the first line beyond the cap
    assert card.prose.truncated_at is not None
    assert card.prose.truncated_at.line == prose.MAX_BODY_LINES + 1
    assert card.prose.truncated_at.column == 1


def test_body_over_the_byte_cap_is_read_in_whole_lines_up_to_it() -> None:
    filler = "é" * (prose.MAX_BODY_BYTES // 2 - 18) + "\n"  # 2 bytes a character
    text = "- Hours used: 3\n" + filler + "- Carbon Emitted: 5 kg\n"  # `5` within the cap
    assert len(text.encode()) > prose.MAX_BODY_BYTES > len(text.encode()) - 10
    card = parse_card(text)
    assert card.prose.hours == 3
    assert card.prose.co2 is None  # not `5 g` from a line cut short
    assert card.prose.truncated_at is not None
    assert (card.prose.truncated_at.line, card.prose.truncated_at.column) == (3, 1)


def test_a_first_line_over_the_byte_cap_is_not_read() -> None:
    card = parse_card("- Carbon Emitted: 5 kg " + "x" * prose.MAX_BODY_BYTES + "\n")
    assert card.prose.values == ()
    assert card.prose.truncated_at is not None
    assert (card.prose.truncated_at.line, card.prose.truncated_at.column) == (1, 1)


def test_body_over_the_caps_without_any_mention_records_the_cap() -> None:
    card = parse_card("# Card\n" + "text\n" * prose.MAX_BODY_LINES)
    assert card.prose.mentions_emissions is False
    assert card.prose.truncated_at is not None


def test_body_under_the_caps_is_read_whole() -> None:
    text = "# Card\n" + "\n" * (prose.MAX_BODY_LINES - 3) + "- Carbon Emitted: 5 kg\n"
    assert LineIndex(text).line_count == prose.MAX_BODY_LINES
    card = parse_card(text)
    assert card.prose.truncated_at is None
    assert card.prose.co2 is not None


def test_front_matter_lines_do_not_count_against_the_body_cap() -> None:
    yaml_lines = "".join(f"k{i}: v\n" for i in range(1_000))
    body = "\n" * (prose.MAX_BODY_LINES - 2) + "- Carbon Emitted: 5 kg\n"
    card = parse_card(f"---\n{yaml_lines}---\n{body}")
    assert card.prose.truncated_at is None
    assert card.prose.co2 is not None


def test_statement_amount_is_read_right_after_it() -> None:
    card = parse_card("# Card\n\nOur emissions were 2290 tCO2eq in total.\n")
    assert card.prose.co2 is not None
    assert card.prose.co2.label == "statement"
    assert card.prose.co2.value.grams == 2_290_000_000
