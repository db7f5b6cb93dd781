"""The facts stage (mining.facts): each model's facts derived once by the crawl, in
`card_facts`, read as stored by analysis, the classifiers and the site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from support import FIXTURES, copy_db

from mining import store
from mining.cards.card import parse_card
from mining.cards.metrics import METRICS, performance_metrics
from mining.facts import derive_facts, text_facts

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
        # stopped half way: some rows never written, others without their text's facts
        con.execute("DELETE FROM card_facts WHERE model_id < 'f'")
        con.execute("UPDATE card_facts SET text_sha256 = NULL, accuracy = NULL, f1 = NULL")
        assert _texts_read(derive_facts(con, 1)) > 0
        assert _facts(con) == complete
        assert _texts_read(derive_facts(con, 1)) == 0
        assert _facts(con) == complete
    finally:
        con.close()


def test_a_run_from_before_the_table_reads_without_facts(
    co2_crawl_db: Path, tmp_path: Path
) -> None:
    from analysis.population import load, model_domains
    from reports.database import domain_mapping, reporters
    from reports.inputs import Missing

    db = copy_db(co2_crawl_db, tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM card_facts")
        population = load(con)
        assert not population.reporters["autotrain"].any()
        assert population.reporters["domain"].isna().all()
        assert population.reporters["accuracy"].isna().all()
        assert model_domains(con, 1)["domain"].isna().all()
        assert not any(row["autotrain"] for row in reporters(con, 1))
        missing = domain_mapping(con, 1)
        assert isinstance(missing, Missing) and "hubcarbon crawl" in missing.message
