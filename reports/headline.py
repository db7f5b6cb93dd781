"""The index page's headline: a few figures and two small pictures drawn at build time as inline
SVG (no chart library, no network), each with a text alternative.

Every figure counts training runs (one row per run: copies left out) and the audited figure
(`emissions.co2_g_audited`), so a copy or a flagged figure never inflates a total.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from reports import formats

CAR_G_PER_KM = 400 / 1.609344
"""A typical passenger car: about 400 g CO2 per mile (US EPA, "Greenhouse Gas Emissions from a
Typical Passenger Vehicle", EPA-420-F-18-008)."""
CAR_SOURCE = "https://www.epa.gov/greenvehicles/greenhouse-gas-emissions-typical-passenger-vehicle"

WIDTH, HEIGHT = 640, 180
INK, MUTED, BAR, LINE = "#1b1f23", "#57606a", "#0a5d2c", "#d0d7de"


@dataclass(frozen=True)
class Headline:
    """The figures above the table."""

    reporters: int
    training_runs: int
    crawled: int  # models listed in the crawl run
    total_g: float | None
    median_g: float | None
    audited: int  # training runs with an audited figure

    @property
    def share(self) -> str:
        """Reporters as a share of the models crawled (`97.3 %`)."""
        if not self.crawled:
            return formats.DASH
        return f"{100 * self.reporters / self.crawled:.1f} %"

    @property
    def total_text(self) -> str:
        """The total audited CO2, readable (`24.70 t`)."""
        return formats.co2(self.total_g)

    @property
    def median_text(self) -> str:
        """The median audited CO2 of a training run, readable."""
        return formats.co2(self.median_g)

    @property
    def car_km(self) -> str:
        """The total as kilometres driven by a typical passenger car."""
        if self.total_g is None:
            return formats.DASH
        return formats.integer(round(self.total_g / CAR_G_PER_KM))


def headline(rows: Sequence[Mapping[str, Any]], crawled: int) -> Headline:
    """The headline figures of the leaderboard rows."""
    runs = [r for r in rows if r["copy_of"] is None]
    figures = [float(r["co2_audited"]) for r in runs if r["co2_audited"] is not None]
    return Headline(
        reporters=len(rows),
        training_runs=len(runs),
        crawled=crawled,
        total_g=math.fsum(figures) if figures else None,
        median_g=statistics.median(figures) if figures else None,
        audited=len(figures),
    )


def reporters_per_month(rows: Sequence[Mapping[str, Any]]) -> Markup:
    """A bar chart of training runs by the month their model was created."""
    months = Counter(r["created"][:7] for r in rows if r["copy_of"] is None and r["created"])
    if not months:
        return Markup("")
    span = _month_range(min(months), max(months))
    counts = [months.get(month, 0) for month in span]
    top = max(counts)
    left, bottom, plot_w, plot_h = 40, HEIGHT - 28, WIDTH - 50, HEIGHT - 48
    step = plot_w / len(span)
    parts = [_axis_line(left, bottom, left + plot_w, bottom)]
    for k, (month, count) in enumerate(zip(span, counts, strict=True)):
        height = plot_h * count / top
        x = left + k * step
        parts.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{bottom - height:.1f}" width="{step * 0.8:.1f}"'
            f' height="{height:.1f}" fill="{BAR}"><title>{escape(month)}: {count:,}</title></rect>'
        )
        if month.endswith("-01"):
            parts.append(_text(x, bottom + 14, month[:4]))
    parts.append(_text(left - 6, bottom - plot_h + 4, f"{top:,}", anchor="end"))
    parts.append(_text(left - 6, bottom, "0", anchor="end"))
    busiest = max(span, key=lambda m: months.get(m, 0))
    summary = (
        f"Training runs by the month their model was created, {span[0]} to {span[-1]}: "
        f"{sum(counts):,} runs, most in {busiest} ({months[busiest]:,})."
    )
    return _svg("chart-months", "Reporters per month", summary, parts)


def co2_by_domain(rows: Sequence[Mapping[str, Any]]) -> Markup:
    """Per domain, the audited CO2 of its training runs on a log axis: the range (line), the
    middle half (box) and the median (tick)."""
    by_domain: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        figure = r["co2_audited"]
        if r["copy_of"] is None and r["domain"] and figure is not None and figure > 0:
            by_domain[str(r["domain"])].append(float(figure))
    if not by_domain:
        return Markup("")
    domains = sorted(by_domain, key=lambda d: (-len(by_domain[d]), d))[:8]
    values = [v for d in domains for v in by_domain[d]]
    low, high = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    high = max(high, low + 1)
    left, right, top = 150, WIDTH - 20, 10
    row_h = 18
    bottom = top + row_h * len(domains) + 6
    height = bottom + 24

    def x(value: float) -> float:
        return left + (right - left) * (math.log10(value) - low) / (high - low)

    parts = []
    for power in range(low, high + 1):
        px = left + (right - left) * (power - low) / (high - low)
        parts.append(_axis_line(px, top, px, bottom))
        if power % 3 == 0 or power in (low, high):
            parts.append(_text(px, bottom + 14, _power_label(power), anchor="middle"))
    lines = []
    for k, domain in enumerate(domains):
        data = sorted(by_domain[domain])
        y = top + row_h * k + row_h / 2
        q1, median, q3 = _quartiles(data)
        parts.append(_text(left - 8, y + 4, f"{domain} ({len(data):,})", anchor="end"))
        parts.append(
            f'<line x1="{x(data[0]):.1f}" y1="{y:.1f}" x2="{x(data[-1]):.1f}" y2="{y:.1f}"'
            f' stroke="{MUTED}" stroke-width="1"/>'
        )
        parts.append(
            f'<rect x="{x(q1):.1f}" y="{y - 5:.1f}" width="{max(1.0, x(q3) - x(q1)):.1f}"'
            f' height="10" fill="{BAR}" fill-opacity="0.35" stroke="{BAR}"/>'
        )
        parts.append(
            f'<line x1="{x(median):.1f}" y1="{y - 7:.1f}" x2="{x(median):.1f}" y2="{y + 7:.1f}"'
            f' stroke="{INK}" stroke-width="2"/>'
        )
        lines.append(f"{domain}: {len(data):,} runs, median {formats.co2(median)}")
    summary = (
        "Audited CO2 of training runs by domain, log axis; line: range, box: middle half, "
        "tick: median. " + "; ".join(lines) + "."
    )
    return _svg("chart-domains", "CO2 by domain", summary, parts, height=height)


def _power_label(power: int) -> str:
    """`1 g`, `100 kg`, `10 t`, `0.01 g`: a power of ten grams in the unit that reads best."""
    unit, scale = ("t", 6) if power >= 6 else ("kg", 3) if power >= 3 else ("g", 0)
    return f"{10.0 ** (power - scale):g} {unit}"


def _quartiles(data: Sequence[float]) -> tuple[float, float, float]:
    if len(data) < 2:
        return data[0], data[0], data[0]
    q1, median, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return q1, median, q3


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _axis_line(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{LINE}"'
        ' stroke-width="1"/>'
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" fill="{MUTED}"'
        f' text-anchor="{anchor}">{escape(text)}</text>'
    )


def _svg(
    name: str, title: str, summary: str, parts: Sequence[str], *, height: float = HEIGHT
) -> Markup:
    body = "".join(parts)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}"'
        f' width="{WIDTH}" height="{height:.0f}" role="img"'
        f' aria-labelledby="{name}-title {name}-desc" focusable="false">'
        f'<title id="{name}-title">{escape(title)}</title>'
        f'<desc id="{name}-desc">{escape(summary)}</desc>{body}</svg>'
    )
