"""The leaderboard: one row per CO2 reporter, its columns, and the compact data the page embeds.

Rows are facts read from the database (crawl tables, classifiers' tables); nothing is graded or
computed here beyond formatting and the AutoTrain flag the classifiers layer defines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reports import formats
from reports.database import V1, Derived, Row
from reports.safety import hub_url


@dataclass(frozen=True)
class Column:
    """A leaderboard column: data key it sorts on, header text, kind (`num` or `text`)."""

    key: str
    header: str
    kind: str
    title: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("id", "Model", "text", "Hub model id"),
    Column("author", "Author", "text"),
    Column("task", "Task", "text", "pipeline_tag"),
    Column("domain", "Domain", "text"),
    Column("library", "Library", "text"),
    Column("co2_g", "CO₂eq (g)", "num", "reported emissions in grams, and where they were found"),
    Column("params", "Parameters", "num", "safetensors parameter count"),
    Column("size_bytes", "Weights", "num", "size of pytorch_model.bin"),
    Column("data_bytes", "Data", "num", "training-data size in bytes, when known"),
    Column("downloads", "Downloads", "num"),
    Column("likes", "Likes", "num"),
    Column("grade_level", "Reporting grade", "num", f"reporting quality, {V1}"),
    Column("label", "Label", "text", f"carbon-efficiency label, {V1}"),
    Column("created", "Created", "text"),
)

# the embedded data: one array per row, in this field order
FIELDS: tuple[str, ...] = (
    "id",
    "hub",
    "page",
    "author",
    "task",
    "domain",
    "library",
    "co2_g",
    "co2_text",
    "provenance",
    "params",
    "size_bytes",
    "size_text",
    "data_bytes",
    "data_text",
    "downloads",
    "likes",
    "grade_level",
    "grade",
    "label",
    "autotrain",
    "created",
)


def rows(
    reporters: Sequence[Row],
    derived: Derived,
    pages: Mapping[str, str],
    domains: Mapping[str, str | None] | None,
) -> list[dict[str, Any]]:
    """Leaderboard rows by model id; `pages` maps a model id to its page's site path, `domains`
    a model id to its domain (None when no domain mapping is available)."""
    out = []
    for reporter in reporters:
        model_id = str(reporter["model_id"])
        grade = _scheme(derived.grades.get(model_id), V1)
        label = _scheme(derived.labels.get(model_id), V1)
        out.append(
            {
                "id": model_id,
                "hub": hub_url(model_id),
                "page": pages.get(model_id),
                "author": reporter["author"],
                "task": reporter["pipeline_tag"],
                "domain": domains.get(model_id) if domains else None,
                "library": reporter["library_name"],
                "co2_g": reporter["co2_g"],
                "co2_text": formats.grams(reporter["co2_g"]),
                "provenance": reporter["provenance"],
                "params": reporter["parameters"],
                "size_bytes": reporter["pytorch_model_bytes"],
                "size_text": formats.size_bytes(reporter["pytorch_model_bytes"]),
                "data_bytes": reporter.get("dataset_bytes"),
                "data_text": formats.size_bytes(reporter.get("dataset_bytes")),
                "downloads": reporter["downloads"],
                "likes": reporter["likes"],
                "grade_level": grade["level"] if grade else None,
                "grade": grade["level_name"] if grade else None,
                "label": label["letter"] if label else None,
                "autotrain": bool(reporter["autotrain"]),
                "created": reporter["created_at"][:10] if reporter["created_at"] else None,
            }
        )
    return out


def embedded(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The data the page's script reads: field names once, then one array per row."""
    return {
        "version": 1,
        "fields": list(FIELDS),
        "rows": [[row[name] for name in FIELDS] for row in rows],
    }


def facets(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The distinct values of each filter, sorted (grades in level order)."""
    grades = sorted({(r["grade_level"], r["grade"]) for r in rows if r["grade"] is not None})
    return {
        "domain": sorted({r["domain"] for r in rows if r["domain"]}),
        "task": sorted({r["task"] for r in rows if r["task"]}),
        "grade": [name for _, name in grades],
        "label": sorted({r["label"] for r in rows if r["label"]}),
    }


def _scheme(entries: list[Row] | None, scheme: str) -> Row | None:
    for entry in entries or ():
        if entry.get("scheme") == scheme:
            return entry
    return None
