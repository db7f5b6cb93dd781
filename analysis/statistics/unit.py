"""A statistic: one registered unit per statistic of RQ1 and RQ2.

A statistic has a stable id (`rq2.pearson_log_size`), a title, its research question, the test
it runs, the populations it runs on, and a docstring that is the method text the report prints.
Its function computes a `Result` for one population of a loaded `Population`; an optional figure
function draws the statistic's table (all populations at once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import pandas as pd
from matplotlib.figure import Figure

from analysis.findings import Result
from analysis.population import POPULATIONS, Population, PopulationName
from hubcarbon.core.registry import Registry

Question = Literal["RQ1", "RQ2"]
Compute = Callable[[Population, PopulationName], Result]
Draw = Callable[[pd.DataFrame, Mapping[str, Result]], Figure | None]


class Statistic:
    """A named statistic: id, title, question, test, populations, method text, computation."""

    def __init__(
        self,
        unit_id: str,
        *,
        title: str,
        question: Question,
        test: str,
        compute: Compute,
        populations: tuple[PopulationName, ...] = POPULATIONS,
        figure: Draw | None = None,
    ) -> None:
        if not compute.__doc__:
            raise ValueError(f"statistic {unit_id!r} has no method text")
        self.id = unit_id
        self.title = title
        self.question = question
        self.test = test
        self.compute = compute
        self.populations = populations
        self.figure = figure
        self.__doc__ = compute.__doc__

    def __call__(self, population: Population, name: PopulationName) -> Result:
        return self.compute(population, name)

    def __repr__(self) -> str:
        return f"Statistic({self.id!r})"


STATISTICS: Registry[Statistic] = Registry("statistic", lambda unit: unit.id)


def statistic(
    unit_id: str,
    *,
    title: str,
    question: Question,
    test: str,
    populations: tuple[PopulationName, ...] = POPULATIONS,
    figure: Draw | None = None,
) -> Callable[[Compute], Statistic]:
    """Register the decorated function as the statistic `unit_id`."""

    def register(compute: Compute) -> Statistic:
        unit = Statistic(
            unit_id,
            title=title,
            question=question,
            test=test,
            compute=compute,
            populations=populations,
            figure=figure,
        )
        return STATISTICS.register(unit)

    return register
