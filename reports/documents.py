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

from analysis.replication.published import INDEPENDENT, PUBLISHED, WITHHELD, Check
from reports.inputs import Missing

ANALYZE = "hubcarbon analyze"
REPLICATE = "hubcarbon replicate"

# what a finding may point at: analysis/<plain file name> with a known suffix
_ASSET = re.compile(r"analysis/([A-Za-z0-9][A-Za-z0-9._-]*\.(?:png|svg|csv|parquet))")


@dataclass(frozen=True)
class Statistic:
    """One statistic of findings.json, fields as the contract names them."""

    id: str
    title: str
    question: str
    population: str
    test: str
    n: Any
    statistic: Any
    p: Any
    p_holm: Any
    effect_name: str | None
    effect_value: Any
    ci: tuple[Any, Any] | None
    method: str
    table: str | None
    figure: str | None


@dataclass
class Findings:
    """findings.json, read: its statistics (by id), the assets they name, and its source run."""

    run_id: Any
    generated_from: dict[str, Any]
    statistics: list[Statistic]
    assets: dict[str, Path] = field(default_factory=dict)  # site path -> source file
    problems: list[str] = field(default_factory=list)


def load_findings(path: Path) -> Findings | Missing:
    """findings.json at `path`, or a Missing saying how to compute it."""
    document = _read_json(path)
    if isinstance(document, str):
        return Missing(f"findings ({path.name})", ANALYZE, document)
    if not isinstance(document, Mapping) or not isinstance(document.get("statistics"), list):
        return Missing(f"findings ({path.name})", ANALYZE, "no statistics list in the file")
    findings = Findings(
        run_id=document.get("run_id"),
        generated_from=dict(document.get("generated_from") or {}),
        statistics=[],
    )
    seen: set[str] = set()
    for entry in document["statistics"]:
        stat = _statistic(entry)
        if stat is None or stat.id in seen:
            findings.problems.append(f"skipped a malformed or repeated statistic: {entry!r:.80}")
            continue
        seen.add(stat.id)
        findings.statistics.append(stat)
        for name in (stat.table, stat.figure):
            if name:
                _add_asset(findings, path.parent, name)
    findings.statistics.sort(key=lambda s: (s.question, s.id))
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
        statistic=entry.get("statistic"),
        p=entry.get("p"),
        p_holm=entry.get("p_holm"),
        effect_name=str(effect["name"]) if effect.get("name") is not None else None,
        effect_value=effect.get("value"),
        ci=(ci[0], ci[1]) if isinstance(ci, list) and len(ci) == 2 else None,
        method=str(entry.get("method") or ""),
        table=_asset_name(entry.get("table")),
        figure=_asset_name(entry.get("figure")),
    )


def _asset_name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    match = _ASSET.fullmatch(value)
    return f"analysis/{match.group(1)}" if match else None


def _add_asset(findings: Findings, base: Path, name: str) -> None:
    source = base / name
    if source.is_file():
        findings.assets[name] = source
        if name.endswith(".png"):  # the SVG twin goes along when it exists
            twin = source.with_suffix(".svg")
            if twin.is_file():
                findings.assets[name[:-4] + ".svg"] = twin
    else:
        findings.problems.append(f"{name} is named by findings.json but does not exist")


@dataclass(frozen=True)
class ComparisonRow:
    """One line of "published vs ours"."""

    quantity: str
    published: str
    ours: str
    match: str  # yes | NO | n/a | "" (checked independently)


def load_replication(path: Path) -> dict[str, Any] | Missing:
    """replication.json at `path`, or a Missing saying how to compute it."""
    document = _read_json(path)
    if isinstance(document, str):
        return Missing(f"replication ({path.name})", REPLICATE, document)
    if not isinstance(document, dict):
        return Missing(f"replication ({path.name})", REPLICATE, "not a JSON object")
    return document


def comparison(results: Mapping[str, Any]) -> list[ComparisonRow]:
    """The published values first (with their match), then the independently checked ones."""
    rows: list[ComparisonRow] = []
    for check in PUBLISHED:
        match = check.matches(results)
        verdict = "n/a" if match is None else ("yes" if match else "NO")
        rows.append(
            ComparisonRow(check.label, show(check.published), show(check.ours(results)), verdict)
        )
    levels = results.get("reporting_levels")
    extra = [
        Check(f"reporting level: {name}", ("reporting_levels", str(name)))
        for name, value in (levels.items() if isinstance(levels, Mapping) else ())
        if isinstance(value, int) and not isinstance(value, bool)
    ]
    for check in (*INDEPENDENT, *sorted(extra, key=lambda c: c.label)):
        rows.append(ComparisonRow(check.label, WITHHELD, show(check.ours(results)), ""))
    return rows


def show(value: Any) -> str:
    """A number as the tables print it: integers grouped, floats to 6 significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


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
