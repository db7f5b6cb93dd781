"""The leaderboard's rows and their compact embedded form, on the real crawl: every value comes
back from the columnar data, flags gather the audit's and the linter's, copies point at their
origin, and CO2 reads in t/kg/g."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from reports import formats
from reports.leaderboard import ENCODING, decode, embedded
from reports.safety import script_json
from reports.site import load_context


@pytest.fixture(scope="module")
def rows(pipeline: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    db, findings = pipeline
    missing = tmp_path_factory.mktemp("nothing") / "replication.json"
    return load_context(db, findings, missing).rows


def test_the_embedded_data_gives_back_every_value(rows: list[dict]) -> None:
    data = embedded(rows)
    back = decode(json.loads(script_json(data)))
    fields = [name for _, name, _ in ENCODING] + ["grade", "hub"]
    figures = ("co2_g", "co2_audited")  # embedded to 12 significant digits

    def embedded_value(row: dict, name: str) -> object:
        value = row[name]
        return formats.significant(value) if name in figures and value is not None else value

    assert [{f: r[f] for f in fields} for r in back] == [
        {f: embedded_value(r, f) for f in fields} for r in rows
    ]
    assert sum(r["co2_g"] != formats.significant(r["co2_g"]) for r in rows if r["co2_g"]) > 0
    assert len(script_json(data)) / len(rows) < 250  # bytes per row, short keys and codes


def test_dictionary_codes_are_sort_ranks(rows: list[dict]) -> None:
    data = embedded(rows)
    for key in ("a", "t", "d", "l", "lb", "lp", "pv", "tt"):
        words = data["dicts"][key]
        assert words == sorted(words, key=lambda w: (w.lower(), w)), key


def test_rows_carry_flags_copies_and_the_audited_figure(rows: list[dict]) -> None:
    by_id = {r["id"]: r for r in rows}
    # 450,300 g in the metadata, 18,013 kg in the text: the audit and the linter both say so
    mega = by_id["dalle-mini/dalle-mega"]
    assert mega["flags"] == ["conflict", "co2-mismatch"]
    assert mega["co2_g"] == 450_300 and mega["co2_audited"] is None
    assert sum(1 for r in rows if "implausible" in r["flags"]) == 77
    copies = [r for r in rows if r["copy_of"]]
    assert len(copies) == 12
    assert sum(r["copies"] for r in rows) == 12
    assert all(by_id[r["copy_of"]]["copy_of"] is None for r in copies)
    assert by_id["d4data/biomedical-ner-all"]["co2_audited_text"] == "27.94 g"
    assert by_id["d4data/biomedical-ner-all"]["co2_text"] == formats.grams(0.0279399890043426)


@pytest.mark.parametrize(
    ("grams", "text"),
    [
        (0.000589, "0.00059 g"),
        (12.345, "12.35 g"),
        (1125, "1.13 kg"),  # an exact half rounds up, as JavaScript's toFixed does
        (450_300, "450.30 kg"),
        (24_700_000, "24.70 t"),
        (11_390e6, "11,390.00 t"),
        (None, "—"),
    ],
)
def test_co2_reads_in_units(grams: float | None, text: str) -> None:
    assert formats.co2(grams) == text


def test_performance_names_each_metric_and_its_dataset(
    rows: list[dict], pipeline: tuple[Path, Path]
) -> None:
    db, _ = pipeline
    with duckdb.connect(str(db), read_only=True) as con:
        stored = dict(
            con.execute(
                "SELECT model_id, metrics FROM card_facts"
                " WHERE run_id = (SELECT max(run_id) FROM runs) AND metrics IS NOT NULL"
            ).fetchall()
        )
    with_metrics = [r for r in rows if r["id"] in stored]
    assert len(with_metrics) > 100
    for row in with_metrics:
        metrics = json.loads(stored[row["id"]])
        text = row["performance_metrics"]
        assert text is not None, row["id"]
        for name, metric in metrics.items():
            assert name in text
            if metric.get("dataset"):
                dataset = " ".join(str(metric["dataset"]).split())
                assert f"({dataset[:10]}" in text, (row["id"], text)
    assert all(r["performance_metrics"] is None for r in rows if r["id"] not in stored)
    data = embedded(rows)
    assert "pm" in data["cols"] and len(data["dicts"]["pm"]) > 1
