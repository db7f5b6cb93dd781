"""A registry of named units: every unit users can name (a crawl source, a statistic, a lint rule,
a label scheme, a report page) is an object with a stable id and a docstring that is its
documentation. Adding a unit means adding one object and one test; listings read the registry.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """An ordered mapping from stable ids to units, refusing duplicates and undocumented units."""

    def __init__(self, kind: str, id_of: Callable[[T], str]) -> None:
        self.kind = kind
        self._id_of = id_of
        self._units: dict[str, T] = {}

    def register(self, unit: T) -> T:
        unit_id = self._id_of(unit)
        if unit_id in self._units:
            raise ValueError(f"duplicate {self.kind} id {unit_id!r}")
        if not documentation(unit):
            raise ValueError(f"{self.kind} {unit_id!r} has no docstring")
        self._units[unit_id] = unit
        return unit

    def __getitem__(self, unit_id: str) -> T:
        try:
            return self._units[unit_id]
        except KeyError:
            known = ", ".join(self._units)
            raise KeyError(f"unknown {self.kind} {unit_id!r}; known: {known}") from None

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._units

    def __iter__(self) -> Iterator[T]:
        return iter(self._units.values())

    def __len__(self) -> int:
        return len(self._units)

    def ids(self) -> list[str]:
        return list(self._units)


def documentation(unit: object) -> str:
    """The cleaned docstring of a unit (a class, a function, or an instance of one)."""
    doc = inspect.getdoc(unit)
    return doc.strip() if doc else ""
