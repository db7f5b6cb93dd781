"""The crawl-time audit: stages that run after the card stages of a crawl and read the cards
together, across models (which rows report the same training run). Each stage is a registered
unit (`AUDIT_STAGES`) and idempotent: running it again recomputes the same columns.
"""

from mining.audit.runs import CopyReason, Reporter, TrainingRun, training_runs
from mining.audit.stage import AUDIT_STAGES, AuditStage, audit_stage, run_audit

__all__ = [
    "AUDIT_STAGES",
    "AuditStage",
    "CopyReason",
    "Reporter",
    "TrainingRun",
    "audit_stage",
    "run_audit",
    "training_runs",
]
