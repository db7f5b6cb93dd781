"""Build the datasets part of the snapshot (`mining/snapshot/data/hub_datasets.parquet`).

Usage (from the repository root):

    .venv/bin/python tools/build_datasets_snapshot.py [--shared ../shared/data]

Every size comes from a real source row; none is estimated or split:

- `analysis/paperdata/HFStreamlit.csv` (the paper's crawl before curation): `datasets_size` is
  the sum of `dataset_info.dataset_size` over the datasets the card names. A row naming exactly
  one dataset gives that dataset's size (`kind = dataset`, provenance `paper`; rows naming the
  same dataset must agree). A row naming several keeps the sum on its model (`kind = model`,
  provenance `paper`), resolved to its model id through the snapshot's `paper_row`.
- `analysis/paperdata/HFClean.csv` (48 models curated by hand from papers and cards): the
  training-data size of a model (`kind = model`, provenance `paper_curated`), matched to the
  snapshot's reporters by the paper's bare name. A name with several curated rows that
  disagree is left out (which row belongs to which same-name model is not known). The same
  dataset is curated to different sizes for different models (subsets), so these values are
  never taken as a dataset's size.
- `analysis/paperdata/HFCO2.csv`: checked, not read for values: every `datasets_size` it holds
  must be one of the two above (HFCO2 is HFStreamlit with HFClean's values written over it).
- `gaissalabel_sync_2024/hf_sincro.csv` under `--shared` (the same pipeline on 2024-2025
  models): single-dataset sizes of datasets the paper does not size (provenance `gaissalabel`);
  a value that is not a whole number of bytes is left out.

The output is deterministic: rows sorted by kind and id, fixed Parquet settings, no timestamps.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import math
import sys
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from huggingface_hub.errors import HFValidationError
from huggingface_hub.utils import validate_repo_id

from mining.snapshot.datasets import EMBEDDED_DATASETS_NAME, SCHEMA
from mining.snapshot.reader import Snapshot, open_snapshot

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAPER = REPO_ROOT / "analysis" / "paperdata"
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "mining" / "snapshot" / "data"
SINCRO = Path("gaissalabel_sync_2024") / "hf_sincro.csv"
PAPER_ROW = "Unnamed: 0"  # the paper's row index column (HFStreamlit: the HFTotalProcessed row)
DATA_ROW = "data row"  # 0-based position after the header, for a file without an index column


@dataclass(frozen=True)
class Row:
    """One output row (the columns of `mining.snapshot.datasets.SCHEMA`)."""

    kind: str
    id: str
    size_bytes: int
    provenance: str
    source_file: str
    source_key: str
    source_rows: tuple[int, ...]
    datasets: tuple[str, ...] = ()
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "size_bytes": self.size_bytes,
            "provenance": self.provenance,
            "source_file": self.source_file,
            "source_key": self.source_key,
            "source_rows": list(self.source_rows),
            "datasets": list(self.datasets),
            "note": self.note,
        }


@dataclass
class Summary:
    rows: list[Row]
    left_out: list[str]  # what was not used, and why

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counts[f"{row.kind} {row.provenance}"] += 1
        return dict(sorted(counts.items()))


def named_datasets(value: Any) -> tuple[str, ...]:
    """The dataset ids of a paper cell (a Python-literal list, possibly nested), empty ones
    dropped."""
    if not isinstance(value, str) or not value.strip():
        return ()
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return ()
    return tuple(dict.fromkeys(d.strip() for d in _flatten(parsed) if d.strip()))


def _flatten(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _flatten(item)


def whole_bytes(value: Any) -> int | None:
    """A positive whole number of bytes, or None (NaN, zero, fractional, not a number)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or number <= 0 or not number.is_integer():
        return None
    return int(number)


def _valid_id(dataset_id: str) -> bool:
    try:
        validate_repo_id(dataset_id)
    except HFValidationError:
        return False
    return True


def crawled(streamlit: pd.DataFrame, snapshot: Snapshot, left_out: list[str]) -> list[Row]:
    """Rows from the paper's crawl (HFStreamlit): single datasets, and multi-dataset sums."""
    by_paper_row = {r.paper_row: r.id for r in snapshot.reporters if r.paper_row is not None}
    single: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows: list[Row] = []
    for record in streamlit.itertuples(index=False):
        size = whole_bytes(record.datasets_size)
        if size is None:
            continue
        paper_row = int(record.row)
        names = named_datasets(record.datasets)
        if len(names) == 1 and _valid_id(names[0]):
            single[names[0]][size].append(paper_row)
            continue
        model_id = by_paper_row.get(paper_row)
        if model_id is None:
            left_out.append(f"HFStreamlit.csv row {paper_row}: no snapshot reporter")
            continue
        rows.append(
            Row(
                "model",
                model_id,
                size,
                "paper",
                "HFStreamlit.csv",
                PAPER_ROW,
                (paper_row,),
                names,
                note="sum of dataset_info.dataset_size over the datasets named (a dataset "
                "that failed counted 0)",
            )
        )
    for dataset_id, by_size in single.items():
        if len(by_size) > 1:
            left_out.append(f"dataset {dataset_id}: the paper's rows disagree ({sorted(by_size)})")
            continue
        ((size, paper_rows),) = by_size.items()
        rows.append(
            Row(
                "dataset",
                dataset_id,
                size,
                "paper",
                "HFStreamlit.csv",
                PAPER_ROW,
                tuple(sorted(paper_rows)),
            )
        )
    return rows


def curated(clean: pd.DataFrame, snapshot: Snapshot, left_out: list[str]) -> list[Row]:
    """Rows from the hand curation (HFClean), per reporter of the same bare name."""
    by_name: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    named: dict[str, tuple[str, ...]] = {}
    for record in clean.itertuples(index=False):
        size = whole_bytes(record.datasets_size)
        if size is None:
            continue
        by_name[str(record.modelId)][size].append(int(record.row))
        named[str(record.modelId)] = named_datasets(record.datasets)
    reporters: dict[str, list[str]] = defaultdict(list)
    for reporter in snapshot.reporters:
        if reporter.paper_name is not None:
            reporters[reporter.paper_name].append(reporter.id)
    rows: list[Row] = []
    for name, by_size in sorted(by_name.items()):
        if len(by_size) > 1:
            left_out.append(f"HFClean.csv {name}: curated rows disagree ({sorted(by_size)})")
            continue
        ((size, clean_rows),) = by_size.items()
        ids = sorted(reporters.get(name, []))
        if not ids:
            left_out.append(f"HFClean.csv {name}: no snapshot reporter of this name")
        for model_id in ids:
            rows.append(
                Row(
                    "model",
                    model_id,
                    size,
                    "paper_curated",
                    "HFClean.csv",
                    PAPER_ROW,
                    tuple(clean_rows),
                    named[name],
                    note="training-data size curated by hand",
                )
            )
    return rows


def sincro(table: pd.DataFrame, known: set[str], left_out: list[str]) -> list[Row]:
    """Single-dataset sizes of the GAISSA Label sync (2024-2025) for datasets not sized yet."""
    found: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for position, record in enumerate(table.itertuples(index=False)):
        names = named_datasets(record.datasets)
        if len(names) != 1 or names[0] in known or not _valid_id(names[0]):
            continue
        size = whole_bytes(record.datasets_size)
        if size is None:
            if not pd.isna(record.datasets_size):
                reason = f"{record.datasets_size} is not a whole number of bytes"
                left_out.append(f"hf_sincro.csv row {position}: {reason}")
            continue
        found[names[0]][size].append(position)
    rows = []
    for dataset_id, by_size in found.items():
        if len(by_size) > 1:
            left_out.append(f"hf_sincro.csv {dataset_id}: rows disagree ({sorted(by_size)})")
            continue
        ((size, positions),) = by_size.items()
        rows.append(
            Row(
                "dataset",
                dataset_id,
                size,
                "gaissalabel",
                "hf_sincro.csv",
                DATA_ROW,
                tuple(positions),
            )
        )
    return rows


def check_against_hfco2(co2: pd.DataFrame, streamlit: pd.DataFrame, clean: pd.DataFrame) -> None:
    """Every HFCO2 `datasets_size` must be a crawled (HFStreamlit) or a curated (HFClean) value:
    HFCO2 is the one with the other written over it."""
    known = {whole_bytes(v) for v in streamlit["datasets_size"]}
    known |= {whole_bytes(v) for v in clean["datasets_size"]}
    for position, value in enumerate(co2["datasets_size"]):
        size = whole_bytes(value)
        if size is not None and size not in known:
            raise ValueError(f"HFCO2.csv row {position}: {size} is neither crawled nor curated")


def build_rows(paper: Path, shared: Path, snapshot: Snapshot) -> Summary:
    streamlit = pd.read_csv(
        paper / "HFStreamlit.csv", usecols=["Unnamed: 0", "datasets", "datasets_size"]
    ).rename(columns={"Unnamed: 0": "row"})
    clean = pd.read_csv(paper / "HFClean.csv", usecols=[0, 1, 2, 4])
    clean.columns = ["row", "modelId", "datasets", "datasets_size"]
    co2 = pd.read_csv(paper / "HFCO2.csv", usecols=["datasets_size"])
    left_out: list[str] = []
    check_against_hfco2(co2, streamlit, clean)
    rows = crawled(streamlit, snapshot, left_out) + curated(clean, snapshot, left_out)
    known = {row.id for row in rows if row.kind == "dataset"}
    sync = pd.read_csv(shared / SINCRO, usecols=["datasets", "datasets_size"])
    rows += sincro(sync, known, left_out)
    rows.sort(key=lambda row: (row.kind, row.id))
    return Summary(rows, left_out)


def write(rows: list[Row], path: Path) -> str:
    """Write the rows deterministically (atomically); returns the sha256 of the file."""
    table = pa.Table.from_pylist([row.as_dict() for row in rows], schema=SCHEMA)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(
        table,
        partial,
        compression="zstd",
        compression_level=19,
        write_statistics=False,
        store_schema=False,
    )
    partial.replace(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(paper: Path, shared: Path, out: Path, snapshot: Snapshot | None = None) -> dict[str, Any]:
    summary = build_rows(paper, shared, snapshot or open_snapshot())
    target = out / EMBEDDED_DATASETS_NAME
    digest = write(summary.rows, target)
    return {
        **summary.counts(),
        "left out": len(summary.left_out),
        "bytes": target.stat().st_size,
        "sha256": digest,
        "left_out": summary.left_out,
    }


def _lines(summary: Mapping[str, Any]) -> Iterator[str]:
    for key, value in summary.items():
        if key == "left_out":
            yield from (f"  left out: {reason}" for reason in value)
        else:
            yield f"{key}: {value}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--paper", type=Path, default=DEFAULT_PAPER, help="the paper's CSVs")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    print("\n".join(_lines(build(args.paper, args.shared, args.out))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
