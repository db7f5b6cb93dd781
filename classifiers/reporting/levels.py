"""The six reporting-quality levels, the scheme interface and its registry, and field presence."""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from enum import IntEnum

import pandas as pd

from hubcarbon.core.registry import Registry


class Level(IntEnum):
    """The paper's six levels of carbon-emission reporting, from worst (1) to best (6)."""

    UNKNOWN = 1
    CONTEXT = 2
    BASIC = 3
    AWARENESS = 4
    OPTIMIZATION = 5
    CERTIFIED = 6

    @property
    def title(self) -> str:
        return LEVEL_NAMES[self]


LEVEL_NAMES: dict[Level, str] = {
    Level.UNKNOWN: "Unknown Energy Efficiency",
    Level.CONTEXT: "Context Reporting",
    Level.BASIC: "Basic Energy Reporting",
    Level.AWARENESS: "Energy Awareness",
    Level.OPTIMIZATION: "Energy Optimization",
    Level.CERTIFIED: "Certified Energy Efficiency",
}

# The per-model input frame. Only model_id is required; absent columns count as missing.
INPUT_COLUMNS: tuple[str, ...] = (
    "model_id",
    "co2_g",  # a CO2 value from metadata or card prose (NaN: none)
    "hardware",
    "location",
    "training_type",
    "hours",
    "source",
    "tags",  # list of tags
    "card_text",  # the card body (untrusted)
    "card_text_line",  # the line of the card where card_text starts (evidence lines)
    "lint_codes",  # iterable of lint finding codes for the card, e.g. {"HC103"}
)


class ReportingScheme(ABC):
    """A reporting-quality scheme: a stable id, its method text (the class docstring) and a
    function from per-model inputs to one graded row per model."""

    id: str

    @abstractmethod
    def grade(self, inputs: pd.DataFrame) -> pd.DataFrame:
        """Grade every row of `inputs` (see INPUT_COLUMNS); one output row per input row."""


REPORTING_SCHEMES: Registry[ReportingScheme] = Registry(
    "reporting scheme", lambda scheme: scheme.id
)


def normalise_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every input column present (None where absent), index 0..n-1."""
    if "model_id" not in frame.columns:
        raise KeyError("reporting inputs lack column model_id")
    out = frame.reset_index(drop=True).copy()
    for column in INPUT_COLUMNS:
        if column not in out.columns:
            out[column] = None
    out["co2_g"] = pd.to_numeric(out["co2_g"], errors="coerce")
    return out


def has_value(value: object) -> bool:
    """Not None/NaN: how the paper's code tests presence (after "Not Specified" -> missing)."""
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and value.strip() == "Not Specified")


_PLACEHOLDER = re.compile(
    r"^(?:|-+|\?+|n/?a|none|null|nan|unknown|not specified|unspecified|tbd|todo|"
    r"more information needed|needs more information|needed)$"
)


def is_given(value: object) -> bool:
    """Present and meaningful: not missing, not a template placeholder such as "[More Information
    Needed]", "Unknown", "Not Specified", "N/A" or an empty string."""
    if not has_value(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return True
    text = re.sub(r"[\s*_`\[\]().:]+", " ", str(value)).strip().lower()
    return not _PLACEHOLDER.match(text) and "information needed" not in text
