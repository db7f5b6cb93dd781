"""Classifiers: lint-rule registry, reporting-quality grades, efficiency labels, alternatives."""

from __future__ import annotations

from typing import Any


def replication_sections() -> dict[str, Any]:
    """The classifier sections of out/replication.json, computed by the `paper2023` schemes on
    the paper's own files: `reporting_levels` (level name -> count, over HFStreamlit's 1,417
    reporters; only the levels that occur) and `efficiency_labels_paper` (letter -> count for
    A-E, over HFCO2's 1,419 rows)."""
    from analysis import paperdata
    from classifiers import efficiency, reporting

    grades = reporting.reporting_grades(
        reporting.paper_inputs(paperdata.hfstreamlit()), "paper2023"
    )
    by_level = grades.groupby("level")["level_name"].agg(["first", "size"]).sort_index()
    labels = efficiency.efficiency_labels(efficiency.paper_inputs(paperdata.hfco2()), "paper2023")
    letters = labels["letter"].value_counts()
    return {
        "reporting_levels": {str(row["first"]): int(row["size"]) for _, row in by_level.iterrows()},
        "efficiency_labels_paper": {letter: int(letters.get(letter, 0)) for letter in "ABCDE"},
    }
