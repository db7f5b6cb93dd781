"""Seaborn figures of the statistics' tables, saved byte-stable as PNG and SVG.

Figures are drawn on `matplotlib.figure.Figure` objects with the Agg canvas (no pyplot state,
no display); `rendered` strips the creation date and fixes the SVG id salt, so the same data
gives the same bytes. Every figure shows the AutoTrain and human populations in fixed colours (and
"all" where it is not simply their union).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.figure_specs import Job, Rendered
from analysis.findings import OK, Result

MAX_POINTS = 2000
"""Scatter plots draw at most this many points per population (a seeded sample); the tables
hold every row."""

PALETTE = {
    "all": "#4c4c4c",
    "autotrain": "#d95f02",
    "human": "#1b9e77",
    "independent": "#7570b3",
}
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


SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class PlainLogFormatter(mticker.Formatter):
    """The labels of a log axis's default formatter (10³, 2×10¹) in plain Unicode text rather
    than mathtext, whose parser costs more than drawing the rest of a figure."""

    def __init__(self, mathtext: mticker.Formatter) -> None:
        self.mathtext = mathtext

    def set_locs(self, locs: Any) -> None:
        self.mathtext.set_locs(locs)  # it decides which minor ticks get a label

    def __call__(self, x: float, pos: int | None = None) -> str:
        label = str(self.mathtext(x, pos))
        if not label.startswith("$"):
            return label
        body = label.removeprefix("$\\mathdefault{").removesuffix("}$")
        mantissa, _, exponent = body.partition("^{")
        mantissa = mantissa.replace("\\times", "×").replace("-", "\N{MINUS SIGN}")
        return mantissa + exponent.removesuffix("}").translate(SUPERSCRIPTS)


def plain_log_labels(figure: Figure) -> None:
    """Every log and symlog axis of `figure` labelled through PlainLogFormatter."""
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            major, minor = axis.get_major_formatter(), axis.get_minor_formatter()
            if type(major) is mticker.LogFormatterSciNotation:
                axis.set_major_formatter(PlainLogFormatter(major))
            if type(minor) is mticker.LogFormatterSciNotation:
                axis.set_minor_formatter(PlainLogFormatter(minor))
                _drop_unlabelled_minor_ticks(axis)


def _drop_unlabelled_minor_ticks(axis: Any) -> None:
    """No minor ticks on `axis` when its formatter labels none of them (a log axis over more
    than a decade or so): the style draws no tick marks, so they would only cost their layout."""
    locations = axis.get_minor_locator()()
    formatter = axis.get_minor_formatter()
    if not any(formatter.format_ticks(locations)):
        axis.set_minor_locator(mticker.NullLocator())


def rendered(figure: Figure) -> tuple[bytes, bytes]:
    """The PNG and SVG bytes of `figure` (figure_specs.FORMATS), with no date or software
    stamp; log axes labelled in plain text (plain_log_labels)."""
    plain_log_labels(figure)
    files = (io.BytesIO(), io.BytesIO())
    with mpl.rc_context(_RC):  # type: ignore[arg-type]
        # laid out once, then drawn with no layout engine at all: savefig would first draw
        # the whole figure silently for either (a 'none' placeholder included)
        engine = figure.get_layout_engine()
        if engine is not None:
            engine.execute(figure)
        figure.set_layout_engine(None)
        figure.savefig(files[0], format="png", dpi=100, metadata={"Software": None})
        figure.savefig(files[1], format="svg", metadata={"Date": None, "Creator": None})
    return files[0].getvalue(), files[1].getvalue()


def draw(job: Job) -> Rendered:
    """The rendered figure of `job` (None: the statistic draws nothing for this table). A
    module-level function, so that worker processes can run it (hubcarbon.core.pool)."""
    draw_figure, table, results = job
    figure = draw_figure(table, results)
    return None if figure is None else rendered(figure)


def _sample(rows: pd.DataFrame) -> pd.DataFrame:
    """At most MAX_POINTS rows per population, drawn with a fixed seed, in table order."""
    parts = [
        group.sample(n=min(len(group), MAX_POINTS), random_state=0).sort_index()
        for _, group in rows.groupby("population", sort=True)
    ]
    return pd.concat(parts) if parts else rows


def beside(axes: Any) -> None:
    """The legend of a scatter plot beside its axes, where it hides no point (and no search
    for the emptiest corner among thousands of points is needed)."""
    sns.move_legend(
        axes, "upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7, title_fontsize=7
    )


def _style() -> None:
    sns.set_theme(style="whitegrid", rc={"font.size": 9})


def trend(
    table: pd.DataFrame,
    results: Mapping[str, Result],
    *,
    value: str,
    label: str,
    log: bool,
    count: str,
    fit: tuple[str, str, str],
) -> Figure | None:
    """Monthly `value`, one panel per population (own y scale), each point labelled with its n
    (`count`), and the fitted trend (`fit`, `fit`_low, `fit`_high: the line and its 95 % band,
    computed by the statistic on the scale it was fitted on) over the months of the series
    only. `fit` names the columns of the line and of its band's low and high edge. Shares (not
    `log`) start at zero."""
    rows = table[table["in_series"]]
    if rows.empty:
        return None
    _style()
    names = [name for name in PALETTE if name in set(rows["population"])]
    figure = new_figure(7.0, 1.2 + 1.8 * len(names))
    panels = figure.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    for axes, population in zip(panels, names, strict=True):
        group = rows[rows["population"] == population]
        colour = PALETTE[population]
        axes.plot(
            group["month"], group[value], color=colour, marker="o", markersize=3, linewidth=0.8
        )
        for month, y, n in zip(group["month"], group[value], group[count], strict=True):
            axes.annotate(
                f"{int(n)}",
                (month, y),
                textcoords="offset points",
                xytext=(0, 4),
                ha="center",
                fontsize=5,
                color="#555555",
                annotation_clip=False,  # every point is inside its axes: no need to check
                in_layout=False,  # and so are the labels above them
            )
        result = results.get(population)
        line, low, high = fit
        fitted = group.dropna(subset=[line]) if line in group else group.iloc[0:0]
        if result is not None and result.status == OK and not fitted.empty:
            axes.plot(fitted["month"], fitted[line], linestyle="--", linewidth=1, color=colour)
            axes.fill_between(
                fitted["month"], fitted[low], fitted[high], color=colour, alpha=0.15, linewidth=0
            )
        if log:
            axes.set_yscale("log")
        else:
            top = max(float(group[value].max()), float(fitted[high].max()) if len(fitted) else 0)
            axes.set_ylim(0, min(100.0, top * 1.15) if top > 0 else 1.0)
        axes.set(xlabel="", ylabel=population)
    panels[0].set_title(
        f"{label}\nlabels: n per month; dashed: fitted trend; band: its 95 % interval", fontsize=8
    )
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
        errorbar=None,  # one share per bar: nothing to estimate
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
        errorbar=None,  # one share per bar: nothing to estimate
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
    MAX_POINTS per population). A log axis whose variable holds zeros (downloads) is symlog, so
    that zero stays on the plot; the title gives n and how many points are zero or cannot be
    drawn."""
    del results
    rows = _sample(table[table["population"].isin(SPLIT)])
    if rows.empty:
        return None
    _style()
    figure = new_figure(5.5, 4.2)
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
    beside(axes)
    shown = table[table["population"].isin(SPLIT)]
    notes = [f"n = {len(shown):,}"]
    axis_settings = (
        (x, logx, axes.set_xscale, lambda low: axes.set_xlim(left=low)),
        (y, logy, axes.set_yscale, lambda low: axes.set_ylim(bottom=low)),
    )
    for column, log, setter, starts_at in axis_settings:
        if not log:
            continue
        zeros = int((shown[column] == 0).sum())
        negative = int((shown[column] < 0).sum())
        if zeros:
            setter("symlog", linthresh=1)
            starts_at(-0.5)  # zero and a margin, not an empty negative half
            notes.append(f"{zeros:,} with {column} = 0 (symlog axis)")
        else:
            setter("log")
        if negative:
            notes.append(f"{negative:,} with {column} < 0 not drawn")
    axes.set(xlabel=xlabel, ylabel=ylabel)
    axes.set_title("; ".join(notes), fontsize=7)
    return figure


def boxes(
    table: pd.DataFrame, results: Mapping[str, Result], *, group: str, value: str, label: str
) -> Figure | None:
    """Distributions of `value` per group and population on a log scale (values > 0; the title
    counts the others), with n under each box; a population with no rows, or with exactly the
    rows of a population already drawn, is left out (and named in the title)."""
    del results
    rows = table[table[value] > 0]
    if rows.empty:
        return None
    names: list[tuple[str, frozenset[str]]] = []
    same: list[str] = []
    for name in PALETTE:
        ids = frozenset(rows.loc[rows["population"] == name, "model_id"])
        if not ids:
            continue
        twin = next((kept for kept in names if kept[1] == ids), None)
        if twin is not None:
            same.append(f"{name} = {twin[0]}")
            continue
        names.append((name, ids))
    order = [name for name, _ in names]
    rows = rows[rows["population"].isin(order)]
    _style()
    figure = new_figure(6.0, 4.2)
    axes = figure.subplots()
    groups = sorted(rows[group].unique())
    with warnings.catch_warnings():  # seaborn passes matplotlib's deprecated `vert`
        warnings.simplefilter("ignore", mpl.MatplotlibDeprecationWarning)
        sns.boxplot(
            data=rows,
            x=group,
            y=value,
            hue="population",
            order=groups,
            palette=PALETTE,
            hue_order=order,
            log_scale=True,
            fliersize=1.5,
            ax=axes,
        )
    counts = rows.groupby([group, "population"]).size()
    width = 0.8 / len(order)
    for i, name in enumerate(groups):
        for j, population in enumerate(order):
            n = int(counts.get((name, population), 0))
            axes.annotate(
                f"n={n}",
                (i - 0.4 + width * (j + 0.5), 0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                fontsize=6,
            )
    dropped = int((table[value] <= 0).sum())
    notes = [f"{dropped} rows with {value} <= 0 not drawn"] if dropped else []
    axes.set_title("; ".join(notes + [f"{note} (not repeated)" for note in same]), fontsize=7)
    axes.set(xlabel="", ylabel=label)
    return figure


def domain_ols(table: pd.DataFrame, results: Mapping[str, Result]) -> Figure | None:
    """CO2 against model size, coloured by domain, with the fitted line of each domain at the
    mean age, drawn over the sizes of the data only."""
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
        age = coefficients.get("age_years", 0.0) * float(rows["age_years"].mean())
        for domain, shift in (("NLP", 0.0), ("Computer Vision", coefficients["is_cv"])):
            sizes = rows.loc[rows["domain"] == domain, "size_bytes"]
            if sizes.empty:
                continue
            grid = np.geomspace(sizes.min(), sizes.max(), 50)
            line = coefficients["const"] + shift + age + coefficients["log_size"] * np.log(grid)
            axes.plot(grid, np.exp(line), linestyle="--", linewidth=1, label=f"fit: {domain}")
    axes.set(xscale="log", yscale="log", xlabel="pytorch_model.bin (bytes)", ylabel="CO2 (g)")
    axes.set_title(f"n = {len(table[table['population'] == 'all']):,} (all reporters)", fontsize=7)
    axes.legend()
    beside(axes)
    return figure


def sensitivity(table: pd.DataFrame, results: Mapping[str, Result]) -> Figure | None:
    """Each headline effect with its 95 % interval under every variant that could be formed,
    one panel per headline, the no-effect value (1 for ratios, 0 for correlations) dashed."""
    del results
    rows = table[table["status"] == OK].dropna(subset=["effect"])
    if rows.empty:
        return None
    _style()
    headlines = list(dict.fromkeys(zip(rows["statistic"], rows["base_population"], strict=True)))
    columns = 2
    lines = (len(headlines) + columns - 1) // columns
    figure = new_figure(8.0, 0.6 + 1.5 * lines)
    panels = figure.subplots(lines, columns, squeeze=False).ravel()
    for axes, (unit_id, population) in zip(panels, headlines, strict=False):
        part = rows[(rows["statistic"] == unit_id) & (rows["base_population"] == population)]
        positions = np.arange(len(part))
        low = (part["effect"] - part["ci_low"]).clip(lower=0).fillna(0)
        high = (part["ci_high"] - part["effect"]).clip(lower=0).fillna(0)
        axes.errorbar(
            part["effect"],
            positions,
            xerr=[low, high],
            fmt="o",
            markersize=3,
            color=PALETTE.get(population, "#4c4c4c"),
            linewidth=1,
        )
        ratio = "ratio" in str(part["effect_name"].iloc[0])
        axes.axvline(1.0 if ratio else 0.0, linestyle="--", linewidth=0.8, color="#888888")
        labels = [
            f"{label} (n={int(n)})"
            for label, n in zip(part["variant_label"], part["n"], strict=True)
        ]
        axes.set_yticks(positions, labels, fontsize=6)
        axes.set_title(f"{unit_id} [{population}]: {part['effect_name'].iloc[0]}", fontsize=7)
        if ratio:
            axes.set_xscale("log")
            axes.xaxis.set_major_formatter(mticker.FormatStrFormatter("%.2g"))
            axes.xaxis.set_minor_formatter(mticker.NullFormatter())
    for axes in panels[len(headlines) :]:
        axes.set_visible(False)
    return figure


def share_trend(table: pd.DataFrame, results: Mapping[str, Result]) -> Figure | None:
    """The monthly share of models reporting CO2 with its fitted trend (trend)."""
    return trend(
        table,
        results,
        value="share_pct",
        label="% of models reporting CO2",
        log=False,
        count="models",
        fit=("fit_pct", "fit_low_pct", "fit_high_pct"),
    )


def median_trend(table: pd.DataFrame, results: Mapping[str, Result]) -> Figure | None:
    """The monthly median CO2 of reporters, log scale, with its fitted trend (trend)."""
    return trend(
        table,
        results,
        value="median_co2_g",
        label="median CO2 of reporters, g (log scale)",
        log=True,
        count="reporters_with_co2",
        fit=("fit_g", "fit_low_g", "fit_high_g"),
    )
