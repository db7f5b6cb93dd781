"""A replication procedure: one registered unit per statistic of the paper.

A procedure reads the paper's three data files (bundled as `Frames`) and returns one JSON-ready
section of `out/replication.json`. Its docstring is the method text: which file, which subset,
which test with which defaults, and which quirk of the original code it reproduces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import paperdata
from hubcarbon.core.registry import Registry

Section = dict[str, Any]
Compute = Callable[["Frames"], Section]


@dataclass(frozen=True)
class Frames:
    """The paper's data files as the notebooks load them (pandas defaults, no cleaning).

    `streamlit` is HFStreamlit (1,417 reporters before the merge), `co2` is HFCO2 (1,419 rows
    after the merge with the curated table), `clean` is HFClean (48 curated models).
    """

    streamlit: pd.DataFrame
    co2: pd.DataFrame
    clean: pd.DataFrame

    @classmethod
    def load(cls) -> Frames:
        """The full files shipped in `analysis.paperdata`."""
        return cls(paperdata.hfstreamlit(), paperdata.hfco2(), paperdata.hfclean())


class Procedure:
    """A named statistic of the paper: stable id, JSON key, method text, computation."""

    def __init__(self, unit_id: str, key: str, compute: Compute) -> None:
        if not compute.__doc__:
            raise ValueError(f"procedure {unit_id!r} has no method text")
        self.id = unit_id
        self.key = key
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __call__(self, frames: Frames) -> Section:
        return self.compute(frames)

    def __repr__(self) -> str:
        return f"Procedure({self.id!r})"


PROCEDURES: Registry[Procedure] = Registry("replication procedure", lambda p: p.id)


def procedure(unit_id: str, key: str) -> Callable[[Compute], Procedure]:
    """Register the decorated function as the procedure `unit_id`, writing JSON section `key`."""

    def register(compute: Compute) -> Procedure:
        return PROCEDURES.register(Procedure(unit_id, key, compute))

    return register
