"""Figure rendering: plain-text log labels, one layout, byte-stable output."""

from __future__ import annotations

import subprocess
import sys

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import figures
from analysis.statistics import STATISTICS


def _log_figure() -> Figure:
    figure = figures.new_figure(4.0, 3.0)
    axes = figure.subplots()
    axes.plot(np.geomspace(1e-2, 1e3, 20), np.geomspace(15, 45, 20))
    axes.set(xscale="log", yscale="log")
    return figure


def test_log_axes_are_labelled_in_plain_unicode_as_matplotlib_would_in_mathtext() -> None:
    figure = _log_figure()
    figures.rendered(figure)
    axes = figure.axes[0]
    major = [t.get_text() for t in axes.xaxis.get_majorticklabels() if t.get_text()]
    assert {"10⁻²", "10⁰", "10³"} <= set(major)
    minor = [t.get_text() for t in axes.yaxis.get_minorticklabels() if t.get_text()]
    assert "2×10¹" in minor and "4×10¹" in minor  # a narrow range labels its minor ticks
    assert not any("$" in label for label in major + minor)


def test_the_plain_formatter_gives_the_mathtext_formatters_labels_in_unicode() -> None:
    mathtext = mticker.LogFormatterSciNotation()
    plain = figures.PlainLogFormatter(mathtext)
    assert mathtext(1000.0) == "$\\mathdefault{10^{3}}$"
    assert plain(1000.0) == "10³"
    assert plain(0.001) == "10⁻³"
    assert plain(-100.0) == "\N{MINUS SIGN}10²"
    assert plain(0.0) == "0"  # symlog's zero


def test_a_figure_renders_to_the_same_bytes_every_time_and_is_laid_out_once() -> None:
    first, second = figures.rendered(_log_figure()), figures.rendered(_log_figure())
    assert first == second
    figure = _log_figure()
    figures.rendered(figure)
    assert figure.get_layout_engine() is None  # the SVG was not laid out again


def test_a_wide_log_axis_draws_no_unlabelled_minor_ticks_and_a_narrow_one_keeps_them() -> None:
    figure = _log_figure()  # x spans five decades, y less than one
    figures.rendered(figure)
    axes = figure.axes[0]
    assert isinstance(axes.xaxis.get_minor_locator(), mticker.NullLocator)
    assert not isinstance(axes.yaxis.get_minor_locator(), mticker.NullLocator)


def test_every_statistics_figure_names_a_drawing_of_analysis_figures() -> None:
    kinds = {unit.figure.kind for unit in STATISTICS if unit.figure is not None}
    assert kinds == {
        "bars", "boxes", "domain_ols", "median_trend", "scatter", "sensitivity", "share_trend",
        "years",
    }  # fmt: skip
    assert all(callable(getattr(figures, kind)) for kind in kinds)


def test_computing_statistics_imports_no_drawing_library() -> None:
    code = "import sys, analysis.run; print(sorted({'matplotlib', 'seaborn'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_symlog_axis_of_counts_with_zeros_starts_at_zero_not_at_an_empty_negative_half() -> None:
    downloads = [0, 0, 3, 40, 900, 12_000, 0, 7]
    table = pd.DataFrame(
        {
            "population": ["autotrain", "human"] * 4,
            "downloads": downloads,
            "co2_g": [0.5, 2.0, 30.0, 1.5, 800.0, 4.0, 9.0, 0.1],
        }
    )
    figure = figures.scatter(
        table, {}, x="downloads", y="co2_g", xlabel="d", ylabel="c", logx=True, logy=True
    )
    assert figure is not None
    figures.rendered(figure)
    axes = figure.axes[0]
    assert axes.get_xscale() == "symlog" and axes.get_xlim()[0] == -0.5
    labels = [t.get_text() for t in axes.xaxis.get_majorticklabels() if t.get_text()]
    assert not any(label.startswith("\N{MINUS SIGN}") for label in labels)
    assert "0" in labels and "10³" in labels
