"""Trust markers on the leaderboard: flagged figures carry `data-flags` and a visible marker
whose reason shows on hover and focus, "hide flagged figures" (on while sorted by CO2
ascending), one row per training run with "show copies", and the audited figure in the CO2
column (the stated one in its hover text). Checked against the crawl's own tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from leaderboard_page import all_rows, matching, open_index, query, runs, shown_ids

from reports import formats
from reports.leaderboard import FLAG_REASONS, LINT_FLAGS, hides

pytestmark = pytest.mark.browser

EVERYTHING = "?size=1000&copies=show&flagged=show"


def flags_in_db(db: Path) -> dict[str, set[str]]:
    """Model id -> the audit's flags and the linter's implausible/mismatch rule names."""
    with duckdb.connect(str(db), read_only=True) as con:
        found: dict[str, set[str]] = {}
        for model_id, flags in con.execute(
            "SELECT model_id, flags FROM latest_emissions WHERE len(flags) > 0"
        ).fetchall():
            found.setdefault(model_id, set()).update(flags)
        for model_id, code in con.execute(
            "SELECT model_id, code FROM lint_findings WHERE code IN ('HC102', 'HC103', 'HC108')"
            " AND run_id = (SELECT max(run_id) FROM runs)"
        ).fetchall():
            found.setdefault(model_id, set()).add(LINT_FLAGS[code])
    return found


def shown_flags(page: Any) -> dict[str, str]:
    found: dict[str, str] = page.page.eval_on_selector_all(
        "#leaderboard tbody tr[data-flags]",
        "trs => Object.fromEntries(trs.map(tr => "
        "[tr.querySelector('th a').textContent, tr.dataset.flags]))",
    )
    return found


def test_every_flagged_figure_carries_data_flags(
    site: Path, page: Any, pipeline: tuple[Path, Path]
) -> None:
    expected = flags_in_db(pipeline[0])
    assert len(expected) > 80  # 86 audit flags (77 implausible), and the linter's findings
    assert any(name.startswith("co2-") for flags in expected.values() for name in flags)
    open_index(page, (site / "index.html").as_uri() + EVERYTHING)
    seen: dict[str, str] = {}
    while True:
        seen.update(shown_flags(page))
        if not page.page.is_enabled("#page-next"):
            break
        page.page.click("#page-next")
    assert {k: set(v.split(" ")) for k, v in seen.items()} == expected
    assert page.errors == []


def test_the_marker_shows_its_reason_on_hover_and_focus(site: Path, page: Any) -> None:
    open_index(page, (site / "index.html").as_uri() + "?q=dalle-mega")
    row = page.page.locator("#leaderboard tbody tr[data-flags]").first
    flags = str(row.get_attribute("data-flags")).split(" ")
    assert "conflict" in flags  # metadata 450,300 g against the text's 18,013 kg
    marker = row.locator(".flag")
    reason = marker.locator(".why")
    assert marker.is_visible() and "flagged" in str(marker.inner_text())
    assert not reason.is_visible()
    marker.hover()
    assert reason.is_visible()
    assert FLAG_REASONS["conflict"] in str(reason.text_content())
    page.page.mouse.move(0, 0)
    assert not reason.is_visible()
    marker.focus()
    assert reason.is_visible()
    assert FLAG_REASONS["conflict"] in str(marker.get_attribute("aria-label"))


def test_hide_flagged_is_on_while_sorted_by_co2_ascending(site: Path, page: Any) -> None:
    rows = runs(site)
    hidden = [r for r in rows if hides(r["flags"])]
    open_index(page, (site / "index.html").as_uri())
    assert not page.page.is_checked("#hide-flagged")
    assert matching(page) == len(rows)
    page.page.click('th[data-key="co2_g"] button')
    assert page.page.is_checked("#hide-flagged")
    assert matching(page) == len(rows) - len(hidden)
    assert f"{len(hidden):,} with flagged figures hidden" in str(page.page.text_content("#status"))
    assert "hidden while sorted by CO₂ ascending" in str(page.page.text_content("#flagged-note"))
    assert page.page.locator("#leaderboard tbody tr[data-flags]").count() == 0
    # the greenest rows shown are plausible training runs (>= 0.01 g), not 0.000589 g
    first = next(r for r in rows if r["id"] == shown_ids(page)[0])
    assert first["co2_audited"] >= 0.01
    page.page.uncheck("#hide-flagged")
    assert query(page)["flagged"] == "show"
    assert matching(page) == len(rows)
    page.page.click('th[data-key="co2_g"] button')  # descending: the user's choice stays
    assert not page.page.is_checked("#hide-flagged")
    page.page.check("#hide-flagged")
    assert matching(page) == len(rows) - len(hidden)
    assert query(page)["flagged"] == "hide"


def test_implausible_figures_have_no_audited_value(site: Path, page: Any) -> None:
    rows = all_rows(site)
    implausible = [r for r in rows if "implausible" in r["flags"]]
    assert len(implausible) == 77
    assert all(r["co2_audited"] is None and r["co2_g"] is not None for r in implausible)
    open_index(page, (site / "index.html").as_uri() + "?q=pcoloc/autotrain-dragino-7-7")
    cell = page.page.locator("#leaderboard tbody tr:first-child td.co2")
    assert str(cell.inner_text()).startswith("— metadata")
    stated = formats.exact_grams(0.0005889255577470637)
    assert stated == "0.000588925557747 g"  # to 12 significant digits
    assert cell.get_attribute("title") == f"no audited figure; stated {stated}"


def test_the_co2_column_shows_the_audited_figure(
    site: Path, page: Any, pipeline: tuple[Path, Path]
) -> None:
    with duckdb.connect(str(pipeline[0]), read_only=True) as con:
        model_id, stated, audited = con.execute(
            "SELECT model_id, co2_g, co2_g_audited FROM latest_emissions"
            " WHERE model_id = 'd4data/biomedical-ner-all'"
        ).fetchone()  # type: ignore[misc]
    assert audited == pytest.approx(stated * 1000)  # unit-suspect: the text says Kg
    open_index(page, (site / "index.html").as_uri() + f"?q={model_id}")
    cell = page.page.locator("#leaderboard tbody tr:first-child td.co2")
    assert str(cell.inner_text()).startswith("27.94 g metadata")
    assert cell.get_attribute("title") == (
        f"{formats.exact_grams(audited)} audited; stated {formats.exact_grams(stated)}"
    )


def test_copies_are_folded_into_their_training_run(
    site: Path, page: Any, pipeline: tuple[Path, Path]
) -> None:
    with duckdb.connect(str(pipeline[0]), read_only=True) as con:
        copies = dict(
            con.execute(
                "SELECT model_id, copied_from FROM latest_emissions WHERE copied_from IS NOT NULL"
            ).fetchall()
        )
    assert len(copies) == 12
    rows = all_rows(site)
    open_index(page, (site / "index.html").as_uri() + "?size=1000")
    assert matching(page) == len(rows) - len(copies)
    assert "12 copies folded into their training runs." in str(page.page.text_content("#status"))
    assert page.page.locator("#leaderboard tbody tr[data-copy-of]").count() == 0
    open_index(page, (site / "index.html").as_uri() + "?q=distilgpt2")
    # a search that finds copies says so, and "show copies" lists them
    status = str(page.page.text_content("#status"))
    assert "1 copy folded into its training run." in status  # model-attribution-challenge's
    origin = page.page.locator("#leaderboard tbody tr").first
    assert origin.locator("th a").first.text_content() == "distilgpt2"
    assert origin.locator(".copies").text_content() == "+2 copies"
    open_index(page, (site / "index.html").as_uri() + "?size=1000")
    page.page.check("#show-copies")
    assert query(page)["copies"] == "show"
    assert matching(page) == len(rows)
    shown: dict[str, str] = {}
    while True:
        shown.update(
            page.page.eval_on_selector_all(
                "#leaderboard tbody tr[data-copy-of]",
                "trs => Object.fromEntries(trs.map(tr => "
                "[tr.querySelector('th a').textContent, tr.dataset.copyOf]))",
            )
        )
        if not page.page.is_enabled("#page-next"):
            break
        page.page.click("#page-next")
    assert shown == copies
