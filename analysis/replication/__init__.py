"""Exact replication of Castaño et al. (ESEM 2023) from the paper's own data files.

Every statistic is a registered `Procedure` (`PROCEDURES`, ids `paper.*`) whose docstring is its
method text. `run_replication()` runs them all, adds the Holm-adjusted p-values to the 14 family
members and returns the analysis part of `out/replication.json`; the classifier sections
(`reporting_levels`, `efficiency_labels_paper`) are merged in by the CLI.
"""

from __future__ import annotations

from typing import Any

from analysis.jsonio import dumps, jsonable
from analysis.replication import ols, rq1, rq2, side
from analysis.replication.holm import HOLM_FAMILY, holm_adjust
from analysis.replication.procedure import PROCEDURES, Frames, Procedure
from analysis.replication.published import (
    INDEPENDENT,
    PUBLISHED,
    WITHHELD,
    Check,
    ComparisonRow,
    comparison,
    mismatches,
)
from analysis.replication.quirks import QUIRKS, Quirk

__all__ = [
    "HOLM_FAMILY",
    "INDEPENDENT",
    "PROCEDURES",
    "PUBLISHED",
    "QUIRKS",
    "WITHHELD",
    "Check",
    "ComparisonRow",
    "Frames",
    "Procedure",
    "Quirk",
    "comparison",
    "dumps",
    "jsonable",
    "mismatches",
    "run_replication",
]

_MODULES = (rq1, rq2, side, ols)  # importing them registers their procedures
HOLM_UNIT = "paper.holm_family"


def run_replication(frames: Frames | None = None) -> dict[str, Any]:
    """Run every procedure on `frames` (default: the shipped files) and return the sections,
    Holm values included, plus `holm_family`, `quirks_reproduced` and `procedures`."""
    frames = frames if frames is not None else Frames.load()
    results: dict[str, Any] = {
        unit.key: unit(frames) for unit in PROCEDURES if unit.id != HOLM_UNIT
    }
    members = holm_adjust(results)
    for member in members:
        results[member["key"]]["p_holm"] = member["p_holm"]
    results["holm_family"] = {"method": "holm", "size": len(members), "members": members}
    results["hfco2_source_autotrain"] = {
        "count": int((frames.co2["source"] == "AutoTrain").sum()),
        "note": "HFCO2's buggy `source` column; the true AutoTrain count is autotrain_share",
    }
    results["quirks_reproduced"] = [quirk.as_dict() for quirk in QUIRKS]
    results["procedures"] = {unit.key: unit.id for unit in PROCEDURES}
    return results
