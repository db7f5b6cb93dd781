"""The figure the labels and the greener alternatives read: the study's figure, the same column
every statistic uses (`analysis.population.co2_figure`): `emissions.co2_g_audited` when the
crawl has it, else `co2_g` (a database from before the audit columns)."""

from __future__ import annotations

import duckdb
import numpy as np

from analysis.population import co2_figure

AUDIT_FLAGS = "flags"
"""`emissions.flags`, the card reader's and the training-run audit's flags (mining.cards)."""


def emissions_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The columns of the crawl's `emissions` table."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = 'emissions'"
    ).fetchall()
    return {name for (name,) in rows}


def study_figure_sql(columns: set[str], emissions: str = "e") -> str:
    """SQL for the study's figure of the `emissions` row aliased `emissions`."""
    return f"{emissions}.{co2_figure(columns)}"


def flags_sql(columns: set[str], emissions: str = "e") -> str:
    """SQL for the audit flags of the row (NULL, i.e. unknown, before the audit columns)."""
    return f"{emissions}.{AUDIT_FLAGS}" if AUDIT_FLAGS in columns else "NULL::VARCHAR[]"


def is_flagged(flags: object) -> bool:
    """Does a row's `flags` value (as a frame holds it) carry an audit flag? NULL (a crawl
    before the audit columns, a row the reader never audited) carries none."""
    return isinstance(flags, list | tuple | np.ndarray) and len(flags) > 0
