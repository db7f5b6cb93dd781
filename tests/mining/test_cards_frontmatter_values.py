"""The front matter's values and errors are PyYAML's SafeLoader's, whichever way they are built
(directly from a plain node tree, or by PyYAML's generic construction)."""

from __future__ import annotations

import pytest
import yaml
from support import FIXTURES

from mining.cards.frontmatter import read_front_matter
from mining.cards.text import FrontMatterStatus, LineIndex, split_card

DOCUMENTS = [
    "license: mit\ntags: [a, b]\nco2_eq_emissions:\n  emissions: 12.5\n  source: codecarbon\n",
    "a: 1\nb: 0x1F\nc: 1_000\nd: 1.5e3\ne: .inf\nf: yes\ng: ~\nh: 2023-01-02\n",
    "when: 2023-02-30\nalso: 2023-13-45\n",  # two invalid dates: the first one's error
    "x: !!binary aGVsbG8=\ny: !!float 1\nz: !!str 12\n",
    "base: &b {k: 1}\nderived:\n  <<: *b\n  k: 2\n",  # a merge key and an alias
    "=: value\nother: 1\n",  # the `value` tag of a lone =
    "? [a, b]\n: unhashable key\n",
    "set: !!set {a, b}\nomap: !!omap [a: 1]\npairs: !!pairs [a: 1, a: 2]\n",
    "k: !custom tag\n",  # a tag SafeLoader does not know
    "seq: !!seq [1]\nstr_map: !!str {a: 1}\n",
    "dup: 1\ndup: 2\n1: int key\ntrue: bool key\n",
    "0b_: bad binary int\nv: !!int 0x_\n",
]


def _read(document: str) -> tuple[object, FrontMatterStatus, object]:
    text = f"---\n{document}---\n"
    lines = LineIndex(text)
    split = split_card(text, lines)
    assert split.yaml_start is not None and split.yaml_end is not None
    front = read_front_matter(text[split.yaml_start : split.yaml_end], split.yaml_start, lines)
    return front.metadata, front.status, front.error


def _safe_load(document: str) -> tuple[object, str | None]:
    try:
        return yaml.load(document, Loader=yaml.SafeLoader), None
    except yaml.MarkedYAMLError as exc:
        return None, exc.problem
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_values_and_errors_are_safe_loaders(document: str) -> None:
    metadata, status, error = _read(document)
    expected, problem = _safe_load(document)
    if problem is None:
        assert status is FrontMatterStatus.OK
        assert repr(metadata) == repr(expected)
    else:
        assert status is FrontMatterStatus.YAML_ERROR
        assert error is not None and problem in error.message


@pytest.mark.slow  # the whole fixture corpus
def test_every_fixture_card_gets_safe_loaders_values() -> None:
    for path in sorted(FIXTURES.rglob("*.md")):
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        lines = LineIndex(text)
        split = split_card(text, lines)
        if split.yaml_start is None or split.yaml_end is None:
            continue
        document = text[split.yaml_start : split.yaml_end]
        front = read_front_matter(document, split.yaml_start, lines)
        if front.status is FrontMatterStatus.OK:
            assert repr(front.metadata) == repr(_safe_load(document)[0]), path
