"""Greener alternatives: for each CO2 reporter, up to three models that do the same task with a
lower reported CO2 figure and a performance that is no worse when both are known.
"""

from __future__ import annotations

import duckdb
import pandas as pd

MAX_ALTERNATIVES = 3

COLUMNS: tuple[str, ...] = (
    "model_id",
    "rank",
    "alternative_id",
    "pipeline_tag",
    "co2_g",
    "performance_score",
)

_SQL = """
SELECT
    r.model_id,
    row_number() OVER (
        PARTITION BY r.model_id
        ORDER BY c.co2_g, c.performance_score DESC NULLS LAST, c.model_id
    )::INTEGER              AS rank,
    c.model_id              AS alternative_id,
    r.task                  AS pipeline_tag,
    c.co2_g,
    c.performance_score
FROM alternative_pool AS r
JOIN alternative_pool AS c
    ON c.task = r.task
   AND c.model_id <> r.model_id
   AND c.candidate
   AND c.co2_g < r.co2_g
   AND (r.performance_score IS NULL
        OR c.performance_score IS NULL
        OR c.performance_score >= r.performance_score)
WHERE r.task IS NOT NULL
QUALIFY rank <= $limit
ORDER BY r.model_id, rank
"""


def greener_alternatives(
    con: duckdb.DuckDBPyConnection, pool: pd.DataFrame, limit: int = MAX_ALTERNATIVES
) -> pd.DataFrame:
    """Up to `limit` greener alternatives per reporter (rule `same-task-lower-co2`).

    `pool` has one row per CO2 reporter: model_id, task (its pipeline tag), co2_g,
    performance_score (hubcarbon-v1's own score, NaN when unknown) and candidate (whether it
    may be proposed). The rule, run as one DuckDB window query:

    - an alternative has the same task (pipeline tag) as the model, a strictly lower CO2 figure,
      and, when both performance scores are known, a score at least as high;
    - only candidates are proposed: a positive CO2 figure of the model's own (hubcarbon-v1
      status `labelled`; an inherited figure of a re-upload is not evidence);
    - ranked by CO2 ascending, then performance descending (unknown last), then id; the first
      `limit` are kept. A model without a task gets none."""
    frame = pool.loc[:, ["model_id", "task", "co2_g", "performance_score", "candidate"]].copy()
    frame["co2_g"] = frame["co2_g"].astype("float64")
    frame["performance_score"] = frame["performance_score"].astype("float64")
    frame["candidate"] = frame["candidate"].astype(bool)
    con.register("alternative_pool", frame)
    try:
        out = con.execute(_SQL, {"limit": limit}).df()
    finally:
        con.unregister("alternative_pool")
    return out.loc[:, list(COLUMNS)]
