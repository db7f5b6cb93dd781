"""Side tests of RQ2 on the CV and NLP reporters (§5.2 of the methods), not in the Holm family."""

from __future__ import annotations

import pandas as pd

from analysis.replication.conventions import DOMAIN_CV, DOMAIN_NLP
from analysis.replication.procedure import Frames, Section, procedure
from analysis.replication.rq2 import mann_whitney, reporters


def _cv_vs_nlp(rows: pd.DataFrame, values: pd.Series) -> Section:
    values = values.dropna()
    cv = values[rows.loc[values.index, "domain"] == DOMAIN_CV]
    nlp = values[rows.loc[values.index, "domain"] == DOMAIN_NLP]
    return {
        **mann_whitney(cv, nlp, alternative="two-sided"),
        "median_cv": float(cv.median()),
        "median_nlp": float(nlp.median()),
        "n_cv": len(cv),
        "n_nlp": len(nlp),
    }


@procedure("paper.mwu_size_cv_vs_nlp", "mwu_size_cv_vs_nlp")
def mwu_size_cv_vs_nlp(frames: Frames) -> Section:
    """Model size by domain: `scipy.stats.mannwhitneyu(cv_sizes, nlp_sizes,
    alternative='two-sided')` on `size` (bytes of `pytorch_model.bin`) of the CV and NLP
    reporters of HFStreamlit, missing sizes removed."""
    rows = reporters(frames.streamlit)
    return _cv_vs_nlp(rows, rows["size"])


@procedure("paper.mwu_co2_per_byte_cv_vs_nlp", "mwu_co2_per_byte_cv_vs_nlp")
def mwu_co2_per_byte_cv_vs_nlp(frames: Frames) -> Section:
    """CO2 per byte by domain: the same two-sided Mann-Whitney U test on
    `co2_eq_emissions / size` of the CV and NLP reporters of HFStreamlit, missing values
    removed."""
    rows = reporters(frames.streamlit)
    return _cv_vs_nlp(rows, rows["co2_eq_emissions"] / rows["size"])
