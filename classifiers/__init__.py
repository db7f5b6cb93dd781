"""Classifiers: lint-rule registry, reporting-quality grades, efficiency labels, alternatives."""

from __future__ import annotations

from typing import Any

REPLICATION_SECTIONS = ("reporting_levels", "efficiency_labels_paper")
"""The sections of out/replication.json that this layer computes (`replication_sections`)."""


def replication_document() -> dict[str, Any]:
    """out/replication.json as a mapping: the analysis layer's procedures
    (`analysis.replication.run_replication`) plus `replication_sections()`; `sections_pending`
    lists the sections of REPLICATION_SECTIONS that are absent (none, when both compute)."""
    from analysis.replication import run_replication

    results = run_replication()
    results.update(replication_sections())
    results["sections_pending"] = [name for name in REPLICATION_SECTIONS if name not in results]
    return results


def replication_sections() -> dict[str, Any]:
    """The classifier sections of out/replication.json, computed by the `paper2023` schemes on
    the paper's own files.

    - `reporting_levels`: level name -> count for all six levels over HFStreamlit's 1,417
      reporters (levels 1-2 need the full crawl, 5-6 are unreachable as coded, so those are 0),
      `by_auto` (the notebook's auto x level table) and `scope`.
    - `efficiency_labels_paper`: letter -> count for A-E over HFCO2's 1,419 rows."""
    import pandas as pd

    from analysis import paperdata
    from classifiers import efficiency, reporting

    streamlit = paperdata.hfstreamlit()
    grades = reporting.reporting_grades(reporting.paper_inputs(streamlit), "paper2023")
    names = grades["level_name"].value_counts()
    by_auto = pd.crosstab(streamlit["auto"].to_numpy(), grades["level_name"].to_numpy())
    labels = efficiency.efficiency_labels(efficiency.paper_inputs(paperdata.hfco2()), "paper2023")
    letters = labels["letter"].value_counts()
    return {
        "reporting_levels": {
            **{name: int(names.get(name, 0)) for name in reporting.LEVEL_NAMES.values()},
            "by_auto": {
                str(auto): {str(name): int(count) for name, count in row.items()}
                for auto, row in by_auto.iterrows()
            },
            "scope": "the 1,417 reporters of HFStreamlit; levels 1-2 need the full crawl",
        },
        "efficiency_labels_paper": {letter: int(letters.get(letter, 0)) for letter in "ABCDE"},
    }
