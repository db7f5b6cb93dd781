"""tools/build_snapshot.py: deterministic output, owner recovery, Hub-style card derivation.

The inputs are small slices of real data taken from the embedded snapshot (cards, ids, creation
times), laid out like the shared data folder the builder reads.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from support import REPO_ROOT, embedded_snapshot

from mining.snapshot.reader import ModelRecord, Snapshot, open_snapshot


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_snapshot", REPO_ROOT / "tools" / "build_snapshot.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_snapshot"] = module
    spec.loader.exec_module(module)
    return module


builder = _load_builder()


@pytest.fixture(scope="module")
def embedded() -> Snapshot:
    return embedded_snapshot()


def _real_reporter_cards(snapshot: Snapshot, count: int) -> list[ModelRecord]:
    picked = [
        r
        for r in snapshot.reporters
        if r.card_origin == "hf_modelcards_2023"
        and r.owner_resolution == "matched: unique id with this name"
        and r.created_at
    ]
    return picked[:count]


def _write_shared(root: Path, snapshot: Snapshot) -> dict[str, str]:
    """A miniature shared data folder; returns the expected id per paper name."""
    reporters = _real_reporter_cards(snapshot, 2)
    plain = [r for r in snapshot if r.card_origin == "hf_modelcards_2023" and r.paper_name is None][
        :3
    ]
    cards = [*reporters, *plain]
    (root / "hf_modelcards_2023").mkdir(parents=True)
    with gzip.open(
        root / "hf_modelcards_2023" / "all_cards.jsonl.gz", "wt", encoding="utf-8"
    ) as out:
        for record in cards:
            item = {
                "model_id": record.id,
                "subset": "train",
                "source_file": "x",
                "readme": snapshot.readme(record),
            }
            out.write(json.dumps(item) + "\n")
    info_rows = [
        {
            "modelId": r.id,
            "author": r.id.split("/")[0],
            "creation_time": r.created_at or "2022-01-01T00:00:00.000Z",
            "downloads": float(r.downloads or 0),
            "has_modelcard": True,
            "task_category": "text-classification",
            "task_domain": "nlp",
        }
        for r in cards
    ]
    info_rows += [
        {
            "modelId": "gpt2",
            "author": "openai",
            "creation_time": "2019-03-01T10:00:00.000Z",
            "downloads": 9.0,
            "has_modelcard": True,
            "task_category": "text-generation",
            "task_domain": "nlp",
        },
        {
            "modelId": "ann/twin",
            "author": "ann",
            "creation_time": "2021-05-01T10:00:00.000Z",
            "downloads": 1.0,
            "has_modelcard": False,
            "task_category": "unknown",
            "task_domain": "unknown",
        },
        {
            "modelId": "bob/twin",
            "author": "bob",
            "creation_time": "2021-06-01T10:00:00.000Z",
            "downloads": 1.0,
            "has_modelcard": False,
            "task_category": "unknown",
            "task_domain": "unknown",
        },
    ]
    info = pd.DataFrame(info_rows)
    info["creation_time"] = pd.to_datetime(info["creation_time"], utc=True)
    (root / "hf_model_info_liang2023").mkdir()
    info.to_parquet(root / "hf_model_info_liang2023" / "model_info.parquet")
    paper_rows = []
    for number, record in enumerate(reporters):
        paper_rows.append(
            _paper_row(number, record.id.split("/")[-1], record.paper_co2 or 1.0, record.created_at)
        )
    paper_rows.append(_paper_row(10, "twin", 2.5, "2021-06-01 10:00:00+00:00"))
    paper_rows.append(
        _paper_row(
            11,
            "orphan-model-1",
            3.5,
            None,
            text="\n# Orphan\n\nUse `carol/orphan-model-1` with pipeline().\n",
        )
    )
    paper_rows.append(_paper_row(12, "lonely", 4.5, None, text=None))
    # A rebuilt non-AutoTrain card in the form of distilgpt2's row (source, prose debris).
    paper_rows.append(
        _paper_row(
            13,
            "hand-trained",
            149_200.0,
            None,
            text="\n- **Hardware Type:** 8 16GB V100\n- **Hours used:** 168 (1 week)\n",
        )
        | {
            "auto": False,
            "is_autotrain": 0,
            "datasets": "['openwebtext']",
            "source": "Google Cloud Footprint",
            "hardware_used": "** 8 16GB V100",
        }
    )
    (root / "paper").mkdir()
    pd.DataFrame(paper_rows).to_csv(root / "paper" / "HFStreamlit.csv", index=False)
    expected = {r.id.split("/")[-1]: r.id for r in reporters}
    expected.update(
        {
            "twin": "bob/twin",
            "orphan-model-1": "carol/orphan-model-1",
            "lonely": "lonely",
            "hand-trained": "hand-trained",
        }
    )
    return expected


def _paper_row(
    row: int, name: str, co2: float, created: str | None, text: str | None = "\n# Body\n"
) -> dict[str, object]:
    return {
        "Unnamed: 0": row, "modelId": name, "datasets": "['someone/autotrain-data-x']",
        "co2_eq_emissions": co2, "source": "AutoTrain", "training_type": "fine-tuning",
        "geographical_location": "Not Specified", "hardware_used": "Not Specified",
        "size": 1234.0, "auto": True, "downloads": 7, "likes": 1,
        "library_name": "['transformers', 'pytorch']", "lastModified": "2022-06-28 08:38:46+00:00",
        "created_at": created, "modelcard_text": text, "is_co2_eq_emissions": 1, "is_pytorch": 1,
        "is_autotrain": 1,
    }  # fmt: skip


@pytest.mark.slow
def test_building_twice_gives_identical_bytes(tmp_path: Path, embedded: Snapshot) -> None:
    _write_shared(tmp_path / "shared", embedded)
    first = builder.build(tmp_path / "shared", tmp_path / "one")
    second = builder.build(tmp_path / "shared", tmp_path / "two")
    one = (tmp_path / "one" / builder.SNAPSHOT_NAME).read_bytes()
    assert one == (tmp_path / "two" / builder.SNAPSHOT_NAME).read_bytes()
    assert first["sha256"] == second["sha256"]
    assert first["models"] == 11 and first["paper_reporters"] == 6


def test_owners_are_recovered_from_ids_creation_times_and_card_text(
    tmp_path: Path, embedded: Snapshot
) -> None:
    expected = _write_shared(tmp_path / "shared", embedded)
    builder.build(tmp_path / "shared", tmp_path / "out")
    built = open_snapshot(tmp_path / "out" / builder.SNAPSHOT_NAME)
    by_name = {r.paper_name: r for r in built.reporters}
    assert {name: r.id for name, r in by_name.items()} == expected
    assert by_name["twin"].owner_resolution == "disambiguated: creation time"
    assert by_name["orphan-model-1"].owner_resolution == "card-text: owner named in the card"
    assert by_name["lonely"].owner_resolution == "bare: no id with this name"


def test_reporters_without_a_card_get_a_marked_reconstruction(
    tmp_path: Path, embedded: Snapshot
) -> None:
    _write_shared(tmp_path / "shared", embedded)
    builder.build(tmp_path / "shared", tmp_path / "out")
    built = open_snapshot(tmp_path / "out" / builder.SNAPSHOT_NAME)
    twin = built.get("bob/twin")
    assert twin is not None and twin.card_origin == "reconstructed_from_paper"
    assert twin.card_data == {
        "datasets": ["someone/autotrain-data-x"],
        "tags": ["autotrain"],
        "library_name": "transformers",
        "co2_eq_emissions": {"emissions": 2.5, "training_type": "fine-tuning"},
    }
    assert twin.tags[:3] == ("transformers", "pytorch", "autotrain")
    assert "co2_eq_emissions" in twin.tags and "dataset:someone/autotrain-data-x" in twin.tags
    assert {s.rfilename: s.size for s in twin.siblings}["pytorch_model.bin"] == 1234
    text = built.readme(twin) or ""
    assert text.startswith("---\n") and text.endswith("---\n\n# Body\n")
    lonely = built.get("lonely")
    assert lonely is not None and (built.readme(lonely) or "").endswith("---\n")
    real = _real_reporter_cards(embedded, 1)[0]
    copied = built.get(real.id)
    assert copied is not None and built.readme(copied) == embedded.readme(real)
    assert copied.card_origin == "hf_modelcards_2023"
    gpt2 = built.get("gpt2")
    assert (
        gpt2 is not None
        and gpt2.author == "openai"
        and gpt2.created_at == "2019-03-01T10:00:00.000Z"
    )


@pytest.mark.parametrize(
    ("text", "status", "data"),
    [
        ("---\nlicense: mit\n---\n# x", "ok", {"license": "mit"}),
        ("\ufeff---\r\nlicense: mit\r\n---\r\nbody", "ok", {"license": "mit"}),
        ("---\non: yes\n2: a\n---\n", "ok", {"true": True, "2": "a"}),
        (
            "---\nday: 2021-02-03\nx: .nan\n---\n",
            "ok",
            {"day": "2021-02-03T00:00:00.000Z", "x": None},
        ),
        ("---\n- a\n- b\n---\n", "not_mapping", None),
        ("---\nkey: [unclosed\n---\n", "yaml_error", None),
        ("---\n\n---\n", "empty_front_matter", None),
        ("---\n---\n", "no_front_matter", None),
        ("# title only\n", "no_front_matter", None),
        ("", "empty", None),
        (None, "missing", None),
    ],
)
def test_front_matter_is_read_as_the_hub_does(text: str | None, status: str, data: object) -> None:
    assert builder.front_matter_status(text) == (status, data)


def test_tags_follow_the_hub_derivation() -> None:
    card = {
        "tags": ["autotrain", "text-classification"],
        "datasets": "imdb",
        "language": ["en", "fr"],
        "license": "apache-2.0",
        "co2_eq_emissions": 0,
    }
    tags = builder.derive_tags(card, "transformers", "text-classification", ["pytorch", "bert"])
    assert tags == [
        "transformers", "pytorch", "autotrain", "text-classification", "dataset:imdb", "en", "fr",
        "co2_eq_emissions", "license:apache-2.0", "bert",
    ]  # fmt: skip
    assert "co2_eq_emissions" not in builder.derive_tags({"co2_eq_emissions": None}, None, None)


def test_a_rebuilt_card_keeps_the_source_and_loses_the_debris(
    tmp_path: Path, embedded: Snapshot
) -> None:
    _write_shared(tmp_path / "shared", embedded)
    builder.build(tmp_path / "shared", tmp_path / "out")
    built = open_snapshot(tmp_path / "out" / builder.SNAPSHOT_NAME)
    record = built.get("hand-trained")
    assert record is not None and record.card_data is not None
    assert record.card_data["co2_eq_emissions"] == {
        "emissions": 149_200.0,
        "source": "Google Cloud Footprint",
        "training_type": "fine-tuning",
        "hardware_used": "8 16GB V100",
    }
    assert record.provenance["co2_eq_emissions.source"] == "paper2023 (harmonised source class)"
    assert record.provenance["co2_eq_emissions.hardware_used"] == (
        "paper2023; cleaned: markdown-emphasis"
    )
    assert "autotrain" not in record.tags
    twin = built.get("bob/twin")  # an AutoTrain row: the paper's "AutoTrain" is not a card field
    assert twin is not None and twin.card_data is not None
    assert "source" not in twin.card_data["co2_eq_emissions"]


@pytest.mark.parametrize(
    ("value", "card_text", "cleaned", "rules"),
    [
        # the paper's own values (HFStreamlit.csv) and the card text they came from
        (
            "** 8 16GB V100",
            "- **Hardware Type:** 8 16GB V100",
            "8 16GB V100",
            ["markdown-emphasis"],
        ),
        ("TTPU v3-256", "* **Hardware Type:** TPU v3-256", "TPU v3-256", ["doubled-initial"]),
        ("RTX 2080 Ti.", "- Hardware type: RTX 2080 Ti.", "RTX 2080 Ti", ["trailing-period"]),
        ("** GCP", "* **Cloud Provider:** GCP", "GCP", ["markdown-emphasis"]),
        ("1 TPU v3-8 VM", None, "1 TPU v3-8 VM", []),
        ("Oregon, U.S.", None, "Oregon, U.S.", []),
        ("AA100 node", "AA100 node and A100 node", "AA100 node", []),  # the text has it doubled
        ("TTPU v3-256", None, "TTPU v3-256", []),  # no text to confirm the single letter
    ],
)
def test_extraction_debris_is_cleaned_by_rule(
    value: str, card_text: str | None, cleaned: str, rules: list[str]
) -> None:
    assert builder.clean_extracted(value, card_text) == (cleaned, rules)


def test_the_embedded_snapshot_has_the_rebuilt_fields_clean(embedded: Snapshot) -> None:
    rebuilt = [r for r in embedded.reporters if r.card_origin == "reconstructed_from_paper"]
    values = [
        str(value)
        for r in rebuilt
        for key, value in ((r.card_data or {}).get("co2_eq_emissions") or {}).items()
        if key != "emissions"
    ]
    assert values and not [v for v in values if v != v.strip().strip("*_") or v.endswith(".")]
    mega = embedded.get("dalle-mini/dalle-mega")
    assert mega is not None and mega.card_data is not None
    assert mega.card_data["co2_eq_emissions"]["hardware_used"] == "TPU v3-256"
    it5 = [r for r in rebuilt if r.id.startswith("it5/")]
    assert len(it5) == 45
    assert {r.card_data["co2_eq_emissions"]["source"] for r in it5 if r.card_data} == {
        "Google Cloud Footprint"
    }
    human = [r for r in rebuilt if not {"autotrain", "autonlp"} & set(r.tags)]
    with_source = [
        r for r in human if "source" in ((r.card_data or {}).get("co2_eq_emissions") or {})
    ]
    assert len(with_source) == 66


def test_autotrain_text_markers_flag_cards_their_tags_missed(embedded: Snapshot) -> None:
    assert builder.autotrain_marker("# Model Trained Using AutoTrain\n") == "AutoTrain heading"
    assert builder.autotrain_marker("- CO2 Emissions (in grams): 4.2") == "AutoTrain CO2 line"
    assert builder.autotrain_marker("datasets:\n- me/autonlp-data-x") == "autotrain-data dataset"
    assert builder.autotrain_marker("trained by hand, AutoTrain-free") is None
    marked = [r for r in embedded if "autotrain" in r.provenance]
    assert len(marked) == 27
    for record in marked:
        assert "autotrain" in record.tags
        assert builder.autotrain_marker(embedded.readme(record)) in record.provenance["autotrain"]
    meter = embedded.get("Yah216/Arabic_poem_meter_3")
    assert meter is not None and meter.provenance["autotrain"] == "text marker: AutoTrain heading"
