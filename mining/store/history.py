"""History: what changed between two crawl runs, as data (the views `run_pairs` and
`model_history` of migration `mining` 5 hold it in SQL).

Runs are compared only with runs of the same source and scope:

- the **source** of a run is its snapshot identity when it crawled a snapshot file through
  `hubcarbon crawl [--snapshot FILE]` (`snapshot <name> sha256:<hash>`: the same file gives the
  same source, another file another source), else its endpoint URL: the live Hub, or a mirror
  crawled with `--endpoint URL`, which may serve one snapshot after another at the same URL
  (`mining.mirror.server.MirrorServer.load`, or `hubcarbon mirror serve` restarted on the same
  `--port` with the next file);
- the **scope** is the crawl options without `page_size` (which models, cards and datasets,
  `--limit`, `--author`): a crawl of the CO2-tagged models is never compared with a crawl of
  all models.

By default `diff_runs` compares the newest finished run with the finished run before it on the
same source and scope (`run_pairs`); explicit runs may be any two finished runs.

A model *reports* in a run when it has an `emissions` row there (its card states emissions,
the rule of the analysis' RQ1); its figure is `co2_g`, with the audited figure (`co2_g_audited`)
alongside once the emissions table has it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from hubcarbon.core.errors import StoreError

FORMAT_VERSION = 1

MODEL_FIELDS = ("pipeline_tag", "library_name", "gated")
"""Listing fields compared for every model present in both runs (downloads and likes change
every day and are not compared)."""

EMISSION_FIELDS = (
    "provenance",
    "source",
    "training_type",
    "geographical_location",
    "hardware_used",
    "hours",
    "cloud_provider",
)
"""Emissions fields compared for every model that reports in both runs."""

HISTORY_VIEWS = ("run_pairs", "model_history")


@dataclass(frozen=True)
class RunRef:
    """A run as the history names it."""

    run_id: int
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    crawl_source: str
    scope: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "crawl_source": self.crawl_source,
        }


@dataclass(frozen=True)
class Figure:
    """A model's emissions figure in one run: grams as stated, and audited when known."""

    model_id: str
    co2_g: float | None
    co2_g_audited: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "co2_g": _number(self.co2_g),
            "co2_g_audited": _number(self.co2_g_audited),
        }


@dataclass(frozen=True)
class Correction:
    """A figure that changed between the runs (the model reports in both)."""

    model_id: str
    from_g: float | None
    to_g: float | None
    from_audited_g: float | None
    to_audited_g: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "from_g": _number(self.from_g),
            "to_g": _number(self.to_g),
            "from_audited_g": _number(self.from_audited_g),
            "to_audited_g": _number(self.to_audited_g),
        }


@dataclass(frozen=True)
class FieldChange:
    """One field of MODEL_FIELDS or EMISSION_FIELDS that changed."""

    model_id: str
    field: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "field": self.field,
            "from": _value(self.before),
            "to": _value(self.after),
        }


@dataclass(frozen=True)
class RunDiff:
    """What changed from `from_run` to `to_run`. `models_added` holds ids; the figures of the
    added models that report are in `added_reporting` (and those of removed reporters in
    `removed_reporting`). Lists are sorted by model id (then field)."""

    from_run: RunRef
    to_run: RunRef
    models_from: int
    models_to: int
    reporting_from: int
    reporting_to: int
    models_added: list[str] = field(default_factory=list)
    models_removed: list[str] = field(default_factory=list)
    added_reporting: list[Figure] = field(default_factory=list)
    removed_reporting: list[Figure] = field(default_factory=list)
    started_reporting: list[Figure] = field(default_factory=list)
    stopped_reporting: list[Figure] = field(default_factory=list)
    co2_changed: list[Correction] = field(default_factory=list)
    fields_changed: list[FieldChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing changed."""
        return not any(self.counts().values())

    def counts(self) -> dict[str, int]:
        return {
            "models_added": len(self.models_added),
            "models_removed": len(self.models_removed),
            "started_reporting": len(self.started_reporting),
            "stopped_reporting": len(self.stopped_reporting),
            "co2_changed": len(self.co2_changed),
            "fields_changed": len(self.fields_changed),
        }

    def summary(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "models_from": self.models_from,
            "models_to": self.models_to,
            "reporting_from": self.reporting_from,
            "reporting_to": self.reporting_to,
            "from": self.from_run.as_dict(),
            "to": self.to_run.as_dict(),
            "same_source": (self.from_run.crawl_source, self.from_run.scope)
            == (self.to_run.crawl_source, self.to_run.scope),
        }

    def as_json(self) -> dict[str, Any]:
        """The document `hubcarbon diff --format json` prints (version FORMAT_VERSION)."""
        return {
            "version": FORMAT_VERSION,
            "from_run": self.from_run.run_id,
            "to_run": self.to_run.run_id,
            "models_added": list(self.models_added),
            "models_removed": list(self.models_removed),
            "added_reporting": [f.as_dict() for f in self.added_reporting],
            "removed_reporting": [f.as_dict() for f in self.removed_reporting],
            "started_reporting": [f.as_dict() for f in self.started_reporting],
            "stopped_reporting": [f.as_dict() for f in self.stopped_reporting],
            "co2_changed": [c.as_dict() for c in self.co2_changed],
            "fields_changed": [c.as_dict() for c in self.fields_changed],
            "summary": self.summary(),
        }

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per change (the CSV download): kind, model_id, field, from, to, and the
        figures in grams."""
        rows: list[dict[str, Any]] = []
        added = {f.model_id: f for f in self.added_reporting}
        removed = {f.model_id: f for f in self.removed_reporting}
        for kind, ids, figures in (
            ("models_added", self.models_added, added),
            ("models_removed", self.models_removed, removed),
        ):
            for model_id in ids:
                figure = figures.get(model_id)
                rows.append(_row(kind, model_id, figure=figure))
        for kind, figures_list in (
            ("started_reporting", self.started_reporting),
            ("stopped_reporting", self.stopped_reporting),
        ):
            rows.extend(_row(kind, f.model_id, figure=f) for f in figures_list)
        for c in self.co2_changed:
            rows.append(
                {
                    **_row("co2_changed", c.model_id),
                    "field": "co2_g",
                    "from": _number(c.from_g),
                    "to": _number(c.to_g),
                    "co2_g": _number(c.to_g),
                    "co2_g_audited": _number(c.to_audited_g),
                }
            )
        for f in self.fields_changed:
            rows.append(
                {
                    **_row("fields_changed", f.model_id),
                    "field": f.field,
                    "from": _value(f.before),
                    "to": _value(f.after),
                }
            )
        return rows


def _row(kind: str, model_id: str, *, figure: Figure | None = None) -> dict[str, Any]:
    return {
        "kind": kind,
        "model_id": model_id,
        "field": None,
        "from": None,
        "to": None,
        "co2_g": _number(figure.co2_g) if figure else None,
        "co2_g_audited": _number(figure.co2_g_audited) if figure else None,
    }


# --- choosing the runs ---------------------------------------------------------------------


def require_views(con: duckdb.DuckDBPyConnection) -> None:
    """A StoreError when the database predates the history views (migration `mining` 5)."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN (?, ?)",
        list(HISTORY_VIEWS),
    ).fetchall()
    if int(rows[0][0]) < len(HISTORY_VIEWS):
        raise StoreError(
            "the database has no history views yet: open it once for writing "
            "(any `hubcarbon crawl --db FILE`) to bring its schema up to date"
        )


_RUN_SQL = """
SELECT run_id, status, started_at, finished_at,
       coalesce('snapshot ' || snapshot, endpoint) AS crawl_source,
       json_merge_patch(options, '{"page_size": null}')::VARCHAR AS scope
FROM runs
"""


def run_ref(con: duckdb.DuckDBPyConnection, run_id: int) -> RunRef:
    """The run `run_id`; a StoreError when it does not exist."""
    rows = con.execute(_RUN_SQL + " WHERE run_id = ?", [run_id]).fetchall()
    if not rows:
        raise StoreError(f"run {run_id} does not exist ({_known_runs(con)})")
    return RunRef(int(rows[0][0]), *rows[0][1:])


def _known_runs(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()
    if not rows:
        return "the database holds no run"
    ids = [str(r[0]) for r in rows]
    shown = ", ".join(ids[:10]) + (", ..." if len(ids) > 10 else "")
    return f"runs: {shown}"


def _finished(ref: RunRef, flag: str) -> RunRef:
    if ref.status != "finished":
        raise StoreError(
            f"{flag} {ref.run_id}: the run has not finished (status {ref.status}); "
            "resume it with the crawl command that started it"
        )
    return ref


def choose_runs(
    con: duckdb.DuckDBPyConnection, from_run: int | None = None, to_run: int | None = None
) -> tuple[RunRef, RunRef]:
    """The two runs to compare: `to_run` defaults to the newest finished run, `from_run` to the
    finished run before it on the same source and scope. StoreError (one line) when a run does
    not exist or has not finished, or when there is nothing to compare with."""
    require_views(con)
    if to_run is None:
        rows = con.execute(
            "SELECT run_id, (SELECT count(*) FROM runs WHERE status = 'finished') FROM runs "
            "WHERE status = 'finished' ORDER BY run_id DESC LIMIT 1"
        ).fetchall()
        if not rows or (from_run is None and int(rows[0][1]) < 2):
            count = int(rows[0][1]) if rows else 0
            raise StoreError(
                f"the database holds {count} finished run{'' if count == 1 else 's'}: "
                "a diff needs two (crawl again later, or pass --from and --to)"
            )
        to_ref = run_ref(con, int(rows[0][0]))
    else:
        to_ref = _finished(run_ref(con, to_run), "--to")
    if from_run is None:
        rows = con.execute(
            "SELECT from_run FROM run_pairs WHERE to_run = ?", [to_ref.run_id]
        ).fetchall()
        if not rows:
            raise StoreError(
                f"run {to_ref.run_id} is the first finished run of its source and scope "
                f"({to_ref.crawl_source}): pass --from RUN to compare it with another run"
            )
        from_ref = run_ref(con, int(rows[0][0]))
    else:
        from_ref = _finished(run_ref(con, from_run), "--from")
    if from_ref.run_id == to_ref.run_id:
        raise StoreError(f"--from and --to both name run {to_ref.run_id}")
    return from_ref, to_ref


# --- the diff ------------------------------------------------------------------------------


def _changed_sql() -> str:
    """Every model that differs between runs $a and $b, with both runs' values side by side."""
    fields = [*MODEL_FIELDS, *EMISSION_FIELDS]
    side = ", ".join(f"a.{f} AS a_{f}, b.{f} AS b_{f}" for f in fields)
    model_changed = " OR ".join(f"a.{f} IS DISTINCT FROM b.{f}" for f in MODEL_FIELDS)
    emission_changed = " OR ".join(f"a.{f} IS DISTINCT FROM b.{f}" for f in EMISSION_FIELDS)
    return f"""
    WITH a AS (SELECT * FROM model_history WHERE run_id = $a),
         b AS (SELECT * FROM model_history WHERE run_id = $b)
    SELECT coalesce(a.model_id, b.model_id) AS model_id,
           a.model_id IS NOT NULL AS in_a, b.model_id IS NOT NULL AS in_b,
           coalesce(a.reports, false) AS a_reports, coalesce(b.reports, false) AS b_reports,
           a.co2_g AS a_co2_g, b.co2_g AS b_co2_g,
           a.co2_g_audited AS a_co2_g_audited, b.co2_g_audited AS b_co2_g_audited,
           {side}
    FROM a FULL OUTER JOIN b ON a.model_id = b.model_id
    WHERE a.model_id IS NULL OR b.model_id IS NULL OR a.reports <> b.reports
       OR {model_changed}
       OR (a.reports AND b.reports AND (a.co2_g IS DISTINCT FROM b.co2_g OR {emission_changed}))
    ORDER BY model_id
    """


_COUNTS_SQL = """
SELECT count(*) FILTER (WHERE run_id = $a), count(*) FILTER (WHERE run_id = $b),
       count(*) FILTER (WHERE run_id = $a AND reports),
       count(*) FILTER (WHERE run_id = $b AND reports)
FROM model_history WHERE run_id IN ($a, $b)
"""


def diff_runs(
    con: duckdb.DuckDBPyConnection, from_run: int | None = None, to_run: int | None = None
) -> RunDiff:
    """What changed between two runs (see `choose_runs` for the defaults)."""
    from_ref, to_ref = choose_runs(con, from_run, to_run)
    params = {"a": from_ref.run_id, "b": to_ref.run_id}
    counts = con.execute(_COUNTS_SQL, params).fetchall()[0]
    cursor = con.execute(_changed_sql(), params)
    names = [d[0] for d in cursor.description]
    models_from, models_to, reporting_from, reporting_to = (int(n) for n in counts)
    diff = RunDiff(from_ref, to_ref, models_from, models_to, reporting_from, reporting_to)
    for values in cursor.fetchall():
        _classify(diff, dict(zip(names, values, strict=True)))
    return diff


def _classify(diff: RunDiff, row: Mapping[str, Any]) -> None:
    model_id = str(row["model_id"])
    before = Figure(model_id, row["a_co2_g"], row["a_co2_g_audited"])
    after = Figure(model_id, row["b_co2_g"], row["b_co2_g_audited"])
    if not row["in_a"]:
        diff.models_added.append(model_id)
        if row["b_reports"]:
            diff.added_reporting.append(after)
        return
    if not row["in_b"]:
        diff.models_removed.append(model_id)
        if row["a_reports"]:
            diff.removed_reporting.append(before)
        return
    diff.fields_changed.extend(_field_changes(model_id, row, MODEL_FIELDS))
    if row["a_reports"] != row["b_reports"]:
        (diff.started_reporting if row["b_reports"] else diff.stopped_reporting).append(
            after if row["b_reports"] else before
        )
        return
    if not row["a_reports"]:
        return
    if not _same(row["a_co2_g"], row["b_co2_g"]):
        diff.co2_changed.append(
            Correction(
                model_id, before.co2_g, after.co2_g, before.co2_g_audited, after.co2_g_audited
            )
        )
    diff.fields_changed.extend(_field_changes(model_id, row, EMISSION_FIELDS))


def _field_changes(
    model_id: str, row: Mapping[str, Any], fields: Sequence[str]
) -> Iterable[FieldChange]:
    for name in fields:
        before, after = row[f"a_{name}"], row[f"b_{name}"]
        if not _same(before, after):
            yield FieldChange(model_id, name, before, after)


def _same(first: Any, second: Any) -> bool:
    """Equal, NULL equal to NULL (SQL's IS NOT DISTINCT FROM); NaN equal to NaN."""
    if isinstance(first, float) and isinstance(second, float):
        return first == second or (math.isnan(first) and math.isnan(second))
    return bool(first == second)


# --- history of runs and models (analysis, site) -------------------------------------------


_CHAIN_SQL = (
    """
WITH target AS (SELECT crawl_source, scope FROM ("""
    + _RUN_SQL
    + """) WHERE run_id = $run)
SELECT r.run_id FROM ("""
    + _RUN_SQL
    + """) r, target t
WHERE r.status = 'finished' AND r.crawl_source = t.crawl_source AND r.scope = t.scope
  AND r.run_id <= $run
UNION SELECT $run
ORDER BY 1
"""
)


def runs_of_source(con: duckdb.DuckDBPyConnection, run_id: int) -> list[int]:
    """The finished runs of `run_id`'s source and scope up to it, and `run_id` itself (oldest
    first): the series the history of one run is read along."""
    return [int(r[0]) for r in con.execute(_CHAIN_SQL, {"run": run_id}).fetchall()]


REPORTING_BY_RUN_SQL = """
SELECT h.run_id, any_value(coalesce(h.finished_at, h.started_at)) AS crawled_at,
       count(*) AS models, count(*) FILTER (WHERE h.reports) AS reporters,
       count(h.co2_g) AS reporters_with_co2
FROM model_history h WHERE h.run_id IN (SELECT unnest($runs::INTEGER[]))
GROUP BY h.run_id ORDER BY h.run_id
"""


def reporting_by_run(con: duckdb.DuckDBPyConnection, run_id: int) -> list[dict[str, Any]]:
    """Per run of `run_id`'s series (`runs_of_source`): when it crawled, how many models it
    listed and how many of them report (an emissions row; `reporters_with_co2`: a figure)."""
    if not _has_views(con):
        return []
    cursor = con.execute(REPORTING_BY_RUN_SQL, {"runs": runs_of_source(con, run_id)})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


@dataclass(frozen=True)
class HistoryPoint:
    """A model in one run of a series: whether it was listed and reported, and its figures."""

    run_id: int
    crawled_at: datetime | None
    listed: bool
    reports: bool
    co2_g: float | None
    co2_g_audited: float | None
    flags: tuple[str, ...]


_MODELS_HISTORY_SQL = """
WITH runs_of AS (
    SELECT run_id, coalesce(finished_at, started_at) AS crawled_at FROM runs
    WHERE run_id IN (SELECT unnest($runs::INTEGER[]))
),
wanted AS (SELECT unnest($models::VARCHAR[]) AS model_id)
SELECT w.model_id, r.run_id, r.crawled_at, h.model_id IS NOT NULL AS listed,
       coalesce(h.reports, false), h.co2_g, h.co2_g_audited, h.flags
FROM wanted w CROSS JOIN runs_of r
LEFT JOIN model_history h ON h.run_id = r.run_id AND h.model_id = w.model_id
ORDER BY w.model_id, r.run_id
"""


def model_histories(
    con: duckdb.DuckDBPyConnection, run_id: int, model_ids: Sequence[str]
) -> dict[str, list[HistoryPoint]]:
    """For each of `model_ids`, its points along `run_id`'s series (one per run, oldest first,
    `listed` False where the run did not list it); empty when the series has a single run."""
    if not _has_views(con):
        return {}
    runs = runs_of_source(con, run_id)
    if len(runs) < 2 or not model_ids:
        return {}
    found: dict[str, list[HistoryPoint]] = {}
    params = {"runs": runs, "models": list(model_ids)}
    for model_id, *values in con.execute(_MODELS_HISTORY_SQL, params).fetchall():
        run, crawled_at, listed, reports, co2_g, audited, flags = values
        point = HistoryPoint(
            int(run), crawled_at, bool(listed), bool(reports), co2_g, audited, tuple(flags or ())
        )
        found.setdefault(str(model_id), []).append(point)
    return found


def latest_pair_diff(con: duckdb.DuckDBPyConnection) -> RunDiff | None:
    """The default diff (newest finished run against the one before it), None when there is
    no such pair."""
    try:
        return diff_runs(con)
    except StoreError:
        return None


def _has_views(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        require_views(con)
    except StoreError:
        return False
    return True


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(sep=" ", timespec="seconds")


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _value(value: Any) -> Any:
    if isinstance(value, float):
        return _number(value)
    return value
