"""The two label schemes' performance scores over a crawled model's performance metrics.

The metrics (accuracy, F1, ROUGE-1, ROUGE-L on a 0-1 scale) were read once by the crawl
(mining.cards.metrics: the card's `model-index` first, then AutoTrain's "Validation Metrics"
lines for the rest) and are read here from `card_facts` (classifiers.stage.inputs).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from classifiers.efficiency.reference import own_performance_score
from mining.cards.metrics import METRICS

__all__ = ["METRICS", "own_scores", "paper_scores"]


def own_scores(metrics: pd.DataFrame) -> pd.Series:
    """hubcarbon-v1's performance score per row: the model's own harmonic mean of its metrics on
    a 0-1 scale (classifiers.efficiency.reference.own_performance_score)."""
    return own_performance_score(metrics)


def paper_scores(metrics: pd.DataFrame) -> pd.Series:
    """paper2023's performance score per row, as the paper computed it over its population:
    each of accuracy, F1, ROUGE-1 and ROUGE-L min-max normalised over all rows, then the
    harmonic mean (scipy.stats.hmean) of the row's available normalised values. A metric whose
    values are all equal normalises to NaN (0/0) and drops out, as in pandas.

    The metrics come in on a 0-1 scale (mining.cards.metrics divides every percentage by 100; the
    paper divided only accuracy and F1, so its ROUGE columns mixed 0-1 and 0-100 values)."""
    columns = [c for c in METRICS if c in metrics.columns]
    values = metrics[columns].apply(pd.to_numeric, errors="coerce").astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised = (values - values.min()) / (values.max() - values.min())
    scores: list[float] = []
    for row in normalised.to_numpy(dtype=float):
        present = row[np.isfinite(row)]
        if not len(present):
            scores.append(np.nan)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            scores.append(float(stats.hmean(present)))
    return pd.Series(scores, index=metrics.index, dtype="float64")
