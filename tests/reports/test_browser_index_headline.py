"""The headline above the leaderboard: reporters, training runs, share, total and median audited
CO2 with an everyday equivalence, and two inline SVG figures with text alternatives (training
runs per month, CO2 by domain on a log axis), drawn at build time from the crawl."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from leaderboard_page import all_rows, open_index, runs

from reports import formats
from reports.headline import CAR_G_PER_KM

pytestmark = pytest.mark.browser


def figures(page: Any) -> dict[str, str]:
    found: dict[str, str] = page.page.eval_on_selector_all(
        ".figures div",
        "ds => Object.fromEntries(ds.map(d => [d.querySelector('dt').textContent,"
        " d.querySelector('dd').textContent]))",
    )
    return found


def test_the_headline_figures_count_training_runs_and_audited_co2(site: Path, page: Any) -> None:
    everything, training = all_rows(site), runs(site)
    audited = [r["co2_audited"] for r in training if r["co2_audited"] is not None]
    open_index(page, (site / "index.html").as_uri())
    shown = figures(page)
    assert shown["Reporters"] == f"{len(everything):,}"
    assert shown["Training runs"] == f"{len(training):,}"
    assert shown["Total audited CO₂eq"] == formats.co2(math.fsum(audited))
    assert shown["Median per training run"] == formats.co2(statistics.median(audited))
    equivalence = str(page.page.text_content(".equivalence"))
    assert f"{round(math.fsum(audited) / CAR_G_PER_KM):,} km" in equivalence
    assert "US EPA" in equivalence


def test_two_inline_figures_with_text_alternatives(site: Path, page: Any) -> None:
    training = runs(site)
    open_index(page, (site / "index.html").as_uri())
    charts = page.page.locator(".charts svg")
    assert charts.count() == 2
    for k in range(2):
        chart = charts.nth(k)
        assert chart.get_attribute("role") == "img"
        labelled = str(chart.get_attribute("aria-labelledby")).split()
        assert [page.page.locator(f"#{name}").count() for name in labelled] == [1, 1]
        assert len(str(page.page.text_content(f"#{labelled[1]}"))) > 60
        assert chart.bounding_box()["width"] > 200  # type: ignore[index]
    months = Counter(r["created"][:7] for r in training if r["created"])
    bars = page.page.locator("#chart-months-title ~ rect")
    first, last = min(months), max(months)
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    assert bars.count() == span
    counts = page.page.eval_on_selector_all(
        "#chart-months-title ~ rect title", "ts => ts.map(t => t.textContent)"
    )
    assert {m: int(c.replace(",", "")) for m, c in (t.split(": ") for t in counts) if c != "0"} == (
        dict(months)
    )
    domains = str(page.page.text_content("#chart-domains-desc"))
    nlp = sorted(r["co2_audited"] for r in training if r["domain"] == "NLP" and r["co2_audited"])
    assert f"NLP: {len(nlp):,} runs, median {formats.co2(statistics.median(nlp))}" in domains
    ticks = page.page.eval_on_selector_all(
        "#chart-domains-title ~ text", "ts => ts.map(t => t.textContent)"
    )
    assert "1 g" in ticks and "1 kg" in ticks  # a log axis in powers of ten
    assert page.errors == []
    assert all(r.startswith("file://") for r in page.requests)
