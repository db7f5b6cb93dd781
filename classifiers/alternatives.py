"""Greener alternatives: for each CO2 reporter, up to three comparable models that do the same
task, have a size of the same order and a lower figure of their own, and are no worse on any
metric both report on a dataset both name.
"""

from __future__ import annotations

from functools import cache

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analysis import paperdata
from analysis.vocabulary import normal_tag
from classifiers.efficiency.figure import is_flagged
from hubcarbon.core.db import registered
from mining.cards.emission_record import implausible_training_figure
from mining.cards.metrics import METRICS
from mining.facts import AUTOTRAIN_TAGS

MAX_ALTERNATIVES = 3
MAX_AUTOTRAIN = 1
"""AutoTrain jobs kept per list: at most one (they are small jobs on their own data sets)."""
SIZE_FACTOR = 5.0
"""An alternative's size is within this factor of the model's, either way."""

COLUMNS: tuple[str, ...] = (
    "model_id",
    "rank",
    "alternative_id",
    "pipeline_tag",
    "co2_g",
    "performance_score",
)
POOL_COLUMNS: tuple[str, ...] = (
    "model_id",
    "task",
    "co2_g",
    "parameters",
    "size_bytes",
    "datasets",
    "autotrain",
    "candidate",
    "performance_score",
    *METRICS,
)


_POOL_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),
        ("task", pa.string()),
        ("co2_g", pa.float64()),
        ("parameters", pa.float64()),
        ("size_bytes", pa.float64()),
        ("datasets", pa.list_(pa.string())),
        ("autotrain", pa.bool_()),
        ("candidate", pa.bool_()),
        ("performance_score", pa.float64()),
        *[(metric, pa.float64()) for metric in METRICS],
    ]
)


@cache
def hub_tasks() -> tuple[str, ...]:
    """The Hub's task tags (the `task_to_domain` vocabulary of the paper's tags_metadata.yaml)."""
    tasks = paperdata.tags_metadata()["tags_to_domain"]["task_to_domain"]
    return tuple(sorted({normal_tag(str(task)) for task in tasks}))


def inferred_task_sql(models: str = "m", known: str = "$tasks") -> str:
    """SQL for a model's task: its pipeline tag; when the listing gives none, the first of its
    tags that is a task (`known`: a list of task tags, by default the `$tasks` parameter; see
    `task_vocabulary_sql`). AutoTrain cards often name their task only as a tag."""
    return (
        f"coalesce({models}.pipeline_tag, "
        f"list_filter({models}.tags, lambda t: list_contains({known}, t))[1])"
    )


def task_vocabulary_sql(run: str = "$run") -> str:
    """SQL for the list of task tags: the Hub's (`$tasks`, bound to `hub_tasks()`) and the
    pipeline tags of the run's models."""
    return (
        "(SELECT list_distinct(list_concat(coalesce(list(DISTINCT pipeline_tag), []), $tasks))"
        f" FROM models WHERE run_id = {run} AND pipeline_tag IS NOT NULL)"
    )


def alternative_pool(
    inputs: pd.DataFrame, candidate: pd.Series | np.ndarray, performance: pd.Series | np.ndarray
) -> pd.DataFrame:
    """The reporters as the query reads them. `inputs`: the label inputs (model_id, task,
    co2_g, parameters, size_bytes, tags, copied_from, flags, and the METRICS columns); `candidate`:
    may be proposed (hubcarbon-v1 status `labelled`); `performance`: the hubcarbon-v1 score."""
    tags = inputs["tags"].map(lambda t: [str(x) for x in t] if isinstance(t, list) else [])
    copied = inputs.get("copied_from", pd.Series([None] * len(inputs), index=inputs.index))
    flags = inputs.get("flags", pd.Series([None] * len(inputs), index=inputs.index))
    figure = pd.to_numeric(inputs["co2_g"], errors="coerce").astype("float64")
    frame = pd.DataFrame(
        {
            "model_id": inputs["model_id"].astype(str).to_numpy(),
            "task": inputs["task"].to_numpy(),
            "co2_g": figure.to_numpy(),
            "parameters": _numbers(inputs, "parameters"),
            "size_bytes": _numbers(inputs, "size_bytes"),
            "datasets": tags.map(_datasets).to_numpy(),
            "autotrain": tags.map(lambda t: bool(set(AUTOTRAIN_TAGS) & set(t))).to_numpy(),
            "candidate": (
                np.asarray(candidate, dtype=bool)
                & copied.isna().to_numpy()
                & ~flags.map(is_flagged).to_numpy(dtype=bool)
                & ~figure.map(implausible_training_figure).to_numpy(dtype=bool)
            ),
            "performance_score": np.asarray(performance, dtype="float64"),
        }
    )
    for metric in METRICS:
        frame[metric] = _numbers(inputs, metric)
    return frame


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy()


def _datasets(tags: list[str]) -> list[str]:
    return sorted({t.removeprefix("dataset:").lower() for t in tags if t.startswith("dataset:")})


_WORSE_ON_A_SHARED_METRIC = " OR ".join(
    f"(r.{m} IS NOT NULL AND c.{m} IS NOT NULL AND c.{m} < r.{m})" for m in METRICS
)

_SQL = f"""
WITH comparable AS (
    SELECT
        r.model_id, c.model_id AS alternative_id, r.task, c.co2_g, c.performance_score,
        c.autotrain
    FROM alternative_pool AS r
    JOIN alternative_pool AS c
        ON c.task = r.task
       AND c.model_id <> r.model_id
       AND c.candidate
       AND c.co2_g < r.co2_g
    WHERE r.task IS NOT NULL
      AND CASE
            WHEN r.parameters > 0 AND c.parameters > 0
                THEN greatest(r.parameters / c.parameters, c.parameters / r.parameters)
            WHEN r.size_bytes > 0 AND c.size_bytes > 0
                THEN greatest(r.size_bytes / c.size_bytes, c.size_bytes / r.size_bytes)
          END <= $factor
      AND NOT (len(list_intersect(r.datasets, c.datasets)) > 0 AND ({_WORSE_ON_A_SHARED_METRIC}))
),
capped AS (
    SELECT * FROM comparable
    QUALIFY NOT autotrain OR row_number() OVER (
        PARTITION BY model_id, autotrain
        ORDER BY co2_g, performance_score DESC NULLS LAST, alternative_id
    ) <= $autotrain
)
SELECT
    model_id,
    row_number() OVER (
        PARTITION BY model_id
        ORDER BY co2_g, performance_score DESC NULLS LAST, alternative_id
    )::INTEGER AS rank,
    alternative_id,
    task AS pipeline_tag,
    co2_g,
    performance_score
FROM capped
QUALIFY rank <= $limit
ORDER BY model_id, rank
"""


def greener_alternatives(
    con: duckdb.DuckDBPyConnection, pool: pd.DataFrame, limit: int = MAX_ALTERNATIVES
) -> pd.DataFrame:
    """Greener alternatives (rule `same-task-lower-co2`): for each CO2 reporter, up to three
    comparable models with a lower figure of their own.

    - Same task: the model's pipeline tag; when the listing gives none, the first of its tags
      that is a Hub task tag (`inferred_task_sql`, one definition shared by every reader). A
      model without a task gets none.
    - Same order of size: parameters within a factor of 5 either way when both are known, else
      weight-file bytes within a factor of 5; when neither size is known for both, the models
      are not comparable and none is proposed.
    - Performance is compared only on the same metric and data set: when the two cards name a
      common data set (their `dataset:` tags) and both state a metric (accuracy, F1, ROUGE-1,
      ROUGE-L, 0-1 scale), the alternative is no worse on each such metric. Otherwise no claim
      about performance is made, and none is needed.
    - Only figures that are evidence of their own are proposed: hubcarbon-v1 label status
      `labelled` (not a copy: no `copied_from` from the crawl audit and no inherited figure),
      no audit flag (`emissions.flags` empty: not unit-suspect, a conflict, a range, an
      approximation, implausible or copied), and a plausible training run (0.01 g to 5e10 g,
      `mining.cards.emission_record.implausible_training_figure`, also on a crawl without
      the audit). The figure is the study's (`co2_g_audited` where the crawl has it).
    - At most one AutoTrain job per list. Ranked by figure ascending, then performance score
      descending (unknown last), then id; the first three are kept. When nothing comparable
      exists, a model gets none. One DuckDB query over all reporters of the run.

    `pool` comes from `alternative_pool`; `limit` is the number kept per reporter."""
    frame = pa.Table.from_pandas(pool.loc[:, list(POOL_COLUMNS)], schema=_POOL_SCHEMA)
    with registered(con, alternative_pool=frame):
        out = con.execute(
            _SQL, {"limit": limit, "factor": SIZE_FACTOR, "autotrain": MAX_AUTOTRAIN}
        ).df()
    return out.loc[:, list(COLUMNS)]
