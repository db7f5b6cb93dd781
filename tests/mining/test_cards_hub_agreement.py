"""The parser reads every fixture card as huggingface_hub does (its regex, utf-8-sig, safe_load)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from huggingface_hub.repocard import REGEX_YAML_BLOCK
from support import FIXTURES, fast_sample

from mining.cards.card import FrontMatterStatus, parse_card
from mining.cards.text import HUB_FRONT_MATTER

PATHS = sorted(p for p in (FIXTURES / "cards").rglob("*.md") if p.name != "README.md")
NO_BLOCK = {
    FrontMatterStatus.EMPTY,
    FrontMatterStatus.NO_FRONT_MATTER,
    FrontMatterStatus.UNTERMINATED,
    FrontMatterStatus.EMPTY_FRONT_MATTER,
}


def test_the_regex_is_the_hubs() -> None:
    assert HUB_FRONT_MATTER.pattern == REGEX_YAML_BLOCK.pattern


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
