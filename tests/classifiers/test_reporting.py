"""Reporting-quality levels: paper2023 on the paper's reporters, hubcarbon-v1 on real cards."""

from __future__ import annotations

import pandas as pd
import pytest
from support import FIXTURES, embedded_snapshot

from analysis import paperdata
from classifiers.reporting import LEVEL_NAMES, Level, paper_inputs, reporting_grades
from classifiers.reporting.evidence import optimisation_evidence
from classifiers.reporting.levels import is_given
from classifiers.reporting.paper2023 import hardware_from_card
from mining.cards.card import parse_card
from mining.cards.emission_record import emission_record

CARDS = FIXTURES / "cards"


def card_row(relative: str, **extra: object) -> dict[str, object]:
    """Reporting inputs of one real card, read by the project's card parser."""
    card = parse_card((CARDS / relative).read_bytes())
    meta = card.metadata if isinstance(card.metadata, dict) else {}
    tags = meta.get("tags")
    row: dict[str, object] = {
        "model_id": relative.rsplit("/", 1)[-1].removesuffix(".md").replace("__", "/"),
        "tags": tags if isinstance(tags, list) else [],
        "card_text": card.body,
        "card_text_line": card.body_start_line,
        "hardware": card.prose.hardware_type,
        "location": card.prose.compute_region,
        "hours": card.prose.hours,
    }
    record = emission_record(card)
    if record is not None:
        row.update(
            co2_g=record.co2_g,
            hardware=record.hardware_used,
            location=record.geographical_location,
            training_type=record.training_type,
            source=record.source,
        )
    row.update(extra)
    return row


def toxicity_model(**changes: object) -> dict[str, object]:
    """nicholasKluge/ToxicityModel as extracted in 2024: all five spec fields, CodeCarbon."""
    raw = pd.read_csv(FIXTURES / "classifiers" / "hf_preRaw.csv")
    one = raw[raw["modelId"] == "nicholasKluge/ToxicityModel"].iloc[0]
    row: dict[str, object] = {
        "model_id": one["modelId"],
        "co2_g": one["co2_eq_emissions"],
        "source": one["source"],
        "training_type": one["training_type"],
        "location": one["geographical_location"],
        "hardware": one["hardware_used"],
        "card_text": one["modelcard_text"],
        "tags": [],
    }
    row.update(changes)
    return row


def grade(*rows: dict[str, object], scheme: str = "hubcarbon-v1") -> pd.DataFrame:
    return reporting_grades(pd.DataFrame(list(rows)), scheme)


def test_paper2023_on_the_papers_reporters() -> None:
    grades = reporting_grades(paper_inputs(paperdata.hfstreamlit()), "paper2023")
    counts = grades["level_name"].value_counts().to_dict()
    assert counts == {"Basic Energy Reporting": 1338, "Energy Awareness": 79}


def test_paper2023_reads_the_hardware_line_and_not_specified() -> None:
    text = "## Environmental Impact\n- **Hardware Type:** 8 16GB V100\n"
    assert hardware_from_card(text) == "** 8 16GB V100"
    assert hardware_from_card("- **Hardware Type:** [More Information Needed]") is None
    rows = [
        {"model_id": "a", "co2_g": 1.0, "hardware": "Not Specified"},
        {"model_id": "b", "co2_g": 1.0, "hardware": "Not Specified", "card_text": text},
        {"model_id": "c", "co2_g": None, "hardware": "1 T4"},
        {"model_id": "d", "co2_g": None, "hardware": "Not Specified"},
    ]
    got = grade(*rows, scheme="paper2023")["level"].tolist()
    assert got == [Level.BASIC, Level.AWARENESS, Level.CONTEXT, Level.UNKNOWN]


def test_v1_level_1_unknown_on_an_unfilled_template() -> None:
    row = card_row("co2_prose_only/96harsh56__bert_test1.md")
    assert grade(row)["level"].item() == Level.UNKNOWN


def test_v1_level_2_context_from_the_hardware_line() -> None:
    row = card_row("co2_prose_only/SBB__sbb_ner.md")
    assert row["hardware"] == "V100" and "co2_g" not in row
    assert grade(row)["level"].item() == Level.CONTEXT


def test_v1_level_3_basic_on_an_autotrain_card() -> None:
    row = card_row("with_co2_metadata/teacookies__autotrain-28102022-1914864930.md")
    assert grade(row)["level"].item() == Level.BASIC


def test_v1_level_4_awareness_with_hardware_and_no_optimisation() -> None:
    row = card_row("with_co2_metadata/Gabriel__bart-base-cnn-swe.md")
    graded = grade(row)
    assert graded["level"].item() == Level.AWARENESS and graded["evidence"].item() == []


def snapshot_row(model_id: str) -> dict[str, object]:
    """Reporting inputs of a real card of the embedded snapshot (written to a temporary file)."""
    snapshot = embedded_snapshot()
    record = snapshot.get(model_id)
    assert record is not None
    text = snapshot.readme(record) or ""
    card = parse_card(text)
    emission = emission_record(card)
    assert emission is not None
    return {
        "model_id": model_id,
        "tags": list(record.tags),
        "card_text": card.body,
        "card_text_line": card.body_start_line,
        "co2_g": emission.co2_g,
        "hardware": emission.hardware_used,
        "readme": text,
    }


def test_v1_level_5_stores_the_sentence_that_earned_it_with_its_line() -> None:
    row = snapshot_row("distilgpt2")
    readme = str(row.pop("readme"))
    graded = grade(row)
    assert graded["level"].item() == Level.OPTIMIZATION
    (evidence,) = graded["evidence"].item()
    assert evidence["term"] == "distillation" and evidence["where"] == "text"
    assert evidence["match"] in str(evidence["sentence"])
    line = readme.splitlines()[int(evidence["line"]) - 1]
    assert str(evidence["match"]) in line and " ".join(line.split()) == evidence["sentence"]


@pytest.mark.parametrize(
    "card",
    [
        "popular_cards/CompVis__stable-diffusion-v1-4.md",  # "Not optimized for FID scores."
        "co2_prose_only/runwayml__stable-diffusion-v1-5.md",  # v1-5-pruned-emaonly.ckpt
        "co2_prose_only/CompVis__stable-diffusion-v1-4.md",
        "popular_cards/bigscience__bloom.md",  # github.com/facebookresearch/bitsandbytes
    ],
)
def test_negations_file_names_and_links_are_no_evidence(card: str) -> None:
    row = card_row(card, hardware="A100")
    graded = grade(row)
    assert graded["evidence"].item() == []
    assert graded["level"].item() == Level.AWARENESS


@pytest.mark.parametrize(
    ("sentence", "terms"),
    [
        # made-up sentences for the forms no fixture card has
        ("The weights were quantized to 8-bit with bitsandbytes.", ["quantization"]),
        ("Install bitsandbytes and accelerate first.", []),
        ("Load it with GPTQ.", []),
        ("We never pruned the model.", []),
        ("This model isn't distilled.", []),
        ("A non-optimized baseline.", []),
        ("See `model-pruned.safetensors` for the file.", []),
        ("Trained with LoRA adapters (PEFT).", ["lora/peft"]),
        ("We pruned 30% of the attention heads.", ["pruning"]),
    ],
)
def test_evidence_in_the_text_needs_a_sentence_that_says_the_work_was_done(
    sentence: str, terms: list[str]
) -> None:
    found = optimisation_evidence([], f"# Card\n\nIntro.\n{sentence}\n", first_line=5)
    assert [e["term"] for e in found] == terms
    assert all(e["line"] == 8 and e["sentence"] == sentence for e in found)


def test_a_library_tag_still_counts() -> None:
    assert optimisation_evidence(["gguf"], "Install bitsandbytes.") == [
        {"term": "quantization", "where": "tags", "match": "gguf"}
    ]


def test_v1_level_6_certified_needs_every_condition() -> None:
    # the real row measures with CodeCarbon and gives all five fields, but shows no
    # optimisation: level 4. With a `peft` tag it reaches 6; each missing condition drops it.
    assert grade(toxicity_model())["level"].item() == Level.AWARENESS
    certified = grade(toxicity_model(tags=["peft"]))
    assert certified["level"].item() == Level.CERTIFIED
    assert certified["measured"].item() is True
    assert certified["evidence"].item() == [{"term": "lora/peft", "where": "tags", "match": "peft"}]
    for changes in (
        {"lint_codes": ["HC108"]},
        {"lint_codes": {"HC103", "HC101"}},
        {"location": "Not Specified"},
        {"source": "ML CO2 Impact calculator"},
    ):
        assert grade(toxicity_model(tags=["peft"], **changes))["level"].item() == 5, changes


def test_v1_every_level_is_reachable_and_named() -> None:
    rows = [
        card_row("co2_prose_only/96harsh56__bert_test1.md"),
        card_row("co2_prose_only/SBB__sbb_ner.md"),
        card_row("with_co2_metadata/teacookies__autotrain-28102022-1914864930.md"),
        card_row("with_co2_metadata/Gabriel__bart-base-cnn-swe.md"),
        {k: v for k, v in snapshot_row("distilgpt2").items() if k != "readme"},
        toxicity_model(tags=["peft"]),
    ]
    graded = grade(*rows)
    assert graded["level"].tolist() == [1, 2, 3, 4, 5, 6]
    assert graded["level_name"].tolist() == [LEVEL_NAMES[Level(n)] for n in range(1, 7)]


def test_placeholders_are_not_values() -> None:
    for value in (
        None,
        float("nan"),
        "",
        "Not Specified",
        "[More Information Needed]",
        "More information needed.",
        "Unknown",
        "N/A",
        "**",
    ):
        assert not is_given(value), value
    for value in ("V100", 0.0, 12.5, "Code Carbon"):
        assert is_given(value), value


def test_untrusted_text_never_breaks_grading() -> None:
    rows = [
        {"model_id": "x/1", "co2_g": 1.0, "hardware": "T4", "card_text": b"bytes"},
        {"model_id": "x/2", "co2_g": 1.0, "hardware": "T4", "tags": "quantized"},
        {"model_id": "x/3", "co2_g": 1.0, "hardware": "T4", "tags": [None, 3, "LoRA"]},
        {"model_id": "x/4", "co2_g": 1.0, "hardware": "T4", "card_text": "prune " * 300_000},
    ]
    assert grade(*rows)["level"].tolist() == [4, 5, 5, 5]


@pytest.fixture(scope="module")
def stable_diffusion_rows() -> list[dict[str, object]]:
    """Reporting inputs of every embedded-snapshot card stating Stable Diffusion's figures
    (11,250 kg for v1, 15,000 kg for v2): the originals, their re-uploads and fine-tunes,
    read as the crawl reads them (the card reader's record, the listing's tags)."""
    snapshot = embedded_snapshot()
    rows: list[dict[str, object]] = []
    for record in snapshot:
        text = snapshot.readme(record)
        if not text or not any(n in text for n in ("11250", "11,250", "15000", "15,000")):
            continue
        card = parse_card(text)
        emission = emission_record(card, record.id)
        if emission is None or emission.co2_g not in (11_250_000.0, 15_000_000.0):
            continue
        rows.append(
            {
                "model_id": record.id,
                "tags": list(record.tags),
                "card_text": card.body,
                "card_text_line": card.body_start_line,
                "co2_g": emission.co2_g,
                "hardware": emission.hardware_used,
                "location": emission.geographical_location,
                "training_type": emission.training_type,
                "source": emission.source,
                "hours": emission.hours,
            }
        )
    return rows


def test_no_stable_diffusion_copy_is_graded_energy_optimization(
    stable_diffusion_rows: list[dict[str, object]],
) -> None:
    """Before the evidence rules, 44 of the 49 level-5 grades came from these cards' "Not
    optimized for FID scores" or a `...-pruned-emaonly.ckpt` file name."""
    assert len(stable_diffusion_rows) == 31 + 14
    graded = grade(*stable_diffusion_rows)
    assert (graded["level"] == Level.AWARENESS).all()
    assert graded["evidence"].map(len).sum() == 0
