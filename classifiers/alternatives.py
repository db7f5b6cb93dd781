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
    """Greener alternatives (rule `same-task-lower-co2`): for each CO2 reporter, up to three
    models that do the same task with a lower reported CO2 figure and a performance that is no
    worse when both are known.

    - Task: the model's pipeline tag; when the listing gives none, the first of its tags that is
      the pipeline tag of some model in the same crawl (AutoTrain cards often list their task
      only as a tag). A model without a task gets no alternatives.
    - An alternative has the same task, a strictly lower CO2 figure (grams) and, when both
      performance scores are known, a score at least as high. The score is hubcarbon-v1's:
      the model's own harmonic mean of accuracy, F1, ROUGE-1 and ROUGE-L on a 0-1 scale.
    - Only models whose figure is evidence of their own are proposed: a positive CO2 figure
      and hubcarbon-v1 label status `labelled` (a re-upload repeating another model's figure
      is not proposed).
    - Ranked by CO2 ascending, then performance descending (unknown last), then id; the first
      three are kept. Computed by one DuckDB window query over all reporters of the run.

    `pool` has one row per reporter: model_id, task, co2_g, performance_score (NaN when
    unknown) and candidate (may be proposed); `limit` is the number kept per reporter."""
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
