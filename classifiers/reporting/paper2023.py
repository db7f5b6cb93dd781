"""Reporting scheme `paper2023`: the rule of the paper's RQ1 notebook, as coded."""

from __future__ import annotations

import re

import pandas as pd

from classifiers.reporting.levels import (
    LEVEL_NAMES,
    REPORTING_SCHEMES,
    Level,
    ReportingScheme,
    has_value,
    normalise_inputs,
)

# The preprocessing's card-text regex for the hardware line of HF's card template; a match
# containing "Unknown"/"needed" is ignored. The capture keeps what follows the colon, e.g.
# "** 8 16GB V100" from "- **Hardware Type:** 8 16GB V100".
_HARDWARE_LINE = re.compile(r"Hardware Type:(.*)", re.IGNORECASE)
_IGNORED = re.compile(r"unknown|needed", re.IGNORECASE)
MAX_TEXT = 1_000_000


def hardware_from_card(text: object) -> str | None:
    """The first "Hardware Type:" line's value, unless it is a placeholder."""
    if not isinstance(text, str):
        return None
    match = _HARDWARE_LINE.search(text[:MAX_TEXT])
    if match is None or _IGNORED.search(match.group(1)):
        return None
    return match.group(1)


def paper_level(co2_present: bool, hardware_present: bool) -> Level:
    """The notebook's branches in their order; levels 5 and 6 are unreachable as coded."""
    if not co2_present and hardware_present:
        return Level.CONTEXT
    if not co2_present:
        return Level.UNKNOWN
    if not hardware_present:
        return Level.BASIC
    return Level.AWARENESS


class Paper2023Reporting(ReportingScheme):
    """paper2023: the carbon-emission reporting classification as coded in the paper's RQ1
    notebook (Castaño et al., ESEM 2023, HFReportingAnalysis.ipynb).

    - Branches in the notebook's order: no CO2 value but hardware -> Context Reporting; no CO2
      value -> Unknown Energy Efficiency; CO2 without hardware -> Basic Energy Reporting; CO2
      and hardware -> Energy Awareness.
    - "CO2 value" is any value from the metadata or a "Carbon Emitted:" line (co2_g not
      missing). "Hardware" is the metadata `hardware_used`, or else the first "Hardware Type:"
      line of the card (a match containing "unknown" or "needed" is ignored). Present means
      not missing; "Not Specified" (how HFStreamlit stores a missing value) counts as missing.
    - Energy Optimization and Certified Energy Efficiency are never assigned: in the notebook
      the Energy Awareness branch catches their models first, and its tag test can never match.
    - On the paper's 1,417 reporters (HFStreamlit): Basic Energy Reporting 1,338, Energy
      Awareness 79. Levels 1 and 2 need the full crawl of non-reporting models.
    """

    id = "paper2023"

    def grade(self, inputs: pd.DataFrame) -> pd.DataFrame:
        frame = normalise_inputs(inputs)
        levels: list[Level] = []
        for co2, hardware, text in zip(
            frame["co2_g"], frame["hardware"], frame["card_text"], strict=True
        ):
            hardware_present = has_value(hardware) or hardware_from_card(text) is not None
            levels.append(paper_level(not pd.isna(co2), hardware_present))
        return pd.DataFrame(
            {
                "model_id": frame["model_id"].astype(str).to_numpy(),
                "scheme": self.id,
                "level": [int(level) for level in levels],
                "level_name": [LEVEL_NAMES[level] for level in levels],
                "evidence": pd.Series([[] for _ in levels], dtype=object),
                "measured": False,
            }
        )


PAPER2023 = REPORTING_SCHEMES.register(Paper2023Reporting())


def paper_inputs(hfstreamlit: pd.DataFrame) -> pd.DataFrame:
    """Reporting inputs from the paper's HFStreamlit frame: its columns renamed."""
    return pd.DataFrame(
        {
            "model_id": hfstreamlit["modelId"],
            "co2_g": hfstreamlit["co2_eq_emissions"],
            "hardware": hfstreamlit["hardware_used"],
            "location": hfstreamlit["geographical_location"],
            "training_type": hfstreamlit["training_type"],
            "hours": hfstreamlit["hours_used"],
            "source": hfstreamlit["source"],
            "card_text": hfstreamlit["modelcard_text"],
        }
    )
