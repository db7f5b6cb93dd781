"""From a CodeCarbon `emissions.csv` to the card's `co2_eq_emissions` block.

    read_emissions_csv(path) -> EmissionsCsv
    select_runs(csv, run_ids=(), project=None, last=False) -> list[Row]
    co2_block(rows, training_type=None) -> Co2Block
    write_block(card_text, block) -> str

Layouts read (by header; only `emissions` is required): the current 38 columns (with
`experiment_id`, `water_consumed`, ...), the 31 columns of CodeCarbon 2.x, task mode (a leading
`task_name` column, one row per task of a run, no `pue`), and old layouts (11 columns, no
`run_id`). CodeCarbon's `emissions` is in kilograms; the block states grams (x 1000). CodeCarbon
appends a row each time a tracker is flushed, with the run's running totals, so a run's figure
is its last row (the one with the largest `duration`) and the file's figure the sum over runs;
a row without a `run_id` is a run of its own. In task mode the rows of a run are its tasks, so
they are added up. The location comes from `cloud_region`/`cloud_provider` or `region` and
`country_name`; the hardware from `gpu_count` x `gpu_model`, else `cpu_model`; the source names
CodeCarbon and its version. Rows CodeCarbon left without an `emissions` value (unfinished runs)
are skipped and counted. A file that holds several projects (one row per model, as in
benchmark sweeps) needs `--project`. Any problem with the file is an InputError (exit 2) that
says which row and column.

Writing keeps the card byte for byte except the `co2_eq_emissions` entry, which is rewritten
(or inserted before the closing `---`, or in a new front matter), with the card's line breaks;
the keys of an existing entry that the block does not set (`training_type`, a `source` note,
...) are kept. `changes(card, block)` says what a write changes.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifiers.lint.fixes import CardText, Edit, apply_edits, yaml_string
from classifiers.lint.numbers import yaml_number
from hubcarbon.core.errors import InputError
from mining.cards.card import CO2_KEY, parse_card
from mining.cards.text import FrontMatterStatus

GRAMS_PER_KG = 1000.0
MAX_CSV_BYTES = 50_000_000
TRAINING_TYPES = ("pre-training", "fine-tuning")
_NUMERIC = ("emissions", "duration", "energy_consumed", "gpu_count")


@dataclass(frozen=True)
class Row:
    """One CodeCarbon row (a run, or a task of a run): its 1-based line in the file and fields."""

    line: int
    fields: dict[str, str]

    def get(self, column: str) -> str:
        return (self.fields.get(column) or "").strip()

    @property
    def kg(self) -> float | None:
        """The row's emissions in kg; None when CodeCarbon left it empty (an unfinished run)."""
        value = self.get("emissions")
        return float(value) if value else None


@dataclass(frozen=True)
class EmissionsCsv:
    path: str
    columns: tuple[str, ...]
    layout: str
    rows: tuple[Row, ...]


def layout_of(columns: Sequence[str]) -> str:
    """`task` (leading task_name), `38-column`, `31-column`, or `old` (any other layout that
    still has an `emissions` column)."""
    names = set(columns)
    if "task_name" in names:
        return "task"
    if {"experiment_id", "water_consumed", "wue"} <= names:
        return "38-column"
    if {"run_id", "emissions_rate", "pue"} <= names:
        return "31-column"
    return "old"


def read_emissions_csv(path: Path) -> EmissionsCsv:
    """Read and check a CodeCarbon CSV; InputError naming the problem."""
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise InputError(f"{path}: over {MAX_CSV_BYTES:,} bytes; not a CodeCarbon CSV?")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_emissions_csv(raw, str(path))


def parse_emissions_csv(raw: bytes, name: str) -> EmissionsCsv:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not UTF-8 text (byte {exc.start}); not a CodeCarbon CSV"
        ) from None
    if "\x00" in text:
        raise InputError(f"{name}: binary data; not a CodeCarbon CSV")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise InputError(f"{name}: empty file; expected CodeCarbon's emissions.csv")
        columns = tuple(h.strip() for h in header)
        if "emissions" not in columns:
            shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
            raise InputError(
                f"{name}: no 'emissions' column (found {shown}); not a CodeCarbon emissions.csv"
            )
        rows = []
        for values in reader:
            line = reader.line_num
            if not values or not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                raise InputError(
                    f"{name}: line {line} has {len(values)} fields, the header {len(columns)}"
                )
            row = Row(line, dict(zip(columns, values, strict=True)))
            _check_row(row, name)
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"{name}: not a valid CSV ({exc})") from None
    if not rows:
        raise InputError(f"{name}: no runs (only a header)")
    return EmissionsCsv(name, columns, layout_of(columns), tuple(rows))


def _check_row(row: Row, name: str) -> None:
    for column in _NUMERIC:
        value = row.get(column)
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            raise InputError(
                f"{name}: line {row.line}, column {column!r}: {value[:40]!r} is not a number"
            ) from None
        if not math.isfinite(number) or number < 0:
            raise InputError(
                f"{name}: line {row.line}, column {column!r}: {value[:40]!r} is not a "
                "non-negative number"
            )


def select_runs(
    data: EmissionsCsv,
    *,
    run_ids: Iterable[str] = (),
    project: str | None = None,
    last: bool = False,
) -> list[Row]:
    """The rows to sum: those of `project`, of `run_ids`, or of the last run; all by default.
    InputError when a choice matches nothing, or when several projects are mixed."""
    rows = list(data.rows)
    if project is not None:
        rows = [r for r in rows if r.get("project_name") == project]
        if not rows:
            known = sorted({r.get("project_name") for r in data.rows})
            raise InputError(f"{data.path}: no rows of project {project!r}; {_listing(known)}")
    wanted = [r for r in run_ids if r]
    if wanted:
        rows = [r for r in rows if r.get("run_id") in wanted]
        missing = sorted(set(wanted) - {r.get("run_id") for r in rows})
        if missing:
            known = sorted({r.get("run_id") for r in data.rows if r.get("run_id")})
            raise InputError(f"{data.path}: no run {missing[0]!r}; {_listing(known)}")
    projects = sorted({r.get("project_name") for r in rows if r.get("project_name")})
    if len(projects) > 1:
        raise InputError(
            f"{data.path}: the rows belong to {len(projects)} projects; choose one with "
            f"--project ({_listing(projects)})"
        )
    if last:
        final = rows[-1].get("run_id")
        rows = [r for r in rows if r.get("run_id") == final] if final else [rows[-1]]
    return rows


def _listing(values: Sequence[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:5])
    more = f" and {len(values) - 5} more" if len(values) > 5 else ""
    return f"the file has {shown}{more}" if values else "the file names none"


@dataclass(frozen=True)
class Co2Block:
    """The `co2_eq_emissions` entry for the selected rows."""

    grams: float
    source: str
    training_type: str | None
    geographical_location: str | None
    hardware_used: str | None
    rows: int
    runs: int
    skipped: int = 0

    def fields(self) -> list[tuple[str, str]]:
        """(key, YAML value) in the spec's order."""
        found = [("emissions", yaml_number(self.grams)), ("source", yaml_string(self.source))]
        if self.training_type:
            found.append(("training_type", self.training_type))
        if self.geographical_location:
            found.append(("geographical_location", yaml_string(self.geographical_location)))
        if self.hardware_used:
            found.append(("hardware_used", yaml_string(self.hardware_used)))
        return found

    def yaml(self, newline: str = "\n", *, kept: Sequence[tuple[str, str]] = ()) -> str:
        """The entry as block YAML; `kept` fields (key, YAML value) follow the block's own."""
        fields = [*self.fields(), *kept]
        lines = [f"{CO2_KEY}:", *(f"  {key}: {value}" for key, value in fields)]
        return "".join(line + newline for line in lines)


def co2_block(
    rows: Sequence[Row],
    training_type: str | None = None,
    *,
    location: str | None = None,
    hardware: str | None = None,
) -> Co2Block:
    """The block for the selected rows: each run's last row (its running total; every task's
    row in task mode), added up over runs. `location` and `hardware` state what CodeCarbon could
    not (they win over what the rows say)."""
    if training_type is not None and training_type not in TRAINING_TYPES:
        raise InputError(f"training type must be one of {', '.join(TRAINING_TYPES)}")
    measured = [row for row in rows if row.kg is not None]
    if not measured:
        raise InputError("none of the selected rows has an emissions value")
    totals = measured if any(r.get("task_name") for r in measured) else _run_totals(measured)
    grams = sum(row.kg or 0.0 for row in totals) * GRAMS_PER_KG
    versions = _distinct(row.get("codecarbon_version") for row in measured)
    source = "CodeCarbon" + (f" {versions[0]}" if len(versions) == 1 else "")
    runs = {_run_of(row) for row in measured}
    return Co2Block(
        grams=grams,
        source=source,
        training_type=training_type,
        geographical_location=location
        or "; ".join(_distinct(_location(row) for row in totals))
        or None,
        hardware_used=hardware or "; ".join(_distinct(_hardware(row) for row in totals)) or None,
        rows=len(measured),
        runs=len(runs),
        skipped=len(rows) - len(measured),
    )


def _run_of(row: Row) -> str:
    return row.get("run_id") or f"line {row.line}"


def _run_totals(rows: Sequence[Row]) -> list[Row]:
    """Each run's last row: the largest duration, the later line on a tie."""
    last: dict[str, Row] = {}
    for row in rows:
        run = _run_of(row)
        if run not in last or _duration(row) >= _duration(last[run]):
            last[run] = row
    return list(last.values())


def _duration(row: Row) -> float:
    value = row.get("duration")
    return float(value) if value else 0.0


def _distinct(values: Iterable[str | None]) -> list[str]:
    counts = Counter(v for v in values if v)
    return [value for value, _ in counts.most_common()]


def _location(row: Row) -> str | None:
    country = row.get("country_name")
    cloud_region, provider = row.get("cloud_region"), row.get("cloud_provider")
    if cloud_region:
        place = f"{cloud_region} ({provider.upper()})" if provider else cloud_region
    else:
        place = " ".join(w[:1].upper() + w[1:] for w in row.get("region").split(" "))
    return ", ".join(part for part in (place, country) if part) or None


def _hardware(row: Row) -> str | None:
    gpu = row.get("gpu_model")
    if gpu:
        count = row.get("gpu_count")
        if count and not gpu[:1].isdigit():
            return f"{float(count):g} x {gpu}"
        return gpu
    return row.get("cpu_model") or None


def write_block(card: str, block: Co2Block) -> str:
    """The card with its `co2_eq_emissions` entry set to the block (keys the block does not set
    kept from an existing mapping); every other character kept. InputError when the front
    matter cannot be edited safely."""
    parsed = parse_card(card)
    text = CardText(parsed)
    bom = "\ufeff" if card.startswith("\ufeff") else ""
    newline = text.newline
    entry = block.yaml(newline, kept=kept_fields(parsed.metadata, block))
    if parsed.status in (FrontMatterStatus.NO_FRONT_MATTER, FrontMatterStatus.EMPTY):
        return bom + f"---{newline}{entry}---{newline}" + parsed.text
    if parsed.status not in (FrontMatterStatus.OK, FrontMatterStatus.EMPTY_FRONT_MATTER):
        raise InputError(
            f"the card's front matter cannot be read ({parsed.status}); fix it first "
            "(`hubcarbon lint` says where)"
        )
    if parsed.closing_line is None:
        raise InputError("the card's front matter has no closing '---' line")
    root = parsed.spans.get(())
    if root is not None and root.start.column != 1:
        raise InputError("the card's top-level keys are indented or in flow style; edit it by hand")
    key = parsed.spans.get((CO2_KEY,))
    if key is None or key.key is None:
        at = text.lines.line_start(parsed.closing_line)
        edit = Edit(at, at, entry)
    else:
        start = text.lines.line_start(key.key.line)
        ends = [
            span.end
            for path, span in parsed.spans.items()
            if path[:1] == (CO2_KEY,) and (len(path) > 1 or span.start.line == key.key.line)
        ]
        edit = Edit(start, text.next_line_start(max(ends)), entry)
    new_text, _ = apply_edits(parsed.text, [edit])
    return bom + new_text


def kept_fields(metadata: Mapping[Any, Any] | None, block: Co2Block) -> list[tuple[str, str]]:
    """(key, YAML value) of an existing `co2_eq_emissions` mapping's keys the block does not
    set, in the card's order."""
    existing = (metadata or {}).get(CO2_KEY)
    if not isinstance(existing, Mapping):
        return []
    setting = {key for key, _ in block.fields()}
    return [
        (str(key), _yaml_value(value)) for key, value in existing.items() if str(key) not in setting
    ]


def _yaml_value(value: object) -> str:
    if isinstance(value, str):
        return yaml_string(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return yaml_number(float(value)) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False, default=str)  # JSON is YAML flow syntax


@dataclass(frozen=True)
class Change:
    """One key of `co2_eq_emissions` as a write changes it (None: absent)."""

    key: str
    before: str | None
    after: str | None


def stated(card: str) -> tuple[str, float | None] | None:
    """What the card's `co2_eq_emissions` states already (as written, and in grams when it can
    be read), or None when it states nothing."""
    parsed = parse_card(card)
    if parsed.co2 is None:
        return None
    value = parsed.co2.emissions
    return (value.raw or "", value.grams)


def changes(card: str, block: Co2Block) -> list[Change]:
    """The keys a write of the block changes (kept keys are not listed)."""
    existing = (parse_card(card).metadata or {}).get(CO2_KEY)
    before: dict[str, str] = {}
    if isinstance(existing, Mapping):
        before = {str(k): _yaml_value(v) for k, v in existing.items()}
    elif existing is not None:
        before = {"emissions": _yaml_value(existing)}
    return [
        Change(key, before.get(key), value)
        for key, value in block.fields()
        if before.get(key) != value
    ]
