"""The leaderboard's filters: the task inferred from the card's Hub task tags when pipeline_tag
is missing (the alternatives' rule, classifiers.alternatives.inferred_task_sql), and the
ranges and facets the page adds (CO2, creation date, library, training type, provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from leaderboard_page import all_rows, matching, open_index, query, runs, shown_ids

from classifiers.alternatives import hub_tasks, inferred_task_sql, task_vocabulary_sql

pytestmark = pytest.mark.browser


def tasks_in_db(db: Path, task: str) -> int:
    """Reporters whose task, by the alternatives' rule, is `task`."""
    sql = (
        f"WITH known AS (SELECT {task_vocabulary_sql()} AS tasks)"
        f" SELECT count(*) FROM known, latest_emissions e JOIN models m"
        f" ON m.run_id = e.run_id AND m.model_id = e.model_id"
        f" WHERE e.run_id = $run AND {inferred_task_sql('m', 'known.tasks')} = $task"
    )
    with duckdb.connect(str(db), read_only=True) as con:
        ((run,),) = con.execute("SELECT max(run_id) FROM latest_emissions").fetchall()
        ((count,),) = con.execute(
            sql, {"run": run, "tasks": list(hub_tasks()), "task": task}
        ).fetchall()
    return int(count)


@pytest.mark.parametrize(("task", "pipeline_tagged"), [("summarization", 31)])
def test_the_task_filter_sees_the_task_tags(
    site: Path, page: Any, pipeline: tuple[Path, Path], task: str, pipeline_tagged: int
) -> None:
    assert tasks_in_db(pipeline[0], task) == 164
    rows = all_rows(site)
    by_pipeline_tag = [r for r in rows if r["task_shown"] == task and not r["task_from_tag"]]
    assert len(by_pipeline_tag) == pipeline_tagged
    open_index(page, (site / "index.html").as_uri() + f"?task={task}&copies=show")
    assert matching(page) == 164
    assert page.page.locator("#leaderboard tbody td", has_text="(tag)").count() > 0
    open_index(page, (site / "index.html").as_uri() + f"?task={task}")
    assert matching(page) == sum(1 for r in runs(site) if r["task_shown"] == task)
    assert page.errors == []


def test_image_classification_as_the_alternatives_see_it(
    site: Path, page: Any, pipeline: tuple[Path, Path]
) -> None:
    expected = tasks_in_db(pipeline[0], "image-classification")
    assert expected > 100  # 20 by pipeline_tag alone
    open_index(page, (site / "index.html").as_uri() + "?task=image-classification&copies=show")
    assert matching(page) == expected


def test_co2_range_in_readable_units(site: Path, page: Any) -> None:
    rows = runs(site)
    open_index(page, (site / "index.html").as_uri())
    page.page.fill("#filter-co2min", "1 kg")
    page.page.fill("#filter-co2max", "1t")
    inside = [r for r in rows if r["co2_audited"] is not None and 1e3 <= r["co2_audited"] <= 1e6]
    assert 0 < len(inside) < len(rows)
    assert matching(page) == len(inside)
    assert query(page)["co2min"] == "1 kg" and query(page)["co2max"] == "1t"
    page.page.fill("#filter-co2max", "")
    page.page.fill("#filter-co2min", "500")  # grams when no unit is written
    heavy = [r for r in rows if r["co2_audited"] is not None and r["co2_audited"] >= 500]
    assert matching(page) == len(heavy)
    page.page.fill("#filter-co2min", "lots")  # not an amount: no bound
    assert matching(page) == len(rows)


def test_creation_date_range(site: Path, page: Any) -> None:
    rows = runs(site)
    open_index(page, (site / "index.html").as_uri() + "?from=2022-01-01&to=2022-06-30")
    inside = [r for r in rows if r["created"] and "2022-01-01" <= r["created"] <= "2022-06-30"]
    assert 0 < len(inside) < len(rows)
    assert matching(page) == len(inside)
    assert page.page.input_value("#filter-from") == "2022-01-01"
    shown = set(shown_ids(page))
    assert shown <= {r["id"] for r in inside}


@pytest.mark.parametrize(
    ("select", "field"),
    [("library", "library"), ("training", "training_type"), ("provenance", "provenance")],
)
def test_library_training_type_and_provenance(
    site: Path, page: Any, select: str, field: str
) -> None:
    rows = runs(site)
    open_index(page, (site / "index.html").as_uri())
    values = page.page.eval_on_selector_all(
        f"#filter-{select} option", "options => options.map(o => o.value).filter(v => v)"
    )
    assert values == sorted({r[field] for r in all_rows(site) if r[field]}, key=str.lower)
    for value in values[:3]:
        page.page.select_option(f"#filter-{select}", value)
        assert matching(page) == sum(1 for r in rows if r[field] == value), value
        assert query(page)[select] == value
    assert page.errors == []
