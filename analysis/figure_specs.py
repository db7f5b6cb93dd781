"""What a statistic draws, named without importing the drawing: matplotlib and seaborn are
imported only where figures are drawn (analysis.figures, in the figure workers), not by every
process that computes statistics.

    drawn("bars", category="source", label="source")   # analysis.figures.bars(table, results,
                                                        #   category="source", label="source")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from analysis.findings import Result

FORMATS = ("png", "svg")
"""Every figure is written in these formats, in this order (analysis.figures.rendered)."""

Rendered = tuple[bytes, bytes] | None
"""A drawn figure's bytes in FORMATS, or None: the statistic draws nothing for its table."""


@dataclass(frozen=True)
class FigureSpec:
    """A figure: the drawing function of analysis.figures named `kind`, with its options."""

    kind: str
    options: tuple[tuple[str, Any], ...] = ()

    def __call__(self, table: pd.DataFrame, results: Mapping[str, Result]) -> Figure | None:
        from analysis import figures  # the drawing's imports, where a figure is drawn

        draw_kind = getattr(figures, self.kind)
        return draw_kind(table, results, **dict(self.options))


def drawn(kind: str, **options: Any) -> FigureSpec:
    """The figure drawn by analysis.figures.`kind` with `options`."""
    return FigureSpec(kind, tuple(options.items()))


Job = tuple[FigureSpec, "pd.DataFrame", "Mapping[str, Result]"]
"""A figure to draw: a statistic's figure, its table (all populations) and its result per
population."""


def draw(job: Job) -> Rendered:
    """The rendered figure of `job` (analysis.figures.draw): a module-level function of a light
    module, so that this process can hand jobs to figure workers without importing the
    drawing."""
    from analysis import figures

    return figures.draw(job)
