"""What changed between the two latest crawl runs (`changes.html`, and `data/changes.*`)."""

from __future__ import annotations

from typing import Any

from mining.store.history import RunDiff
from reports import formats
from reports.context import SiteContext
from reports.pages.base import Files, page
from reports.render import render
from reports.safety import stable_json
from reports.snapshot import public_source
from reports.tables import Field, to_csv

CHANGES_FIELDS: tuple[Field, ...] = (
    Field(
        "kind",
        "string",
        "models_added, models_removed, started_reporting, "
        "stopped_reporting, co2_changed or fields_changed",
    ),
    Field("model_id", "string", "Hub model id"),
    Field("field", "string", "the field that changed (co2_changed: co2_g)"),
    Field("from", "string", "its value in the earlier run"),
    Field("to", "string", "its value in the later run"),
    Field(
        "co2_g",
        "float64",
        "the figure in grams as stated (the later run's, or the last one "
        "known for a model removed or that stopped reporting)",
    ),
    Field("co2_g_audited", "float64", "the audited figure alongside, when the crawl has one"),
)

NO_PAIR = (
    "There is nothing to compare yet: the database holds a single finished crawl run of this "
    'source and scope. Crawl the same source again later (see the README, "History").'
)


def changes_files(context: SiteContext) -> Files:
    """The diff as downloads: `data/changes.json` (the document `hubcarbon diff --format json`
    prints, with a local mirror's address replaced by "a local mirror") and `data/changes.csv` (one
    row per change); none without a pair of runs."""
    diff = context.history.diff
    if diff is None:
        return {}
    return {
        "data/changes.json": (stable_json(_public(diff.as_json()), indent=1) + "\n").encode(),
        "data/changes.csv": to_csv(CHANGES_FIELDS, diff.rows()),
    }


def _public(value: Any) -> Any:
    """The diff document with every crawl source as the site may print it (no loopback URL)."""
    if isinstance(value, dict):
        return {
            key: public_source(item)
            if key == "crawl_source" and isinstance(item, str)
            else _public(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_public(item) for item in value]
    return value


@page("changes")
def changes(context: SiteContext) -> Files:
    """What changed (`changes.html`): the crawl run shown against the finished run before it on
    the same source and scope, as `hubcarbon diff` compares them: the counts first, then a
    table per kind (models added and removed with their figures, models that started or
    stopped reporting, corrected figures in grams with the audited figure alongside, changed
    fields), each model linked to its page when it has one. Without an earlier run the page
    says so."""
    diff = context.history.diff
    return {
        "changes.html": render(
            "changes.html.j2",
            root="",
            current="changes",
            run=context.run,
            notices=context.notices,
            diff=diff,
            no_pair=NO_PAIR,
            sections=_sections(diff) if diff is not None else [],
            pages=context.model_pages,
        )
    }


def _sections(diff: RunDiff) -> list[dict[str, Any]]:
    """One section per kind: id, title, column headers and rows (model id first)."""
    added = {f.model_id: f for f in diff.added_reporting}
    removed = {f.model_id: f for f in diff.removed_reporting}
    figure = ("CO₂eq (g)", "audited (g)")
    return [
        _section(
            "added",
            "Models added",
            figure,
            [(m, *_figure(added.get(m))) for m in diff.models_added],
        ),
        _section(
            "removed",
            "Models removed",
            figure,
            [(m, *_figure(removed.get(m))) for m in diff.models_removed],
        ),
        _section(
            "started",
            "Started reporting",
            figure,
            [(f.model_id, f.co2_g, f.co2_g_audited) for f in diff.started_reporting],
        ),
        _section(
            "stopped",
            "Stopped reporting (last figure)",
            figure,
            [(f.model_id, f.co2_g, f.co2_g_audited) for f in diff.stopped_reporting],
        ),
        _section(
            "co2",
            "CO₂ figure changed",
            ("from (g)", "to (g)", "audited from (g)", "audited to (g)"),
            [
                (c.model_id, c.from_g, c.to_g, c.from_audited_g, c.to_audited_g)
                for c in diff.co2_changed
            ],
        ),
        _section(
            "fields",
            "Fields changed",
            ("field", "from", "to"),
            [(f.model_id, f.field, _text(f.before), _text(f.after)) for f in diff.fields_changed],
        ),
    ]


def _section(
    section_id: str, title: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> dict[str, Any]:
    return {"id": section_id, "title": title, "columns": columns, "rows": rows}


def _text(value: Any) -> str | None:
    """A field value as text (numbers as the site writes them)."""
    if value is None:
        return None
    return formats.number(value) if isinstance(value, float) else str(value)


def _figure(found: Any) -> tuple[float | None, float | None]:
    return (found.co2_g, found.co2_g_audited) if found is not None else (None, None)
