"""Reporting-quality levels: the registry of reporting schemes and the entry point.

    reporting_grades(inputs, scheme="hubcarbon-v1") -> DataFrame

`inputs` has one row per model (columns in levels.INPUT_COLUMNS; only model_id is required).
The result has one row per input row: model_id, scheme, level (1-6), level_name, evidence (a
list of {"term", "where", "match"}, plus "sentence" and "line" from the text, for level 5) and
measured (a tracking tool is the source).
"""

from __future__ import annotations

import pandas as pd

from classifiers.reporting.levels import (
    INPUT_COLUMNS,
    LEVEL_NAMES,
    REPORTING_SCHEMES,
    Level,
    ReportingScheme,
)
from classifiers.reporting.paper2023 import PAPER2023, paper_inputs
from classifiers.reporting.v1 import HUBCARBON_V1

DEFAULT_SCHEME = "hubcarbon-v1"


def reporting_grades(inputs: pd.DataFrame, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Grade every model in `inputs` with the named scheme (see REPORTING_SCHEMES.ids())."""
    return REPORTING_SCHEMES[scheme].grade(inputs)


__all__ = [
    "DEFAULT_SCHEME",
    "HUBCARBON_V1",
    "INPUT_COLUMNS",
    "LEVEL_NAMES",
    "PAPER2023",
    "REPORTING_SCHEMES",
    "Level",
    "ReportingScheme",
    "paper_inputs",
    "reporting_grades",
]
