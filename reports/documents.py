"""Reading findings.json (from `hubcarbon analyze`) and replication.json (from `hubcarbon
replicate`) defensively: an absent or malformed document becomes a visible `Missing`, and the
files a finding names (figures, tables) are accepted only as plain names under `analysis/`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.replication.published import ComparisonRow
from analysis.replication.published import comparison as replication_comparison
from reports.inputs import Missing

ANALYZE = "hubcarbon analyze"
REPLICATE = "hubcarbon replicate"

# what a finding may point at: analysis/<plain file name> with a known suffix
_ASSET = re.compile(r"analysis/([A-Za-z0-9][A-Za-z0-9._-]*\.(?:png|svg|csv|parquet))")


@dataclass(frozen=True)
class Statistic:
    """One entry of findings.json: a statistic on one population, fields as the contract names
    them (`status` ok or why it could not be computed, `note` the reason)."""

    id: str
    title: str
    question: str
    population: str
    test: str
    n: Any
    statistic_name: str | None
    statistic: Any
    p: Any
    p_holm: Any
    effect_name: str | None
    effect_value: Any
    ci: tuple[Any, Any] | None
    method: str
    table: str | None
    figure: str | None
    status: str
    note: str | None
    inference: str = ""
    units: dict[str, Any] = field(default_factory=dict)
    verdict: str | None = None
    caveat: str | None = None


@dataclass(frozen=True)
class DataTable:
    """A table findings.json lists under `tables`: its name, rows, columns and files."""

    name: str
    rows: Any
    columns: list[str]
    csv: str | None
    parquet: str | None


@dataclass
class Findings:
    """findings.json, read: its statistics (by id, then population), the tables it lists, the
    files they name (site path -> source file), its source run and the Holm family's method."""

    run_id: Any
    generated_from: dict[str, Any]
    statistics: list[Statistic]
    tables: list[DataTable] = field(default_factory=list)
    holm_method: str = ""
    assets: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def by_id(self) -> list[list[Statistic]]:
        """The statistics grouped by id (one entry per population), in document order."""
        groups: dict[str, list[Statistic]] = {}
        for stat in self.statistics:
            groups.setdefault(stat.id, []).append(stat)
        return list(groups.values())


POPULATION_ORDER = {"all": 0, "autotrain": 1, "human": 2}


def load_findings(path: Path) -> Findings | Missing:
    """findings.json at `path`, or a Missing saying how to compute it."""
    document = _read_json(path)
    if isinstance(document, str):
        return Missing(f"findings ({path.name})", ANALYZE, document)
    if not isinstance(document, Mapping) or not isinstance(document.get("statistics"), list):
        return Missing(f"findings ({path.name})", ANALYZE, "no statistics list in the file")
    holm = document.get("holm")
    findings = Findings(
        run_id=document.get("run_id"),
        generated_from=dict(document.get("generated_from") or {}),
        statistics=[],
        holm_method=str(holm.get("method") or "") if isinstance(holm, Mapping) else "",
    )
    seen: set[tuple[str, str]] = set()
    for entry in document["statistics"]:
        stat = _statistic(entry)
        if stat is None or (stat.id, stat.population) in seen:
            findings.problems.append(f"skipped a malformed or repeated statistic: {entry!r:.80}")
            continue
        seen.add((stat.id, stat.population))
        findings.statistics.append(stat)
        for name in (stat.table, stat.figure):
            if name:
                _add_asset(findings, path.parent, name)
    tables = document.get("tables")
    tables = tables if isinstance(tables, Mapping) else {}
    for name in sorted(tables, key=str):
        table = _table(str(name), tables[name])
        if table is None:
            findings.problems.append(f"skipped the malformed table entry {name!r:.80}")
            continue
        findings.tables.append(table)
        for asset in (table.csv, table.parquet):
            if asset:
                _add_asset(findings, path.parent, asset)
    return findings


def _statistic(entry: object) -> Statistic | None:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
        return None
    effect = entry.get("effect_size")
    effect = effect if isinstance(effect, Mapping) else {}
    ci = entry.get("ci")
    return Statistic(
        id=entry["id"],
        title=str(entry.get("title") or entry["id"]),
        question=str(entry.get("question") or ""),
        population=str(entry.get("population") or ""),
        test=str(entry.get("test") or ""),
        n=entry.get("n"),
        statistic_name=_optional_text(entry.get("statistic_name")),
        statistic=entry.get("statistic"),
        p=entry.get("p"),
        p_holm=entry.get("p_holm"),
        effect_name=_optional_text(effect.get("name")),
        effect_value=effect.get("value"),
        ci=(ci[0], ci[1]) if isinstance(ci, list) and len(ci) == 2 else None,
        method=str(entry.get("method") or ""),
        table=_asset_name(entry.get("table")),
        figure=_asset_name(entry.get("figure")),
        status=str(entry.get("status") or "ok"),
        note=_optional_text(entry.get("note")),
        inference=str(entry.get("inference") or ""),
        units=dict(entry["units"]) if isinstance(entry.get("units"), Mapping) else {},
        verdict=_detail_text(entry, "no_relation", "verdict"),
        caveat=_detail_text(entry, "caveat"),
    )


def _detail_text(entry: Mapping[str, Any], *path: str) -> str | None:
    """A text found at `path` inside the entry's details, or None."""
    value: Any = entry.get("details")
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, str) else None


def _table(name: str, entry: object) -> DataTable | None:
    if not isinstance(entry, Mapping):
        return None
    columns = entry.get("columns")
    return DataTable(
        name=name,
        rows=entry.get("rows"),
        columns=[str(c) for c in columns] if isinstance(columns, list) else [],
        csv=_asset_name(entry.get("csv")),
        parquet=_asset_name(entry.get("parquet")),
    )


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _asset_name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    match = _ASSET.fullmatch(value)
    return f"analysis/{match.group(1)}" if match else None


def _add_asset(findings: Findings, base: Path, name: str) -> None:
    if name in findings.assets:
        return
    source = base / name
    if source.is_file():
        findings.assets[name] = source
        if name.endswith(".png"):  # the SVG twin goes along when it exists
            twin = source.with_suffix(".svg")
            if twin.is_file():
                findings.assets[name[:-4] + ".svg"] = twin
    else:
        findings.problems.append(f"{name} is named by findings.json but does not exist")


def load_replication(path: Path) -> dict[str, Any] | Missing:
    """replication.json at `path`, or a Missing saying how to compute it."""
    document = _read_json(path)
    if isinstance(document, str):
        return Missing(f"replication ({path.name})", REPLICATE, document)
    if not isinstance(document, dict):
        return Missing(f"replication ({path.name})", REPLICATE, "not a JSON object")
    return document


def comparison(results: Mapping[str, Any]) -> list[ComparisonRow]:
    """The replication table "published vs ours" as the report prints it."""
    return replication_comparison(results, missing="—")


def _read_json(path: Path) -> Any:
    """The parsed document, or a string saying why there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return f"{path.name} does not exist"
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path.name} is unreadable: {exc.__class__.__name__}"
    try:
        return json.loads(text)
    except ValueError as exc:
        return f"{path.name} is not valid JSON: {exc}"
