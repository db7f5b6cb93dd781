"""A finding: one statistic computed on one population, as findings.json stores it.

A statistic's computation returns a `Result` (numbers, status, its table); the runner turns it
into a `Finding` by adding the statistic's identity, method text, output paths and the
Holm-adjusted p-value. A statistic that cannot be computed (too few observations, no variation,
data the crawl does not hold) is still a finding: status `insufficient_data`, its n, a note, and
no statistic — never a NaN passed off as a result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from analysis.population import Units

Status = Literal["ok", "insufficient_data"]
Inference = Literal["confirmatory", "exploratory", "descriptive"]
"""A finding's role: a declared member of the Holm family (confirmatory), a test whose raw p is
reported without correction (exploratory), or no test at all (descriptive)."""
OK: Status = "ok"
INSUFFICIENT: Status = "insufficient_data"


@dataclass(frozen=True)
class EffectSize:
    """A named effect size (rank-biserial r, Pearson r, a slope, ...)."""

    name: str
    value: float

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value}


@dataclass(frozen=True)
class Result:
    """What a statistic computes for one population.

    `statistic` is the test statistic (named by `statistic_name`), `p` its two-sided p-value
    (None for descriptive statistics), `ci` the 95 % interval of the effect size, on the effect
    size's own scale (a ratio's interval for a ratio), `details` any further numbers (group
    medians, dropped rows, fit parameters, the statistic's own interval), `table` the rows
    behind it (written to `OUT/analysis/<id>.csv` with a `population` column), `units` its
    rows, training runs and authors (set by the statistic or from its table).
    """

    n: int
    statistic: float | None = None
    statistic_name: str | None = None
    p: float | None = None
    effect_size: EffectSize | None = None
    ci: tuple[float, float] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    table: pd.DataFrame | None = None
    status: Status = OK
    note: str | None = None
    units: Units | None = None

    def __post_init__(self) -> None:
        if self.status == OK:
            numbers = [self.statistic, self.p, *(self.ci or ())]
            if self.effect_size is not None:
                numbers.append(self.effect_size.value)
            if any(value is not None and not math.isfinite(value) for value in numbers):
                raise ValueError("a non-finite number in a result with status ok")

    @property
    def inferential(self) -> bool:
        """A computed p-value: a member of the Holm family."""
        return self.status == OK and self.p is not None


def insufficient(n: int, note: str, *, table: pd.DataFrame | None = None, **details: Any) -> Result:
    """A result that could not be computed, with its n and why."""
    return Result(n=n, status=INSUFFICIENT, note=note, table=table, details=details)


@dataclass(frozen=True)
class Finding:
    """One entry of findings.json `statistics` (see docs/analysis.md for the schema)."""

    id: str
    title: str
    question: str
    population: str
    test: str
    result: Result
    method: str
    table: str | None
    figure: str | None
    p_holm: float | None = None
    inference: Inference = "descriptive"

    def as_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "id": self.id,
            "title": self.title,
            "question": self.question,
            "population": self.population,
            "test": self.test,
            "status": result.status,
            "note": result.note,
            "n": result.n,
            "units": result.units.as_dict() if result.units else None,
            "inference": self.inference,
            "statistic": result.statistic,
            "statistic_name": result.statistic_name,
            "p": result.p,
            "p_holm": self.p_holm,
            "effect_size": result.effect_size.as_dict() if result.effect_size else None,
            "ci": list(result.ci) if result.ci else None,
            "details": result.details,
            "method": self.method,
            "table": self.table,
            "figure": self.figure,
        }
