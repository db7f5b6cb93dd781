"""The facts stage (mining.facts): each model's facts derived once by the crawl (`model_facts`,
and `text_facts` once per README text), read as stored through the view `card_facts` by
analysis, the classifiers and the site."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from support import FIXTURES, copy_db, unbudgeted

from mining import store
from mining.cards.card import parse_card
from mining.cards.metrics import METRICS, performance_metrics
from mining.crawl.crawler import Crawl, CrawlOptions
from mining.crawl.hubclient import HubClient
from mining.facts import derive_facts, stage, text_facts
from mining.facts.text import TEXT_FACTS_SCHEMA
from mining.mirror.server import serve_snapshot
from mining.snapshot.reader import open_snapshot

CARDS = FIXTURES / "cards"


def _texts_read(summary: str) -> int:
    match = re.search(r"([\d,]+) README texts read$", summary)
    assert match, summary
    return int(match[1].replace(",", ""))


def _facts(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute("SELECT * FROM card_facts ORDER BY run_id, model_id").fetchall()


def test_a_real_card_gives_its_metric_with_the_dataset_and_where_it_was_read() -> None:
    text = (CARDS / "with_co2_metadata/abhishek__autotrain-iris-logistic-regression.md").read_text()
    facts = text_facts("key", text)
    found = performance_metrics((parse_card(text).metadata or {}).get("model-index"), text)
    assert facts["text_sha256"] == "key"
    assert {m: facts[m] for m in found} == {m: v.value for m, v in found.items()}
    assert json.loads(facts["metrics"]) == {
        m: {"metric": m, "value": v.value, "raw": v.raw, "source": v.source, "dataset": v.dataset}
        for m, v in found.items()
    }


def test_model_index_metrics_name_their_dataset() -> None:
    # made up: one model-index result on a named dataset, one Validation Metrics line
    text = (
        "---\nbase_model: [org/base, 3]\nmodel-index:\n- results:\n  - dataset: {name: SQuAD, "
        "type: squad}\n    metrics:\n    - {type: f1, value: 88.71}\n---\n"
        "## Validation Metrics\n\n- Accuracy: 0.95\n\nHardware Type: 1 x A100\nHours used: 2\n"
    )
    facts = text_facts("key", text)
    metrics = json.loads(facts["metrics"])
    assert metrics["f1"]["dataset"] == "SQuAD" and metrics["f1"]["source"] == "model-index"
    assert metrics["accuracy"]["dataset"] is None and facts["accuracy"] == pytest.approx(0.95)
    assert facts["f1"] == pytest.approx(0.8871) and facts["metric_sources"] == (
        "card-text,model-index"
    )
    assert facts["base_model"] == ["org/base"]  # the names, not the number
    assert facts["prose_hardware"] == "1 x A100" and facts["prose_hours"] == 2.0


def test_model_index_first_then_validation_lines() -> None:
    # made up: the model-index states ROUGE-1, the Validation Metrics section both ROUGEs
    text = (
        "---\nmodel-index:\n- results:\n  - metrics:\n    - {type: rouge, name: ROUGE-1, "
        "value: 41.25}\n---\n## Validation Metrics\n\n- Loss: 2.1\n- Rouge1: 45.861\n"
        "- RougeL: 23.565\n"
    )
    facts = text_facts("key", text)
    assert facts["accuracy"] is None and facts["f1"] is None
    assert facts["rouge1"] == pytest.approx(0.4125)  # model-index wins over the 45.861 line
    assert facts["rougeL"] == pytest.approx(0.23565)
    assert text_facts("key", "no metrics here")["metrics"] is None


def test_unreadable_text_gives_no_facts_never_an_error() -> None:
    facts = text_facts("key", "---\nmodel-index: [\n---\n\x00" * 50)
    assert facts["accuracy"] is None and facts["metrics"] is None


def test_the_crawl_stores_one_row_per_model_with_its_cards_facts(co2_crawl_db: Path) -> None:
    with duckdb.connect(str(co2_crawl_db), read_only=True) as con:
        rows = con.execute(
            "SELECT f.model_id, f.text_sha256 = c.text_sha256, f.accuracy, f.f1, f.rouge1,"
            " f.rougeL, t.raw_text FROM card_facts f JOIN cards_with_text c"
            " USING (run_id, model_id) JOIN card_texts t ON t.text_sha256 = c.text_sha256"
        ).fetchall()
        ((models,),) = con.execute("SELECT count(*) FROM models").fetchall()
        ((autotrain,),) = con.execute("SELECT count(*) FROM card_facts WHERE autotrain").fetchall()
    assert len(rows) == models == 1418
    assert autotrain > 1000  # the AutoTrain share of the paper's reporters
    for model_id, same_text, *values, text in rows[::25]:
        card = parse_card(text)
        found = performance_metrics((card.metadata or {}).get("model-index"), card.body)
        assert same_text, model_id
        assert values == [found[m].value if m in found else None for m in METRICS], model_id


def test_the_stage_resumes_and_derives_nothing_twice(co2_crawl_db: Path, tmp_path: Path) -> None:
    db = copy_db(co2_crawl_db, tmp_path)
    con = store.connect(db)
    try:
        complete = _facts(con)
        texts = con.execute("SELECT count(*) FROM text_facts").fetchall()
        # stopped half way: some models without their row, some texts not read yet
        con.execute("DELETE FROM model_facts WHERE model_id < 'f'")
        con.execute("DELETE FROM text_facts WHERE text_sha256 < '8'")
        assert _texts_read(derive_facts(con, 1)) > 0
        assert _facts(con) == complete
        assert con.execute("SELECT count(*) FROM text_facts").fetchall() == texts
        assert _texts_read(derive_facts(con, 1)) == 0
        assert _facts(con) == complete
    finally:
        con.close()


def test_model_facts_in_batches_are_the_rows_of_one_statement(
    co2_crawl_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tags facts are derived a rowid range at a time, once per distinct tags and pipeline
    tag: ranges of 100 models give the same rows, none twice, as the crawl stored them."""
    db = copy_db(co2_crawl_db, tmp_path)
    con = store.connect(db)
    try:
        complete = _facts(con)
        ((models, tag_sets),) = con.execute(
            "SELECT count(*), count(DISTINCT (tags, pipeline_tag)) FROM models WHERE run_id = 1"
        ).fetchall()
        assert models > 1000 and 1 < tag_sets < models  # models share tag sets, not all one
        con.execute("DELETE FROM model_facts")
        monkeypatch.setattr(stage, "MODEL_BATCH", 100)
        derive_facts(con, 1)
        assert _facts(con) == complete
        ((rows, distinct),) = con.execute(
            "SELECT count(*), count(DISTINCT model_id) FROM model_facts WHERE run_id = 1"
        ).fetchall()
        assert rows == distinct == models
    finally:
        con.close()


def test_a_text_is_read_once_whatever_the_runs_and_models_that_hold_it(
    co2_crawl_db: Path, tmp_path: Path
) -> None:
    db = copy_db(co2_crawl_db, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        ((distinct, stored),) = con.execute(
            "SELECT count(DISTINCT text_sha256), (SELECT count(*) FROM text_facts)"
            " FROM cards WHERE fetch_status = 'ok'"
        ).fetchall()
    assert stored == distinct > 1000  # one row per text read
    with serve_snapshot() as url:
        con = store.connect(db)
        try:
            client = HubClient(endpoint=url, base_wait=0.05, **unbudgeted())
            Crawl(con, client, CrawlOptions(models="co2"), progress=False).run()
            ((run,),) = con.execute("SELECT max(run_id) FROM runs").fetchall()
            assert _texts_read(derive_facts(con, run)) == 0
            second = con.execute(
                "SELECT * EXCLUDE (run_id) FROM card_facts WHERE run_id = ? ORDER BY model_id",
                [run],
            ).fetchall()
            first = con.execute(
                "SELECT * EXCLUDE (run_id) FROM card_facts WHERE run_id = 1 ORDER BY model_id"
            ).fetchall()
            ((texts,),) = con.execute("SELECT count(*) FROM text_facts").fetchall()
        finally:
            con.close()
    assert run == 2 and second == first and texts == stored


def test_a_run_from_before_the_table_reads_without_facts(
    co2_crawl_db: Path, tmp_path: Path
) -> None:
    from analysis.population import load, model_domains
    from reports.database import domain_mapping, reporters
    from reports.inputs import Missing

    db = copy_db(co2_crawl_db, tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM model_facts")
        population = load(con)
        assert not population.reporters["autotrain"].any()
        assert population.reporters["domain"].isna().all()
        assert population.reporters["accuracy"].isna().all()
        assert model_domains(con, 1)["domain"].isna().all()
        assert not any(row["autotrain"] for row in reporters(con, 1))
        missing = domain_mapping(con, 1)
        assert isinstance(missing, Missing) and "hubcarbon crawl" in missing.message


def _facts_before_they_were_shared(db: Path) -> None:
    """A database in the layout of migration 9 (one `card_facts` row per run and model, text
    facts included) holding two runs of 40 real snapshot cards and 5 models without one; run 2
    shares every text with run 1, and one text is held by two models."""
    snapshot = open_snapshot()
    with_text = [r for r in snapshot.reporters if snapshot.readme(r) is not None][:40]
    without = [r for r in snapshot if snapshot.readme(r) is None][:5]
    texts = {r.id: snapshot.readme(r) for r in with_text}
    texts[with_text[1].id] = texts[with_text[0].id]
    cards, facts, models = [], [], []
    for run in (1, 2):
        for record in [*with_text, *without]:
            text = texts.get(record.id)
            key = None if text is None else hashlib.sha256(text.encode()).hexdigest()
            models.append(
                {
                    "run_id": run,
                    "model_id": record.id,
                    "sha": record.sha,
                    "tags": list(record.tags),
                    "pipeline_tag": record.pipeline_tag,
                }
            )
            cards.append(
                {
                    "run_id": run,
                    "model_id": record.id,
                    "sha": record.sha,
                    "fetch_status": "ok" if key else "missing",
                    "text_sha256": key,
                }
            )
            facts.append(
                {
                    "run_id": run,
                    "model_id": record.id,
                    "autotrain": "autotrain" in record.tags,
                    "domain": None,
                    "domain_candidates": [],
                    **(text_facts(key, text) if key and text else {}),
                }
            )
    con = duckdb.connect(str(db))
    try:
        store.apply_migrations(con, "mining", store.CRAWL_MIGRATIONS[:9])
        con.execute(
            "INSERT INTO runs (run_id, started_at, status, endpoint, options) VALUES "
            "(1, now(), 'finished', 'http://127.0.0.1:1', '{}'), "
            "(2, now(), 'finished', 'http://127.0.0.1:1', '{}')"
        )
        stored = [
            {"text_sha256": hashlib.sha256(t.encode()).hexdigest(), "raw_text": t}
            for t in set(texts.values())
            if t is not None
        ]
        schema = pa.schema(
            [
                ("run_id", pa.int32()),
                ("model_id", pa.string()),
                ("autotrain", pa.bool_()),
                ("domain", pa.string()),
                ("domain_candidates", pa.list_(pa.string())),
                *TEXT_FACTS_SCHEMA,
            ]
        )
        rows = {
            "models_in": pa.Table.from_pylist(models),
            "cards_in": pa.Table.from_pylist(cards),
            "texts_in": pa.Table.from_pylist(stored),
            "facts_in": pa.Table.from_pylist(facts, schema=schema),
        }
        for name, table in rows.items():
            con.register(name, table)
        con.execute("INSERT INTO models BY NAME SELECT * FROM models_in")
        con.execute("INSERT INTO cards BY NAME SELECT * FROM cards_in")
        con.execute("INSERT INTO card_texts BY NAME SELECT * FROM texts_in")
        con.execute("INSERT INTO card_facts BY NAME SELECT * FROM facts_in")
    finally:
        con.close()


def test_migration_keeps_every_fact_and_stores_each_text_once(tmp_path: Path) -> None:
    db = tmp_path / "v9.duckdb"
    _facts_before_they_were_shared(db)
    everything = "SELECT * FROM card_facts ORDER BY run_id, model_id"
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute(everything).fetchall()
        cards_before = con.execute("SELECT * FROM cards ORDER BY run_id, model_id").fetchall()
    assert len(before) == 90 and sum(row[5] is not None for row in before) == 80

    store.connect(db, read_only=True).close()  # a reader's open migrates it

    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(everything).fetchall() == before
        assert con.execute("SELECT * FROM cards ORDER BY run_id, model_id").fetchall() == (
            cards_before
        )
        counts = con.execute(
            "SELECT (SELECT count(*) FROM text_facts), (SELECT count(*) FROM model_facts),"
            " (SELECT count(*) FROM card_fetches), (SELECT count(*) FROM run_cards)"
        ).fetchall()
        kinds = dict(
            con.execute(
                "SELECT table_name, table_type FROM information_schema.tables"
                " WHERE table_name IN ('card_facts', 'cards')"
            ).fetchall()
        )
    assert counts == [(39, 90, 45, 90)]  # 39 texts, 45 outcomes: each stored once
    assert kinds == {"card_facts": "VIEW", "cards": "VIEW"}
