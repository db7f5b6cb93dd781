"""The card parser on real cards: every copied card against its corpus manifest, plus the
popular and template-written cards whose expected readings are stated in their data READMEs."""

from __future__ import annotations

import csv
import functools
import re

import pytest
from support import FIXTURES

from mining.cards.card import Co2Form, FrontMatterStatus, ParsedCard, parse_card
from mining.cards.emission_record import Provenance, emission_record
from mining.cards.prose import ProseField

pytestmark = pytest.mark.slow  # reads the whole fixture corpus

CARDS = FIXTURES / "cards"
MANIFEST = list(csv.DictReader((CARDS / "manifest.csv").open(encoding="utf-8", newline="")))
GROUP_SIZES = {
    "with_co2_metadata": 485,
    "co2_prose_only": 85,
    "malformed_front_matter": 18,
    "empty_file": 32,
    "no_front_matter": 60,
    "ok_no_co2": 150,
}


@functools.cache
def _parse(relative: str) -> ParsedCard:
    return parse_card((CARDS / relative).read_bytes())


def _line(card: ParsedCard, number: int) -> str:
    """A 1-based line of the card, lines ending at \\r\\n, \\r or \\n as positions count them."""
    return re.split(r"\r\n|\r|\n", card.text)[number - 1]


def _rows(group: str) -> list[dict[str, str]]:
    return [row for row in MANIFEST if row["group"] == group]


def test_manifest_lists_every_copied_card_of_each_group() -> None:
    for group, size in GROUP_SIZES.items():
        on_disk = sorted(f"{group}/{p.name}" for p in (CARDS / group).iterdir())
        assert sorted(row["file"] for row in _rows(group)) == on_disk
        assert len(on_disk) == size


def _hub_reading(row: dict[str, str], card: ParsedCard) -> str:
    """The manifest's status, corrected where the Hub's fence rule differs from the manifest's.

    The manifest wants `---` on the first line; the Hub also accepts blank space before it, and
    refuses an opening `----` or `--- ` that the manifest took for a fence.
    """
    status = row["front_matter_status"]
    if status == "no_front_matter" and card.text[:1].isspace() and card.opening_line:
        return str(card.status)
    if status == "unterminated_front_matter" and card.fence_like_line == 1:
        return "no_front_matter"
    return status


@pytest.mark.parametrize("row", MANIFEST, ids=lambda row: row["file"])
def test_status_agrees_with_the_manifest(row: dict[str, str]) -> None:
    card = _parse(row["file"])
    assert card.status == _hub_reading(row, card)
    if card.status is FrontMatterStatus.YAML_ERROR:
        assert card.yaml_error is not None
        assert card.yaml_error.context == row["yaml_error"]
        assert card.yaml_error.position is not None


def test_the_hub_rule_differences_are_the_documented_two_kinds_only() -> None:
    leading_space = fence_like = 0
    for row in MANIFEST:
        card = _parse(row["file"])
        if card.status == row["front_matter_status"]:
            continue
        if row["front_matter_status"] == "no_front_matter":
            leading_space += 1
            assert card.opening_line is not None
            assert card.status is FrontMatterStatus.OK
        else:
            fence_like += 1
            assert card.fence_like_line == 1
    assert leading_space > 0
    assert fence_like == 2  # `--- ` and `----` in malformed_front_matter


@pytest.mark.parametrize("row", _rows("with_co2_metadata"), ids=lambda row: row["file"])
def test_every_co2_card_yields_the_manifest_emissions(row: dict[str, str]) -> None:
    card = _parse(row["file"])
    assert card.co2 is not None
    assert card.co2.form == row["co2_format"]
    assert card.co2.emissions.grams == pytest.approx(float(row["co2_emissions"]), rel=1e-12)
    assert card.co2.emissions.unit == "g"
    assert card.co2.emissions.plain_number
    assert card.co2.source == (row["co2_source"] or None)
    assert card.co2.training_type == (row["co2_training_type"] or None)
    assert card.co2.geographical_location == (row["co2_geographical_location"] or None)
    assert card.co2.hardware_used == (row["co2_hardware_used"] or None)
    record = emission_record(card)
    assert record is not None
    assert record.provenance is Provenance.METADATA
    assert record.co2_g == card.co2.emissions.grams


@pytest.mark.parametrize("row", _rows("with_co2_metadata"), ids=lambda row: row["file"])
def test_co2_value_position_points_at_the_written_value(row: dict[str, str]) -> None:
    card = _parse(row["file"])
    assert card.co2 is not None and card.co2.value_position is not None
    position = card.co2.value_position
    line = _line(card, position.line)
    raw = card.co2.emissions.raw
    assert raw is not None
    assert line[position.column - 1 :].startswith(raw)


def test_prose_mentions_agree_with_the_manifest_for_cards_without_metadata() -> None:
    disagreements = []
    for row in MANIFEST:
        if row["group"] == "with_co2_metadata":
            continue  # the manifest did not look at their bodies
        card = _parse(row["file"])
        if card.prose.mentions_emissions != (row["carbon_mentioned_in_prose"] == "True"):
            disagreements.append(row["file"])
    # Its only mentions are a widget example in the front matter and a code block.
    assert disagreements == ["co2_prose_only/Vinoth24__environmental_claims.md"]
    card = _parse(disagreements[0])
    assert "carbon emissions" in card.text


def test_stable_diffusion_copies_give_kilograms_in_prose() -> None:
    amounts: dict[float, int] = {}
    for row in _rows("co2_prose_only"):
        card = _parse(row["file"])
        record = emission_record(card)
        if record is None or record.unit != "kg":
            continue
        assert record.provenance is Provenance.PROSE
        assert (record.hardware_used, record.cloud_provider) == ("A100 PCIe 40GB", "AWS")
        assert record.geographical_location == "US-east"
        assert record.raw_value in {"11250 kg CO2 eq.", "15000 kg CO2 eq."}
        assert record.co2_g is not None
        amounts[record.co2_g] = amounts.get(record.co2_g, 0) + 1
    assert amounts == {11_250_000.0: 31, 15_000_000.0: 14}


def test_autotrain_prose_line_is_read_in_grams() -> None:
    card = _parse("malformed_front_matter/Akshat__DysphagiaCls2label.md")
    assert card.status is FrontMatterStatus.UNTERMINATED
    assert card.prose.co2 is not None
    assert card.prose.co2.value.grams == pytest.approx(1.2933)
    assert card.prose.co2.label == "CO2 Emissions (in grams)"
    assert card.prose.co2.position.line == 14
    assert card.prose.environmental_impact_lines[0][0] == 12


def test_template_placeholders_are_not_values() -> None:
    placeholder_cards = 0
    for row in _rows("co2_prose_only"):
        card = _parse(row["file"])
        for placeholder in card.prose.placeholders:
            placeholder_cards += 1
            assert placeholder.text not in {v.text for v in card.prose.values}
            line = _line(card, placeholder.position.line)
            assert line[placeholder.position.column - 1 :].rstrip() == placeholder.text
        carbon = [p for p in card.prose.placeholders if p.field is ProseField.CARBON_EMITTED]
        if carbon:
            assert card.prose.co2 is None
            assert emission_record(card) is None
    assert placeholder_cards > 100


def test_bloom_mapping_with_underscored_number() -> None:
    card = _parse("popular_cards/bigscience__bloom.md")
    assert card.status is FrontMatterStatus.OK
    co2 = card.co2
    assert co2 is not None and co2.form is Co2Form.MAPPING
    assert co2.emissions.grams == 24_700_000
    assert co2.emissions.raw == "24_700_000"
    assert co2.emissions.plain_number  # PyYAML (YAML 1.1) reads it as an int
    assert co2.source is not None and co2.source.startswith("Estimating the Carbon Footprint")
    assert co2.training_type == "pre-training"
    assert co2.geographical_location == "Orsay, France"
    assert co2.hardware_used == "384 A100 80GB GPUs"
    assert co2.unknown_keys == ()
    assert co2.key_position is not None and co2.key_position.line == 173
    assert co2.value_position is not None and str(co2.value_position) == "174:14"
    record = emission_record(card)
    assert record is not None and record.as_row()["provenance"] == "metadata"
    assert record.co2_g == 24_700_000


def test_dalle_mini_mapping_with_deep_indentation_and_prose_context() -> None:
    card = _parse("popular_cards/dalle-mini__dalle-mini.md")
    co2 = card.co2
    assert co2 is not None and co2.emissions.grams == 7540
    assert (co2.source, co2.geographical_location) == (
        "MLCo2 Machine Learning Impact calculator",
        "East USA",
    )
    assert co2.value_position is not None and str(co2.value_position) == "5:18"
    record = emission_record(card)
    assert record is not None and record.provenance is Provenance.METADATA
    assert record.co2_g == 7540  # metadata wins over the body's 30.16 kg
    assert record.hours == 72 and record.cloud_provider is not None  # context from the body
    assert card.prose.co2 is not None and card.prose.co2.value.grams == 30_160


@pytest.mark.parametrize(
    ("name", "grams"),
    [
        ("CompVis__stable-diffusion-v1-4", 11_250_000),
        ("stabilityai__stable-diffusion-2-1", 15_000_000),
        ("meta-llama__Meta-Llama-3-8B", 390_000_000),  # its table row, not the 2,290 t total
        ("NousResearch__Llama-2-7b-chat-hf", 31_220_000),  # the Llama 2 7B row, not 539 t
        ("allenai__OLMo-7B", 75_050_000),  # the OLMo 7B column of a multi-column table
    ],
)
def test_popular_cards_reporting_only_in_prose(name: str, grams: float) -> None:
    card = _parse(f"popular_cards/{name}.md")
    assert card.co2 is None
    assert card.prose.mentions_emissions
    record = emission_record(card, name.replace("__", "/"))
    assert record is not None and record.provenance is Provenance.PROSE
    assert record.co2_g == pytest.approx(grams)


@pytest.mark.parametrize("name", ["openai-community__gpt2-xl", "FacebookAI__roberta-large-mnli"])
def test_popular_cards_talking_about_carbon_without_a_readable_amount(name: str) -> None:
    card = _parse(f"popular_cards/{name}.md")
    assert card.prose.mentions_emissions
    assert emission_record(card) is None


def test_gpt2_xl_reports_unknown_as_placeholders_and_keeps_hardware() -> None:
    card = _parse("popular_cards/openai-community__gpt2-xl.md")
    assert card.prose.hardware_type == "32 TPUv3 chips"
    assert card.prose.hours == 168
    unknown = {(p.field, p.text, str(p.position)) for p in card.prose.placeholders}
    assert unknown == {
        (ProseField.CLOUD_PROVIDER, "Unknown", "180:23"),
        (ProseField.COMPUTE_REGION, "Unknown", "181:23"),
        (ProseField.CARBON_EMITTED, "Unknown", "182:23"),
    }


INTERVENTION = sorted((CARDS / "intervention_model_cards").iterdir())


def test_intervention_cards_leave_the_template_unfilled() -> None:
    unfilled = 0
    for path in INTERVENTION:
        card = parse_card(path.read_bytes())
        assert card.status is FrontMatterStatus.OK
        assert emission_record(card) is None
        fields = {p.field for p in card.prose.placeholders if p.in_environmental_impact}
        if ProseField.CARBON_EMITTED in fields:
            unfilled += 1
    assert len(INTERVENTION) == 40
    assert unfilled >= 30


def test_every_fixture_card_parses_without_raising() -> None:
    paths = [p for p in CARDS.rglob("*.md") if p.name != "README.md"]
    assert len(paths) > 800
    for path in paths:
        card = parse_card(path.read_bytes())
        assert card.status in set(FrontMatterStatus)
        assert card.body_start_line >= 1


def _spec_card(name: str) -> ParsedCard:
    return parse_card((CARDS / "hf_hub_test_fixtures" / name).read_bytes())


def test_huggingface_hub_own_fixtures() -> None:
    assert _spec_card("sample_invalid_card_data.md").status is FrontMatterStatus.NOT_A_MAPPING
    assert _spec_card("sample_no_metadata.md").status is FrontMatterStatus.NO_FRONT_MATTER
    crlf = _spec_card("sample_windows_line_breaks.md")
    assert crlf.status is FrontMatterStatus.OK
    assert "\r\n" in crlf.text
    assert crlf.metadata is not None
    assert crlf.metadata["language"] == "eo"
    assert crlf.metadata["widget"][2]["text"] == "Jen finiĝas bela <mask>."
    assert (crlf.opening_line, crlf.closing_line, crlf.body_start_line) == (1, 9, 10)
    assert str(crlf.spans[("widget", 2, "text")].start) == "8:9"
