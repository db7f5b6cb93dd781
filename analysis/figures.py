"""Seaborn figures of the statistics' tables, saved byte-stable as PNG and SVG.

Figures are drawn on `matplotlib.figure.Figure` objects with the Agg canvas (no pyplot state,
no display); `save` strips the creation date and fixes the SVG id salt, so the same data gives
the same bytes. Every figure shows the AutoTrain and human populations in fixed colours (and
"all" where it is not simply their union).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.findings import OK, Result
from hubcarbon.core.atomic import Staged

MAX_POINTS = 2000
"""Scatter plots draw at most this many points per population (a seeded sample); the tables
hold every row."""

PALETTE = {"all": "#4c4c4c", "autotrain": "#d95f02", "human": "#1b9e77"}
SPLIT = ("autotrain", "human")
_RC: dict[str, Any] = {
    "svg.hashsalt": "hubcarbon",
    "svg.fonttype": "path",
    "path.simplify": True,
    "font.size": 9,
}


def new_figure(width: float = 7.0, height: float = 4.0) -> Figure:
    """A figure on the Agg canvas with the project's style."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save(figure: Figure, directory: Path, name: str, staged: Staged) -> list[Path]:
    """Write `name`.png and `name`.svg into `directory` through `staged` (in place, whole,
    when it commits), with no date or software stamp; returns the paths."""
    paths = [directory / f"{name}.png", directory / f"{name}.svg"]
    with mpl.rc_context(_RC):  # type: ignore[arg-type]
        figure.draw_without_rendering()  # lay out once, then keep the positions for both files
        figure.set_layout_engine("none")
        figure.savefig(staged.path(paths[0]), format="png", dpi=100, metadata={"Software": None})
        figure.savefig(
            staged.path(paths[1]), format="svg", metadata={"Date": None, "Creator": None}
        )
    return paths


def _sample(rows: pd.DataFrame) -> pd.DataFrame:
    """At most MAX_POINTS rows per population, drawn with a fixed seed, in table order."""
    parts = [
        group.sample(n=min(len(group), MAX_POINTS), random_state=0).sort_index()
        for _, group in rows.groupby("population", sort=True)
    ]
    return pd.concat(parts) if parts else rows


def _style() -> None:
    sns.set_theme(style="whitegrid", rc={"font.size": 9})


def trend(
    table: pd.DataFrame, results: Mapping[str, Result], *, value: str, label: str, log: bool
) -> Figure | None:
    """Monthly `value`, one panel per population (own y scale), with the OLS trend line; only
    the months of each series."""
    rows = table[table["in_series"]]
    if rows.empty:
        return None
    _style()
    names = [name for name in PALETTE if name in set(rows["population"])]
    figure = new_figure(7.0, 1.2 + 1.6 * len(names))
    panels = figure.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    for axes, population in zip(panels, names, strict=True):
        group = rows[rows["population"] == population]
        colour = PALETTE[population]
        sns.lineplot(
            data=group,
            x="month",
            y=value,
            color=colour,
            marker="o",
            markersize=3,
            linewidth=1,
            ax=axes,
        )
        result = results.get(population)
        if result is not None and result.status == OK and result.statistic is not None:
            fitted = result.details["intercept"] + result.statistic * group["month_index"]
            axes.plot(group["month"], fitted, linestyle="--", linewidth=1, color=colour)
        if log:
            axes.set_yscale("log")
        axes.set(xlabel="", ylabel=population)
    panels[0].set_title(label)
    panels[-1].set_xlabel("creation month")
    locator = mdates.AutoDateLocator()
    panels[-1].xaxis.set_major_locator(locator)
    panels[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return figure


def bars(
    table: pd.DataFrame,
    results: Mapping[str, Result],
    *,
    category: str,
    label: str,
    top: int = 12,
) -> Figure | None:
    """Share of reporters per category (the `top` largest overall), one bar per population."""
    del results
    if table.empty:
        return None
    _style()
    totals = table[table["population"] == "all"].nlargest(top, "reporters")
    rows = table[table[category].isin(totals[category])]
    figure = new_figure(7.0, 0.9 + 0.28 * len(totals) * 1.5)
    axes = figure.subplots()
    sns.barplot(
        data=rows,
        y=category,
        x="share_pct",
        hue="population",
        palette=PALETTE,
        order=list(totals[category]),
        hue_order=list(PALETTE),
        ax=axes,
    )
    axes.set(xlabel="% of reporters", ylabel=label)
    return figure


def years(table: pd.DataFrame, results: Mapping[str, Result]) -> Figure | None:
    """Share of models reporting CO2 per creation year."""
    del results
    rows = table[table["year"] != "undated"]
    if rows.empty:
        return None
    _style()
    figure = new_figure(6.0, 3.5)
    axes = figure.subplots()
    sns.barplot(
        data=rows,
        x="year",
        y="share_pct",
        hue="population",
        palette=PALETTE,
        hue_order=list(PALETTE),
        ax=axes,
    )
    axes.set(xlabel="creation year", ylabel="% of models reporting CO2")
    return figure


def scatter(
    table: pd.DataFrame,
    results: Mapping[str, Result],
    *,
    x: str,
    y: str,
    xlabel: str,
    ylabel: str,
    logx: bool,
    logy: bool,
) -> Figure | None:
    """The pairs behind a correlation, AutoTrain and human reporters in their colours (at most
    MAX_POINTS per population)."""
    del results
    rows = _sample(table[table["population"].isin(SPLIT)])
    if rows.empty:
        return None
    _style()
    figure = new_figure(5.5, 4.0)
    axes = figure.subplots()
    sns.scatterplot(
        data=rows,
        x=x,
        y=y,
        hue="population",
        palette=PALETTE,
        hue_order=list(SPLIT),
        s=10,
        alpha=0.6,
        linewidth=0,
        rasterized=True,
        ax=axes,
    )
    if logx:
        axes.set_xscale("log")
    if logy:
        axes.set_yscale("log")
    axes.set(xlabel=xlabel, ylabel=ylabel)
    return figure


def boxes(
    table: pd.DataFrame, results: Mapping[str, Result], *, group: str, value: str, label: str
) -> Figure | None:
    """Distributions of `value` per group and population, on a log scale (positive values)."""
    del results
    rows = table[table[value] > 0]
    if rows.empty:
        return None
    _style()
    figure = new_figure(6.0, 4.0)
    axes = figure.subplots()
    with warnings.catch_warnings():  # seaborn passes matplotlib's deprecated `vert`
        warnings.simplefilter("ignore", mpl.MatplotlibDeprecationWarning)
        sns.boxplot(
            data=rows,
            x=group,
            y=value,
            hue="population",
            palette=PALETTE,
            hue_order=list(PALETTE),
            log_scale=True,
            fliersize=1.5,
            ax=axes,
        )
    axes.set(xlabel="", ylabel=label)
    return figure


def domain_ols(table: pd.DataFrame, results: Mapping[str, Result]) -> Figure | None:
    """CO2 against model size, coloured by domain, with the fitted lines of each domain."""
    rows = _sample(table[table["population"] == "all"])
    if rows.empty:
        return None
    _style()
    figure = new_figure(5.5, 4.0)
    axes = figure.subplots()
    sns.scatterplot(
        data=rows,
        x="size_bytes",
        y="co2_g",
        hue="domain",
        s=10,
        alpha=0.6,
        linewidth=0,
        rasterized=True,
        ax=axes,
    )
    result = results.get("all")
    if result is not None and result.status == OK:
        coefficients = result.details["coefficients"]
        grid = np.geomspace(rows["size_bytes"].min(), rows["size_bytes"].max(), 50)
        for domain, shift in (("NLP", 0.0), ("Computer Vision", coefficients["is_cv"])):
            fitted = np.exp(coefficients["const"] + shift + coefficients["log_size"] * np.log(grid))
            axes.plot(grid, fitted, linestyle="--", linewidth=1, label=f"fit: {domain}")
    axes.set(xscale="log", yscale="log", xlabel="pytorch_model.bin (bytes)", ylabel="CO2 (g)")
    axes.legend(fontsize=7)
    return figure


def share_trend() -> partial[Figure | None]:
    return partial(trend, value="share_pct", label="% of models reporting CO2", log=False)


def median_trend() -> partial[Figure | None]:
    return partial(trend, value="median_co2_g", label="median CO2 of reporters (g)", log=True)
