"""The scheme input frames, built in SQL over the crawl tables of one run.

The facts the crawl stored per model (`card_facts`, mining.facts) are joined as stored; the
cards' bodies (`card_bodies`, classifiers.stage.cardfacts) and `card_lint` (one row per card:
its lint codes) are registered with DuckDB as views for the duration of a query. DuckDB does
the joins and the column mapping, documented column by column in docs/classifications.md
("From a crawl to the scheme inputs"). A run crawled before `card_facts` existed has no rows in
it: its template lines, base models and metrics read as not stated.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from classifiers.alternatives import hub_tasks, inferred_task_sql, task_vocabulary_sql
from classifiers.efficiency.figure import emissions_columns, flags_sql, study_figure_sql
from hubcarbon.core.db import registered

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
    b.body                                            AS card_text,
    b.body_line                                       AS card_text_line,
    l.codes                                           AS lint_codes
FROM cards AS c
JOIN card_bodies AS b ON b.model_id = c.model_id
LEFT JOIN card_facts AS f ON f.run_id = c.run_id AND f.model_id = c.model_id
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
    f."rougeL"
FROM emissions AS e
CROSS JOIN known
LEFT JOIN models AS m ON m.run_id = e.run_id AND m.model_id = e.model_id
LEFT JOIN card_facts AS f ON f.run_id = e.run_id AND f.model_id = e.model_id
WHERE e.run_id = $run AND (e.co2_g IS NOT NULL OR {{figure}} IS NOT NULL)
ORDER BY e.model_id
"""


def lint_codes(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per card with findings: model_id, codes (its distinct codes, sorted).

    Cards without findings have no row (their codes read as NULL, i.e. none)."""
    if findings.empty:
        return pd.DataFrame({"model_id": pd.Series(dtype=str), "codes": pd.Series(dtype=object)})
    grouped = findings.groupby("model_id")["code"].agg(lambda codes: sorted(set(codes)))
    return pd.DataFrame({"model_id": grouped.index.astype(str), "codes": grouped.to_numpy()})


def reporting_inputs(
    con: duckdb.DuckDBPyConnection, run_id: int, bodies: pd.DataFrame, codes: pd.DataFrame
) -> pd.DataFrame:
    """Reporting-scheme inputs: one row per fetched card of the run (`bodies`: its body)."""
    with registered(con, card_bodies=bodies, card_lint=codes):
        frame = con.execute(REPORTING_SQL, {"run": run_id}).df()
    frame["tags"] = frame["tags"].map(_as_list)
    frame["lint_codes"] = frame["lint_codes"].map(_as_list)
    return frame


def label_inputs(con: duckdb.DuckDBPyConnection, run_id: int) -> pd.DataFrame:
    """Label-scheme inputs (plus task and raw metrics): one row per CO2 reporter of the run."""
    columns = emissions_columns(con)
    sql = LABEL_SQL.replace("{figure}", study_figure_sql(columns)).replace(
        "{flags}", flags_sql(columns)
    )
    frame = con.execute(sql, {"run": run_id, "tasks": list(hub_tasks())}).df()
    frame["tags"] = frame["tags"].map(_as_list)
    frame["base_model"] = frame["base_model"].map(_names)
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


def _names(value: object) -> list[str] | None:
    """A stored list of names as a list (None: the card names none)."""
    names = _as_list(value)
    return names or None
