"""Tabular downloads: the same records as CSV, JSON and Parquet, byte-stable for the same input.

CSV cells that a spreadsheet would read as a formula (leading `=`, `+`, `-`, `@`, tab or CR in
a text cell) are prefixed with `'`; JSON and Parquet keep every value exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from reports.safety import stable_json

SCHEMA_VERSION = 1
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Field:
    """A column of a download: name, Arrow type and what it holds."""

    name: str
    type: str  # string | float64 | int64 | bool
    description: str


_ARROW = {"string": pa.string(), "float64": pa.float64(), "int64": pa.int64(), "bool": pa.bool_()}


def to_csv(fields: Sequence[Field], records: Sequence[Mapping[str, Any]]) -> bytes:
    """RFC 4180 CSV with a header line, `\\n` line ends, empty cells for missing values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in fields])
    for record in records:
        writer.writerow([_csv_cell(record.get(f.name)) for f in fields])
    return buffer.getvalue().encode("utf-8")


def to_json(fields: Sequence[Field], records: Sequence[Mapping[str, Any]], **meta: Any) -> bytes:
    """`{"schema_version": 1, ..meta, "fields": [...], "records": [...]}` with sorted keys."""
    document = {
        **meta,
        "schema_version": SCHEMA_VERSION,
        "fields": [{"name": f.name, "type": f.type, "description": f.description} for f in fields],
        "records": [
            {f.name: _plain(record.get(f.name), f.type) for f in fields} for record in records
        ],
    }
    return (stable_json(document, indent=1) + "\n").encode("utf-8")


def to_parquet(fields: Sequence[Field], records: Sequence[Mapping[str, Any]]) -> bytes:
    """Parquet (zstd) with an explicit schema; the field descriptions go in the metadata."""
    schema = pa.schema(
        [pa.field(f.name, _ARROW[f.type], metadata={"description": f.description}) for f in fields],
        metadata={"schema_version": str(SCHEMA_VERSION)},
    )
    columns = {f.name: [_plain(r.get(f.name), f.type) for r in records] for f in fields}
    table = pa.Table.from_pydict(columns, schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", store_schema=True)
    return sink.getvalue()


def _plain(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "float64":
        return float(value)
    if kind == "int64":
        return int(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA):
        return "'" + text
    return text
