"""The figure the labels and the greener alternatives read: one home, so that switching to the
audited figure is one edit here."""

from __future__ import annotations

FIGURE_COLUMN = "co2_g"
"""`emissions.co2_g`, the figure as the card states it (unit-normalised, grams). The audited
figure (`co2_g_audited`) will replace it once the card reader stores one."""


def study_figure_sql(emissions: str = "e") -> str:
    """SQL for the figure of the `emissions` row aliased `emissions`."""
    return f"{emissions}.{FIGURE_COLUMN}"
