"""The datasets part of the snapshot: real sizes of Hub datasets and of models' training data.

One Parquet file next to the model snapshot (`mining/snapshot/data/hub_datasets.parquet`, built
by `tools/build_datasets_snapshot.py`; sources and counts in the README next to it). Each row
states one size in bytes, where it comes from, and the source rows it was read from:

- `kind = "dataset"`: the size of one Hub dataset (`dataset_info.dataset_size` as a crawl read
  it from the dataset's card). The mirror serves these under `/api/datasets/{id}`.
- `kind = "model"`: the size of a model's training data, known only as a whole (a sum over
  several datasets, or a value curated by hand); never split into per-dataset values. The
  mirror serves it on the model (`hubcarbon:datasetsSize`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from hubcarbon.core.errors import SnapshotError

EMBEDDED_PACKAGE = "mining.snapshot.data"
EMBEDDED_DATASETS_NAME = "hub_datasets.parquet"

SCHEMA = pa.schema(
    [
        ("kind", pa.string()),  # dataset | model
        ("id", pa.string()),  # the dataset id, or the model id
        ("size_bytes", pa.int64()),
        ("provenance", pa.string()),  # paper | paper_curated | gaissalabel
        ("source_file", pa.string()),
        ("source_key", pa.string()),  # the column of source_file naming its rows
        ("source_rows", pa.list_(pa.int64())),  # the rows the size was read from (source_key)
        ("datasets", pa.list_(pa.string())),  # model rows: the datasets the source row names
        ("note", pa.string()),
    ]
)

Kind = Literal["dataset", "model"]


@dataclass(frozen=True, slots=True)
class StatedSize:
    """One size of the datasets part (see the module docstring)."""

    kind: Kind
    id: str
    size_bytes: int
    provenance: str
    source_file: str
    source_key: str
    source_rows: tuple[int, ...]
    datasets: tuple[str, ...]
    note: str | None

    @property
    def source(self) -> str:
        """Where the size was read, e.g. `HFStreamlit.csv, Unnamed: 0 = 32, 59067`."""
        rows = ", ".join(str(row) for row in self.source_rows)
        return f"{self.source_file}, {self.source_key} = {rows}"

    @property
    def sha(self) -> str:
        """A deterministic 40-hex stand-in for a commit id (not a real git commit)."""
        key = f"{self.kind}\0{self.id}\0{self.size_bytes}\0{self.provenance}\0{self.source}"
        return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()


class DatasetPart:
    """The sizes of a datasets file, by dataset id and by model id."""

    def __init__(self, table: pa.Table, label: str) -> None:
        self.label = label
        missing = [name for name in SCHEMA.names if name not in table.column_names]
        if missing:
            raise SnapshotError(f"{label}: not a datasets part (missing {', '.join(missing)})")
        try:
            sizes = [_stated(row) for row in table.select(SCHEMA.names).to_pylist()]
        except (TypeError, ValueError, KeyError) as exc:
            raise SnapshotError(f"{label}: malformed datasets part ({exc})") from exc
        self.datasets = tuple(sorted((s for s in sizes if s.kind == "dataset"), key=_by_id))
        self.models = tuple(sorted((s for s in sizes if s.kind == "model"), key=_by_id))
        self._datasets = {s.id: s for s in self.datasets}
        self._models = {s.id: s for s in self.models}
        if len(self._datasets) != len(self.datasets) or len(self._models) != len(self.models):
            raise SnapshotError(f"{label}: duplicate ids")

    def dataset(self, dataset_id: str) -> StatedSize | None:
        return self._datasets.get(dataset_id)

    def model(self, model_id: str) -> StatedSize | None:
        return self._models.get(model_id)


def _by_id(size: StatedSize) -> str:
    return size.id


def _stated(row: dict[str, Any]) -> StatedSize:
    if row["kind"] not in ("dataset", "model") or not isinstance(row["id"], str):
        raise ValueError(f"bad row {row['id']!r} of kind {row['kind']!r}")
    size = row["size_bytes"]
    if not isinstance(size, int) or size <= 0:
        raise ValueError(f"{row['id']}: size_bytes must be a positive integer")
    return StatedSize(
        kind=row["kind"],
        id=row["id"],
        size_bytes=size,
        provenance=str(row["provenance"]),
        source_file=str(row["source_file"]),
        source_key=str(row["source_key"]),
        source_rows=tuple(row["source_rows"] or ()),
        datasets=tuple(row["datasets"] or ()),
        note=row["note"],
    )


def embedded_datasets_file() -> Traversable:
    """The datasets part shipped inside the package."""
    return resources.files(EMBEDDED_PACKAGE).joinpath(EMBEDDED_DATASETS_NAME)


def open_datasets(path: Path | str | None = None) -> DatasetPart:
    """Open a datasets part (the embedded one when `path` is None); SnapshotError if unusable."""
    if path is None:
        source = embedded_datasets_file()
        label = f"embedded datasets part {EMBEDDED_DATASETS_NAME}"
        if not source.is_file():
            raise SnapshotError(f"{label} is missing from the installation")
        with source.open("rb") as handle:
            return DatasetPart(_read(handle, label), label)
    file = Path(path)
    if not file.is_file():
        raise SnapshotError(f"datasets file not found: {file}")
    with file.open("rb") as handle:
        return DatasetPart(_read(handle, str(file)), str(file))


def empty_datasets() -> DatasetPart:
    """A datasets part without any size (a mirror that serves no datasets)."""
    return DatasetPart(SCHEMA.empty_table(), "no datasets")


def _read(handle: IO[bytes], label: str) -> pa.Table:
    try:
        return pq.read_table(handle)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise SnapshotError(f"{label}: not a readable Parquet file ({exc})") from exc
