"""Positions are 1-based lines and columns in the original file, whatever its line endings or
BOM; statuses follow the Hub's front-matter rule."""

from __future__ import annotations

import re

import pytest
from support import FIXTURES

from mining.cards.card import FrontMatterStatus, ParsedCard, parse_card
from mining.cards.text import LineIndex, Position

CARDS = FIXTURES / "cards"
BLOOM = (CARDS / "popular_cards" / "bigscience__bloom.md").read_bytes()
CRLF_CARDS = sorted(p for p in (CARDS / "ok_no_co2").iterdir() if b"\r" in p.read_bytes())


def _line(card: ParsedCard, position: Position) -> str:
    return re.split(r"\r\n|\r|\n", card.text)[position.line - 1]


def _assert_keys_located(card: ParsedCard) -> int:
    """Every plain mapping key's position points at the key's text in the file."""
    checked = 0
    for path, span in card.spans.items():
        if span.key is None or not isinstance(path[-1], str):
            continue
        key = path[-1]
        if not key or "\n" in key:
            continue
        rest = _line(card, span.key)[span.key.column - 1 :]
        assert rest.startswith((key, f'"{key}"', f"'{key}'")), (path, span.key, rest[:40])
        checked += 1
    return checked


def test_bloom_keys_and_values_are_located() -> None:
    card = parse_card(BLOOM)
    assert _assert_keys_located(card) > 50
    span = card.spans[("co2_eq_emissions", "training_type")]
    assert _line(card, span.start)[span.start.column - 1 :] == '"pre-training"'


@pytest.mark.parametrize("path", CRLF_CARDS, ids=lambda p: p.name)
def test_real_crlf_cards_keys_are_located(path: object) -> None:
    card = parse_card(path.read_bytes())  # type: ignore[attr-defined]
    assert card.status is FrontMatterStatus.OK
    assert "\r" in card.text
    assert _assert_keys_located(card) > 0


def test_crlf_and_bom_do_not_move_positions() -> None:
    lf = parse_card(BLOOM)
    crlf = parse_card(BLOOM.replace(b"\n", b"\r\n"))
    bom = parse_card(b"\xef\xbb\xbf" + BLOOM.replace(b"\n", b"\r\n"))
    assert not lf.had_bom and bom.had_bom
    assert lf.metadata == crlf.metadata == bom.metadata
    assert lf.spans == crlf.spans == bom.spans
    assert lf.co2 == crlf.co2 == bom.co2
    assert lf.prose.first_mention == crlf.prose.first_mention == bom.prose.first_mention
    assert lf.body_start_line == crlf.body_start_line == bom.body_start_line
    assert str(bom.spans[("co2_eq_emissions", "emissions")].start) == "174:14"


def test_bom_in_a_str_is_dropped_too() -> None:
    card = parse_card("\ufeff" + BLOOM.decode())
    assert card.had_bom and card.status is FrontMatterStatus.OK
    assert str(card.spans[("license",)].key) == "2:1"


def test_lone_cr_card_is_unterminated_as_on_the_hub() -> None:
    # The Hub's closing fence must end in \r\n, \n or the end of the text: \r alone does not.
    card = parse_card(BLOOM.replace(b"\n", b"\r"))
    assert card.status is FrontMatterStatus.UNTERMINATED
    assert card.opening_line == 1


def test_yaml_error_position_in_a_real_card() -> None:
    card = parse_card((CARDS / "malformed_front_matter" / "Madhour__gpt2-eli5.md").read_bytes())
    assert card.status is FrontMatterStatus.YAML_ERROR
    assert card.yaml_error is not None
    assert card.yaml_error.context == "while scanning for the next token"
    assert str(card.yaml_error.position) == "9:11"
    assert _line(card, card.yaml_error.position) == "license:  \tgpl-3.0"


def test_yaml_error_position_after_crlf_bom_and_blank_lines() -> None:
    card = parse_card(b"\xef\xbb\xbf\r\n\r\n---\r\na: 1\r\nb: [x\r\n---\r\nbody\r\n")
    assert card.status is FrontMatterStatus.YAML_ERROR
    assert card.opening_line == 3
    assert card.yaml_error is not None and card.yaml_error.position is not None
    # PyYAML notices the unclosed `[` at the end of the YAML text: just after `x` on line 5.
    assert str(card.yaml_error.position) == "5:6"


def test_unprintable_character_is_a_yaml_error_with_position() -> None:
    card = parse_card("---\na: 1\nb: x\x07y\n---\n")
    assert card.status is FrontMatterStatus.YAML_ERROR
    assert card.yaml_error is not None and str(card.yaml_error.position) == "3:5"


def test_duplicate_keys_are_listed_with_positions() -> None:
    card = parse_card(
        "---\nlicense: mit\ntags: [a]\nlicense: apache-2.0\nco2_eq_emissions:\n"
        "  emissions: 1\n  emissions: 2\n---\n"
    )
    assert card.status is FrontMatterStatus.OK
    assert card.metadata == {
        "license": "apache-2.0",
        "tags": ["a"],
        "co2_eq_emissions": {"emissions": 2},
    }
    found = {(d.mapping, d.key, tuple(map(str, d.positions))) for d in card.duplicate_keys}
    assert found == {
        ((), "license", ("2:1", "4:1")),
        (("co2_eq_emissions",), "emissions", ("6:3", "7:3")),
    }


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (".nan: 1\n.nan: 2\n", {((), ".nan", ("2:1", "3:1"))}),  # NaN keys never collide
        ("1: a\n01: b\n", set()),  # equal values written differently
        ("true: a\n1: b\n", set()),  # True == 1, different tags
        ("'a': 1\na: 2\n", {((), "a", ("2:1", "3:1"))}),  # the same text, quoted or not
        ("x:\n- {k: 1, k: 2}\n", {(("x", 0), "k", ("3:4", "3:10"))}),
        ("a: &v 1\na: *v\n", {((), "a", ("2:1", "3:1"))}),  # aliased: PyYAML builds it
    ],
)
def test_duplicate_keys_whatever_their_values(yaml_text: str, expected: set[object]) -> None:
    card = parse_card(f"---\n{yaml_text}---\n")
    assert card.status is FrontMatterStatus.OK
    found = {(d.mapping, d.key, tuple(map(str, d.positions))) for d in card.duplicate_keys}
    assert found == expected


def test_merge_keys_are_not_duplicates() -> None:
    card = parse_card("---\nbase: &b {x: 1}\nm:\n  <<: *b\n  <<: *b\n  y: 2\n---\n")
    assert card.metadata == {"base": {"x": 1}, "m": {"x": 1, "y": 2}}
    assert card.duplicate_keys == ()


@pytest.mark.parametrize(
    ("text", "status", "metadata"),
    [
        ("", FrontMatterStatus.EMPTY, None),
        (" \n\t\n", FrontMatterStatus.EMPTY, None),
        ("# Title\n---\na: 1\n---\n", FrontMatterStatus.NO_FRONT_MATTER, None),
        ("---\na: 1\n", FrontMatterStatus.UNTERMINATED, None),
        ("---\na: 1\n...\nb: 2\n", FrontMatterStatus.UNTERMINATED, None),
        ("---\n---\n# body\n", FrontMatterStatus.EMPTY_FRONT_MATTER, {}),
        ("---\n\n---\n# body\n", FrontMatterStatus.EMPTY_FRONT_MATTER, {}),
        ("---\n# only a comment\n---\n", FrontMatterStatus.EMPTY_FRONT_MATTER, {}),
        ("---\n- a\n- b\n---\n", FrontMatterStatus.NOT_A_MAPPING, None),
        ("---\njust text\n---\n", FrontMatterStatus.NOT_A_MAPPING, None),
        ("---\na: 1\n---", FrontMatterStatus.OK, {"a": 1}),
        ("\n  ---\na: 1\n--- \t\nbody", FrontMatterStatus.OK, {"a": 1}),
        ("---\r\na: 1\r\n---\r\n", FrontMatterStatus.OK, {"a": 1}),
        ("---\na: !!python/object:os.system x\n---\n", FrontMatterStatus.YAML_ERROR, None),
        ("---\na: 2023-02-30\n---\n", FrontMatterStatus.YAML_ERROR, None),
        ("---\n? [a, b]\n: c\n---\n", FrontMatterStatus.YAML_ERROR, None),
        ("--- \na: 1\n---\n", FrontMatterStatus.NO_FRONT_MATTER, None),
        ("----\na: 1\n----\n", FrontMatterStatus.NO_FRONT_MATTER, None),
    ],
)
def test_statuses_follow_the_hub(
    text: str, status: FrontMatterStatus, metadata: dict[str, int] | None
) -> None:
    card = parse_card(text)
    assert card.status is status
    assert card.metadata == metadata


def test_yaml_11_readings_match_safe_load() -> None:
    card = parse_card("---\nlanguage: no\non: yes\nversion: 1.10\nsci: 1.2e3\n---\n")
    assert card.metadata == {"language": False, True: True, "version": 1.1, "sci": "1.2e3"}
    assert card.metadata_json() == (
        '{"language": false, "True": true, "version": 1.1, "sci": "1.2e3"}'
    )


def test_body_positions_follow_the_front_matter() -> None:
    card = parse_card(
        "---\r\na: 1\r\n---\r\n# Environmental Impact\r\n\r\n"
        "- **Carbon Emitted:** [More Information Needed]\r\n"
    )
    assert card.body_start_line == 4
    assert card.body.startswith("# Environmental Impact")
    assert card.prose.environmental_impact_lines == ((4, 7),)
    (placeholder,) = card.prose.placeholders
    assert str(placeholder.position) == "6:23" and str(placeholder.label_position) == "6:5"
    assert placeholder.in_environmental_impact


@pytest.mark.parametrize(
    "yaml_text",
    ["license: mit\n", "  - a\n  - b\n", "  {a: 1}\n", "plain scalar\n", "a: &x {b: 1}\nc: *x\n"],
)
def test_the_root_span_located_alone_is_the_one_located_with_all(yaml_text: str) -> None:
    """Spans are located on first use, the root's directly: both ways give the same span."""
    text = f"---\n{yaml_text}---\nbody\n"
    root_first = parse_card(text).spans[()]
    located = parse_card(text).spans
    assert dict(located)[()] == root_first == located[()]
    assert located == dict(located) and len(located) == len(dict(located))


@pytest.mark.parametrize(
    "text",
    ["", "a", "a\n", "\n\n", "ab\ncd\n\nef", "a\r\nb\rc\n", "x\u2028y\x85z\x0cw\n", BLOOM.decode()],
)
def test_lines_end_at_crlf_cr_or_lf_only(text: str) -> None:
    starts = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    lines = LineIndex(text)
    assert [lines.line_start(n) for n in range(1, lines.line_count + 1)] == starts
