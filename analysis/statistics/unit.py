"""A statistic: one registered unit per statistic of RQ1 and RQ2.

A statistic has a stable id (`rq2.pearson_log_size`), a title, its research question, the test
it runs, the populations it runs on, and a docstring that is the method text the report prints.
Its function computes a `Result` for one population of a loaded `Population`; an optional figure
function draws the statistic's table (all populations at once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from analysis.figure_specs import FigureSpec
from analysis.findings import OK, Result, insufficient
from analysis.population import POPULATIONS, Population, PopulationName, Units
from hubcarbon.core.registry import Registry

Question = Literal["RQ1", "RQ2", "Sensitivity"]
Compute = Callable[[Population, PopulationName], Result]


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
        figure: FigureSpec | None = None,
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
        self._last: dict[str, tuple[Population, Result]] = {}

    def __call__(self, population: Population, name: PopulationName) -> Result:
        """The result on population `name`: insufficient when the crawl cannot form it, and
        with its units (from the result's table rows, else the population's reporters)."""
        reason = population.unavailable(name)
        if reason is not None:
            return replace(insufficient(0, reason), units=Units(0, None, 0))
        last = self._last.get(name)
        if last is not None and last[0] is population:  # asked again (sensitivity: as analysed)
            return last[1]
        result = self._computed(population, name)
        self._last[name] = (population, result)
        return result

    def _computed(self, population: Population, name: PopulationName) -> Result:
        result = self.compute(population, name)
        if result.units is not None:
            return result
        table = result.table
        if table is not None and "model_id" in table:
            return replace(result, units=population.units(table))
        if table is None and result.status != OK:
            return replace(result, units=population.units(population.reporters.iloc[0:0]))
        return replace(result, units=population.subset_units(name))

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
    figure: FigureSpec | None = None,
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
