"""`hubcarbon card inspect` and `classifiers.inspect.inspect_card` on real cards."""

from __future__ import annotations

import json

import pytest
from support import FIXTURES

from classifiers.inspect import inspect_card, model_id_from_path
from hubcarbon.cli import main

POPULAR = FIXTURES / "cards" / "popular_cards"
LLAMA3 = POPULAR / "meta-llama__Meta-Llama-3-8B.md"


def test_json_document_for_several_cards(capsys: pytest.CaptureFixture[str]) -> None:
    bloom = POPULAR / "bigscience__bloom.md"
    assert main(["card", "inspect", str(LLAMA3), str(bloom), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["version"] == 1
    llama, bloom_card = document["cards"]
    assert set(llama) == {"path", "model_id", "emissions", "statements", "reporting"}
    assert llama["model_id"] == "meta-llama/Meta-Llama-3-8B"  # from the file name
    assert llama["emissions"]["co2_g"] == 390e6 and llama["emissions"]["flags"] == []
    assert {s["scope"] for s in llama["statements"]} >= {"training", "family-total", "other-model"}
    assert set(llama["reporting"]) == {"scheme", "level", "level_name", "evidence", "measured"}
    fields = set(bloom_card["emissions"])
    assert {"co2_g", "co2_g_audited", "unit", "raw_value", "provenance", "source",
            "training_type", "geographical_location", "hardware_used", "hours", "energy_kwh",
            "cloud_provider", "flags"} <= fields  # fmt: skip


def test_model_id_option_wins_and_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["card", "inspect", str(LLAMA3), "--model-id", "meta-llama/Meta-Llama-3-70B"]) == 0
    out = capsys.readouterr().out
    assert "(model meta-llama/Meta-Llama-3-70B)" in out
    assert "co2_g: 1900000000.0" in out  # the 70B row
    assert "* line 328: co2 '1900'" in out


def test_a_card_without_emissions_and_a_missing_file(
    tmp_path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\n---\n# Nothing about carbon\n", encoding="utf-8")
    assert main(["card", "inspect", str(card), "--format", "json"]) == 0
    [read] = json.loads(capsys.readouterr().out)["cards"]
    assert read["model_id"] is None and read["emissions"] is None and read["statements"] == []
    assert main(["card", "inspect", str(tmp_path / "absent.md")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_model_id_from_path_only_when_unambiguous() -> None:
    assert model_id_from_path("cards/dalle-mini__dalle-mini.md") == "dalle-mini/dalle-mini"
    assert model_id_from_path("README.md") is None
    assert model_id_from_path("a__b__c.md") is None


def test_inspect_card_in_python_reads_dalle_mini() -> None:
    read = inspect_card(
        (POPULAR / "dalle-mini__dalle-mini.md").read_bytes(), "dalle-mini/dalle-mini"
    )
    assert read.record is not None and "conflict" in read.record.flags
    assert read.reporting["level"] >= 1
