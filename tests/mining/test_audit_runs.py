"""Training runs (mining.audit.runs) on real cards: the embedded snapshot's reporters (every card
whose README states a figure, read by the crawler's own emission record) and the session's real
co2 crawl, where the stage ran at the end of the crawl."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from support import copy_db, embedded_snapshot

from mining.audit import AUDIT_STAGES, CopyReason, Reporter, TrainingRun, run_audit, training_runs
from mining.audit.runs import NEAR_COPY_JACCARD, jaccard
from mining.cards.card import parse_card
from mining.cards.emission_record import emission_record
from mining.store.schema import connect

pytestmark = pytest.mark.slow  # reads every card of the embedded snapshot

SD_V1, SD_V2 = 11_250_000.0, 15_000_000.0


@pytest.fixture(scope="module")
def reporters() -> list[Reporter]:
    """Every snapshot card that states a figure, as the crawl would store it."""
    snapshot = embedded_snapshot()
    found = []
    for record in snapshot:
        text = snapshot.readme(record)
        if not text or not any(word in text.lower() for word in ("co2", "carbon")):
            continue
        card = parse_card(text)
        emission = emission_record(card)
        if emission is None or emission.co2_g is None:
            continue
        created = (
            datetime.fromisoformat(record.created_at.replace("Z", "+00:00")).replace(tzinfo=None)
            if record.created_at
            else None
        )
        found.append(Reporter(record.id, emission.co2_g, created, card.body))
    return found


@pytest.fixture(scope="module")
def runs(reporters: list[Reporter]) -> dict[str, TrainingRun]:
    return {run.model_id: run for run in training_runs(reporters)}


def _by_figure(reporters: list[Reporter], figure: float) -> list[str]:
    return [r.model_id for r in reporters if r.co2_g == figure]


def test_every_stable_diffusion_figure_is_one_run(
    reporters: list[Reporter], runs: dict[str, TrainingRun]
) -> None:
    v1, v2 = _by_figure(reporters, SD_V1), _by_figure(reporters, SD_V2)
    assert (len(v1), len(v2)) == (31, 14)
    assert {runs[m].training_run for m in v1} == {"CompVis/stable-diffusion-v1-4"}
    assert {runs[m].training_run for m in v2} == {"stabilityai/stable-diffusion-2"}
    copies = [runs[m] for m in v1 + v2 if runs[m].copied_from is not None]
    assert len(copies) == 31 + 14 - 2
    assert runs["acheong08/SD-V1-5-cloned"].copy_reason is CopyReason.NEAR_COPY
    assert runs["stabilityai/stable-diffusion-2-1"].copy_reason is CopyReason.FINE_TUNED_FROM


def test_distilgpt2_copies_share_its_run(runs: dict[str, TrainingRun]) -> None:
    for copy in ("model-attribution-challenge/distilgpt2", "Sussybaka/gpt2wilkinscoffee"):
        assert runs[copy] == TrainingRun(copy, "distilgpt2", "distilgpt2", CopyReason.NEAR_COPY)
    assert runs["distilgpt2"] == TrainingRun("distilgpt2", "distilgpt2")


def test_it5_fine_tunes_sharing_an_estimate_keep_separate_runs(
    reporters: list[Reporter], runs: dict[str, TrainingRun]
) -> None:
    it5 = [r for r in reporters if r.model_id.startswith("it5/")]
    assert len(it5) == 45 and len({r.co2_g for r in it5}) == 5  # one estimate per model size
    assert all(runs[r.model_id] == TrainingRun(r.model_id, r.model_id) for r in it5)
    # their bodies are as alike as copies' (one template): similarity alone would merge them
    bodies = {r.model_id: r.body for r in it5}
    from mining.audit.runs import _shingles

    alike = jaccard(
        _shingles(bodies["it5/it5-base-news-summarization"]),
        _shingles(bodies["it5/mt5-base-news-summarization"]),
    )
    assert alike > NEAR_COPY_JACCARD


def test_a_fine_tune_repeating_its_autotrain_job_shares_the_run(
    runs: dict[str, TrainingRun],
) -> None:
    copy = runs["Chemsseddine/bert2gpt2SUMM-finetuned-mlsum"]
    assert copy.copied_from == "Chemsseddine/bert2gpt2SUMM"
    assert copy.copy_reason is CopyReason.AUTOTRAIN_MODEL_ID


def test_most_non_autotrain_figures_repeat_and_few_runs_remain(
    reporters: list[Reporter], runs: dict[str, TrainingRun]
) -> None:
    """The issue's screen (70 % of 174 non-AutoTrain reporters repeat another model's figure),
    after the snapshot tags the 24 AutoTrain cards it missed: 120 of 150 repeat another
    non-AutoTrain figure, and they are 70 training runs, not 120."""
    snapshot = embedded_snapshot()
    auto = {r.id for r in snapshot if {"autotrain", "autonlp"} & set(r.tags)}
    human = [r for r in reporters if r.model_id not in auto]
    figures = Counter(r.figure for r in human)
    repeating = [r for r in human if figures[r.figure] > 1]
    assert (len(human), len(repeating)) == (150, 120)
    assert len({runs[r.model_id].training_run for r in repeating}) == 70
    assert len({runs[r.model_id].training_run for r in human}) == 100


def test_the_result_does_not_depend_on_input_order(reporters: list[Reporter]) -> None:
    shuffled = list(reporters)
    random.Random(7).shuffle(shuffled)
    assert training_runs(shuffled) == training_runs(reporters)


def test_origin_is_the_most_named_then_the_oldest() -> None:
    """Made-up cards: two re-uploads naming `a/base`; the origin is the one they point at, even
    though a re-upload is older; without links, equal figures stay separate runs."""
    body = "# Base model\n\nUse `a/base` with pipeline(). " + "Trained on many words here. " * 20
    old, new = datetime(2020, 1, 1, tzinfo=UTC), datetime(2021, 1, 1, tzinfo=UTC)
    made_up = [
        Reporter("a/base", 12.0, new, body),
        Reporter("b/reupload", 12.0, old, body),
        Reporter("c/reupload", 12.0, None, body),
        Reporter("d/other", 12.0, old, "# Other\n\nMy own model `d/other`, trained by me."),
        Reporter("e/tuned", 12.0, None, "Some text.", frozenset({"a/base"})),
    ]
    result = {run.model_id: run for run in training_runs(made_up)}
    assert result["b/reupload"] == TrainingRun(
        "b/reupload", "a/base", "a/base", CopyReason.NEAR_COPY
    )
    assert result["c/reupload"].copied_from == "a/base"
    assert result["e/tuned"].copy_reason is CopyReason.BASE_MODEL
    assert result["d/other"] == TrainingRun("d/other", "d/other")
    assert result["a/base"] == TrainingRun("a/base", "a/base")


def test_the_stage_ran_in_the_crawl_and_is_idempotent(co2_crawl_db: Path, tmp_path: Path) -> None:
    assert AUDIT_STAGES.ids() == ["training-runs"]
    db = copy_db(co2_crawl_db, tmp_path)
    con = connect(db)
    query = (
        "SELECT model_id, training_run, copied_from, copy_reason FROM latest_emissions "
        "ORDER BY model_id"
    )
    crawled = con.execute(query).fetchall()
    assert len(crawled) == 1_418 and all(row[1] for row in crawled)
    by_id = {row[0]: row for row in crawled}
    assert by_id["Sussybaka/gpt2wilkinscoffee"][1:] == ("distilgpt2", "distilgpt2", "near-copy")
    it5 = [row for row in crawled if row[0].startswith("it5/")]
    assert len(it5) == 45 and all(row[1] == row[0] and row[2] is None for row in it5)
    source = con.execute(
        "SELECT DISTINCT source FROM latest_emissions WHERE model_id LIKE 'it5/%'"
    ).fetchall()
    assert source == [("Google Cloud Footprint",)]
    con.execute("UPDATE emissions SET training_run = NULL, copied_from = NULL")
    (summary,) = run_audit(con, 1)
    assert summary.startswith("training runs: ") and "for 1,418 reporters" in summary
    assert con.execute(query).fetchall() == crawled
    con.close()


def test_an_old_database_gains_the_columns(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        from mining.store.schema import CRAWL_MIGRATIONS, apply_migrations

        apply_migrations(con, "mining", CRAWL_MIGRATIONS[:1])
        con.execute(
            "INSERT INTO emissions (run_id, model_id, co2_g, provenance) VALUES (1, 'a/b', 1, 'x')"
        )
    con = connect(old)
    columns = {row[0] for row in con.execute("DESCRIBE latest_emissions").fetchall()}
    assert {"training_run", "copied_from", "copy_reason"} <= columns
    assert run_audit(con, 1) == ["training runs: 1 for 1 reporters (0 copies)"]
    con.close()


def test_a_copy_is_flagged_copied_in_the_same_write(co2_crawl_db: Path, tmp_path: Path) -> None:
    """`copied` is in `flags` exactly on the rows with `copied_from`, after the card reader's
    own flags (d4data's re-upload keeps its `unit-suspect`); a row that stops being a copy loses
    it and keeps the rest; a row the reader never audited (NULL flags) stays NULL."""
    query = "SELECT model_id, copied_from, flags FROM latest_emissions ORDER BY model_id"
    rows = _crawl_rows(co2_crawl_db, query)
    copies = {model_id for model_id, origin, _ in rows if origin is not None}
    flagged = {model_id for model_id, _, flags in rows if "copied" in flags}
    assert copies == flagged and len(copies) >= 10
    by_id = {model_id: flags for model_id, _, flags in rows}
    assert by_id["biomedical-ner-all"] == ["unit-suspect", "copied"]
    assert by_id["d4data/biomedical-ner-all"] == ["unit-suspect"]
    assert by_id["Sussybaka/gpt2wilkinscoffee"] == ["copied"]

    db = copy_db(co2_crawl_db, tmp_path)
    con = connect(db)
    # the origin leaves the run: its re-upload is alone in its run again, no longer a copy
    con.execute("UPDATE emissions SET co2_g = 1 WHERE model_id = 'd4data/biomedical-ner-all'")
    con.execute("UPDATE emissions SET flags = NULL WHERE model_id = 'distilgpt2'")
    run_audit(con, 1)
    again = {m: (origin, flags) for m, origin, flags in con.execute(query).fetchall()}
    con.close()
    assert again["biomedical-ner-all"] == (None, ["unit-suspect"])
    assert again["distilgpt2"] == (None, None)
    assert again["Sussybaka/gpt2wilkinscoffee"] == ("distilgpt2", ["copied"])


def _crawl_rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
