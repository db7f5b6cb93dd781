"""The performance scores the grading stage feeds the label schemes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import paperdata
from classifiers.stage.performance import own_scores, paper_scores


def test_paper_scores_reproduce_the_papers_stored_performance_score() -> None:
    streamlit = paperdata.hfstreamlit()
    ours = paper_scores(streamlit)
    stored = streamlit["performance_score"]
    assert (ours.isna() == stored.isna()).all()
    assert ours.notna().sum() == 1058
    assert float((ours - stored).abs().max()) < 1e-15


def test_paper_scores_depend_on_the_population_and_own_scores_do_not() -> None:
    metrics = pd.DataFrame({"accuracy": [0.5, 0.9, 0.7], "f1": [np.nan, 0.8, np.nan]})
    assert paper_scores(metrics).tolist() == pytest.approx(
        [0.0, 1.0, 0.5]
    )  # f1: one value, dropped
    assert paper_scores(metrics.iloc[1:]).tolist() == pytest.approx([1.0, 0.0])
    own = own_scores(metrics)
    assert own.iloc[2] == own_scores(metrics.iloc[2:]).iloc[0]
    assert math.isclose(own.iloc[1], 2 / (1 / 0.9 + 1 / 0.8))
