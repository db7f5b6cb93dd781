"""Constants the paper's notebooks share, kept in one place."""

from __future__ import annotations

import numpy as np
import pandas as pd

LOG_CONSTANT = 1e-6
"""Added before every logarithm (`np.log(x + 1e-6)`), so a CO2 of 0 becomes log(1e-6)."""

MEDIAN_CO2_FIRST_MONTH = "2021-11"
"""The monthly median-CO2 series starts here; its last (partial) month, 2023-04, is dropped."""

DOMAIN_NLP = "NLP"
DOMAIN_CV = "Computer Vision"
DOMAINS = ("NLP", "Computer Vision", "Multimodal", "Audio", "Not Specified")
"""The values of the stored `domain` column (missing domain is stored as "Not Specified")."""

METRICS = ("accuracy", "f1", "rouge1", "rougeL")
"""The four performance metrics of the Spearman tests, in the paper's order."""


def paper_log(values: pd.Series) -> pd.Series:
    """Natural log of `values + 1e-6`, as every RQ2 notebook cell computes it."""
    return pd.Series(np.log(values.astype(float) + LOG_CONSTANT), index=values.index)
