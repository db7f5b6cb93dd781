"""The Hub snapshot: one Parquet file, one row per model, read into memory once.

The embedded snapshot (`mining/snapshot/data/hub_snapshot.parquet`, built from real 2022-2023
data by `tools/build_snapshot.py`; sources and counts in the README next to it) ships with the
package. Any file with the same columns can be opened instead (`open_snapshot(path)`).

Per model: the listing fields the Hub serves, the README text where known, the cardData derived
from its front matter, and provenance saying where each field came from. `created_at` is the
real creation time; `hub_created_at` applies the Hub's rule that repositories older than
2022-03-02T23:29:04.000Z show that timestamp.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from hubcarbon.core.errors import SnapshotError

EMBEDDED_PACKAGE = "mining.snapshot.data"
EMBEDDED_NAME = "hub_snapshot.parquet"
HUB_EPOCH = "2022-03-02T23:29:04.000Z"
"""Every repository created before this moment shows it as its `createdAt` on the Hub."""

REQUIRED_COLUMNS = (
    "id",
    "author",
    "created_at",
    "last_modified",
    "downloads",
    "likes",
    "pipeline_tag",
    "library_name",
    "tags",
    "siblings",
    "sha",
    "readme",
    "card_data",
    "card_status",
    "card_origin",
    "paper_name",
    "paper_row",
    "paper_co2",
    "owner_resolution",
    "provenance",
)


@dataclass(frozen=True, slots=True)
class Sibling:
    """A file of the repository; `size` in bytes when known."""

    rfilename: str
    size: int | None


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """One model of the snapshot. `index` is its row in the file (ordered by id)."""

    index: int
    id: str
    author: str | None
    created_at: str | None
    last_modified: str | None
    downloads: int | None
    likes: int | None
    pipeline_tag: str | None
    library_name: str | None
    tags: tuple[str, ...]
    siblings: tuple[Sibling, ...]
    sha: str
    card_data_json: str | None
    card_status: str
    card_origin: str | None
    paper_name: str | None
    paper_row: int | None
    paper_co2: float | None
    owner_resolution: str | None
    provenance: Mapping[str, str]
    safetensors_json: str | None = None  # optional column `safetensors`: {parameters, total}

    @property
    def hub_created_at(self) -> str | None:
        """`createdAt` as the Hub shows it: never earlier than `HUB_EPOCH`."""
        if self.created_at is None:
            return None
        return max(self.created_at, HUB_EPOCH)

    @property
    def has_readme(self) -> bool:
        return any(s.rfilename == "README.md" for s in self.siblings)

    @property
    def safetensors(self) -> dict[str, Any] | None:
        """The Hub's `safetensors` object (parameters per dtype and total), when the snapshot
        holds it."""
        if self.safetensors_json is None:
            return None
        data = json.loads(self.safetensors_json)
        return data if isinstance(data, dict) else None

    @property
    def card_data(self) -> dict[str, Any] | None:
        """The cardData object (parsed on each call; the JSON text is what the mirror serves)."""
        if self.card_data_json is None:
            return None
        data = json.loads(self.card_data_json)
        return data if isinstance(data, dict) else None


class Snapshot:
    """All models of a snapshot file, indexed by id; README texts are read on demand."""

    def __init__(self, table: pa.Table, label: str) -> None:
        self.label = label
        missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
        if missing:
            raise SnapshotError(f"{label}: not a hubcarbon snapshot (missing {', '.join(missing)})")
        try:
            self._readmes = table.column("readme").combine_chunks()
            rows = table.drop_columns(["readme"]).to_pylist()
            provenances = _Provenances()
            self.records: tuple[ModelRecord, ...] = tuple(
                _record(i, row, provenances) for i, row in enumerate(rows)
            )
        except (pa.ArrowException, TypeError, ValueError, KeyError) as exc:
            raise SnapshotError(f"{label}: malformed snapshot ({exc})") from exc
        self._by_id = {r.id: r for r in self.records}
        if len(self._by_id) != len(self.records):
            raise SnapshotError(f"{label}: duplicate model ids")

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[ModelRecord]:
        return iter(self.records)

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._by_id

    def get(self, model_id: str) -> ModelRecord | None:
        return self._by_id.get(model_id)

    def readme(self, record: ModelRecord) -> str | None:
        """The README.md text of a model, exactly as stored (None when the model has none)."""
        value = self._readmes[record.index].as_py()
        return value if isinstance(value, str) else None

    @cached_property
    def reporters(self) -> tuple[ModelRecord, ...]:
        """The paper's CO2 reporters (rows with a paper name)."""
        return tuple(r for r in self.records if r.paper_name is not None)


class _Provenances(dict[str, Mapping[str, str]]):
    """Each distinct provenance text parsed once (a snapshot holds a few dozen, shared by
    tens of thousands of rows), as a read-only mapping the rows can share."""

    def __missing__(self, text: str) -> Mapping[str, str]:
        parsed = json.loads(text) if text else {}
        if not isinstance(parsed, dict):
            raise ValueError(f"a provenance that is not an object: {text[:80]!r}")
        self[text] = shared = MappingProxyType(parsed)
        return shared


def _record(index: int, row: dict[str, Any], provenances: _Provenances) -> ModelRecord:
    provenance = provenances[row["provenance"] or ""]
    if not isinstance(row["id"], str) or not isinstance(row["sha"], str):
        raise ValueError(f"row {index} lacks an id or a sha")
    return ModelRecord(
        index=index,
        id=row["id"],
        author=row["author"],
        created_at=row["created_at"],
        last_modified=row["last_modified"],
        downloads=row["downloads"],
        likes=row["likes"],
        pipeline_tag=row["pipeline_tag"],
        library_name=row["library_name"],
        tags=tuple(row["tags"] or ()),
        siblings=tuple(Sibling(s["rfilename"], s["size"]) for s in row["siblings"] or ()),
        sha=row["sha"],
        card_data_json=row["card_data"],
        card_status=row["card_status"],
        card_origin=row["card_origin"],
        paper_name=row["paper_name"],
        paper_row=row["paper_row"],
        paper_co2=row["paper_co2"],
        owner_resolution=row["owner_resolution"],
        provenance=provenance,
        safetensors_json=row.get("safetensors"),
    )


def embedded_snapshot_file() -> Traversable:
    """The snapshot shipped inside the package."""
    return resources.files(EMBEDDED_PACKAGE).joinpath(EMBEDDED_NAME)


def open_snapshot(path: Path | str | None = None) -> Snapshot:
    """Open a snapshot file (the embedded one when `path` is None); SnapshotError if unusable."""
    if path is None:
        source = embedded_snapshot_file()
        label = f"embedded snapshot {EMBEDDED_NAME}"
        if not source.is_file():
            raise SnapshotError(f"{label} is missing from the installation")
        with source.open("rb") as handle:
            return Snapshot(_read(handle, label), label)
    file = Path(path)
    if not file.is_file():
        raise SnapshotError(f"snapshot file not found: {file}")
    with file.open("rb") as handle:
        return Snapshot(_read(handle, str(file)), str(file))


def _read(handle: IO[bytes], label: str) -> pa.Table:
    try:
        return pq.read_table(handle)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise SnapshotError(f"{label}: not a readable Parquet snapshot ({exc})") from exc
