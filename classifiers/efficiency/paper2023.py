"""Scheme `paper2023`: the label exactly as the paper's app and notebook implement it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from classifiers.efficiency.core import (
    METRICS,
    metric_index,
    metric_values,
    normalise_inputs,
    python_round,
    rate,
    result_frame,
)
from classifiers.efficiency.scheme import LABEL_SCHEMES, LabelScheme

WEIGHTS: dict[str, float] = {
    "co2": 0.35,
    "size_efficiency": 0.10,
    "dataset_size_efficiency": 0.10,
    "downloads": 0.25,
    "performance": 0.20,
}
PERCENTILES: dict[str, tuple[float, ...]] = {
    "co2": (20, 40, 60, 80),
    "size_efficiency": (20, 40, 60, 80),
    "dataset_size_efficiency": (20, 40, 60, 80),
    "downloads": (60, 85, 94, 96),
    "performance": (20, 40, 60, 80),
}
REFERENCE_MODEL = "distilgpt2"


def reference_values(inputs: pd.DataFrame, values: dict[str, np.ndarray]) -> dict[str, float]:
    """The first row named distilgpt2; where its value is missing, the column median.

    A crawled frame keys models as owner/name, so a row counts as distilgpt2 when its id or the
    name after its owner is `distilgpt2`. Without such a row every reference is the median."""
    names = inputs["model_id"].str.rsplit("/", n=1).str[-1]
    matches = np.flatnonzero((inputs["model_id"] == REFERENCE_MODEL) | (names == REFERENCE_MODEL))
    refs: dict[str, float] = {}
    for metric in METRICS:
        column = values[metric.name]
        value = column[matches[0]] if len(matches) else np.nan
        refs[metric.name] = float(value) if not np.isnan(value) else float(np.nanmedian(column))
    return refs


def boundaries(index: dict[str, np.ndarray]) -> dict[str, list[float]]:
    """np.nanpercentile per metric, descending; CO2's computed on sqrt(index) (the quirk)."""
    out: dict[str, list[float]] = {}
    for metric in METRICS:
        data = index[metric.name]
        if metric.name == "co2":
            with np.errstate(invalid="ignore"):
                data = np.sqrt(data)
        percentiles = np.nanpercentile(data, PERCENTILES[metric.name])
        out[metric.name] = [float(b) for b in percentiles[::-1]]
    return out


class Paper2023(LabelScheme):
    """paper2023: the A-E carbon-efficiency label as published (Castaño et al., ESEM 2023).

    Reproduces the final app (`app/energy_label.py`, from 2023-07-05) and the July notebook,
    as implemented, on whatever population it is given; that population is both labelled and
    the source of the reference and the boundaries, so a model's label depends on the others.

    - Metrics and weights: CO2 in g 0.35 (lower is better); size efficiency = model file bytes
      per g 0.10; dataset size efficiency = dataset bytes per g 0.10; downloads 0.25;
      performance score 0.20 (the paper's min-max normalised harmonic mean, as stored).
    - Reference: the first row named `distilgpt2`; where its value is missing, the column median
      (NaN skipped). Index = value / reference, and reference / value for CO2.
    - Boundaries: numpy.nanpercentile (linear) of the index over the population at 20/40/60/80,
      downloads at 60/85/94/96, reversed into b0 >= b1 >= b2 >= b3. For CO2 only, the
      percentiles are taken of sqrt(index) while the raw index is compared with them (the
      "sqrt quirk", which piles CO2 ratings into A).
    - Rating: A (0) above b0 ... E (4) at or below b3; an index equal to a boundary falls into
      the worse class; an index <= 0 (e.g. 0 downloads) gets E; a missing value has no rating.
    - Compound: missing ratings are dropped with their weights, the rest renormalised; the
      weighted mean is rounded with Python's round (half to even: 0.5 -> A, 2.5 -> C) and
      mapped to "ABCDE". No rating at all: no label.
    - Duplicate names are kept and counted, as in the paper (HFCO2: 1,419 rows).
      On HFCO2 this gives C 826, B 486, D 55, A 37, E 15.
    """

    id = "paper2023"

    def label(self, inputs: pd.DataFrame) -> pd.DataFrame:
        frame = normalise_inputs(inputs)
        values = metric_values(frame)
        with warnings.catch_warnings():  # an all-missing metric simply has no rating
            warnings.simplefilter("ignore", RuntimeWarning)
            refs = reference_values(frame, values)
            index = {m.name: metric_index(m, values[m.name], refs[m.name]) for m in METRICS}
            bounds = boundaries(index)
        ratings = pd.DataFrame({m.name: rate(index[m.name], bounds[m.name]) for m in METRICS})
        out = result_frame(self.id, frame, index, ratings, WEIGHTS, python_round)
        out["inherited_from"] = pd.Series([None] * len(out), dtype=object)
        out["status"] = np.where(out["letter"].isna(), "unrated", "labelled")
        return out


PAPER2023 = LABEL_SCHEMES.register(Paper2023())


def paper_inputs(hfco2: pd.DataFrame) -> pd.DataFrame:
    """Label inputs from the paper's HFCO2 (or HFStreamlit) frame: its columns renamed."""
    return pd.DataFrame(
        {
            "model_id": hfco2["modelId"],
            "co2_g": hfco2["co2_eq_emissions"],
            "size_bytes": hfco2["size"],
            "dataset_bytes": hfco2["datasets_size"],
            "downloads": hfco2["downloads"],
            "performance_score": hfco2["performance_score"],
            "autotrain": hfco2["auto"].astype(str).str.strip().str.lower() == "true",
        }
    )
