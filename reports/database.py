"""Reading the database for the site: the crawl run, the CO2 reporters and the classifiers'
tables of that run. Only SELECTs, no statistic and no grade is computed here.

A classifiers table that does not exist, or holds nothing for the latest run, is reported as
`Missing` rather than read.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from classifiers.alternatives import hub_tasks, inferred_task_sql, task_vocabulary_sql
from mining.store.schema import latest_run_id
from reports.inputs import Missing

V1 = "hubcarbon-v1"
CLASSIFY = "hubcarbon classify"

Row = dict[str, Any]


@dataclass(frozen=True)
class RunInfo:
    """The crawl run the site shows (the `latest_run` view)."""

    run_id: int
    started_at: str
    finished_at: str | None
    status: str
    endpoint: str
    snapshot: str | None
    options: dict[str, Any]
    models: int  # models listed in the run (0: an empty crawl, the site says so)


@dataclass
class Derived:
    """The classifiers' tables of one run, grouped by model id; `missing` lists absent ones."""

    grades: dict[str, list[Row]] = field(default_factory=dict)
    labels: dict[str, list[Row]] = field(default_factory=dict)
    alternatives: dict[str, list[Row]] = field(default_factory=dict)
    lint: dict[str, list[Row]] = field(default_factory=dict)
    lint_summary: list[Row] | None = None
    missing: dict[str, Missing] = field(default_factory=dict)


REPORTERS_SQL = f"""
WITH known AS (SELECT {task_vocabulary_sql()} AS tasks)
SELECT e.model_id, m.author, m.pipeline_tag, m.library_name,
       {inferred_task_sql("m", "known.tasks")} AS task,
       e.co2_g, e.raw_value, e.unit, e.provenance, e.source, e.training_type,
       e.geographical_location, e.hardware_used, e.hours, e.cloud_provider,
       e.co2_g_audited, coalesce(e.flags, []) AS flags, e.training_run, e.copied_from,
       e.copy_reason,
       m.parameters, m.pytorch_model_bytes, m.downloads, m.likes,
       m.created_at, m.last_modified, m.sha, m.gated, coalesce(m.tags, []) AS tags,
       c.fetch_status AS card_fetch_status, c.parse_status AS card_parse_status,
       c.parse_error AS card_parse_error, c.sha AS card_sha,
       coalesce(f.autotrain, false) AS autotrain, f.metrics AS card_metrics
FROM known, emissions e
LEFT JOIN models m ON m.run_id = e.run_id AND m.model_id = e.model_id
LEFT JOIN cards_with_text c ON c.run_id = e.run_id AND c.model_id = e.model_id
LEFT JOIN card_facts f ON f.run_id = e.run_id AND f.model_id = e.model_id
WHERE e.run_id = $run
ORDER BY e.model_id
"""


def run_info(con: duckdb.DuckDBPyConnection) -> RunInfo:
    """The latest run (StoreError when nothing was crawled)."""
    run_id = latest_run_id(con)
    rows = con.execute(
        "SELECT started_at, finished_at, status, endpoint, snapshot, options FROM runs"
        " WHERE run_id = ?",
        [run_id],
    ).fetchall()
    started, finished, status, endpoint, snapshot, options = rows[0]
    ((models,),) = con.execute("SELECT count(*) FROM models WHERE run_id = ?", [run_id]).fetchall()
    return RunInfo(
        run_id=run_id,
        started_at=_timestamp(started) or "",
        finished_at=_timestamp(finished),
        status=str(status),
        endpoint=str(endpoint),
        snapshot=snapshot,
        options=_json(options) or {},
        models=int(models),
    )


def reporters(con: duckdb.DuckDBPyConnection, run_id: int) -> list[Row]:
    """Every model of the run that states emissions, by id, with its listing and card fields."""
    cursor = con.execute(REPORTERS_SQL, {"run": run_id, "tasks": list(hub_tasks())})
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        row["created_at"] = _timestamp(row["created_at"])
        row["last_modified"] = _timestamp(row["last_modified"])
        row["tags"] = sorted(str(tag) for tag in row["tags"])
        row["flags"] = [str(flag) for flag in row["flags"]]
    audits = _audits(con, run_id)
    for row in rows:
        row.update(audits.get(row["model_id"], NO_AUDIT))
    sizes = _dataset_sizes(con, run_id)
    for row in rows:
        row["dataset_bytes"], row["dataset_size_measure"], row["dataset_size_provenance"] = (
            sizes.get(row["model_id"], (None, None, None))
        )
    return rows


AUDIT_COLUMNS = ("co2_g_audited", "flags", "statements", "training_run", "copied_from")
NO_AUDIT: Row = {"co2_g_audited": None, "flags": [], "statements": None, "training_run": None,
                 "copied_from": None}  # fmt: skip


def _audits(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, Row]:
    """The audit of each reporter's figure (flags, audited figure, the statements read, its
    training run), by model; empty on a database older than those columns."""
    present = {
        str(name)
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'emissions'"
        ).fetchall()
    }
    columns = [c for c in AUDIT_COLUMNS if c in present]
    if not columns:
        return {}
    found = con.execute(
        f"SELECT model_id, {', '.join(columns)} FROM emissions WHERE run_id = ?", [run_id]
    ).fetchall()
    out: dict[str, Row] = {}
    for model_id, *values in found:
        row = {**NO_AUDIT, **dict(zip(columns, values, strict=True))}
        row["flags"] = sorted(str(flag) for flag in row["flags"] or [])
        row["statements"] = _json(row["statements"])
        out[str(model_id)] = row
    return out


def _dataset_sizes(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, tuple[Any, ...]]:
    """Training-data size, measure and provenance by model (none before the dataset stage)."""
    if not table_exists(con, "model_dataset_size"):
        return {}
    found = con.execute(
        "SELECT model_id, dataset_bytes, measure, provenance FROM model_dataset_size "
        "WHERE run_id = ?",
        [run_id],
    ).fetchall()
    return {str(model_id): tuple(values) for model_id, *values in found}


def domain_mapping(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, str | None] | Missing:
    """model id -> domain (None: no domain) for every model of the run, as the crawl stored it
    (`card_facts`), or a Missing for a run crawled before the facts were stored."""
    rows = con.execute(
        "SELECT m.model_id, f.domain, f.model_id IS NOT NULL FROM models m"
        " LEFT JOIN card_facts f ON f.run_id = m.run_id AND f.model_id = m.model_id"
        " WHERE m.run_id = ?",
        [run_id],
    ).fetchall()
    if rows and not any(stored for _, _, stored in rows):
        return Missing("Domain column", "hubcarbon crawl", f"run {run_id} has no card facts")
    return {str(model_id): domain for model_id, domain, _ in rows}


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when a table or view `name` exists in the main schema."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
        " AND table_schema = 'main'",
        [name],
    ).fetchall()
    return bool(rows and rows[0][0])


def derived(con: duckdb.DuckDBPyConnection, run_id: int, *, empty_run: bool = False) -> Derived:
    """The classifiers' tables for `run_id`; absent or empty ones are listed in `missing` (an
    empty one only when the run has models: a classified empty run has no rows to show)."""
    out = Derived()
    queries = {
        "reporting_grades": (
            "SELECT model_id, scheme, level, level_name, evidence, measured"
            " FROM reporting_grades WHERE run_id = ? ORDER BY model_id, scheme"
        ),
        "efficiency_labels": (
            "SELECT model_id, scheme, letter, rating, compound, metrics, weights, autotrain,"
            " inherited_from, status FROM efficiency_labels WHERE run_id = ?"
            " ORDER BY model_id, scheme"
        ),
        "alternatives": (
            "SELECT model_id, rank, alternative_id, pipeline_tag, co2_g, performance_score"
            " FROM alternatives WHERE run_id = ? ORDER BY model_id, rank, alternative_id"
        ),
        "lint_findings": (
            'SELECT model_id, code, name, severity, line, "column", message, fixable'
            " FROM lint_findings WHERE run_id = ?"
            ' ORDER BY model_id, line NULLS LAST, "column" NULLS LAST, code, message'
        ),
    }
    targets = {
        "reporting_grades": out.grades,
        "efficiency_labels": out.labels,
        "alternatives": out.alternatives,
        "lint_findings": out.lint,
    }
    for table, sql in queries.items():
        rows = _optional_rows(con, table, sql, run_id, out.missing, empty_run=empty_run)
        if rows is None:
            continue
        grouped: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            for key in ("evidence", "metrics", "weights"):
                if key in row:
                    row[key] = _json(row[key])
            grouped[str(row.pop("model_id"))].append(row)
        targets[table].update(grouped)
    out.lint_summary = _optional_rows(
        con,
        "lint_summary",
        "SELECT code, name, severity, cards, findings FROM lint_summary WHERE run_id = ?"
        " ORDER BY code",
        run_id,
        {},  # shown once, as the report's lint statistics (reports.lintcounts)
    )
    return out


def _optional_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    sql: str,
    run_id: int,
    missing: dict[str, Missing],
    *,
    empty_run: bool = False,
) -> list[Row] | None:
    if not table_exists(con, table):
        missing[table] = Missing(f"table {table}", CLASSIFY)
        return None
    try:
        cursor = con.execute(sql, [run_id])
    except (duckdb.CatalogException, duckdb.BinderException, duckdb.ConversionException) as exc:
        # a table of an older or newer shape than the contract (damage is not caught here)
        missing[table] = Missing(f"table {table}", CLASSIFY, f"unreadable: {exc}".splitlines()[0])
        return None
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    if not rows:
        if empty_run:
            return []
        missing[table] = Missing(f"table {table}", CLASSIFY, f"nothing for run {run_id}")
        return None
    return rows


def _timestamp(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def _json(value: object) -> Any:
    if value is None or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
