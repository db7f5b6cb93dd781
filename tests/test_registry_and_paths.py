from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubcarbon.core.paths import safe_child, slug
from hubcarbon.core.registry import Registry


class _Unit:
    """A documented unit."""

    def __init__(self, unit_id: str) -> None:
        self.id = unit_id


def test_registry_refuses_duplicates_and_keeps_order() -> None:
    registry: Registry[_Unit] = Registry("unit", lambda u: u.id)
    registry.register(_Unit("b"))
    registry.register(_Unit("a"))
    assert registry.ids() == ["b", "a"]
    with pytest.raises(ValueError, match="duplicate"):
        registry.register(_Unit("a"))
    with pytest.raises(KeyError, match="known: b, a"):
        registry["zzz"]


@pytest.mark.parametrize(
    "model_id",
    ["../../etc/passwd", "%2e%2e/%2e%2e/x", "..\\..\\win", "/abs/path", "a\x00b", "C:\\x", ".."],
)
def test_safe_child_stays_inside(tmp_path: Path, model_id: str) -> None:
    path = safe_child(tmp_path, model_id, ".html")
    assert tmp_path.resolve() in path.parents
    assert path.parent == tmp_path.resolve()


@given(st.text(min_size=1, max_size=300))
def test_slug_is_always_a_plain_file_name(name: str) -> None:
    result = slug(name)
    assert "/" not in result and "\\" not in result and "\x00" not in result
    assert not result.startswith(".")


def test_slug_keeps_distinct_ids_distinct() -> None:
    assert slug("a/b") != slug("a__b")
    assert slug("Org/Model") != slug("org/model")
