"""Scheme `hubcarbon-v1`: the label with frozen boundaries, so it never drifts."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from classifiers.efficiency.core import (
    METRICS,
    metric_index,
    metric_values,
    normalise_inputs,
    rate,
    result_frame,
    round_half_to_worse,
)
from classifiers.efficiency.inherited import detect_inherited
from classifiers.efficiency.scheme import LABEL_SCHEMES, LabelScheme
from hubcarbon.core.errors import InputError

BOUNDARIES_FILE = "data/efficiency_boundaries_v1.json"


@cache
def frozen() -> dict[str, Any]:
    """The shipped, versioned reference values and boundaries of hubcarbon-v1."""
    text = resources.files("classifiers").joinpath(BOUNDARIES_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class HubcarbonV1(LabelScheme):
    """hubcarbon-v1: the A-E carbon-efficiency label with frozen boundaries (the default).

    A model's label depends only on its own values (a copy's: its origin's) and on boundaries
    computed once, on a named reference population, and shipped in
    classifiers/data/efficiency_boundaries_v1.json; adding or removing other models never
    changes it, except that a model becomes a copy when its origin joins.

    - Reference population `paper2023-reporters-dedup`: the 1,417 CO2-reporting models of the
      paper's April 2023 crawl (HFStreamlit.csv), first row kept per name (1,415 rows; the two
      dropped rows are same-name copies repeating the original's figure). The JSON records the
      source file's md5, the row counts and the sha256 of the exact inputs. 1,291 of the 1,415 are
      AutoTrain reports; only 22 have a dataset size, so that metric's boundaries are coarse.
    - Reference model distilgpt2 (its values; the population median where it has none, i.e. for
      performance). Index = value / reference, reference / value for CO2.
    - Metrics and weights: CO2 0.35, size efficiency (bytes of the weights file per g) 0.10,
      dataset size efficiency (dataset bytes per g) 0.10, performance 0.20, renormalised over
      the available ratings (7/15, 2/15, 2/15, 4/15 when all are present). Model size stays in
      bytes, as in the reference population, which has no parameter counts.
    - Downloads are dropped: popularity is not efficiency, the Hub's download counter changed
      meaning since 2023 (so frozen 2023 boundaries would not fit today's counts), and a
      counter that moves daily would make a label drift with time.
    - Performance is the model's own score: the harmonic mean of its accuracy, F1, ROUGE-1 and
      ROUGE-L on a 0-1 scale (no min-max normalisation over other models).
    - Boundaries: the 20/40/60/80th percentiles (numpy, linear) of each raw index over the
      reference population; the same scale is used for computing and comparing (no sqrt).
      Ratings as in paper2023: A above b0 ... E at or below b3, ties to the worse class,
      index <= 0 gives E, a missing value no rating.
    - Compound: weighted mean of the available ratings, an exact half rounded to the worse
      class (2.5 -> D), never flattering.
    - Evidence rules: models are keyed by full owner/name id (duplicate ids are an error); CO2
      is in grams with units normalised upstream, the study's figure (`co2_g_audited`, the
      card reader's audited figure, where the crawl has it; else `co2_g`); a model without a
      positive CO2 figure (the audit withheld it: implausible, an unsettled conflict) gets no
      label (status `no-co2`). AutoTrain reports (flag or autotrain/autonlp tag) are labelled
      and flagged (`autotrain`). A model whose figure repeats the one of a model it copies
      is marked `inherited_from` with status `inherited`, takes the origin's label (letter,
      rating, compound; also when the audit withholds the copy's own figure; its per-metric
      values stay its own) and must not be counted as
      evidence (rankings, statistics and greener alternatives leave it out). The copy is the
      crawl audit's `copied_from` (one training run, mining.audit.runs) where there is one,
      else the copy rules of `detect_inherited` (base_model, GGUF/quantised re-upload,
      same-name copy).
    """

    id = "hubcarbon-v1"

    def label(self, inputs: pd.DataFrame) -> pd.DataFrame:
        frame = normalise_inputs(inputs)
        duplicated = frame["model_id"][frame["model_id"].duplicated()]
        if len(duplicated):
            shown = ", ".join(sorted(set(duplicated))[:5])
            raise InputError(f"{self.id} needs one row per model id; repeated: {shown}")
        spec = frozen()
        values = metric_values(frame)
        index: dict[str, np.ndarray] = {}
        ratings: dict[str, np.ndarray] = {}
        for metric in METRICS:
            if metric.name not in spec["weights"]:
                index[metric.name] = np.full(len(frame), np.nan)
                ratings[metric.name] = np.full(len(frame), np.nan)
                continue
            raw = values[metric.name]
            raw = np.where(np.isfinite(raw), raw, np.nan)
            idx = metric_index(metric, raw, spec["reference_values"][metric.name])
            index[metric.name] = idx
            ratings[metric.name] = rate(idx, spec["boundaries"][metric.name])
        has_co2 = np.isfinite(values["co2"]) & (values["co2"] > 0)
        for metric in METRICS:
            ratings[metric.name] = np.where(has_co2, ratings[metric.name], np.nan)
        rating_frame = pd.DataFrame(ratings)
        out = result_frame(
            self.id, frame, index, rating_frame, spec["weights"], round_half_to_worse
        )
        out["inherited_from"] = pd.Series(inherited_origins(frame).to_numpy(), dtype=object)
        took_origin = inherit_origin_labels(out)
        out["status"] = np.select(
            [took_origin, ~has_co2, out["inherited_from"].notna().to_numpy()],
            ["inherited", "no-co2", "inherited"],
            default="labelled",
        )
        return out


def inherited_origins(frame: pd.DataFrame) -> pd.Series:
    """The model each row copies its figure from: the crawl audit's `copied_from` (training
    runs, mining.audit.runs) where it names one, else `detect_inherited` (base_model, re-upload
    names, same-name copies), which is all there is for inputs without the audit."""
    audited = frame["copied_from"].map(lambda v: v if isinstance(v, str) and v else None)
    return audited.where(audited.notna(), detect_inherited(frame)).astype(object)


def inherit_origin_labels(out: pd.DataFrame) -> np.ndarray:
    """A copy takes its origin's label (letter, rating, compound) when the origin is labelled in
    the same frame, also when the audit withholds the copy's own figure (the run's figure is the
    origin's); its per-metric indices and ratings stay its own. The rows that took it."""
    position = {model_id: i for i, model_id in enumerate(out["model_id"])}
    letters = out["letter"].tolist()
    copies = [
        (i, j)
        for i, origin in enumerate(out["inherited_from"])
        if isinstance(origin, str)
        and (j := position.get(origin)) is not None
        and isinstance(letters[j], str)
    ]
    for column in ("letter", "rating", "compound"):
        values = out[column].to_numpy(copy=True)
        for i, j in copies:
            values[i] = values[j]
        out[column] = pd.Series(values, index=out.index, dtype=out[column].dtype)
    took = np.zeros(len(out), dtype=bool)
    took[[i for i, _ in copies]] = True
    return took


HUBCARBON_V1 = LABEL_SCHEMES.register(HubcarbonV1())
