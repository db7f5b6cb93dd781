"""The leaderboard: one row per CO2 reporter, its columns, its trust markers, and the compact
columnar data the page embeds.

Rows are facts read from the database (crawl tables, classifiers' tables); nothing is graded or
computed here beyond formatting, the flags gathered from the audit and the linter, and the
copies of a training run counted from the crawl audit's `copied_from`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from classifiers.reporting.levels import LEVEL_NAMES, Level
from hubcarbon.core.paths import slug
from reports import formats
from reports.database import V1, Derived, Row
from reports.safety import hub_url, is_model_id

PAPER = "paper2023"
FORMAT_VERSION = 2
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Column:
    """A leaderboard column: data key it sorts on, header text, kind (`num` or `text`)."""

    key: str
    header: str
    kind: str
    title: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("id", "Model", "text", "Hub model id"),
    Column("co2_g", "CO₂eq", "num", "audited training emissions (hover: exact grams as stated)"),
    Column("label", "Label", "text", f"carbon-efficiency label A-E, {V1} (see the legend)"),
    Column("grade_level", "Reporting grade", "num", f"reporting level 1-6, {V1}"),
    Column("task", "Task", "text", "pipeline_tag, else the card's Hub task tag"),
    Column("domain", "Domain", "text"),
    Column("library", "Library", "text"),
    Column("training_type", "Training", "text", "training type the card states"),
    Column(
        "performance",
        "Performance",
        "num",
        "the card's own score (0-1: the harmonic mean of its metrics), with each metric and "
        "the dataset it was measured on",
    ),
    Column("params", "Parameters", "num", "safetensors parameter count"),
    Column("size_bytes", "Weights", "num", "size of pytorch_model.bin"),
    Column("data_bytes", "Data", "num", "training-data size in bytes, when known"),
    Column("downloads", "Downloads", "num"),
    Column("likes", "Likes", "num"),
    Column("author", "Author", "text"),
    Column("created", "Created", "text"),
    Column("label_paper", "Label (paper)", "text", f"the {PAPER} label, for comparison"),
)

LINT_FLAGS: dict[str, str] = {
    "HC102": "co2-non-positive",
    "HC103": "co2-implausible",
    "HC108": "co2-mismatch",
}
"""The lint findings that put a flag on a row's figure (by code, the flag is the rule name)."""

FLAG_REASONS: dict[str, str] = {
    "unit-suspect": "the metadata number is written with another unit in the card's text",
    "conflict": "the card states training figures for this model that differ by over 10 %",
    "range": "the card states a range; the audited figure is its midpoint",
    "approximate": "the card writes the figure as approximate",
    "energy-only": "the card states energy (kWh), no CO2-eq",
    "family-total": "the card states only a total over a family of models",
    "implausible": "below 0.01 g or above 50,000 t: not a plausible training run",
    "copied": "the figure is another model's, repeated by a copy or fine-tune",
    "co2-non-positive": "linter: the metadata figure is zero or negative",
    "co2-implausible": "linter: the metadata figure is implausibly small or large (check the unit)",
    "co2-mismatch": "linter: the metadata figure disagrees with the card's text",
}
"""Every flag a row can carry, with the reason the page shows on hover and focus."""

UNHIDDEN_FLAGS = frozenset({"copied"})
"""Flags that "hide flagged figures" leaves alone (copies have their own toggle)."""

LEVEL_MEANINGS: dict[Level, str] = {
    Level.UNKNOWN: "no CO2 figure and no context",
    Level.CONTEXT: "no CO2 figure, but hardware, location, training type, hours or source",
    Level.BASIC: "a CO2 figure, no hardware",
    Level.AWARENESS: "a CO2 figure and the hardware",
    Level.OPTIMIZATION: "level 4 and evidence of efficiency work (distillation, pruning, ...)",
    Level.CERTIFIED: "level 5, measured by a tracker, all five fields, no lint warning",
}

LABEL_MEANINGS: tuple[tuple[str, str], ...] = (
    ("A", "the most efficient rating band"),
    ("B", "more efficient than the middle band"),
    ("C", "the middle band"),
    ("D", "less efficient than the middle band"),
    ("E", "the least efficient rating band"),
)
"""The labels' one-line meanings; the bands are hubcarbon-v1's frozen boundaries."""

# the embedded columns: short key -> (row field, encoding); `dict` columns are codes into a
# sorted dictionary (so a code is also the sort rank), -1 when missing; `sparse` holds only the
# rows whose value differs from the audited figure's column `c` ({row index: value}); the Hub
# link is not embedded: an id has one when it is well formed (reports.safety.hub_url)
ENCODING: tuple[tuple[str, str, str], ...] = (
    ("i", "id", "text"),
    ("p", "page", "page"),
    ("a", "author", "dict"),
    ("t", "task_shown", "dict"),
    ("tg", "task_from_tag", "bool"),
    ("d", "domain", "dict"),
    ("l", "library", "dict"),
    ("c", "co2_audited", "num"),
    ("cs", "co2_g", "sparse"),
    ("pv", "provenance", "dict"),
    ("tt", "training_type", "dict"),
    ("f", "flags", "flags"),
    ("k", "copy_of", "index"),
    ("pf", "performance", "num"),
    ("pm", "performance_metrics", "dict"),
    ("pa", "params", "num"),
    ("sb", "size_bytes", "num"),
    ("db", "data_bytes", "num"),
    ("dl", "downloads", "num"),
    ("lk", "likes", "num"),
    ("g", "grade_level", "num"),
    ("lb", "label", "dict"),
    ("lp", "label_paper", "dict"),
    ("at", "autotrain", "bool"),
    ("cr", "created", "day"),
)


ROUNDED = frozenset({"c"})
"""Figures embedded to 12 significant digits (formats.significant): the stated precision."""


def rows(
    reporters: Sequence[Row],
    derived: Derived,
    pages: Mapping[str, str],
    domains: Mapping[str, str | None] | None,
) -> list[dict[str, Any]]:
    """Leaderboard rows by model id; `pages` maps a model id to its page's site path, `domains`
    a model id to its domain (None when no domain mapping is available).

    `co2_g`/`co2_text` are the figure as stated and `task` the pipeline_tag (what the downloads
    and badges show); the index shows `co2_audited` and `task_shown` (pipeline_tag, else the
    card's Hub task tag: classifiers.alternatives.inferred_task_sql)."""
    ids = {str(r["model_id"]) for r in reporters}
    copies = Counter(str(r["copied_from"]) for r in reporters if r.get("copied_from") in ids)
    out = []
    for reporter in reporters:
        model_id = str(reporter["model_id"])
        grade = _scheme(derived.grades.get(model_id), V1)
        label = _scheme(derived.labels.get(model_id), V1)
        paper = _scheme(derived.labels.get(model_id), PAPER)
        flags = row_flags(reporter, derived.lint.get(model_id, ()))
        audited = reporter.get("co2_g_audited")
        score = _performance(label)
        origin = reporter.get("copied_from")
        out.append(
            {
                "id": model_id,
                "hub": hub_url(model_id),
                "page": pages.get(model_id),
                "author": reporter["author"],
                "task": reporter["pipeline_tag"],
                "task_shown": reporter.get("task", reporter["pipeline_tag"]),
                "task_from_tag": reporter["pipeline_tag"] is None
                and reporter.get("task") is not None,
                "domain": domains.get(model_id) if domains else None,
                "library": reporter["library_name"],
                "co2_g": reporter["co2_g"],
                "co2_text": formats.grams(reporter["co2_g"]),
                "co2_audited": audited,
                "co2_audited_text": formats.co2(audited),
                "co2_exact": _exact(reporter["co2_g"], audited),
                "provenance": reporter["provenance"],
                "training_type": _short(reporter.get("training_type")),
                "flags": flags,
                "flag_text": "; ".join(f"{f}: {FLAG_REASONS.get(f, f)}" for f in flags),
                "copy_of": str(origin) if origin in ids else None,
                "copies": copies.get(model_id, 0),
                "performance": score,
                "performance_text": formats.DASH if score is None else formats.fixed(score, 2),
                "performance_metrics": metrics_text(reporter.get("card_metrics")),
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
                "label_paper": paper["letter"] if paper else None,
                "autotrain": bool(reporter["autotrain"]),
                "created": reporter["created_at"][:10] if reporter["created_at"] else None,
            }
        )
    return out


def row_flags(reporter: Mapping[str, Any], findings: Sequence[Row]) -> list[str]:
    """The flags on a row's figure: the audit's (emissions.flags, in their order), then the
    linter's implausible/mismatch findings (LINT_FLAGS), each once."""
    flags = [str(flag) for flag in reporter.get("flags") or ()]
    for finding in findings:
        name = LINT_FLAGS.get(str(finding.get("code")))
        if name and name not in flags:
            flags.append(name)
    return flags


def hides(flags: Sequence[str]) -> bool:
    """True when "hide flagged figures" hides a row with these flags."""
    return any(flag not in UNHIDDEN_FLAGS for flag in flags)


def embedded(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The data the page's script reads: one array per column under a short key (ENCODING),
    low-cardinality text as codes into sorted dictionaries, dates as days since 1970."""
    index = {row["id"]: i for i, row in enumerate(rows)}
    dictionaries: dict[str, list[str]] = {}
    columns: dict[str, Any] = {}
    for key, name, kind in ENCODING:
        values = [row[name] for row in rows]
        if kind == "dict":
            words = sorted({v for v in values if v is not None}, key=lambda w: (w.lower(), w))
            code = {word: n for n, word in enumerate(words)}
            dictionaries[key] = words
            columns[key] = [-1 if v is None else code[v] for v in values]
        elif kind == "flags":
            sets = sorted({" ".join(v) for v in values if v})
            code = {word: n for n, word in enumerate(sets)}
            dictionaries[key] = sets
            columns[key] = [code[" ".join(v)] if v else -1 for v in values]
        elif kind == "page":
            columns[key] = [_page_key(row["id"], row["page"]) for row in rows]
        elif kind == "sparse":
            base = (row["co2_audited"] for row in rows)
            pairs = enumerate(zip(values, base, strict=True))
            columns[key] = {
                str(i): None if v is None else formats.significant(v)
                for i, (v, audited) in pairs
                if v != audited
            }
        elif kind == "bool":
            columns[key] = [1 if v else 0 for v in values]
        elif kind == "index":
            columns[key] = [-1 if v is None else index[v] for v in values]
        elif kind == "day":
            columns[key] = [None if v is None else _days(v) for v in values]
        elif kind == "num" and key in ROUNDED:
            columns[key] = [None if v is None else formats.significant(v) for v in values]
        else:
            columns[key] = list(values)
    return {
        "v": FORMAT_VERSION,
        "n": len(rows),
        "cols": columns,
        "dicts": dictionaries,
        "grades": {str(int(level)): name for level, name in LEVEL_NAMES.items()},
        "reasons": dict(sorted(FLAG_REASONS.items())),
        "unhidden": sorted(UNHIDDEN_FLAGS),
    }


def decode(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of embedded `data`, by row field (the inverse of `embedded` for ENCODING's
    fields, `hub` and `grade`; pages as site paths, hub as the Hub URL or None)."""
    columns, dictionaries, n = data["cols"], data["dicts"], data["n"]
    out: list[dict[str, Any]] = [{} for _ in range(n)]
    for key, name, kind in ENCODING:
        values = columns[key]
        for i, row in enumerate(out):
            value = values.get(str(i)) if kind == "sparse" else values[i]
            if kind == "dict":
                row[name] = None if value < 0 else dictionaries[key][value]
            elif kind == "flags":
                row[name] = [] if value < 0 else dictionaries[key][value].split(" ")
            elif kind == "page":
                row[name] = _page_path(columns["i"][i], value)
            elif kind == "sparse":
                row[name] = values.get(str(i), columns["c"][i])
            elif kind == "bool":
                row[name] = bool(value)
            elif kind == "index":
                row[name] = None if value < 0 else columns["i"][value]
            elif kind == "day":
                row[name] = (
                    None
                    if value is None
                    else date.fromordinal(EPOCH.toordinal() + value).isoformat()
                )
            else:
                row[name] = value
    grades = data["grades"]
    for row in out:
        row["hub"] = hub_url(row["id"])
        row["grade"] = None if row["grade_level"] is None else grades[str(row["grade_level"])]
    return out


def facets(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The distinct values of each select filter, sorted (grades in level order)."""
    grades = sorted({(r["grade_level"], r["grade"]) for r in rows if r["grade"] is not None})

    def distinct(name: str) -> list[str]:
        return sorted({r[name] for r in rows if r[name]}, key=lambda w: (w.lower(), w))

    return {
        "domain": distinct("domain"),
        "task": distinct("task_shown"),
        "grade": [name for _, name in grades],
        "label": distinct("label"),
        "library": distinct("library"),
        "training": distinct("training_type"),
        "provenance": distinct("provenance"),
    }


def _page_key(model_id: str, page: str | None) -> str | None:
    """The page column: the slug's 10-hex digest when the slug is the id's plain form, else the
    whole slug (the script rebuilds `models/<slug>.html`); None when there is no page."""
    if page is None:
        return None
    name = page.removeprefix("models/").removesuffix(".html")
    digest = name.rsplit("-", 1)[-1]
    plain = is_model_id(model_id) and name == f"{model_id.replace('/', '__')}-{digest}"
    return digest if plain and name == slug(model_id) else name


def _page_path(model_id: str, key: str | None) -> str | None:
    if key is None:
        return None
    if len(key) == 10 and "-" not in key:
        return f"models/{model_id.replace('/', '__')}-{key}.html"
    return f"models/{key}.html"


def _days(day: str) -> int:
    return date.fromisoformat(day[:10]).toordinal() - EPOCH.toordinal()


def _exact(stated: Any, audited: Any) -> str:
    """The hover text of the CO2 cell: exact grams, audited and (when different) as stated."""
    if audited is None:
        return f"no audited figure; stated {formats.exact_grams(stated)}"
    if stated is None or float(stated) == float(audited):
        return formats.exact_grams(audited)
    return f"{formats.exact_grams(audited)} audited; stated {formats.exact_grams(stated)}"


def _short(value: Any, limit: int = 40) -> str | None:
    """A free-text card field as a filter value: stripped, at most `limit` characters."""
    if value is None:
        return None
    text = " ".join(str(value).split())[:limit]
    return text or None


def metrics_text(stored: Any) -> str | None:
    """The card's metrics as the leaderboard words them, e.g. `accuracy 0.931 (imdb), f1 0.92`:
    each metric (card_facts.metrics, values on [0, 1]) with the dataset it was measured on,
    when the card names one."""
    metrics = json.loads(stored) if isinstance(stored, str) else stored
    if not isinstance(metrics, Mapping):
        return None
    parts = []
    for name, metric in metrics.items():
        value = metric.get("value") if isinstance(metric, Mapping) else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        dataset = _short(metric.get("dataset"), 40)
        parts.append(
            f"{name} {formats.significant(float(value), 3)}" + (f" ({dataset})" if dataset else "")
        )
    return ", ".join(parts) or None


def _performance(label: Row | None) -> float | None:
    """The hubcarbon-v1 label's performance input (the card's own score, 0-1, to 4 decimals:
    what the page shows and sorts on), when the card states a metric."""
    metrics = label.get("metrics") if label else None
    value = metrics.get("performance") if isinstance(metrics, Mapping) else None
    if isinstance(value, Mapping):
        value = value.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return None
    return round(float(value), 4)


def _scheme(entries: list[Row] | None, scheme: str) -> Row | None:
    for entry in entries or ():
        if entry.get("scheme") == scheme:
            return entry
    return None
