"""The Domain column: the analysis layer's rule (`analysis.population.model_domains`, the
tag-to-domain map of the paper's vocabulary with its fixed tie-break order), applied to the
run the site shows. Reports only read the result."""

from __future__ import annotations

import duckdb

from analysis.population import model_domains
from reports.inputs import Missing


def domain_mapping(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, str | None] | Missing:
    """model id -> domain (None: no domain) for every model of the run, or a Missing."""
    try:
        frame = model_domains(con.cursor(), run_id)
    except duckdb.Error as exc:
        return Missing(
            "Domain column", None, f"the domain mapping failed: {exc.__class__.__name__}"
        )
    return {
        str(model_id): domain if isinstance(domain, str) else None
        for model_id, domain in zip(frame["model_id"], frame["domain"], strict=True)
    }
