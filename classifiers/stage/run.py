"""`classify`: grade one crawl run into the classifiers tables, in one transaction."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from classifiers.alternatives import alternative_pool, greener_alternatives
from classifiers.efficiency import METRIC_NAMES, efficiency_labels
from classifiers.efficiency.core import metric_values, normalise_inputs
from classifiers.efficiency.figure import is_flagged
from classifiers.reporting import LEVEL_NAMES, reporting_grades
from classifiers.stage import linting
from classifiers.stage.cardfacts import read_card_facts
from classifiers.stage.inputs import label_inputs, lint_codes, reporting_inputs
from classifiers.stage.performance import METRICS, own_scores, paper_scores
from classifiers.stage.schema import TABLES, migrate
from hubcarbon.core.db import registered, transaction
from mining.store.schema import latest_run_id

REPORTING_SCHEMES: tuple[str, ...] = ("hubcarbon-v1", "paper2023")
LABEL_SCHEMES: tuple[str, ...] = ("hubcarbon-v1", "paper2023")
LABEL_INPUT_COLUMNS = (
    "model_id",
    "co2_g",
    "size_bytes",
    "dataset_bytes",
    "downloads",
    "tags",
    "base_model",
    "created_at",
    "copied_from",
)


@dataclass(frozen=True)
class ClassifySummary:
    """What one `classify` wrote, for the closing lines of the command."""

    run_id: int
    models: int
    cards: int
    reporters: int
    levels: Mapping[str, Mapping[str, int]]
    letters: Mapping[str, Mapping[str, int]]
    alternatives: int
    reporters_with_alternatives: int
    lint_findings: int
    seconds: float
    statuses: Mapping[str, int] = field(default_factory=dict)
    training_runs: int = 0
    flagged: int = 0

    def lines(self) -> list[str]:
        out = [f"no models in run {self.run_id}: every table is empty"] if not self.models else []
        out += [
            f"run {self.run_id} classified in {self.seconds:.1f} s: {self.cards:,} cards, "
            f"{self.reporters:,} CO2 reporters"
        ]
        for scheme, counts in self.levels.items():
            out.append(f"reporting levels ({scheme}):")
            for level, name in LEVEL_NAMES.items():
                out.append(f"  {int(level)} {name}: {counts.get(name, 0):,}")
        for scheme, counts in self.letters.items():
            shown = ", ".join(f"{letter} {count:,}" for letter, count in counts.items()) or "none"
            out.append(f"efficiency labels ({scheme}): {shown}")
        if self.statuses:
            shown = ", ".join(f"{status} {count:,}" for status, count in self.statuses.items())
            out.append(f"hubcarbon-v1 label status: {shown}")
        out.append(
            f"greener alternatives: {self.alternatives:,} for "
            f"{self.reporters_with_alternatives:,} reporters"
        )
        out.append(f"lint findings: {self.lint_findings:,} (table lint_findings)")
        out.append(
            f"audit: {self.reporters:,} reporters, {self.training_runs:,} training runs, "
            f"{self.flagged:,} flagged figures"
        )
        return out


def classify(
    con: duckdb.DuckDBPyConnection, run_id: int | None = None, *, progress: bool | None = False
) -> ClassifySummary:
    """Grade `run_id` (default: the latest run) and replace that run's rows in every
    classifiers table, in one transaction. StoreError when nothing was crawled.

    Everything is read and computed before the first write (the classifiers migrations
    included), so a database that turns out unreadable is left as it was."""
    started = time.monotonic()
    run = latest_run_id(con) if run_id is None else run_id
    ((models,),) = con.execute("SELECT count(*) FROM models WHERE run_id = ?", [run]).fetchall()
    cards = read_card_facts(con, run, progress=progress)
    codes = lint_codes(cards.findings)
    grades = _grades(reporting_inputs(con, run, cards.facts, codes))
    inputs = label_inputs(con, run)
    labels, pool = _labels(inputs)
    alternatives = greener_alternatives(con, pool)
    frames = {
        "reporting_grades": grades,
        "efficiency_labels": labels,
        "alternatives": alternatives,
        "lint_findings": cards.findings,
        "lint_summary": linting.summary(cards.findings),
    }
    migrate(con)
    _replace(con, run, frames)
    v1 = labels[labels["scheme"] == "hubcarbon-v1"]
    return ClassifySummary(
        run_id=run,
        models=int(models),
        cards=len(cards.facts),
        reporters=len(inputs),
        levels={s: _counts(grades, s, "level_name") for s in REPORTING_SCHEMES},
        letters={s: _letter_counts(labels, s) for s in LABEL_SCHEMES},
        alternatives=len(alternatives),
        reporters_with_alternatives=int(alternatives["model_id"].nunique()),
        lint_findings=len(cards.findings),
        seconds=time.monotonic() - started,
        statuses={str(k): int(v) for k, v in v1["status"].value_counts().sort_index().items()},
        training_runs=int(inputs["training_run"].fillna(inputs["model_id"]).nunique()),
        flagged=int(inputs["flags"].map(is_flagged).sum()),
    )


def _grades(inputs: pd.DataFrame) -> pd.DataFrame:
    frames = [reporting_grades(inputs, scheme) for scheme in REPORTING_SCHEMES]
    grades = pd.concat(frames, ignore_index=True)
    grades["evidence"] = grades["evidence"].map(lambda e: json.dumps(list(e), ensure_ascii=False))
    grades["measured"] = grades["measured"].astype(bool)
    return grades


def _labels(inputs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both label schemes' rows, and the pool of reporters for greener alternatives."""
    metrics = inputs.loc[:, list(METRICS)]
    base = inputs.reindex(columns=list(LABEL_INPUT_COLUMNS))

    v1_inputs = base.assign(performance_score=own_scores(metrics).to_numpy())
    v1 = _label_rows(v1_inputs, _scheme_labels(v1_inputs, "hubcarbon-v1"), "hubcarbon-v1")

    positive = (inputs["co2_g"] > 0).to_numpy()
    paper_inputs = base[positive].assign(
        performance_score=paper_scores(metrics[positive]).to_numpy()
    )
    paper = _label_rows(paper_inputs, _scheme_labels(paper_inputs, "paper2023"), "paper2023")
    left_out = _label_rows(
        base[~positive].assign(performance_score=np.nan), None, scheme="paper2023"
    )

    pool = alternative_pool(
        inputs, (v1["status"] == "labelled").to_numpy(), v1_inputs["performance_score"]
    )
    return pd.concat([v1, paper, left_out], ignore_index=True), pool


def _scheme_labels(inputs: pd.DataFrame, scheme: str) -> pd.DataFrame | None:
    """The scheme's labels, or None when there is nobody to label (a crawl without reporters:
    the schemes' percentile boundaries need at least one value)."""
    return efficiency_labels(inputs, scheme) if len(inputs) else None


def _label_rows(inputs: pd.DataFrame, labelled: pd.DataFrame | None, scheme: str) -> pd.DataFrame:
    """efficiency_labels rows: scheme output plus per-metric value/index/rating as JSON.

    `labelled` None gives unlabelled rows (status `no-co2`) for models outside a scheme's
    population."""
    values = metric_values(normalise_inputs(inputs))
    if labelled is None:
        labelled = pd.DataFrame(
            {
                "model_id": inputs["model_id"].to_numpy(),
                "scheme": scheme,
                "letter": None,
                "rating": pd.array([pd.NA] * len(inputs), dtype="Int64"),
                "compound": np.nan,
                "weights": [{} for _ in range(len(inputs))],
                "autotrain": normalise_inputs(inputs)["autotrain"].to_numpy(dtype=bool),
                "inherited_from": None,
                "status": "no-co2",
            }
        )
        for name in METRIC_NAMES:
            labelled[f"{name}_index"] = np.nan
            labelled[f"{name}_rating"] = pd.array([pd.NA] * len(inputs), dtype="Int64")
    out = labelled.loc[
        :, ["model_id", "scheme", "letter", "rating", "compound", "autotrain", "inherited_from"]
    ].copy()
    out["metrics"] = [
        json.dumps(
            {
                name: {
                    "value": _finite(values[name][i]),
                    "index": _finite(labelled[f"{name}_index"].iloc[i]),
                    "rating": _rating(labelled[f"{name}_rating"].iloc[i]),
                }
                for name in METRIC_NAMES
            }
        )
        for i in range(len(labelled))
    ]
    out["weights"] = labelled["weights"].map(lambda w: json.dumps(dict(w)))
    out["status"] = labelled["status"].astype(str).to_numpy()
    out["rating"] = out["rating"].astype("Int64")
    out["compound"] = out["compound"].astype("float64")
    out["autotrain"] = out["autotrain"].astype(bool)
    return out


def _finite(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _rating(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _replace(
    con: duckdb.DuckDBPyConnection, run_id: int, frames: Mapping[str, pd.DataFrame]
) -> None:
    """Delete the run's rows from every classifiers table and insert the new ones, atomically."""
    views = {f"classified_{table}": frame for table, frame in frames.items()}
    with registered(con, **views), transaction(con):
        for table in TABLES:
            con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
        for table, frame in frames.items():
            if frame.empty:
                continue
            columns = ", ".join(f'"{c}"' for c in frame.columns)
            con.execute(
                f"INSERT INTO {table} (run_id, {columns})"
                f" SELECT $run, {columns} FROM classified_{table}",
                {"run": run_id},
            )


def _counts(frame: pd.DataFrame, scheme: str, column: str) -> dict[str, int]:
    counts = frame.loc[frame["scheme"] == scheme, column].value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def _letter_counts(labels: pd.DataFrame, scheme: str) -> dict[str, int]:
    letters = labels.loc[labels["scheme"] == scheme, "letter"].fillna("none")
    counts = letters.value_counts()
    return {k: int(counts.get(k, 0)) for k in [*"ABCDE", "none"] if counts.get(k, 0)}
