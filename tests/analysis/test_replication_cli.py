"""`hubcarbon replicate`: the JSON document's schema, the comparison table and the exit codes."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analysis.replication import comparison, dumps, jsonable, mismatches
from hubcarbon.cli import main
from hubcarbon.commands.replicate import render_table

REQUIRED: dict[str, tuple[str, ...]] = {
    "n_models_co2": ("count",),
    "autotrain_share": ("count", "total", "share"),
    "domain_counts": ("NLP", "Computer Vision", "Multimodal", "Audio", "Not Specified"),
    "median_co2_trend": ("months", "slope", "p", "p_holm", "max", "mean", "last", "median"),
    "mwu_cv_vs_nlp": ("U", "p", "p_holm", "median_cv", "median_nlp"),
    "pearson_log_size": ("r", "p", "p_holm", "n"),
    "pearson_log_dataset_size": ("r", "p", "p_holm", "n"),
    "mwu_pretraining_vs_finetuning": (
        "U", "p", "p_holm", "median_pretraining", "median_finetuning", "n",
    ),
    "spearman_accuracy_autotrain": ("rho", "p", "n"),
    "ols_domain_size_controlled": ("r2", "coef_log_size"),
    "reporting_share_trend": ("p", "p_holm"),
    **{
        f"spearman_{metric}_{group}": ("rho", "p", "p_holm", "n")
        for metric in ("accuracy", "f1", "rouge1", "rougeL")
        for group in ("autotrain", "curated")
    },
}  # fmt: skip

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [*REQUIRED, "holm_family", "quirks_reproduced", "sections_pending"],
    "properties": {
        **{
            key: {
                "type": "object",
                "required": list(fields),
                "properties": {field: {"type": "number"} for field in fields},
            }
            for key, fields in REQUIRED.items()
        },
        "holm_family": {
            "type": "object",
            "required": ["members"],
            "properties": {
                "members": {
                    "type": "array",
                    "minItems": 14,
                    "maxItems": 14,
                    "items": {
                        "type": "object",
                        "required": ["key", "p", "p_holm", "rank"],
                        "properties": {
                            "p": {"type": "number", "minimum": 0, "maximum": 1},
                            "p_holm": {"type": "number", "minimum": 0, "maximum": 1},
                        },
                    },
                }
            },
        },
        "quirks_reproduced": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "object", "required": ["id", "reproduced", "analyze_fix"]},
        },
    },
}

LABELS = {"A": 37, "B": 486, "C": 826, "D": 55, "E": 15}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("replicate") / "nested" / "replication.json"
    return main(["replicate", "--out", str(out), "--format", "json"]), out


@pytest.fixture(scope="module")
def document(written: tuple[int, Path]) -> dict[str, Any]:
    return json.loads(written[1].read_text("utf-8"))


def test_replicate_writes_a_valid_document(written: tuple[int, Path], document: dict) -> None:
    code, _ = written
    assert code == 0
    jsonschema.validate(document, SCHEMA)
    for key, fields in REQUIRED.items():
        for field in fields:
            assert math.isfinite(document[key][field]), (key, field)
    assert document["n_models_co2"]["count"] == 1417
    assert document["domain_counts"]["NLP"] == 1160


def test_document_is_sorted_and_strict(written: tuple[int, Path]) -> None:
    text = written[1].read_text("utf-8")
    assert "NaN" not in text and "Infinity" not in text
    keys = list(json.loads(text))
    assert keys == sorted(keys)
    assert text == dumps(json.loads(text))


def test_efficiency_labels_match_the_published_counts(document: dict) -> None:
    if "efficiency_labels_paper" in document["sections_pending"]:
        assert importlib.util.find_spec("classifiers.efficiency") is None
        pytest.skip("the classifiers layer provides no label section yet")
    assert {letter: document["efficiency_labels_paper"][letter] for letter in LABELS} == LABELS


def test_table_shows_published_next_to_ours(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["replicate", "--out", str(tmp_path / "r.json")]) == 0
    output = capsys.readouterr().out
    header = output.splitlines()[0]
    assert [cell.strip() for cell in header.split("|")] == [
        "quantity",
        "published",
        "ours",
        "match",
    ]
    line = next(row for row in output.splitlines() if row.startswith("models with a CO2 value"))
    assert [cell.strip() for cell in line.split("|")] == [
        "models with a CO2 value",
        "1,417",
        "1,417",
        "yes",
    ]
    assert "checked independently" in output
    assert (tmp_path / "r.json").is_file()


def test_a_mismatch_is_reported_and_fails(document: dict) -> None:
    doctored = json.loads(json.dumps(document))
    doctored["domain_counts"]["NLP"] = 1162  # HFCO2's count, inflated by the duplicates
    assert mismatches(doctored) == ["reporters in NLP"]
    table = render_table(comparison(doctored))
    assert any(
        row.startswith("reporters in NLP") and row.rstrip().endswith("NO")
        for row in table.splitlines()
    )


def test_unwritable_output_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["replicate", "--out", str(blocker / "replication.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("hubcarbon: error: cannot write")


def test_jsonable_turns_non_finite_into_null() -> None:
    import numpy as np

    assert jsonable({"a": float("nan"), "b": np.float64("inf"), "c": (np.int64(3),)}) == {
        "a": None,
        "b": None,
        "c": [3],
    }


def test_reporting_levels_cover_every_reporter(document: dict) -> None:
    if "reporting_levels" in document["sections_pending"]:
        assert importlib.util.find_spec("classifiers.reporting") is None
        pytest.skip("the classifiers layer provides no reporting section yet")
    levels = {
        name: count
        for name, count in document["reporting_levels"].items()
        if isinstance(count, int)
    }
    assert sum(levels.values()) == 1417
    assert levels["Context Reporting"] == levels["Unknown Energy Efficiency"] == 0
    assert levels["Energy Optimization"] == levels["Certified Energy Efficiency"] == 0
    by_auto = document["reporting_levels"]["by_auto"]
    assert sum(sum(row.values()) for row in by_auto.values()) == 1417
