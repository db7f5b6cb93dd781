"""Build the two-snapshot history fixture (`tests/fixtures/history/`) from the embedded snapshot.

Usage (from the repository root):

    .venv/bin/python tools/build_history_snapshots.py [--out tests/fixtures/history]

`before.parquet` is a small deterministic subset of the embedded snapshot, unchanged: CO2
reporters, models with a card and no emissions, listing-only models. `after.parquet` is the same
subset with made-up changes, one or two of each kind the `hubcarbon diff` command reports:
models removed (one reporter among them, so that the share of
reporters changes), models added, a model that starts reporting, one that stops, a corrected figure
and a changed emissions field. `changes.json` lists them (kind, model id, figures and field
values as the card parser reads them). The changes are invented to exercise the diff: they are
not real Hub history. Every change is checked with the project's own card parser before the
files are written, and the build is deterministic (same embedded snapshot, same bytes).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_snapshot as builder

from mining.cards import parse_card
from mining.cards.emission_record import EmissionRecord, emission_record
from mining.snapshot.reader import embedded_snapshot_file

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "tests" / "fixtures" / "history"
CO2_TAG = "co2_eq_emissions"
REPORTERS, PLAIN, LISTING_ONLY = 40, 30, 10
"""How many models of each kind the subset takes (every STRIDE-th of the embedded snapshot)."""
STRIDE = 29
FIXTURE_OWNER = "hubcarbon-fixture"
FIXTURE_DATE = "2023-05-01T00:00:00.000Z"
STARTED_GRAMS = 250.5
CORRECTION_FACTOR = 10
CHANGED_HARDWARE = "8 x NVIDIA A100 (made-up fixture value)"

_EMISSIONS_LINE = re.compile(r"^  emissions: ([0-9][0-9.eE+-]*)$", re.MULTILINE)
_CO2_BLOCK_START = re.compile(r"^co2_eq_emissions:.*$", re.MULTILINE)


@dataclass(frozen=True)
class Change:
    """One made-up change: its kind (as `hubcarbon diff` names it), model and values."""

    kind: str
    model_id: str
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "model_id": self.model_id, **self.detail}


def emissions_of(readme: str | None) -> EmissionRecord | None:
    return None if readme is None else emission_record(parse_card(readme))


def with_readme(record: dict[str, Any], readme: str) -> dict[str, Any]:
    """`record` with a new README: cardData, status, co2 tag, size and commit derived again."""
    status, card = builder.front_matter_status(readme)
    tags = [t for t in record["tags"] if t != CO2_TAG]
    if card is not None and card.get(CO2_TAG) is not None:
        tags.append(CO2_TAG)
    siblings = [s for s in record["siblings"] if s["rfilename"] != "README.md"]
    siblings.insert(0, {"rfilename": "README.md", "size": len(readme.encode("utf-8"))})
    changed = {
        **record,
        "readme": readme,
        "card_status": status,
        "card_data": None if card is None else json.dumps(card, sort_keys=True, ensure_ascii=False),
        "tags": tags,
        "siblings": siblings,
    }
    listing = {
        key: changed[key]
        for key in (
            "author",
            "created_at",
            "downloads",
            "likes",
            "last_modified",
            "pipeline_tag",
            "library_name",
            "tags",
        )
    }
    changed["sha"] = builder.commit_sha(changed["id"], readme, listing)
    return changed


def made_up_model(name: str, readme: str, template: dict[str, Any]) -> dict[str, Any]:
    """A new model of the fixture's own made-up owner (all other fields empty or fixed)."""
    record = dict.fromkeys(template)
    record.update(
        id=f"{FIXTURE_OWNER}/{name}",
        author=FIXTURE_OWNER,
        created_at=FIXTURE_DATE,
        last_modified=FIXTURE_DATE,
        downloads=0,
        likes=0,
        tags=[],
        siblings=[],
        provenance=json.dumps({"readme": "made_up_fixture"}, sort_keys=True),
        card_origin="made_up_fixture",
    )
    return with_readme(record, readme)


def _pick(
    records: list[dict[str, Any]], taken: set[str], test: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    for record in records:
        if record["id"] not in taken and test(record):
            taken.add(record["id"])
            return record
    raise SystemExit("the embedded snapshot has no model for one of the changes")


def _is_reporter(record: dict[str, Any]) -> bool:
    found = emissions_of(record["readme"])
    return found is not None and found.co2_g is not None and str(found.provenance) == "metadata"


def subset(table: pa.Table) -> list[dict[str, Any]]:
    """The models of before.parquet: reporters, cards without emissions, listing-only models."""
    ids = table.column("id").to_pylist()
    tags = table.column("tags").to_pylist()
    status = table.column("card_status").to_pylist()
    reporters = [i for i, t in enumerate(tags) if CO2_TAG in (t or ())]
    plain = [i for i, s in enumerate(status) if s == "ok" and CO2_TAG not in (tags[i] or ())]
    listing = [i for i, s in enumerate(status) if s == "missing"]
    chosen = reporters[::STRIDE][:REPORTERS] + plain[::STRIDE][:PLAIN]
    chosen += listing[::STRIDE][:LISTING_ONLY]
    rows: list[dict[str, Any]] = table.take(sorted(chosen)).to_pylist()
    assert len({ids[i] for i in chosen}) == len(chosen)
    return rows


def apply_changes(before: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Change]]:
    """after.parquet's models and the changes made, each checked with the card parser."""
    by_id = {r["id"]: r for r in before}
    taken: set[str] = set()
    changes: list[Change] = []
    reporters = [r for r in before if _is_reporter(r)]
    plain = [r for r in before if r["readme"] is not None and emissions_of(r["readme"]) is None]

    listing_only = [r for r in before if r["readme"] is None]
    removed = [_pick(group, taken, lambda r: True) for group in (reporters, plain, listing_only)]
    for record in removed:
        del by_id[record["id"]]
        changes.append(Change("models_removed", record["id"], {}))

    started = _pick(plain, taken, lambda r: r["readme"].startswith("---\n"))
    readme = started["readme"].replace(
        "---\n", f"---\n{CO2_TAG}:\n  emissions: {STARTED_GRAMS}\n", 1
    )
    by_id[started["id"]] = with_readme(started, readme)
    changes.append(Change("started_reporting", started["id"], {"co2_g": STARTED_GRAMS}))

    def stops(record: dict[str, Any]) -> bool:
        return emissions_of(_without_emissions(record["readme"])) is None

    stopped = _pick(reporters, taken, stops)
    was = emissions_of(stopped["readme"])
    assert was is not None
    by_id[stopped["id"]] = with_readme(stopped, _without_emissions(stopped["readme"]))
    changes.append(Change("stopped_reporting", stopped["id"], {"co2_g": was.co2_g}))

    def one_emissions_line(record: dict[str, Any]) -> bool:
        return len(_EMISSIONS_LINE.findall(record["readme"])) == 1

    corrected = _pick(reporters, taken, one_emissions_line)
    old = emissions_of(corrected["readme"])
    match = _EMISSIONS_LINE.search(corrected["readme"])
    assert old is not None and old.co2_g is not None and match is not None
    new_value = float(match.group(1)) * CORRECTION_FACTOR
    readme = _EMISSIONS_LINE.sub(f"  emissions: {new_value!r}", corrected["readme"], count=1)
    by_id[corrected["id"]] = with_readme(corrected, readme)
    changes.append(Change("co2_changed", corrected["id"], {"from_g": old.co2_g, "to_g": new_value}))

    def no_hardware(record: dict[str, Any]) -> bool:
        found = emissions_of(record["readme"])
        return one_emissions_line(record) and found is not None and found.hardware_used is None

    hardware = _pick(reporters, taken, no_hardware)
    readme = _EMISSIONS_LINE.sub(
        lambda m: f"{m.group(0)}\n  hardware_used: {CHANGED_HARDWARE}", hardware["readme"], count=1
    )
    by_id[hardware["id"]] = with_readme(hardware, readme)
    changes.append(
        Change(
            "fields_changed",
            hardware["id"],
            {"field": "hardware_used", "from": None, "to": CHANGED_HARDWARE},
        )
    )

    added = made_up_model(
        "added-reporter",
        f"---\n{CO2_TAG}:\n  emissions: 42.0\n  source: made-up fixture\n---\n\n"
        "A made-up model of the history fixture, not a real Hub repository.\n",
        before[0],
    )
    plain_added = made_up_model(
        "added-model",
        "---\nlicense: mit\n---\n\nA made-up model of the history fixture without emissions.\n",
        before[0],
    )
    for record in (added, plain_added):
        by_id[record["id"]] = record
        found = emissions_of(record["readme"])
        detail = {"co2_g": found.co2_g} if found is not None else {}
        changes.append(Change("models_added", record["id"], detail))
    _check(by_id, changes)
    return [by_id[key] for key in sorted(by_id)], changes


def _without_emissions(readme: str) -> str:
    """The card without its `co2_eq_emissions` block and without body lines naming CO2."""
    lines = readme.split("\n")
    kept: list[str] = []
    in_block = False
    for line in lines:
        if _CO2_BLOCK_START.fullmatch(line):
            in_block = True
            continue
        if in_block and line.startswith((" ", "\t")):
            continue
        in_block = False
        if "co2" in line.lower() or "carbon" in line.lower():
            continue
        kept.append(line)
    return "\n".join(kept)


def _check(after: dict[str, dict[str, Any]], changes: list[Change]) -> None:
    """Every change reads back as intended through the card parser."""
    for change in changes:
        record = after.get(change.model_id)
        found = emissions_of(record["readme"]) if record else None
        if change.kind in ("started_reporting", "co2_changed"):
            expected = change.detail.get("co2_g", change.detail.get("to_g"))
            assert found is not None and found.co2_g == expected, change
        elif change.kind == "stopped_reporting":
            assert found is None, change
        elif change.kind == "fields_changed":
            assert found is not None and found.hardware_used == change.detail["to"], change


def write(records: list[dict[str, Any]], schema: pa.Schema, path: Path) -> None:
    table = pa.Table.from_pylist(records, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=19,
        write_statistics=False,
        store_schema=False,
    )


def build(out: Path) -> list[Change]:
    with embedded_snapshot_file().open("rb") as handle:
        table = pq.read_table(handle)
    before = subset(table)
    after, changes = apply_changes(before)
    write(before, table.schema, out / "before.parquet")
    write(after, table.schema, out / "after.parquet")
    manifest = {
        "note": "made-up changes to a subset of the embedded snapshot, never real Hub history",
        "before_models": len(before),
        "after_models": len(after),
        "changes": [change.as_dict() for change in changes],
    }
    (out / "changes.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    for change in build(args.out):
        print(f"{change.kind}: {change.model_id} {change.detail or ''}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
