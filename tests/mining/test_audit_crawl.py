"""The audited emissions on the embedded crawl (the session crawl of the 1,418 models tagged
co2_eq_emissions, through the loopback mirror and the real client)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from mining import store


def _rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(
    ("model_id", "stated", "audited", "origin"),
    [
        ("d4data/biomedical-ner-all", 0.0279399890043426, 27.94, None),
        # a near-copy of d4data's card: unit-suspect as its origin, and copied from it
        ("Afreen/test1", 0.1069, 106.9, "d4data/environmental-due-diligence-model"),
    ],
)
def test_kilograms_stored_as_grams_are_unit_suspect(
    co2_crawl_db: Path, model_id: str, stated: float, audited: float, origin: str | None
) -> None:
    [(co2_g, co2_g_audited, flags, copied_from)] = _rows(
        co2_crawl_db,
        "SELECT co2_g, co2_g_audited, flags, copied_from FROM latest_emissions WHERE model_id = ?",
        [model_id],
    )
    assert co2_g == stated and copied_from == origin
    assert flags == (["unit-suspect"] if origin is None else ["unit-suspect", "copied"])
    assert co2_g_audited == pytest.approx(audited, rel=1e-3)


def test_every_unit_suspect_row_is_a_bare_number_the_text_writes_in_kilograms(
    co2_crawl_db: Path,
) -> None:
    rows = _rows(
        co2_crawl_db,
        "SELECT model_id, co2_g, co2_g_audited FROM latest_emissions"
        " WHERE list_contains(flags, 'unit-suspect')",
    )
    assert len(rows) >= 2
    assert all(audited == pytest.approx(1000 * stated) for _, stated, audited in rows)


def test_dalle_mini_and_mega_are_conflicts_listing_both_figures(co2_crawl_db: Path) -> None:
    rows = {
        model_id: (co2_g, audited, flags, json.loads(statements))
        for model_id, co2_g, audited, flags, statements in _rows(
            co2_crawl_db,
            "SELECT model_id, co2_g, co2_g_audited, flags, statements FROM latest_emissions"
            " WHERE model_id IN ('dalle-mini/dalle-mini', 'dalle-mini/dalle-mega')",
        )
    }
    mini, mega = rows["dalle-mini/dalle-mini"], rows["dalle-mini/dalle-mega"]
    assert mini[0] == 7540 and "conflict" in mini[2]
    assert mini[1] == pytest.approx(30_160)  # its "DALL·E Mini Estimated Emissions" section
    assert mega[0] == 450_300 and mega[2] == ["conflict"] and mega[1] is None
    for _, _, _, read in (mini, mega):
        co2 = [s for s in read["statements"] if s["kind"] == "co2" and s["scope"] == "training"]
        assert len({s["amount"] for s in co2}) == 2
        assert any(reason.startswith("conflict: ") for reason in read["reasons"])


def test_every_row_carries_its_statements_and_an_audited_figure_or_a_flag(
    co2_crawl_db: Path,
) -> None:
    rows = _rows(
        co2_crawl_db, "SELECT co2_g, co2_g_audited, flags, statements FROM latest_emissions"
    )
    assert len(rows) >= 1400
    for co2_g, audited, flags, statements in rows:
        read = json.loads(statements)  # type: ignore[arg-type]
        chosen = read["chosen"]
        assert chosen is None or 0 <= chosen < len(read["statements"])
        assert audited == co2_g or flags, (co2_g, audited, flags)
        assert audited is None or 0.01 <= audited <= 5e10  # type: ignore[operator]


def test_the_crawl_counts_its_flagged_figures(co2_crawl_db: Path) -> None:
    con = store.connect(co2_crawl_db, read_only=True)
    try:
        rows, flagged, per_flag = store.flagged_figures(con)
        listed = con.execute(
            "SELECT count(*) FILTER (WHERE len(flags) > 0) FROM latest_emissions"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert rows >= 1400 and 0 < flagged < rows and per_flag["unit-suspect"] >= 2
    assert flagged == listed and sum(per_flag.values()) >= flagged
    assert {"unit-suspect", "conflict", "implausible"} <= set(per_flag)


def test_every_copy_shares_its_origins_run_and_figure(co2_crawl_db: Path) -> None:
    """On the crawl: a copy's run is its origin's, the origin heads its own run, both state the
    same figure (four significant digits), and the copy says why and is flagged `copied`."""
    rows = {
        model_id: (co2_g, run, origin, reason, flags)
        for model_id, co2_g, run, origin, reason, flags in _rows(
            co2_crawl_db,
            "SELECT model_id, co2_g, training_run, copied_from, copy_reason, flags"
            " FROM latest_emissions",
        )
    }
    copies = {m: row for m, row in rows.items() if row[2] is not None}
    assert len(copies) >= 10
    for co2_g, run, origin, reason, flags in copies.values():
        assert run == origin and rows[origin][1] == origin and rows[origin][2] is None
        assert f"{co2_g:.3e}" == f"{rows[origin][0]:.3e}"
        assert reason in {"autotrain-model-id", "base-model", "fine-tuned-from", "near-copy"}
        assert flags[-1] == "copied"
    runs = {row[1] for row in rows.values()}
    assert len(runs) == len(rows) - len(copies)
