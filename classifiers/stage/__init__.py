"""The grading stage: grade a crawl run into DuckDB (`hubcarbon classify`).

    classify(con, run_id=None, *, progress=False) -> ClassifySummary

Reads the crawl tables of one run (the latest by default), builds the scheme inputs in SQL,
runs both reporting schemes over every fetched card and both label schemes over the CO2
reporters, finds greener alternatives, lints every card when `classifiers.lint` is installed,
and replaces that run's rows of reporting_grades, efficiency_labels, alternatives,
lint_findings and lint_summary in one transaction (schema: classifiers.stage.schema).
"""

from __future__ import annotations

from classifiers.stage.run import ClassifySummary, classify
from classifiers.stage.schema import MIGRATIONS, NAMESPACE, TABLES, migrate

__all__ = ["MIGRATIONS", "NAMESPACE", "TABLES", "ClassifySummary", "classify", "migrate"]
