"""The population the statistics run on: one crawl run loaded from DuckDB.

DuckDB does the heavy lifting: it counts every crawled model by creation month and AutoTrain
flag (the denominators of RQ1) and builds one row per CO2 reporter with its derived categories
(source class, training-type class, libraries). The facts the crawl stored once per model
(`card_facts`, `mining.facts`: AutoTrain flag, domain with its candidates, performance metrics)
are read as stored; a run crawled before that table has no rows in it, and reads as no model
AutoTrain, none with a domain or metrics (docs/schema.md).

A reporter is a model with a row in `emissions` (its card states emissions, in the metadata or
the prose); `co2_g` may still be NULL when the amount was unreadable. Models are keyed by their
full `owner/name` id, never by a bare name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import as_file
from typing import Any, Literal, cast

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.vocabulary import libraries
from hubcarbon.core.errors import StoreError
from hubcarbon.core.registry import Registry
from mining.cards.metrics import METRICS
from mining.facts import NORMAL_TAGS
from mining.hub import snapshot_identity
from mining.snapshot import embedded_snapshot_file
from mining.store.history import reporting_by_run
from mining.store.schema import latest_run_id

PopulationName = Literal["all", "autotrain", "human", "independent"]

CRAWL_TABLES = ("runs", "models", "cards", "emissions")

STATED_FIGURE = "co2_g"
AUDITED_FIGURE = "co2_g_audited"
OPTIONAL_EMISSIONS = {
    "training_run": "VARCHAR",
    "copied_from": "VARCHAR",
    "flags": "VARCHAR[]",
    AUDITED_FIGURE: "DOUBLE",
}
"""Columns of `emissions` that an audited crawl has and an older one lacks: read when present,
NULL otherwise (a statistic needing one says "not available in this crawl")."""

RECONSTRUCTED_ORIGIN = "reconstructed_from_paper"


def co2_figure(columns: Collection[str]) -> str:
    """The emissions column every statistic uses as `co2_g`: the audited figure
    (`co2_g_audited`) when the crawl has it, else the figure as stated (`co2_g`)."""
    return AUDITED_FIGURE if AUDITED_FIGURE in columns else STATED_FIGURE


SOURCE_CLASS = """CASE
    WHEN autotrain THEN 'AutoTrain'
    WHEN regexp_matches(lower(source), 'code ?carbon') THEN 'CodeCarbon'
    WHEN regexp_matches(lower(source), 'mlco2|ml ?co2|machine learning (co2|emissions?) calc')
        THEN 'ML CO2 calculator'
    WHEN nullif(trim(source), '') IS NOT NULL THEN 'other'
    ELSE 'unspecified' END"""
"""Source classes: AutoTrain (tag `autotrain`/`autonlp`) first, then the card's `source` field:
CodeCarbon, the ML CO2 Impact calculator (mlco2), any other stated source, unspecified."""

TRAINING_CLASS = """CASE
    WHEN nullif(trim(training_type), '') IS NULL THEN 'unspecified'
    WHEN regexp_matches(lower(training_type), 'pre[- _]?train')
     AND regexp_matches(lower(training_type), 'fine[- _]?tun') THEN 'both'
    WHEN regexp_matches(lower(training_type), 'fine[- _]?tun') THEN 'fine-tuning'
    WHEN regexp_matches(lower(training_type), 'pre[- _]?train') THEN 'pre-training'
    ELSE 'other' END"""
"""The one training-type mapping: both words → both; fine-tun… → fine-tuning; pre-train… →
pre-training; any other text → other; none → unspecified."""

_METRIC_COLUMNS = ", ".join(f'"{metric}"' for metric in METRICS)
_STORED_METRICS = ", ".join(f'k."{metric}"' for metric in METRICS)

REPORTERS_SQL = f"""
WITH e AS (SELECT * FROM emissions WHERE run_id = $run),
m AS (SELECT * FROM models WHERE run_id = $run AND model_id IN (SELECT model_id FROM e)),
f AS (SELECT * FROM card_facts WHERE run_id = $run AND model_id IN (SELECT model_id FROM e)),
k AS (SELECT model_id, domain, domain_candidates, {_METRIC_COLUMNS}, metric_sources FROM f),
c AS (SELECT model_id, front_matter FROM cards_with_text WHERE run_id = $run),
ds AS (
    SELECT model_id, dataset_bytes, measure AS dataset_size_measure,
           provenance AS dataset_size_provenance
    FROM model_dataset_size WHERE run_id = $run
),
r AS (
    SELECT e.model_id, m.author, m.created_at, date_trunc('month', m.created_at) AS month,
           m.downloads, m.likes, m.pipeline_tag, m.library_name, m.parameters,
           m.pytorch_model_bytes, coalesce(f.autotrain, false) AS autotrain,
           {NORMAL_TAGS} AS tags_normal,
           e.{{figure}} AS co2_g, e.co2_g AS co2_g_stated, {{optional}},
           e.raw_value, e.unit, e.provenance, e.source, e.training_type,
           nullif(trim(e.geographical_location), '') AS location,
           nullif(trim(e.hardware_used), '') AS hardware, e.hours,
           nullif(trim(e.cloud_provider), '') AS cloud_provider
    FROM e LEFT JOIN m USING (model_id) LEFT JOIN f USING (model_id)
)
SELECT r.* EXCLUDE (tags_normal),
       {SOURCE_CLASS} AS source_class,
       {TRAINING_CLASS} AS training_class,
       k.domain, coalesce(k.domain_candidates, []::VARCHAR[]) AS domain_candidates,
       list_distinct(list_filter(
           list_prepend(lower(trim(r.library_name)), list_filter(r.tags_normal,
                        lambda x: list_contains($libraries, x))),
           lambda x: x IS NOT NULL AND x <> '')) AS libraries,
       CASE json_type(c.front_matter -> 'datasets')
            WHEN 'ARRAY' THEN json_array_length(c.front_matter -> 'datasets')
            WHEN 'VARCHAR' THEN 1 ELSE 0 END AS n_datasets,
       ds.dataset_bytes, ds.dataset_size_measure, ds.dataset_size_provenance,
       {_STORED_METRICS}, k.metric_sources
FROM r LEFT JOIN k USING (model_id) LEFT JOIN c USING (model_id) LEFT JOIN ds USING (model_id)
ORDER BY r.model_id
"""

DOMAINS_SQL = """
SELECT m.model_id, f.domain, coalesce(f.domain_candidates, []::VARCHAR[]) AS domain_candidates
FROM models m LEFT JOIN card_facts f ON f.run_id = m.run_id AND f.model_id = m.model_id
WHERE m.run_id = $run
ORDER BY m.model_id
"""

MODEL_COUNTS_SQL = """
WITH a AS (SELECT model_id FROM card_facts WHERE run_id = $run AND autotrain),
m AS (
    SELECT model_id, author, date_trunc('month', created_at) AS month,
           model_id IN (SELECT model_id FROM a) AS autotrain
    FROM models WHERE run_id = $run
),
e AS (SELECT model_id, {figure} AS co2_g FROM emissions WHERE run_id = $run)
SELECT month, autotrain, author,
       count(*) AS models,
       count(e.model_id) AS reporters,
       count(e.co2_g) AS reporters_with_co2
FROM m LEFT JOIN e USING (model_id)
GROUP BY month, autotrain, author
ORDER BY month NULLS LAST, autotrain, author NULLS LAST
"""
"""Every crawled model counted once, by creation month, AutoTrain flag and author: the monthly
counts (`monthly`) and the distinct authors (`authors`) come from this one scan."""

COUNTS = ["models", "reporters", "reporters_with_co2"]


def _monthly(counts: pd.DataFrame) -> pd.DataFrame:
    """Models, reporters and reporters with an amount per month and population (all, autotrain,
    human), months in order, the undated (NaT) last."""
    pooled = counts.groupby("month", dropna=False, sort=True)[COUNTS].sum().reset_index()
    split = counts.groupby(["autotrain", "month"], dropna=False, sort=True)[COUNTS].sum()
    split = split.reset_index()
    split.insert(0, "population", split.pop("autotrain").map({True: "autotrain", False: "human"}))
    frame = pd.concat([pooled.assign(population="all"), split], ignore_index=True)
    frame = frame.sort_values(["population", "month"], na_position="last", kind="stable")
    return frame[["month", "population", *COUNTS]].astype(dict.fromkeys(COUNTS, "int64"))


NEWEST_SQL = "SELECT max(created_at) FROM models WHERE run_id = $run"


@dataclass(frozen=True)
class Units:
    """What a statistic counts: its rows, the training runs behind them (None when the crawl
    does not know them) and their distinct authors (None when not counted)."""

    rows: int
    training_runs: int | None
    authors: int | None

    def as_dict(self) -> dict[str, int | None]:
        return {"rows": self.rows, "training_runs": self.training_runs, "authors": self.authors}


@dataclass(frozen=True)
class Population:
    """One crawl run, ready for the statistics.

    `reporters`: one row per CO2 reporter (see REPORTERS_SQL; plus the metric columns of
    `mining.cards.metrics.METRICS`, on [0, 1], `metric_sources` and `reconstructed`;
    `dataset_bytes` with its `dataset_size_measure` and `dataset_size_provenance` from the view
    `model_dataset_size`). `monthly`:
    every crawled model counted by creation `month` (NaT for models without a creation date) and
    `population`, with `models`, `reporters` and `reporters_with_co2` (see MODEL_COUNTS_SQL).
    `authors`: the distinct (`month`, `autotrain`, `author`) of the crawled models. `run`: the
    run's row of `runs` plus table counts. `runs`: the crawl runs of the run's source and scope
    up to it, one row each (`mining.store.history.reporting_by_run`). `columns`: the optional
    emissions columns the crawl has. `newest_created`: the newest creation time of a
    crawled model (the reference of model age). `window`: a share window forced by a
    sensitivity variant (None: derived from the listing).
    """

    run: dict[str, Any]
    reporters: pd.DataFrame
    monthly: pd.DataFrame
    authors: pd.DataFrame = field(default_factory=pd.DataFrame)
    columns: frozenset[str] = frozenset()
    newest_created: pd.Timestamp | None = None
    window: tuple[pd.Timestamp, pd.Timestamp] | None = None
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)

    def subset(self, population: PopulationName) -> pd.DataFrame:
        """The reporters of `population` (see SUBSETS; empty when it is not available)."""
        if self.unavailable(population):
            return self.reporters.iloc[0:0]
        if population not in self._subsets:
            self._subsets[population] = SUBSETS[population].select(self.reporters)
        return self._subsets[population]

    @cached_property
    def _subsets(self) -> dict[str, Any]:
        return {}

    def unavailable(self, population: PopulationName) -> str | None:
        """Why `population` cannot be formed from this crawl (None: it can)."""
        needed = SUBSETS[population].needs
        missing = [column for column in needed if column not in self.columns]
        if missing:
            names = ", ".join(f"emissions.{column}" for column in missing)
            return f"not available in this crawl (no {names})"
        return None

    def monthly_of(self, population: PopulationName) -> pd.DataFrame:
        """The monthly counts of `population` (models of that kind, reporters among them),
        months in order, the undated models last (month NaT)."""
        rows = self.monthly[self.monthly["population"] == population]
        return rows.drop(columns="population").reset_index(drop=True)

    @property
    def has_training_runs(self) -> bool:
        return "training_run" in self.columns

    @cached_property
    def _reporter_ids(self) -> pa.Array:
        return pa.array(self.reporters["model_id"], type=pa.string())

    def units(self, rows: pd.DataFrame) -> Units:
        """The Units of reporter rows (a frame with `model_id`; other columns looked up)."""
        if "model_id" not in rows or rows.empty:
            return Units(rows=len(rows), training_runs=0 if self.has_training_runs else None,
                         authors=0)  # fmt: skip
        ids = pa.array(rows["model_id"], type=pa.string())
        positions = pc.index_in(ids, value_set=self._reporter_ids).to_numpy(zero_copy_only=False)
        known = np.unique(positions[~np.isnan(positions)].astype("int64"))
        authors = self._codes("author")[known]
        runs = None
        if self.has_training_runs:
            keys = self._codes("training_run")[known]
            runs = len(np.unique(keys[keys >= 0])) + int((keys < 0).sum())
        return Units(
            rows=len(rows), training_runs=runs, authors=len(np.unique(authors[authors >= 0]))
        )

    def subset_units(self, population: PopulationName) -> Units:
        """The Units of every reporter of `population` (cached)."""
        key = f"units:{population}"
        if key not in self._subsets:
            self._subsets[key] = self.units(self.subset(population))
        found = self._subsets[key]
        assert isinstance(found, Units)
        return found

    def _codes(self, name: str) -> np.ndarray:
        """A reporters column as integer codes, one per distinct value, -1 for a missing one
        (cached: units count distinct values often)."""
        if name not in self._columns:
            self._columns[name] = pd.factorize(self.reporters[name])[0]
        return self._columns[name]

    @cached_property
    def _columns(self) -> dict[str, np.ndarray]:
        return {}

    def model_authors(self, population: PopulationName, first: Any, last: Any) -> int:
        """Distinct authors of the crawled models of `population` created in months
        [`first`, `last`]."""
        frame = self.authors
        if frame.empty:
            return 0
        rows = frame[(frame["month"] >= first) & (frame["month"] <= last)]
        if population in ("autotrain", "human"):
            rows = rows[rows["autotrain"] == (population == "autotrain")]
        return int(rows["author"].nunique())


class Subset:
    """A population of reporters: id, definition (its docstring), selection, the optional
    emissions columns it needs, and whether it is also defined on every crawled model (the
    denominators of the RQ1 shares)."""

    def __init__(
        self,
        unit_id: str,
        select: Callable[[pd.DataFrame], pd.DataFrame],
        doc: str,
        *,
        needs: tuple[str, ...] = (),
        models: bool = True,
    ) -> None:
        self.id = unit_id
        self.select = select
        self.needs = needs
        self.models = models
        self.__doc__ = doc

    def __repr__(self) -> str:
        return f"Subset({self.id!r})"


SUBSETS: Registry[Subset] = Registry("population", lambda unit: unit.id)


def _autotrain(wanted: bool) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda reporters: reporters[reporters["autotrain"] == wanted]


def one_row_per_training_run(reporters: pd.DataFrame) -> pd.DataFrame:
    """The first-created row of each `training_run` (ties by model id); a row without a key is
    a run of its own."""
    ordered = reporters.sort_values(["created_at", "model_id"], na_position="last", kind="stable")
    keyed = ordered["training_run"].notna()
    first = ordered[keyed].drop_duplicates("training_run", keep="first")
    return pd.concat([first, ordered[~keyed]]).sort_values("model_id", kind="stable")


SUBSETS.register(Subset("all", lambda reporters: reporters, "Every CO2 reporter."))
SUBSETS.register(
    Subset(
        "autotrain",
        _autotrain(True),
        "The reporters made with AutoTrain (tags `autotrain` or `autonlp`).",
    )
)
SUBSETS.register(
    Subset("human", _autotrain(False), "The other reporters, whose figures people wrote.")
)
SUBSETS.register(
    Subset(
        "independent",
        one_row_per_training_run,
        "One row per training run (`emissions.training_run`: copies and re-uploads of a model "
        "share their origin's run), the first-created repository of each run standing for it, "
        "with the audited figure. Needs the crawl's `training_run` column; on a crawl without it "
        "every statistic of this population is `insufficient_data` (not available in this "
        "crawl), never approximated. A row without a key counts as a run of its own.",
        needs=("training_run",),
        models=False,
    )
)

POPULATIONS: tuple[PopulationName, ...] = cast(tuple[PopulationName, ...], tuple(SUBSETS.ids()))
"""Every reporter statistic runs on each registered population (SUBSETS)."""

MODEL_POPULATIONS: tuple[PopulationName, ...] = cast(
    tuple[PopulationName, ...], tuple(unit.id for unit in SUBSETS if unit.models)
)
"""The populations also defined on every crawled model (the RQ1 shares)."""


def load(con: duckdb.DuckDBPyConnection, run_id: int | None = None) -> Population:
    """The population of run `run_id` (default: the run the `latest_*` views show)."""
    _require_crawl_tables(con)
    run = latest_run_id(con.cursor()) if run_id is None else run_id
    columns = _optional_columns(con)
    figure = co2_figure(columns)
    reporters = con.execute(
        _with_columns(REPORTERS_SQL, figure, columns), {"run": run, "libraries": libraries()}
    ).df()
    counts = con.execute(_with_columns(MODEL_COUNTS_SQL, figure, columns), {"run": run}).df()
    monthly = _monthly(counts)
    authors = counts.loc[counts["author"].notna(), ["month", "autotrain", "author"]]
    newest = con.execute(NEWEST_SQL, {"run": run}).fetchall()[0][0]
    info = _run_info(con, run) | {"co2_figure": figure}
    reporters = _with_metric_types(reporters)
    reporters["reconstructed"] = _reconstructed(con, info, reporters["model_id"])
    return Population(
        run=info,
        reporters=reporters,
        monthly=monthly,
        authors=authors,
        columns=frozenset(columns),
        newest_created=None if newest is None else pd.Timestamp(newest),
        runs=pd.DataFrame(reporting_by_run(con, run)),
    )


def _optional_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = 'emissions'"
    ).fetchall()
    return {name for (name,) in rows} & set(OPTIONAL_EMISSIONS)


def _with_columns(sql: str, figure: str, columns: Collection[str]) -> str:
    optional = ", ".join(
        f"CAST(e.{name} AS {kind}) AS {name}"
        if name in columns
        else f"CAST(NULL AS {kind}) AS {name}"
        for name, kind in OPTIONAL_EMISSIONS.items()
        if name != AUDITED_FIGURE
    )
    return sql.replace("{figure}", figure).replace("{optional}", optional)


def _reconstructed(
    con: duckdb.DuckDBPyConnection, run: dict[str, Any], model_ids: pd.Series
) -> pd.Series:
    """True for a reporter whose card the embedded snapshot rebuilt from the paper's fields
    (`card_origin` reconstructed_from_paper), False for the others; NA when the run did not
    read the embedded snapshot (its origin is then unknown)."""
    if run.get("snapshot") != snapshot_identity(None):
        return pd.Series(pd.NA, index=model_ids.index, dtype="boolean")
    with as_file(embedded_snapshot_file()) as snapshot:
        rows = con.execute(
            "SELECT id FROM read_parquet($path) WHERE card_origin = $origin",
            {"path": str(snapshot), "origin": RECONSTRUCTED_ORIGIN},
        ).fetchall()
    rebuilt = {model_id for (model_id,) in rows}
    return model_ids.isin(rebuilt).astype("boolean")


def model_domains(con: duckdb.DuckDBPyConnection, run_id: int) -> pd.DataFrame:
    """The domain of every model of run `run_id` (reporters or not), as the crawl stored it
    (`card_facts`, the rule of `mining.facts.tags`): columns `model_id`, `domain` (None: no
    domain) and `domain_candidates`."""
    return con.execute(DOMAINS_SQL, {"run": run_id}).df()


def _require_crawl_tables(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    missing = [name for name in CRAWL_TABLES if name not in present]
    if missing:
        raise StoreError(
            f"the database has no crawl tables ({', '.join(missing)}): run `hubcarbon crawl` first"
        )


def _run_info(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, Any]:
    cursor = con.execute(
        "SELECT run_id, status, started_at, finished_at, endpoint, snapshot FROM runs "
        "WHERE run_id = $run",
        {"run": run_id},
    )
    rows = cursor.fetchall()
    if not rows:
        raise StoreError(f"no crawl run {run_id} in the database")
    row = rows[0]
    names = [column[0] for column in cursor.description]
    info = {
        name: (value.isoformat() if hasattr(value, "isoformat") else value)
        for name, value in zip(names, row, strict=True)
    }
    for table in ("models", "cards", "emissions"):
        query = f"SELECT count(*) FROM {table} WHERE run_id = $run"
        info[table] = int(con.execute(query, {"run": run_id}).fetchall()[0][0])
    return info


def _with_metric_types(reporters: pd.DataFrame) -> pd.DataFrame:
    """The stored metrics as float64 (NaN: not stated), their sources as text (None: none)."""
    frame = reporters.astype(dict.fromkeys(METRICS, "float64"))
    sources = frame["metric_sources"].astype("object")
    frame["metric_sources"] = sources.where(sources.notna(), None)
    return frame
