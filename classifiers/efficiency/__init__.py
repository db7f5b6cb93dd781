"""Carbon-efficiency labels A-E: the registry of label schemes and the entry point.

    efficiency_labels(inputs, scheme="hubcarbon-v1") -> DataFrame

`inputs` has one row per model (columns in core.INPUT_COLUMNS; model_id and co2_g required).
The result has one row per input row: model_id, scheme, letter, rating (0-4), compound (the
weighted mean before rounding), <metric>_index and <metric>_rating for each of the five metrics,
weights (the renormalised weights actually used), autotrain, inherited_from and status.
"""

from __future__ import annotations

import pandas as pd

from classifiers.efficiency.core import INPUT_COLUMNS, LETTERS, METRIC_NAMES
from classifiers.efficiency.paper2023 import PAPER2023, paper_inputs
from classifiers.efficiency.scheme import LABEL_SCHEMES, LabelScheme
from classifiers.efficiency.v1 import HUBCARBON_V1

DEFAULT_SCHEME = "hubcarbon-v1"


def efficiency_labels(inputs: pd.DataFrame, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Label every model in `inputs` with the named scheme (see LABEL_SCHEMES.ids())."""
    return LABEL_SCHEMES[scheme].label(inputs)


__all__ = [
    "DEFAULT_SCHEME",
    "HUBCARBON_V1",
    "INPUT_COLUMNS",
    "LABEL_SCHEMES",
    "LETTERS",
    "METRIC_NAMES",
    "PAPER2023",
    "LabelScheme",
    "efficiency_labels",
    "paper_inputs",
]
