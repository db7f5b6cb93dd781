"""Statements and the audited figure, on real cards for each pattern and on made-up cards for
forms no real card has (each marked `made up`).

Real cards: the popular cards in tests/fixtures/cards/popular_cards, and cards of the embedded
snapshot (2023 cards, and cards rebuilt from the paper's data) read through its reader."""

from __future__ import annotations

import pytest
from support import FIXTURES, embedded_snapshot

from mining.cards.attribution import card_statements
from mining.cards.card import parse_card
from mining.cards.emission_record import Flag, Provenance, emission_record
from mining.cards.measures import Kind, find_measures
from mining.cards.statements import Scope, Where

POPULAR = FIXTURES / "cards" / "popular_cards"


def _snapshot_card(model_id: str) -> str:
    snapshot = embedded_snapshot()
    record = snapshot.get(model_id)
    assert record is not None
    text = snapshot.readme(record)
    assert text is not None
    return text


def _popular(name: str):  # type: ignore[no-untyped-def]
    return emission_record(
        parse_card((POPULAR / f"{name}.md").read_bytes()), name.replace("__", "/")
    )


def test_llama3_8b_is_its_html_table_row_not_the_family_total() -> None:
    record = _popular("meta-llama__Meta-Llama-3-8B")
    assert record is not None and record.co2_g == record.co2_g_audited == 390e6
    assert record.flags == () and record.unit == "t" and record.hours == 1.3e6
    totals = [s for s in record.statements if s.scope is Scope.FAMILY_TOTAL and s.kind is Kind.CO2]
    assert {(s.where, s.amount) for s in totals} == {
        (Where.SENTENCE, 2290e6),
        (Where.TABLE, 2290e6),
    }
    other = [s for s in record.statements if s.scope is Scope.OTHER_MODEL and s.kind is Kind.CO2]
    assert [(s.subject, s.amount) for s in other] == [("Llama 3 70B", 1900e6)]


def test_llama2_7b_is_its_markdown_table_row_not_539_t() -> None:
    record = _popular("NousResearch__Llama-2-7b-chat-hf")
    assert record is not None and record.co2_g_audited == pytest.approx(31.22e6)
    chosen = record.statements[record.chosen or 0]
    assert (chosen.where, chosen.subject, chosen.key) == (
        Where.TABLE,
        "Llama 2 7B",
        "Carbon Emitted(tCO2eq)",
    )
    sentence = next(
        s for s in record.statements if s.where is Where.SENTENCE and s.kind is Kind.CO2
    )
    assert sentence.amount == 539e6 and sentence.scope is Scope.FAMILY_TOTAL


def test_olmo_7b_reads_its_multi_column_table() -> None:
    record = _popular("allenai__OLMo-7B")
    assert record is not None and record.co2_g == pytest.approx(75.05e6)
    assert record.energy_kwh == 104_000  # 104 MWh in the "Power Consumption From GPUs" column
    twin = [s for s in record.statements if s.subject == "OLMo 7B Twin"]
    assert twin and all(s.scope is Scope.OTHER_MODEL for s in twin)
    intensity = [s for s in record.statements if s.kind is Kind.INTENSITY]
    assert intensity and all(s.unit == "kg/kWh" for s in intensity)


def test_without_a_model_id_a_table_of_sizes_gives_no_figure() -> None:
    card = parse_card((POPULAR / "meta-llama__Meta-Llama-3-8B.md").read_bytes())
    record = emission_record(card)
    assert record is not None and record.co2_g is None and record.flags == (Flag.FAMILY_TOTAL,)


def test_dalle_mini_is_a_conflict_audited_by_the_section_naming_it() -> None:
    record = _popular("dalle-mini__dalle-mini")
    assert record is not None and record.co2_g == 7540 and Flag.CONFLICT in record.flags
    assert record.co2_g_audited == pytest.approx(30_160)  # "### DALL·E Mini Estimated Emissions"
    assert any("7540" in r and "30.16 kg" in r for r in record.reasons)
    mega = [s for s in record.statements if s.section == "DALL·E Mega Estimated Emissions"]
    assert mega and all(s.scope is Scope.OTHER_MODEL for s in mega)
    assert record.hours == 72  # not the Mega section's 960 - 1080 hours


def test_dalle_mega_conflict_has_no_audited_figure() -> None:
    card = parse_card(_snapshot_card("dalle-mini/dalle-mega"))
    record = emission_record(card, "dalle-mini/dalle-mega")
    assert record is not None and record.co2_g == 450_300 and record.flags == (Flag.CONFLICT,)
    assert record.co2_g_audited is None
    amounts = sorted(s.amount for s in record.statements if s.kind is Kind.CO2)
    assert amounts == [450_300, pytest.approx(18_013_470)]


def test_bloom_and_stable_diffusion_keep_their_figures() -> None:
    bloom = _popular("bigscience__bloom")
    assert bloom is not None and bloom.co2_g == bloom.co2_g_audited == 24_700_000
    assert bloom.flags == ()
    for name, grams in [
        ("CompVis__stable-diffusion-v1-4", 11_250_000),
        ("stabilityai__stable-diffusion-2-1", 15_000_000),
    ]:
        record = _popular(name)
        assert record is not None and record.co2_g == record.co2_g_audited == grams
        assert record.provenance is Provenance.PROSE
        assert record.source == "Machine Learning Impact calculator"  # named only in prose


def test_every_stable_diffusion_copy_gets_the_source_its_text_names() -> None:
    copies = []
    for path in sorted((FIXTURES / "cards" / "co2_prose_only").glob("*.md")):
        record = emission_record(parse_card(path.read_bytes()), path.stem.replace("__", "/"))
        if record is not None and record.co2_g in (11_250_000, 15_000_000):
            copies.append(record.source)
    assert len(copies) == 45
    assert set(copies) == {"Machine Learning Impact calculator"}


@pytest.mark.parametrize(
    ("model_id", "stated", "audited"),
    [("d4data/biomedical-ner-all", 0.0279399890043426, 27.94), ("Afreen/test1", 0.1069, 106.9)],
)
def test_unit_suspect_metadata_takes_the_unit_the_text_writes(
    model_id: str, stated: float, audited: float
) -> None:
    record = emission_record(parse_card(_snapshot_card(model_id)), model_id)
    assert record is not None and record.flags == (Flag.UNIT_SUSPECT,)
    assert record.co2_g == stated and record.co2_g_audited == pytest.approx(audited, rel=1e-3)
    label = next(s for s in record.statements if s.where is Where.LABEL)
    assert label.key == "Carbon emission" and label.unit == "kg"  # no colon in Afreen's line


def test_hours_of_a_calculation_are_its_result() -> None:
    record = emission_record(parse_card(_snapshot_card("swissbert")), "swissbert")
    assert record is not None and record.hours == 1440  # "10 epochs × 18 hours × 8 devices ="
    assert record.co2_g == 600  # "Carbon emitted: 0.6 kg CO2e", not the 0.0016 kg/kWh intensity
    efficiency = next(s for s in record.statements if s.key == "Carbon efficiency")
    assert efficiency.kind is Kind.INTENSITY


def test_a_time_line_gives_hours() -> None:
    card = parse_card(_snapshot_card("Ayaka/bart-base-cantonese"))
    record = emission_record(card, "Ayaka/bart-base-cantonese")
    assert record is not None and record.hours == 44.0 and record.co2_g == 6.29


def test_a_range_inside_which_the_metadata_falls_agrees() -> None:
    model_id = "wip-gpt2-finetuned-imdbreviews-fast"
    record = emission_record(parse_card(_snapshot_card(model_id)), model_id)
    assert record is not None and record.co2_g == 66 and record.flags == ()
    ranged = next(s for s in record.statements if s.kind is Kind.CO2 and s.where is Where.SENTENCE)
    assert (ranged.amount, ranged.high) == (60, 70)


def test_a_template_copy_with_its_own_section_is_a_conflict() -> None:
    record = emission_record(parse_card(_snapshot_card("Nano1337/SpecLab")), "Nano1337/SpecLab")
    assert record is not None and record.co2_g == 7540 and record.flags == (Flag.CONFLICT,)
    assert record.co2_g_audited == pytest.approx(714.6)  # "### SpecLab Estimated Emissions"


# ---- made-up cards: forms no real card in the fixtures has ----


def _made_up(body: str, front: str = "") -> object:
    return emission_record(parse_card(f"---\nlicense: mit\n{front}---\n{body}"), "me/model")


@pytest.mark.parametrize(
    ("body", "grams", "flags"),
    [
        ("- **Carbon Emitted (tCO2eq):** 0.5\n", 500_000, ()),
        ("Carbon Emitted: 3 tonnes\n", 3e6, ()),
        ("Carbon Emitted: 5 metric tons CO2eq\n", 5e6, ()),
        ("Carbon Emitted: 10 lbs\n", 4535.9237, ()),
        ("Carbon Emitted: 1,5 kg\n", 1500, ()),
        ("Carbon Emitted: ~5 kg\n", 5000, (Flag.APPROXIMATE,)),
        ("Training emitted approximately 12 kg of CO2eq.\n", 12_000, (Flag.APPROXIMATE,)),
        ("Carbon Emitted: 10-20 kg\n", 15_000, (Flag.RANGE,)),
        ("Carbon Emitted: 0.001 g\n", None, (Flag.IMPLAUSIBLE,)),
    ],
)
def test_made_up_amounts(body: str, grams: float | None, flags: tuple[Flag, ...]) -> None:
    record = _made_up(body)
    assert record is not None
    assert record.co2_g_audited == (pytest.approx(grams) if grams is not None else None)  # type: ignore[attr-defined]
    assert record.flags == flags  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "kwh"),
    [("Carbon Emitted: 10 kWh\n", 10.0), ("- **Carbon Emitted:** 2.5 MWh\n", 2500.0)],
)
def test_made_up_energy_is_never_grams(body: str, kwh: float) -> None:
    record = _made_up(body)
    assert record is not None and record.co2_g is None  # type: ignore[attr-defined]
    assert record.energy_kwh == kwh and record.flags == (Flag.ENERGY_ONLY,)  # type: ignore[attr-defined]


def test_made_up_intensity_and_inference_are_never_the_training_figure() -> None:
    body = (
        "The grid intensity was 0.4 kg CO2eq/kWh.\n"
        "Inference emits about 0.2 g CO2eq per query.\n"
        "Training emitted 8 kg CO2eq.\n"
    )
    record = _made_up(body)
    assert record is not None and record.co2_g == 8000  # type: ignore[attr-defined]
    scopes = {(s.kind, s.scope) for s in record.statements}  # type: ignore[attr-defined]
    assert (Kind.INTENSITY, Scope.TRAINING) in scopes and (Kind.CO2, Scope.INFERENCE) in scopes


def test_made_up_range_in_a_sentence_is_read_with_its_unit() -> None:
    measures = find_measures("we estimate 10-20 kg CO2eq")
    assert [(m.amount, m.high_amount) for m in measures] == [(10_000, 20_000)]


def test_statements_carry_line_and_where_for_metadata_and_body() -> None:
    card = parse_card("---\nco2_eq_emissions: 120\n---\n\nCarbon Emitted: 120 g\n")
    statements = card_statements(card)
    assert [(s.where, s.line, s.amount) for s in statements] == [
        (Where.METADATA, 2, 120),
        (Where.LABEL, 5, 120),
    ]
