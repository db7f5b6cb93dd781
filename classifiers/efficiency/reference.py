"""The named reference population of `hubcarbon-v1` and the computation of its frozen boundaries.

Run once by tools/freeze_boundaries.py, which writes classifiers/data/efficiency_boundaries_v1.json;
a test recomputes the file's content from the shipped paper data and compares.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from analysis import paperdata
from classifiers.efficiency.core import METRICS, metric_index, metric_values, normalise_inputs

POPULATION_NAME = "paper2023-reporters-dedup"
POPULATION_SOURCE = (
    "analysis/paperdata/HFStreamlit.csv: the 1,417 CO2-reporting models of the Castaño et al. "
    "(ESEM 2023) crawl of the Hugging Face Hub, early April 2023 (GAISSA-UPC/ML-EnergyLabel "
    "app/pages/HFStreamlit.csv @ 1313e14, md5 23c0e067ecd6ecdfc96537d996f7a2fa)"
)
POPULATION_SNAPSHOT = "2023-04"
REFERENCE_MODEL = "distilgpt2"
PERCENTILES: tuple[float, ...] = (20, 40, 60, 80)
# The paper's final weights without downloads; the compound renormalises them (sum 0.75).
WEIGHTS: dict[str, float] = {
    "co2": 0.35,
    "size_efficiency": 0.10,
    "dataset_size_efficiency": 0.10,
    "performance": 0.20,
}
METRIC_COLUMNS = ("accuracy", "f1", "rouge1", "rougeL")


def own_performance_score(metrics: pd.DataFrame) -> pd.Series:
    """A model's own performance score: the harmonic mean of its available accuracy, F1,
    ROUGE-1 and ROUGE-L, each on a 0-1 scale (a value above 1 is read as a percentage and
    divided by 100; negative values are ignored). Unlike the paper's score it does not depend
    on any other model (no min-max normalisation over the population). NaN when none exists."""
    columns = [c for c in METRIC_COLUMNS if c in metrics.columns]
    values = metrics[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    values = np.where(values > 1, values / 100, values)
    values = np.where(values < 0, np.nan, values)
    scores: list[float] = []
    for row in values:
        present = row[~np.isnan(row)]
        if not len(present):
            scores.append(np.nan)
        elif (present == 0).any():
            scores.append(0.0)
        else:
            scores.append(float(len(present) / np.sum(1.0 / present)))
    return pd.Series(scores, index=metrics.index, dtype="float64")


def reference_population() -> pd.DataFrame:
    """Label inputs of the reference population: HFStreamlit's 1,417 reporters, the first row
    kept per name (1,415 rows; the two dropped rows are later same-name copies of distilgpt2
    and biomedical-ner-all that repeat the original's figure)."""
    raw = paperdata.hfstreamlit()
    kept = raw.drop_duplicates(subset="modelId", keep="first").reset_index(drop=True)
    return pd.DataFrame(
        {
            "model_id": kept["modelId"].astype(str),
            "co2_g": kept["co2_eq_emissions"].astype(float),
            "size_bytes": kept["size"].astype(float),
            "dataset_bytes": kept["datasets_size"].replace(0, np.nan).astype(float),
            "performance_score": own_performance_score(kept),
            "autotrain": kept["auto"].astype(bool),
        }
    )


def inputs_checksum(population: pd.DataFrame) -> str:
    """sha256 of the population's label inputs as canonical CSV (17 significant digits)."""
    columns = ["model_id", "co2_g", "size_bytes", "dataset_bytes", "performance_score"]
    text = population[columns].to_csv(index=False, float_format="%.17g", lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compute_frozen(population: pd.DataFrame) -> dict[str, Any]:
    """Reference values and boundaries of hubcarbon-v1, computed on `population`."""
    frame = normalise_inputs(population)
    values = metric_values(frame)
    rows = np.flatnonzero(frame["model_id"] == REFERENCE_MODEL)
    reference: dict[str, float] = {}
    boundaries: dict[str, list[float]] = {}
    for metric in METRICS:
        if metric.name not in WEIGHTS:
            continue
        column = values[metric.name]
        value = column[rows[0]] if len(rows) else np.nan
        reference[metric.name] = float(value if np.isfinite(value) else np.nanmedian(column))
        index = metric_index(metric, column, reference[metric.name])
        index = np.where(np.isfinite(index), index, np.nan)
        boundaries[metric.name] = [float(b) for b in np.nanpercentile(index, PERCENTILES)[::-1]]
    return {
        "scheme": "hubcarbon-v1",
        "format": 1,
        "reference_population": {
            "name": POPULATION_NAME,
            "source": POPULATION_SOURCE,
            "snapshot": POPULATION_SNAPSHOT,
            "rows": len(frame),
            "autotrain_rows": int(frame["autotrain"].sum()),
            "rows_with_value": {
                m.name: int(np.isfinite(values[m.name]).sum()) for m in METRICS if m.name in WEIGHTS
            },
            "inputs_sha256": inputs_checksum(population),
        },
        "reference_model": REFERENCE_MODEL,
        "reference_values": reference,
        "percentiles": list(PERCENTILES),
        "boundaries": boundaries,
        "weights": WEIGHTS,
        "rounding": "half-to-worse",
    }
