"""The audit stages and the one call the crawler makes at the end of a crawl (`run_audit`)."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from hubcarbon.core.registry import Registry

Apply = Callable[[duckdb.DuckDBPyConnection, int], str]


class AuditStage:
    """One audit step over a crawl run: it rewrites the columns it owns for every row of the run
    (so running it again gives the same result) and returns a one-line summary."""

    def __init__(self, unit_id: str, apply: Apply) -> None:
        if not apply.__doc__:
            raise ValueError(f"audit stage {unit_id!r} has no docstring")
        self.id = unit_id
        self.apply = apply
        self.__doc__ = apply.__doc__

    def __call__(self, con: duckdb.DuckDBPyConnection, run_id: int) -> str:
        return self.apply(con, run_id)

    def __repr__(self) -> str:
        return f"AuditStage({self.id!r})"


AUDIT_STAGES: Registry[AuditStage] = Registry("audit stage", lambda stage: stage.id)


def audit_stage(unit_id: str) -> Callable[[Apply], AuditStage]:
    """Register the decorated function as the audit stage `unit_id`."""

    def register(apply: Apply) -> AuditStage:
        return AUDIT_STAGES.register(AuditStage(unit_id, apply))

    return register


def run_audit(con: duckdb.DuckDBPyConnection, run_id: int) -> list[str]:
    """Run every registered audit stage over `run_id`, in registration order; their summaries."""
    return [stage(con, run_id) for stage in AUDIT_STAGES]
