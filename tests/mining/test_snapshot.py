"""The embedded snapshot: real counts, unique ids, provenance, the paper's reporters."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hubcarbon.core.errors import SnapshotError
from mining.snapshot.reader import HUB_EPOCH, Snapshot, embedded_snapshot_file, open_snapshot

HUB_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def test_counts_match_the_sources(snapshot: Snapshot) -> None:
    origins = [r.card_origin for r in snapshot]
    assert len(snapshot) == 87_305
    assert origins.count("hf_modelcards_2023") == 25_109
    assert origins.count("reconstructed_from_paper") == 934
    assert sum("co2_eq_emissions" in r.tags for r in snapshot) == 1_418


def test_ids_are_unique_and_sorted(snapshot: Snapshot) -> None:
    ids = [r.id for r in snapshot]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)


def test_all_paper_reporters_are_present_with_their_co2_value(snapshot: Snapshot) -> None:
    reporters = snapshot.reporters
    assert len(reporters) == 1_417
    assert len({r.paper_row for r in reporters}) == 1_417
    assert all(r.paper_co2 is not None and r.paper_co2 > 0 for r in reporters)
    assert sum("co2_eq_emissions" in r.tags for r in reporters) == 1_416
    bloom = snapshot.get("bigscience/bloom")
    assert bloom is not None and bloom.paper_co2 == 24_700_000
    assert bloom.owner_resolution is not None and bloom.owner_resolution.startswith("disambiguated")
    distil = snapshot.get("distilgpt2")
    assert distil is not None and distil.paper_co2 == 149_200
    assert distil.created_at == "2019-10-03T14:08:13.000Z"
    assert distil.hub_created_at == HUB_EPOCH


def test_every_autotrain_reporter_of_the_paper_carries_the_tag(snapshot: Snapshot) -> None:
    """The paper's `auto` flag is kept; reporters it missed whose text AutoTrain wrote are tagged
    too, each with the marker that says so (the flag came from tags the one-hot filter lost)."""
    from analysis import paperdata

    streamlit = paperdata.hfstreamlit()
    auto = dict(zip(streamlit["modelId"], streamlit["auto"], strict=True))
    tagged = [r for r in snapshot.reporters if {"autotrain", "autonlp"} & set(r.tags)]
    assert {name for name, flag in auto.items() if flag} <= {r.paper_name for r in tagged}
    from_text = [r for r in tagged if not auto[r.paper_name]]
    assert all(r.provenance["autotrain"].startswith("text marker: ") for r in from_text)
    assert len(from_text) == 21 and len(tagged) == 1_291 + 21


def test_card_metadata_agrees_with_the_paper_value(snapshot: Snapshot) -> None:
    agree = total = 0
    for record in snapshot.reporters:
        data = record.card_data or {}
        value = data.get("co2_eq_emissions")
        value = value.get("emissions") if isinstance(value, dict) else value
        if isinstance(value, int | float) and record.paper_co2:
            total += 1
            agree += abs(value - record.paper_co2) <= 1e-6 * max(1.0, abs(value))
    assert total > 1_300
    assert agree / total > 0.97


def test_every_record_has_provenance_and_hub_dates(snapshot: Snapshot) -> None:
    for record in snapshot:
        assert record.provenance.get("tags") == "derived"
        assert re.fullmatch(r"[0-9a-f]{40}", record.sha)
        for moment in (record.created_at, record.last_modified):
            assert moment is None or HUB_TIME.match(moment)
        assert record.hub_created_at is None or record.hub_created_at >= HUB_EPOCH
    created = [r.created_at for r in snapshot if r.created_at]
    assert min(created) < "2019-01-01"


def test_a_reconstructed_card_is_marked_and_parses(snapshot: Snapshot) -> None:
    rebuilt = [r for r in snapshot.reporters if r.card_origin == "reconstructed_from_paper"]
    assert len(rebuilt) == 934
    bloom = snapshot.get("bigscience/bloom")
    assert bloom in rebuilt
    assert bloom is not None and bloom.provenance["readme"] == "reconstructed_from_paper"
    text = snapshot.readme(bloom)
    assert text is not None and text.startswith("---\n")
    data = bloom.card_data
    assert data is not None and data["co2_eq_emissions"]["emissions"] == 24_700_000
    assert bloom.provenance["card_data"] == "reconstructed_from_paper"


def test_real_cards_are_kept_byte_for_byte(snapshot: Snapshot) -> None:
    crlf = [r for r in snapshot if r.card_origin == "hf_modelcards_2023" and r.card_status == "ok"]
    texts = [snapshot.readme(r) for r in crlf[:2000]]
    assert any(t is not None and "\r\n" in t for t in texts)
    sizes = {s.rfilename: s.size for s in crlf[0].siblings}
    assert sizes["README.md"] == len((texts[0] or "").encode("utf-8"))


def test_owner_resolution_is_recorded_for_every_reporter(snapshot: Snapshot) -> None:
    outcomes = {r.owner_resolution.split(":")[0] for r in snapshot.reporters if r.owner_resolution}
    assert outcomes <= {"matched", "disambiguated", "card-text", "bare"}
    for record in snapshot.reporters:
        assert record.provenance["owner"] == record.owner_resolution
        bare = record.owner_resolution is not None and record.owner_resolution.startswith("bare")
        assert ("/" not in record.id) == bare or record.id in {"distilgpt2"}


def test_embedded_file_ships_inside_the_package_with_its_readme() -> None:
    assert embedded_snapshot_file().is_file()
    readme = resources.files("mining.snapshot.data").joinpath("README.md").read_text("utf-8")
    with embedded_snapshot_file().open("rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    assert digest in readme


def test_bad_files_raise_snapshot_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="not found"):
        open_snapshot(tmp_path / "absent.parquet")
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(SnapshotError, match="not a readable Parquet"):
        open_snapshot(garbage)
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"id": ["a/b"]}), other)
    with pytest.raises(SnapshotError, match="missing"):
        open_snapshot(other)


def test_a_subset_written_back_opens_as_a_snapshot(tmp_path: Path, snapshot: Snapshot) -> None:
    source = embedded_snapshot_file()
    with source.open("rb") as handle:
        table = pq.read_table(handle)
    subset = tmp_path / "subset.parquet"
    pq.write_table(table.slice(0, 50), subset)
    small = open_snapshot(subset)
    assert len(small) == 50
    first = small.records[0]
    assert first.id == snapshot.records[0].id
    assert small.readme(first) == snapshot.readme(snapshot.records[0])
    duplicated = tmp_path / "dup.parquet"
    pq.write_table(pa.concat_tables([table.slice(0, 2), table.slice(0, 2)]), duplicated)
    with pytest.raises(SnapshotError, match="duplicate"):
        open_snapshot(duplicated)
    assert json.loads(table.column("provenance")[0].as_py())
