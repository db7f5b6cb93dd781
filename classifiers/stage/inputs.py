"""The scheme input frames, built in SQL over the crawl tables of one run.

`card_facts` (classifiers.stage.cardfacts) and `card_lint` (one row per card: its lint codes)
are registered with DuckDB as views for the duration of a query; DuckDB does the joins and the
column mapping, documented column by column in docs/classifications.md ("From a crawl to the
scheme inputs").
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import duckdb
import pandas as pd

from classifiers.alternatives import hub_tasks, inferred_task_sql, task_vocabulary_sql
from classifiers.efficiency.figure import emissions_columns, flags_sql, study_figure_sql

REPORTING_SQL = """
SELECT
    c.model_id,
    e.co2_g,
    coalesce(e.hardware_used, f.prose_hardware)       AS hardware,
    coalesce(e.geographical_location, f.prose_region) AS location,
    e.training_type,
    coalesce(e.hours, f.prose_hours)                  AS hours,
    e.source,
    m.tags,
    f.body                                            AS card_text,
    f.body_line                                       AS card_text_line,
    l.codes                                           AS lint_codes
FROM cards AS c
JOIN card_facts AS f ON f.model_id = c.model_id
LEFT JOIN models AS m ON m.run_id = c.run_id AND m.model_id = c.model_id
LEFT JOIN emissions AS e ON e.run_id = c.run_id AND e.model_id = c.model_id
LEFT JOIN card_lint AS l ON l.model_id = c.model_id
WHERE c.run_id = $run AND c.fetch_status = 'ok'
ORDER BY c.model_id
"""

# The label and alternative inputs: the study's figure and the audit flags
# (classifiers.efficiency.figure, `{figure}` and `{flags}`), the crawl audit's training run,
# and the task (classifiers.alternatives.inferred_task_sql). Every row with a figure as stated
# is a reporter; one whose figure the audit withholds has co2_g NULL (no label).
LABEL_SQL = f"""
WITH known AS (SELECT {task_vocabulary_sql()} AS tasks)
SELECT
    e.model_id,
    {{figure}}                    AS co2_g,
    {{flags}}                     AS flags,
    m.pytorch_model_bytes::DOUBLE AS size_bytes,
    m.parameters::DOUBLE          AS parameters,
    NULL::DOUBLE                  AS dataset_bytes,
    m.downloads::DOUBLE           AS downloads,
    m.tags,
    f.base_model,
    m.created_at,
    e.training_run,
    e.copied_from,
    {inferred_task_sql("m", "known.tasks")} AS task,
    f.accuracy,
    f.f1,
    f.rouge1,
    f.rougeL
FROM emissions AS e
CROSS JOIN known
LEFT JOIN models AS m ON m.run_id = e.run_id AND m.model_id = e.model_id
LEFT JOIN card_facts AS f ON f.model_id = e.model_id
WHERE e.run_id = $run AND (e.co2_g IS NOT NULL OR {{figure}} IS NOT NULL)
ORDER BY e.model_id
"""


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: pd.DataFrame) -> Iterator[None]:
    """Register DataFrames as DuckDB views named by the keywords, for the duration of a block."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


def lint_codes(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per card with findings: model_id, codes (its distinct codes, sorted).

    Cards without findings have no row (their codes read as NULL, i.e. none)."""
    if findings.empty:
        return pd.DataFrame({"model_id": pd.Series(dtype=str), "codes": pd.Series(dtype=object)})
    grouped = findings.groupby("model_id")["code"].agg(lambda codes: sorted(set(codes)))
    return pd.DataFrame({"model_id": grouped.index.astype(str), "codes": grouped.to_numpy()})


def reporting_inputs(
    con: duckdb.DuckDBPyConnection, run_id: int, facts: pd.DataFrame, codes: pd.DataFrame
) -> pd.DataFrame:
    """Reporting-scheme inputs: one row per fetched card of the run."""
    with registered(con, card_facts=facts, card_lint=codes):
        frame = con.execute(REPORTING_SQL, {"run": run_id}).df()
    frame["tags"] = frame["tags"].map(_as_list)
    frame["lint_codes"] = frame["lint_codes"].map(_as_list)
    return frame


def label_inputs(con: duckdb.DuckDBPyConnection, run_id: int, facts: pd.DataFrame) -> pd.DataFrame:
    """Label-scheme inputs (plus task and raw metrics): one row per CO2 reporter of the run."""
    columns = emissions_columns(con)
    sql = LABEL_SQL.replace("{figure}", study_figure_sql(columns)).replace(
        "{flags}", flags_sql(columns)
    )
    with registered(con, card_facts=facts):
        frame = con.execute(sql, {"run": run_id, "tasks": list(hub_tasks())}).df()
    frame["tags"] = frame["tags"].map(_as_list)
    frame["base_model"] = frame["base_model"].map(_json_list)
    return frame


def _as_list(value: object) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    if isinstance(value, str):
        return [value]
    try:
        return [str(v) for v in value]  # type: ignore[attr-defined]
    except TypeError:
        return []


def _json_list(value: object) -> list[str] | None:
    if not isinstance(value, str):
        return None
    data = json.loads(value)
    return [v for v in data if isinstance(v, str)] if isinstance(data, list) else None
