"""Reporting scheme `hubcarbon-v1`: the six levels defined so that every level is reachable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from classifiers.reporting.evidence import as_list, measured_by_tool, optimisation_evidence
from classifiers.reporting.levels import (
    LEVEL_NAMES,
    REPORTING_SCHEMES,
    Level,
    ReportingScheme,
    is_given,
    normalise_inputs,
)

CONTEXT_FIELDS = ("hardware", "location", "training_type", "hours", "source")
# The five fields of HF's co2_eq_emissions specification, as input columns.
SPEC_FIELDS = {
    "emissions": "co2_g",
    "source": "source",
    "training_type": "training_type",
    "geographical_location": "location",
    "hardware_used": "hardware",
}
BLOCKING_FINDINGS = frozenset({"HC103", "HC108"})


class HubcarbonV1Reporting(ReportingScheme):
    """hubcarbon-v1: the paper's six reporting levels, each defined by explicit field presence
    so that all six are reachable (the default scheme).

    A field is present when it is given and is not a template placeholder ("Not Specified",
    "[More Information Needed]", "Unknown", "N/A", empty). The first matching level from the
    top wins:

    6. Certified Energy Efficiency: level 5, plus a measurement by a tracking tool (the source
       names CodeCarbon, carbontracker, experiment-impact-tracker, eco2AI, Zeus or pyJoules;
       calculators such as ML CO2 Impact are estimates and do not count), all five fields of
       the co2_eq_emissions spec present (emissions, source, training_type,
       geographical_location, hardware_used), and no HC103 or HC108 lint finding.
    5. Energy Optimization: level 4, plus evidence of efficiency work in the tags or the card
       text: distillation (any distil* word, including a distilled base model), pruning,
       quantization (quantiz/quantis*, int4/int8, 4/8-bit), sparsity, LoRA/QLoRA, or
       "optimized". In the text a term counts only where it says the work was done: never
       negated ("Not optimized for FID scores": not/no/never/without/non-/...n't among the
       three words before it), never inside a file name, path or URL
       (`v1-5-pruned-emaonly.ckpt`). A bare library name (bitsandbytes, GPTQ, AWQ, GGUF, PEFT)
       is weak evidence: it counts as a tag of the model, and in the text only in a sentence
       that also names the work. The evidence is stored (`evidence`): the term, where it was
       found, the match and, from the text, the sentence that earned it with its line.
    4. Energy Awareness: a CO2 value and hardware.
    3. Basic Energy Reporting: a CO2 value (from the metadata or the card prose) and no hardware.
    2. Context Reporting: no CO2 value, but at least one of hardware, location, training type,
       compute hours or source.
    1. Unknown Energy Efficiency: no CO2 value and no context field.
    """

    id = "hubcarbon-v1"

    def grade(self, inputs: pd.DataFrame) -> pd.DataFrame:
        frame = normalise_inputs(inputs)
        levels: list[Level] = []
        evidence: list[list[dict[str, str | int]]] = []
        measured: list[bool] = []
        for row in frame.to_dict("records"):
            found = optimisation_evidence(row["tags"], row["card_text"], _line(row))
            is_measured = measured_by_tool(row["source"])
            levels.append(self._level(row, found, is_measured))
            evidence.append(found)
            measured.append(is_measured)
        return pd.DataFrame(
            {
                "model_id": frame["model_id"].astype(str).to_numpy(),
                "scheme": self.id,
                "level": [int(level) for level in levels],
                "level_name": [LEVEL_NAMES[level] for level in levels],
                "evidence": pd.Series(evidence, dtype=object),
                "measured": measured,
            }
        )

    @staticmethod
    def _level(
        row: Mapping[Any, Any], evidence: list[dict[str, str | int]], measured: bool
    ) -> Level:
        if not is_given(row["co2_g"]):
            if any(is_given(row[field]) for field in CONTEXT_FIELDS):
                return Level.CONTEXT
            return Level.UNKNOWN
        if not is_given(row["hardware"]):
            return Level.BASIC
        if not evidence:
            return Level.AWARENESS
        codes = {str(code).strip().upper() for code in as_list(row["lint_codes"])}
        all_fields = all(is_given(row[column]) for column in SPEC_FIELDS.values())
        if measured and all_fields and not codes & BLOCKING_FINDINGS:
            return Level.CERTIFIED
        return Level.OPTIMIZATION


def _line(row: Mapping[Any, Any]) -> int:
    """The card line where `card_text` starts (1 when the inputs do not say)."""
    line = row.get("card_text_line")
    return int(line) if isinstance(line, int | float) and is_given(line) else 1


HUBCARBON_V1 = REPORTING_SCHEMES.register(HubcarbonV1Reporting())
