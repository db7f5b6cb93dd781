"""Performance metrics from real model cards: model-index first, AutoTrain's Validation Metrics
section for the rest, every value on [0, 1]."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import FIXTURES

from mining.cards.card import parse_card
from mining.cards.metrics import (
    from_card_text,
    from_model_index,
    normalise,
    performance_metrics,
    validation_section,
)

CARDS = FIXTURES / "cards"


def _card(relative: str) -> tuple[object, str]:
    card = parse_card((CARDS / relative).read_bytes())
    model_index = (card.metadata or {}).get("model-index")
    return model_index, card.body


def test_autotrain_summarisation_rouge_on_0_100_is_divided() -> None:
    model_index, body = _card(
        "with_co2_metadata/dippatel11__autotrain-whatsapp_chat_summarization-2331373597.md"
    )
    metrics = performance_metrics(model_index, body)
    assert set(metrics) == {"rouge1", "rougeL"}
    assert metrics["rouge1"].raw == 45.685
    assert metrics["rouge1"].value == pytest.approx(0.45685)
    assert metrics["rougeL"].value == pytest.approx(0.38559)
    assert {m.source for m in metrics.values()} == {"card-text"}


def test_autotrain_binary_classification_keeps_1_000() -> None:
    _, body = _card("with_co2_metadata/micole66__autotrain-pachyderms-v2-2088767193.md")
    metrics = from_card_text(body)
    assert (metrics["accuracy"].value, metrics["f1"].value) == (1.0, 1.0)


def test_section_ends_at_next_heading() -> None:
    _, body = _card("malformed_front_matter/Akshat__DysphagiaCls2label.md")
    section = validation_section(body)
    assert section is not None
    assert "Pre-trained" not in section
    metrics = from_card_text(body)
    assert metrics["accuracy"].value == 0.871
    assert metrics["f1"].value == 0.909


def test_model_index_generic_rouge_type_is_read_by_name() -> None:
    model_index, body = _card("with_co2_metadata/Blaise-g__led_pubmed_sumpubmed_1.md")
    metrics = from_model_index(model_index)
    assert metrics["rouge1"].value == pytest.approx(0.412523)
    assert metrics["rougeL"].value == pytest.approx(0.202531)
    assert metrics["rouge1"].source == "model-index"
    assert "accuracy" not in performance_metrics(model_index, body)


def test_model_index_wins_over_card_text() -> None:
    model_index = [{"results": [{"metrics": [{"type": "accuracy", "value": "91.5%"}]}]}]
    text = "## Validation Metrics\n\n- Accuracy: 0.80\n- Macro F1: 0.7\n"
    metrics = performance_metrics(model_index, text)
    assert metrics["accuracy"].value == pytest.approx(0.915)
    assert metrics["accuracy"].source == "model-index"
    assert metrics["f1"].value == 0.7  # Macro F1 stands in for a missing F1


def test_plain_f1_preferred_over_macro_f1() -> None:
    text = "## Validation Metrics\n- Macro F1: 0.5\n- F1: 0.9\n"
    assert from_card_text(text)["f1"].value == 0.9


@pytest.mark.slow
def test_every_autotrain_fixture_card_gives_values_in_unit_interval() -> None:
    seen = 0
    for path in sorted(CARDS.rglob("*.md")):
        card = parse_card(path.read_bytes())
        model_index = card.metadata.get("model-index") if card.metadata else None
        for metric in performance_metrics(model_index, card.body).values():
            assert 0.0 <= metric.value <= 1.0, (path.name, metric)
            seen += 1
    assert seen > 20


@pytest.mark.parametrize(
    "value",
    [None, "n/a", [1, 2], {"a": 1}, True, float("nan"), "-3", 250, "1e400"],
)
def test_junk_values_are_skipped(value: object) -> None:
    model_index = [{"results": [{"metrics": [{"type": "accuracy", "value": value}]}]}]
    assert from_model_index(model_index) == {}


@pytest.mark.parametrize("junk", [None, 3, "text", {"results": 1}, [None, {"results": [None]}]])
def test_junk_model_index_is_empty(junk: object) -> None:
    assert from_model_index(junk) == {}


@given(st.text(max_size=400))
def test_card_text_never_raises(text: str) -> None:
    for metric in from_card_text("## Validation Metrics\n" + text).values():
        assert 0.0 <= metric.value <= 1.0


def test_normalise() -> None:
    assert normalise(0.5) == 0.5
    assert normalise(50) == 0.5
    assert normalise(0.5, percent=True) == 0.005
    assert normalise(100.5) is None
    assert normalise(-0.1) is None
