"""The parser reads every fixture card as huggingface_hub does (its regex, utf-8-sig, safe_load)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
import yaml
from huggingface_hub.repocard import REGEX_YAML_BLOCK
from support import FIXTURES, fast_sample

from mining.cards.card import FrontMatterStatus, parse_card
from mining.cards.text import HUB_FRONT_MATTER, hub_block

PATHS = sorted(p for p in (FIXTURES / "cards").rglob("*.md") if p.name != "README.md")
NO_BLOCK = {
    FrontMatterStatus.EMPTY,
    FrontMatterStatus.NO_FRONT_MATTER,
    FrontMatterStatus.UNTERMINATED,
    FrontMatterStatus.EMPTY_FRONT_MATTER,
}


def test_the_regex_is_the_hubs() -> None:
    assert HUB_FRONT_MATTER.pattern == REGEX_YAML_BLOCK.pattern


# fences, every line break the pattern knows, blanks it skips (\s also holds U+2028, U+0085,
# form feed) and other text
PIECES = ("-", "---", "\r", "\n", "\r\n", " ", "\t", "a", ":", "\u2028", "\x85", "\x0c")


def _regex_block(text: str) -> tuple[int, int, int] | None:
    match = HUB_FRONT_MATTER.search(text)
    return None if match is None else (match.start(2), match.end(2), match.end())


def test_the_block_is_where_the_regex_finds_it() -> None:
    texts = ["".join(p) for n in range(5) for p in itertools.product(PIECES, repeat=n)]
    rng = random.Random(10)
    texts += ["".join(rng.choices(PIECES, k=rng.randint(5, 16))) for _ in range(20_000)]
    texts += ["---\r\n---\n", "---\r\n---", "\n \t---\r\na: 1\r\n---  \r\nbody"]
    for text in texts:
        assert hub_block(text) == _regex_block(text), repr(text)


@pytest.mark.parametrize("path", fast_sample(PATHS))
def test_same_reading_as_huggingface_hub(path: Path) -> None:
    content = path.read_bytes().decode("utf-8-sig")
    card = parse_card(path.read_bytes())
    match = REGEX_YAML_BLOCK.search(content)
    if match is None:
        assert card.status in NO_BLOCK
        return
    try:
        data = yaml.safe_load(match.group(2))
    except yaml.YAMLError:
        assert card.status is FrontMatterStatus.YAML_ERROR
        return
    if data is None:
        assert card.status is FrontMatterStatus.EMPTY_FRONT_MATTER
        assert card.metadata == {}
    elif isinstance(data, dict):
        assert card.status is FrontMatterStatus.OK
        assert card.metadata == data
    else:
        assert card.status is FrontMatterStatus.NOT_A_MAPPING
