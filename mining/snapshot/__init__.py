"""The Hub snapshot: the shipped data (mining/snapshot/data, with its provenance README) and its
reader (mining.snapshot.reader)."""

from mining.snapshot.reader import (
    EMBEDDED_NAME,
    HUB_EPOCH,
    ModelRecord,
    Sibling,
    Snapshot,
    embedded_snapshot_file,
    open_snapshot,
)

__all__ = [
    "EMBEDDED_NAME",
    "HUB_EPOCH",
    "ModelRecord",
    "Sibling",
    "Snapshot",
    "embedded_snapshot_file",
    "open_snapshot",
]
