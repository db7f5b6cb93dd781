"""tools/build_datasets_snapshot.py: deterministic, the committed file, every size traced back to
its source row (the paper's CSVs in analysis/paperdata and a real GAISSA Label extract)."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from support import FIXTURES, REPO_ROOT, embedded_snapshot

from mining.snapshot.datasets import StatedSize, embedded_datasets_file, open_datasets

PAPER = REPO_ROOT / "analysis" / "paperdata"


def _load_builder() -> ModuleType:
    path = REPO_ROOT / "tools" / "build_datasets_snapshot.py"
    spec = importlib.util.spec_from_file_location("build_datasets_snapshot", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_datasets_snapshot"] = module
    spec.loader.exec_module(module)
    return module


builder = _load_builder()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    snapshot = embedded_snapshot()
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    for out in (first, second):
        builder.build(PAPER, FIXTURES, out, snapshot)
    return first / "hub_datasets.parquet", second / "hub_datasets.parquet"


@pytest.mark.slow
def test_the_build_is_deterministic_and_is_the_committed_file(built: tuple[Path, Path]) -> None:
    first, second = built
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == embedded_datasets_file().read_bytes()


# The tests below read the committed file, which the test above proves is what the build gives.


@functools.cache
def _sizes_by_row(source_file: str) -> dict[int, float]:
    """`datasets_size` of a source file by its row key (the paper's `Unnamed: 0`, else the
    0-based data row)."""
    if source_file == "HFStreamlit.csv":
        table = pd.read_csv(PAPER / source_file, usecols=["Unnamed: 0", "datasets_size"])
        return dict(zip(table["Unnamed: 0"], table["datasets_size"], strict=True))
    if source_file == "HFClean.csv":
        table = pd.read_csv(PAPER / source_file, usecols=[0, 4])
        return dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))
    table = pd.read_csv(FIXTURES / "gaissalabel_sync_2024" / source_file)
    return dict(enumerate(table["datasets_size"]))


def _source_value(size: StatedSize, row: int) -> float:
    return _sizes_by_row(size.source_file)[row]


def test_every_size_traces_to_its_source_rows() -> None:
    part = open_datasets()
    sizes = [*part.datasets, *part.models]
    assert len(part.datasets) == 10 and len(part.models) == 47
    for size in sizes:
        assert size.source_rows, size
        for row in size.source_rows:
            assert float(_source_value(size, row)) == size.size_bytes, (size.id, row)


def test_dataset_sizes_come_only_from_single_dataset_rows() -> None:
    part = open_datasets()
    streamlit = pd.read_csv(PAPER / "HFStreamlit.csv", usecols=["Unnamed: 0", "datasets"])
    named = dict(zip(streamlit["Unnamed: 0"], streamlit["datasets"], strict=True))
    for size in part.datasets:
        assert size.provenance in ("paper", "gaissalabel")
        if size.provenance == "paper":
            assert all(builder.named_datasets(named[row]) == (size.id,) for row in size.source_rows)
    # several datasets: the sum stays on the model, no dataset gets a share of it
    cifar = part.model("abhishek/autotrain_cifar10_vit_base")
    assert cifar is not None and cifar.provenance == "paper" and len(cifar.datasets) == 2
    assert part.dataset("cifar10") is None
    # curated values are per model: the same dataset is curated to two sizes
    cased = part.model("Maltehb/aelaectra-danish-electra-small-cased")
    uncased = part.model("Maltehb/aelaectra-danish-electra-small-uncased")
    assert cased is not None and uncased is not None and cased.datasets == uncased.datasets
    assert cased.size_bytes != uncased.size_bytes and part.dataset("DAGW") is None


def test_values_that_are_not_bytes_or_disagree_are_left_out() -> None:
    summary = builder.build_rows(PAPER, FIXTURES, embedded_snapshot())
    reasons = "\n".join(summary.left_out)
    assert "1126082844.1593668 is not a whole number of bytes" in reasons
    assert "biomedical-ner-all: curated rows disagree" in reasons
    assert builder.whole_bytes("2.6B") is None and builder.whole_bytes(0.0) is None
    assert builder.named_datasets("[['a/b', 'c']]") == ("a/b", "c")
    assert builder.named_datasets("['']") == ()
