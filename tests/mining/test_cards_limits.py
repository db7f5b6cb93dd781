"""Hostile front matter is refused in bounded time and memory, and nothing raises."""

from __future__ import annotations

import time

from mining.cards import FrontMatterStatus, frontmatter, parse_card

BILLION_LAUGHS = """---
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
# A card
"""


def _timed(text: str) -> tuple[FrontMatterStatus, float]:
    start = time.perf_counter()
    card = parse_card(text)
    return card.status, time.perf_counter() - start


def test_billion_laughs_is_refused_quickly() -> None:
    status, seconds = _timed(BILLION_LAUGHS)
    assert status is FrontMatterStatus.ALIAS_BOMB
    assert seconds < 5  # generous: the expansion would be 10**9 nodes


def test_merge_key_bomb_is_refused() -> None:
    levels = ["a0: &a0 {k: v}"]
    for level in range(1, 12):
        merges = ", ".join([f"*a{level - 1}"] * 8)
        levels.append(f"a{level}: &a{level} {{<<: [{merges}], k{level}: v}}")
    status, _ = _timed("---\n" + "\n".join(levels) + "\n---\n")
    assert status is FrontMatterStatus.ALIAS_BOMB


def test_recursive_alias_is_refused() -> None:
    assert parse_card("---\na: &a [*a]\n---\n").status is FrontMatterStatus.ALIAS_BOMB
    assert parse_card("---\na: &a {b: *a}\n---\n").status is FrontMatterStatus.ALIAS_BOMB


def test_modest_aliases_are_fine() -> None:
    card = parse_card("---\nbase: &b [1, 2]\ncopy: *b\n---\n")
    assert card.status is FrontMatterStatus.OK
    assert card.metadata == {"base": [1, 2], "copy": [1, 2]}


def test_two_megabyte_front_matter_is_refused_without_parsing() -> None:
    yaml_text = "tags:\n" + "- tag\n" * 350_000
    assert len(yaml_text) > 2_000_000
    status, seconds = _timed(f"---\n{yaml_text}---\n# body\n")
    assert status is FrontMatterStatus.TOO_LARGE
    assert seconds < 5


def test_size_limit_counts_utf8_bytes() -> None:
    yaml_text = "a: " + "é" * (frontmatter.MAX_FRONT_MATTER_BYTES // 2 + 10)
    assert len(yaml_text) < frontmatter.MAX_FRONT_MATTER_BYTES
    assert parse_card(f"---\n{yaml_text}\n---\n").status is FrontMatterStatus.TOO_LARGE


def test_deep_nesting_is_too_deep_not_a_crash() -> None:
    depth = 5_000
    card = parse_card("---\na: " + "[" * depth + "]" * depth + "\n---\n")
    assert card.status is FrontMatterStatus.TOO_DEEP


def test_huge_integer_is_a_yaml_error() -> None:
    card = parse_card("---\nco2_eq_emissions: " + "9" * 5000 + "\n---\n")
    assert card.status is FrontMatterStatus.YAML_ERROR
    assert card.yaml_error is not None and "ValueError" in card.yaml_error.problem


def test_undecodable_bytes_are_replaced_and_counted() -> None:
    card = parse_card(b"---\nlicense: mit\xff\xfe\n---\n# caf\xe9\n")
    assert card.undecodable_bytes == 3
    assert card.status is FrontMatterStatus.OK
    assert card.metadata == {"license": "mit\ufffd\ufffd"}
    assert "\ufffd" in card.body
