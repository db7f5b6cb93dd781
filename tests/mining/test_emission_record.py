"""The emissions row: metadata first, prose as fallback and for context."""

from __future__ import annotations

from mining.cards.card import parse_card
from mining.cards.emission_record import Provenance, emission_record
from mining.store.schema import connect


def test_metadata_scalar() -> None:
    record = emission_record(parse_card("---\nco2_eq_emissions: 0.0121\n---\n"))
    assert record is not None
    assert (record.co2_g, record.raw_value, record.unit, record.provenance) == (
        0.0121,
        "0.0121",
        "g",
        Provenance.METADATA,
    )


def test_prose_fills_context_missing_from_metadata() -> None:
    card = parse_card(
        "---\nco2_eq_emissions:\n  emissions: 1.2 kg\n  source: codecarbon\n---\n"
        "- **Hardware Type:** A100\n- **Hours used:** 10\n- **Cloud Provider:** AWS\n"
        "- **Compute Region:** us-east-1\n- **Carbon Emitted:** 5 kg\n"
    )
    record = emission_record(card)
    assert record is not None
    row = record.as_row()
    assert row.pop("statements").startswith('{"chosen": 0,')
    assert row == {
        "co2_g": 1200.0,
        "raw_value": "1.2 kg",
        "unit": "kg",
        "provenance": "metadata",
        "source": "codecarbon",
        "training_type": None,
        "geographical_location": "us-east-1",
        "hardware_used": "A100",
        "hours": 10.0,
        "cloud_provider": "AWS",
        "co2_g_audited": None,  # 1.2 kg in the metadata, 5 kg in the body, neither names the model
        "energy_kwh": None,
        "flags": ["conflict"],
    }


def test_unreadable_metadata_gives_way_to_prose_but_is_kept_alone() -> None:
    with_prose = parse_card("---\nco2_eq_emissions: yes\n---\nCarbon Emitted: 3 g\n")
    record = emission_record(with_prose)
    assert record is not None and record.provenance is Provenance.PROSE and record.co2_g == 3
    alone = emission_record(parse_card("---\nco2_eq_emissions: lots\n---\n"))
    assert alone is not None and alone.co2_g is None and alone.raw_value == "lots"


def test_unknown_keys_and_forms() -> None:
    card = parse_card("---\nco2_eq_emissions:\n  emissions: 3\n  energy_kwh: 2\n---\n")
    assert card.co2 is not None and card.co2.unknown_keys == ("energy_kwh",)
    listed = parse_card("---\nco2_eq_emissions: [1, 2]\n---\n")
    assert listed.co2 is not None and listed.co2.form == "other"
    assert emission_record(parse_card("# nothing here\n")) is None


def test_record_rows_fit_the_emissions_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    record = emission_record(parse_card("---\nco2_eq_emissions: {emissions: 24_700_000}\n---\n"))
    assert record is not None
    con = connect(tmp_path / "db.duckdb")
    row = {"run_id": 1, "model_id": "bigscience/bloom", **record.as_row()}
    columns = ", ".join(row)
    con.execute(
        f"INSERT INTO emissions ({columns}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )
    stored = con.execute("SELECT co2_g, raw_value, provenance FROM emissions").fetchall()
    assert stored == [(24_700_000.0, "24_700_000", "metadata")]
    con.close()
