"""What the leaderboard explains: the legend of levels 1-6 and labels A-E, hubcarbon-v1 as the
primary label with paper2023 beside it, readable CO2 (t/kg/g, two decimals, exact grams on
hover), the performance, data and parameter columns, and the links to the history and to
`hubcarbon card inspect`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from leaderboard_page import open_index, runs

from classifiers.reporting.levels import LEVEL_NAMES
from reports import formats

pytestmark = pytest.mark.browser

READABLE = re.compile(r"(?:\d{1,3}(?:,\d{3})*\.\d\d (?:g|kg|t)|0\.0*\d\d g|—)")


def test_the_legend_explains_levels_and_labels(site: Path, page: Any) -> None:
    open_index(page, (site / "index.html").as_uri())
    levels = page.page.eval_on_selector_all(
        ".legend ol.levels li", "lis => lis.map(li => [li.value, li.innerText])"
    )
    assert [value for value, _ in levels] == [1, 2, 3, 4, 5, 6]
    for (value, text), (level, name) in zip(levels, LEVEL_NAMES.items(), strict=True):
        assert value == int(level) and text.startswith(f"{value} {name}: ")
    letters = page.page.eval_on_selector_all(
        ".legend ul.labels li .label", "chips => chips.map(c => c.textContent)"
    )
    assert letters == ["A", "B", "C", "D", "E"]
    legend = str(page.page.text_content(".legend"))
    assert "hubcarbon-v1" in legend and "paper2023" in legend and "primary" in legend
    headers = page.page.eval_on_selector_all(
        "#leaderboard thead th", "ths => ths.map(th => th.dataset.key)"
    )
    assert headers[1:4] == ["co2_g", "label", "grade_level"]  # what people compare, first
    assert headers[-1] == "label_paper"
    assert {"performance", "data_bytes", "params"} <= set(headers)


def test_grades_show_their_level_number(site: Path, page: Any) -> None:
    rows = {r["id"]: r for r in runs(site)}
    open_index(page, (site / "index.html").as_uri() + "?sort=grade_level&order=desc")
    cells = page.page.eval_on_selector_all(
        "#leaderboard tbody tr",
        "trs => trs.map(tr => [tr.querySelector('th a').textContent, tr.cells[3].innerText])",
    )
    assert cells
    for model_id, text in cells:
        row = rows[model_id]
        assert text == f"{row['grade_level']} {row['grade']}"
    assert cells[0][1].startswith("5 ")  # the best level this crawl reaches


def test_co2_reads_in_units_with_the_exact_grams_on_hover(site: Path, page: Any) -> None:
    rows = {r["id"]: r for r in runs(site)}
    open_index(page, (site / "index.html").as_uri() + "?sort=co2_g&order=desc&size=250")
    cells = page.page.eval_on_selector_all(
        "#leaderboard tbody tr",
        "trs => trs.map(tr => [tr.querySelector('th a').textContent,"
        " tr.querySelector('td.co2').firstChild.textContent.trim(),"
        " tr.querySelector('td.co2').title])",
    )
    units = set()
    for model_id, text, title in cells:
        row = rows[model_id]
        assert READABLE.fullmatch(text), text
        assert text == formats.co2(row["co2_audited"])
        assert formats.exact_grams(row["co2_audited"]) in title
        units.add(text.rsplit(" ", 1)[-1])
    assert {"t", "kg", "g"} <= units
    assert cells[0][1].endswith(" t")  # the largest figures in tonnes, not "24,700,000 g"


def test_performance_and_sizes_where_known(site: Path, page: Any) -> None:
    rows = runs(site)
    scored = [r for r in rows if r["performance"] is not None]
    assert len(scored) > len(rows) / 2
    open_index(page, (site / "index.html").as_uri() + "?sort=performance&order=desc")
    first = page.page.locator("#leaderboard tbody tr").first
    best = max(r["performance"] for r in scored)
    cell = first.locator("td").nth(7).inner_text()
    assert cell.split(" ", 1)[0] == formats.fixed(best, 2)  # then the metrics and datasets
    tied = [r["performance_metrics"] for r in scored if r["performance"] == best]
    assert any(metrics is None or metrics in cell for metrics in tied), cell
    assert sum(r["performance_metrics"] is not None for r in scored) > len(scored) / 2
    open_index(page, (site / "index.html").as_uri() + "?sort=data_bytes&order=desc")
    first = page.page.locator("#leaderboard tbody tr").first
    sized = max((r for r in rows if r["data_bytes"] is not None), key=lambda r: r["data_bytes"])
    assert first.locator("td").nth(10).inner_text() == formats.size_bytes(sized["data_bytes"])


def test_links_to_the_history_and_card_inspect(site: Path, page: Any) -> None:
    open_index(page, (site / "index.html").as_uri())
    assert page.page.locator('main a[href="changes.html"]').count() >= 1
    page.page.click("text=see how hubcarbon reads your card")
    assert page.page.url.endswith("#card-inspect")
    assert "hubcarbon card inspect" in str(page.page.text_content("#card-inspect + p"))
