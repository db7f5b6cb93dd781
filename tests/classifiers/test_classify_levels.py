"""`hubcarbon classify` end to end: real fixture cards of each of the six reporting levels go
through a crawl of a snapshot and come out graded; lint findings decide level 6."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import FIXTURES

from hubcarbon.cli import main
from mining.cards.card import parse_card
from mining.snapshot.reader import embedded_snapshot_file

pytestmark = pytest.mark.slow  # crawls of whole snapshots

CARDS = FIXTURES / "cards"

# One or two real cards per level (files under tests/fixtures/cards, same text in the snapshot).
LEVEL_CARDS: dict[str, int] = {
    "ok_no_co2/29thDay__ppo-LunarLander-v2.md": 1,
    "no_front_matter/Ahmad__parsT5.md": 1,
    "co2_prose_only/SBB__sbb_ner.md": 2,  # no CO2 value; `Hardware Type` filled in the body
    "co2_prose_only/ctrl.md": 2,
    "with_co2_metadata/404E__autotrain-formality-1026434913.md": 3,
    "with_co2_metadata/Ayaka__bart-base-cantonese.md": 4,
    "popular_cards/dalle-mini__dalle-mini.md": 4,
    # "Not optimized for FID scores" is negated: no evidence, so the card stays at level 4
    "co2_prose_only/CompVis__stable-diffusion-v1-2.md": 4,
}
TOXICITY = "nicholasKluge/ToxicityModel"


def model_id(relative: str) -> str:
    return relative.rsplit("/", 1)[-1].removesuffix(".md").replace("__", "/")


def toxicity_card(emissions: str) -> str:
    """nicholasKluge/ToxicityModel (2024, hf_preRaw.csv): its real body and its five spec fields
    as front matter, with a `peft` tag added (the card has no optimisation evidence of its own).
    The card states "Emissions: 0.0002 KgCO2", which the 2024 extract stored as 0.0002 g;
    `emissions` is either that figure as written or the same amount in grams (0.2)."""
    raw = pd.read_csv(FIXTURES / "classifiers" / "hf_preRaw.csv")
    row = raw[raw["modelId"] == TOXICITY].iloc[0]
    front = (
        "---\n"
        "datasets:\n- nicholasKluge/toxic-text\n"
        "library_name: transformers\n"
        "pipeline_tag: text-classification\n"
        "tags:\n- peft\n"
        "co2_eq_emissions:\n"
        f"  emissions: {emissions}\n"
        f"  source: {row['source']}\n"
        f"  training_type: {row['training_type']}\n"
        f"  geographical_location: {row['geographical_location']}\n"
        f"  hardware_used: {row['hardware_used']}\n"
        "---\n"
    )
    return front + str(row["modelcard_text"])


def snapshot_row(template: dict[str, Any], model: str, readme: str) -> dict[str, Any]:
    """A snapshot row for a card that is not in the embedded snapshot."""
    metadata = parse_card(readme).metadata or {}
    tags = ["transformers", *metadata.get("tags", []), "text-classification"]
    tags += [f"dataset:{d}" for d in metadata.get("datasets", [])] + ["co2_eq_emissions"]
    row = dict(template)
    row.update(
        id=model,
        author=model.split("/")[0],
        created_at="2023-06-13T22:21:23.000Z",
        last_modified="2024-01-16T22:59:07.000Z",
        downloads=8157,
        likes=8,
        pipeline_tag="text-classification",
        library_name="transformers",
        tags=tags,
        siblings=[{"rfilename": "README.md", "size": len(readme.encode())}],
        sha=hashlib.sha1(f"{model}\n{readme}".encode()).hexdigest(),
        readme=readme,
        card_data=json.dumps(metadata),
        card_status="ok",
        card_origin=None,
        paper_name=None,
        paper_row=None,
        paper_co2=None,
        owner_resolution=None,
        provenance=json.dumps({"readme": "tests/fixtures/classifiers/hf_preRaw.csv"}),
    )
    return row


def with_readme(row: dict[str, Any], readme: str) -> dict[str, Any]:
    """The row serving `readme` (its card data and commit follow the text)."""
    return row | {
        "readme": readme,
        "card_data": parse_card(readme).metadata_json(),
        "sha": hashlib.sha1(f"{row['id']}\n{readme}".encode()).hexdigest(),
    }


def write_snapshot(path: Path, toxicity_emissions: str) -> None:
    """The level cards' listing rows from the embedded snapshot, each serving its fixture file,
    plus ToxicityModel."""
    with embedded_snapshot_file().open("rb") as handle:
        table = pq.read_table(handle)
    files = {model_id(r): (CARDS / r).read_bytes().decode("utf-8") for r in LEVEL_CARDS}
    chosen = table.filter(pa.compute.is_in(table["id"], value_set=pa.array(list(files))))
    rows = [with_readme(row, files[row["id"]]) for row in chosen.to_pylist()]
    assert len(rows) == len(files)
    rows.append(snapshot_row(rows[0], TOXICITY, toxicity_card(toxicity_emissions)))
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)


def crawl_and_classify(db: Path, *args: str) -> None:
    assert main(["crawl", "--db", str(db), "--no-progress", *args]) == 0
    assert main(["classify", "--db", str(db), "--no-progress"]) == 0


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run 1: the level cards with ToxicityModel in grams; run 2: ToxicityModel as written."""
    folder = tmp_path_factory.mktemp("levels")
    grams, as_written = folder / "grams.parquet", folder / "as_written.parquet"
    write_snapshot(grams, "0.2")
    write_snapshot(as_written, "0.0002")
    db = folder / "h.duckdb"
    crawl_and_classify(db, "--snapshot", str(grams))
    crawl_and_classify(db, "--snapshot", str(as_written))
    return db


def grades(db: Path, run_id: int, scheme: str = "hubcarbon-v1") -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT model_id, level FROM reporting_grades WHERE run_id = ? AND scheme = ?",
            [run_id, scheme],
        ).fetchall()
    return {str(m): int(level) for m, level in rows}


def test_fixture_cards_are_the_crawled_cards(graded: Path) -> None:
    with duckdb.connect(str(graded), read_only=True) as con:
        query = "SELECT model_id, raw_text FROM cards_with_text WHERE run_id = 1"
        texts = dict(con.execute(query).fetchall())
    for relative in LEVEL_CARDS:
        assert texts[model_id(relative)] == (CARDS / relative).read_bytes().decode("utf-8-sig")


def test_each_of_the_six_levels_end_to_end(graded: Path) -> None:
    expected = {model_id(r): level for r, level in LEVEL_CARDS.items()} | {TOXICITY: 6}
    assert grades(graded, 1) == expected
    # level 5: ToxicityModel with its figure as the 2024 extract stored it (run 2)
    assert set(expected.values()) | {grades(graded, 2)[TOXICITY]} == {1, 2, 3, 4, 5, 6}


def test_level_two_reads_hardware_from_the_body_of_a_card_without_co2(graded: Path) -> None:
    with duckdb.connect(str(graded), read_only=True) as con:
        reporters = {m for (m,) in con.execute("SELECT model_id FROM emissions").fetchall()}
    assert "SBB/sbb_ner" not in reporters  # the crawl stores no emissions row for it
    hardware = parse_card((CARDS / "co2_prose_only/SBB__sbb_ner.md").read_bytes()).prose
    assert hardware.hardware_type


def test_an_implausible_amount_blocks_level_six_through_its_lint_finding(graded: Path) -> None:
    assert grades(graded, 2)[TOXICITY] == 5
    with duckdb.connect(str(graded), read_only=True) as con:
        codes = {
            run: {
                c
                for (c,) in con.execute(
                    "SELECT code FROM lint_findings WHERE run_id = ? AND model_id = ?",
                    [run, TOXICITY],
                ).fetchall()
            }
            for run in (1, 2)
        }
    assert "HC103" in codes[2] and "HC103" not in codes[1]


def test_classifying_a_new_run_keeps_the_rows_of_earlier_runs(graded: Path) -> None:
    first = grades(graded, 1)
    assert first[TOXICITY] == 6
    assert {m: lvl for m, lvl in grades(graded, 2).items() if m != TOXICITY} == {
        m: lvl for m, lvl in first.items() if m != TOXICITY
    }


def test_paper2023_reaches_only_its_four_branches(graded: Path) -> None:
    levels = grades(graded, 1, "paper2023")
    assert set(levels.values()) <= {1, 2, 3, 4}
    assert levels["SBB/sbb_ner"] == 2  # the "Hardware Type:" line, as the notebook read it
    assert levels[TOXICITY] == 4


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 3,000 models of a crawl of all models (cards of reporters and non-reporters)."""
    db = tmp_path_factory.mktemp("limit") / "h.duckdb"
    crawl_and_classify(db, "--limit", "3000")
    return db


def test_only_fetched_cards_are_graded_and_only_reporters_labelled(limited: Path) -> None:
    with duckdb.connect(str(limited), read_only=True) as con:
        ((models, cards, graded, reporters, labelled),) = con.execute(
            """SELECT (SELECT count(*) FROM models),
                      (SELECT count(*) FROM cards WHERE fetch_status = 'ok'),
                      (SELECT count(*) FROM reporting_grades WHERE scheme = 'hubcarbon-v1'),
                      (SELECT count(*) FROM emissions WHERE co2_g IS NOT NULL),
                      (SELECT count(*) FROM efficiency_labels WHERE scheme = 'hubcarbon-v1')"""
        ).fetchall()
    assert models == 3000
    assert graded == cards < models
    assert labelled == reporters < cards


def test_non_reporters_are_level_one_or_two_by_their_context_fields(limited: Path) -> None:
    """Level 2 exactly when the parsed card gives a context field (metadata or body)."""
    with duckdb.connect(str(limited), read_only=True) as con:
        rows = con.execute(
            """SELECT c.raw_text, g.level FROM cards_with_text c
               JOIN reporting_grades g ON g.model_id = c.model_id AND g.scheme = 'hubcarbon-v1'
               WHERE c.model_id NOT IN (SELECT model_id FROM emissions WHERE co2_g IS NOT NULL)"""
        ).fetchall()
    assert len(rows) > 100
    for text, level in rows:
        card = parse_card(text)
        meta = card.co2
        context = [
            card.prose.hardware_type,
            card.prose.compute_region,
            card.prose.hours,
            *(
                (meta.source, meta.training_type, meta.geographical_location, meta.hardware_used)
                if meta
                else ()
            ),
        ]
        assert level == (2 if any(v not in (None, "") for v in context) else 1)
