"""One page per CO2 reporter (`models/<slug>.html`)."""

from __future__ import annotations

from typing import Any

from tqdm import tqdm

from reports import formats
from reports.context import SiteContext
from reports.database import Row
from reports.inputs import Missing
from reports.pages.base import Files, page
from reports.render import render
from reports.safety import hub_url, is_legacy_id

PROVENANCE = {
    "metadata": "card metadata (co2_eq_emissions)",
    "prose": "card text (prose)",
}
LISTING = "Hub listing"


def emission_fields(reporter: Row) -> list[tuple[str, str, str]]:
    """(field, value, provenance) for every parsed emissions field."""
    where = PROVENANCE.get(str(reporter["provenance"]), str(reporter["provenance"]))
    rows = [
        ("CO₂eq (grams, normalised)", formats.grams(reporter["co2_g"]), where),
        ("value as written", _text(reporter["raw_value"]), where),
        ("unit recognised", _text(reporter["unit"]), where),
    ]
    for name in ("source", "training_type", "geographical_location", "hardware_used"):
        rows.append((name, _text(reporter[name]), where))
    rows.append(("hours", formats.number(reporter["hours"]), where))
    rows.append(("cloud_provider", _text(reporter["cloud_provider"]), where))
    return rows


def listing_fields(reporter: Row, domain: str | None) -> list[tuple[str, str, str]]:
    """(field, value, provenance) for the listing, size and card fields."""
    return [
        ("author", _text(reporter["author"]), LISTING),
        ("pipeline_tag", _text(reporter["pipeline_tag"]), LISTING),
        ("domain", _text(domain), "analysis layer's tag-to-domain rule"),
        ("library_name", _text(reporter["library_name"]), LISTING),
        ("downloads", formats.integer(reporter["downloads"]), LISTING),
        ("likes", formats.integer(reporter["likes"]), LISTING),
        ("created", _text(reporter["created_at"]), LISTING),
        ("last modified", _text(reporter["last_modified"]), LISTING),
        ("gated", _text(reporter["gated"]), LISTING),
        ("revision (sha)", _text(reporter["sha"]), LISTING),
        ("tags", ", ".join(reporter["tags"]) or formats.DASH, LISTING),
        ("parameters", formats.integer(reporter["parameters"]), "safetensors metadata"),
        (
            "pytorch_model.bin",
            formats.size_bytes(reporter["pytorch_model_bytes"]),
            "HEAD of pytorch_model.bin",
        ),
        (
            "training data",
            formats.size_bytes(reporter.get("dataset_bytes")),
            _data_provenance(reporter),
        ),
        ("card fetch", _text(reporter["card_fetch_status"]), "README download"),
        ("card parse", _text(reporter["card_parse_status"]), "card parser"),
        ("card parse error", _text(reporter["card_parse_error"]), "card parser"),
    ]


def _data_provenance(reporter: Row) -> str:
    measure, provenance = (
        reporter.get("dataset_size_measure"),
        reporter.get("dataset_size_provenance"),
    )
    if measure is None:
        return "no size known for the datasets the card names"
    return f"{measure} ({provenance})" if provenance else str(measure)


def metric_rows(label: Row) -> list[dict[str, Any]]:
    """Per-metric value, index, rating and weight of one efficiency label."""
    metrics = label.get("metrics")
    weights = label.get("weights") if isinstance(label.get("weights"), dict) else {}
    if not isinstance(metrics, dict):
        return []
    rows = []
    for name in sorted(metrics):
        entry = metrics[name] if isinstance(metrics[name], dict) else {}
        rows.append(
            {
                "metric": name,
                "value": entry.get("value"),
                "index": entry.get("index"),
                "rating": entry.get("rating"),
                "weight": weights.get(name) if weights else None,
            }
        )
    return rows


@page("model")
def model(context: SiteContext) -> Files:
    """A page per CO2 reporter (`models/<slug>.html`, the slug from
    `hubcarbon.core.paths.safe_child`, so no id can name a file outside the site): every parsed
    emissions field with where the card states it, the listing fields, its lint findings, its
    reporting grade and efficiency label in both schemes with the label broken down per metric, its
    greener alternatives (same task, less CO2, performance no worse), and its badge with the snippet
    to embed it.
    """
    derived = context.derived
    files: Files = {}
    pairs = zip(context.reporters, context.rows, strict=True)
    for reporter, row in tqdm(
        pairs,
        total=len(context.rows),
        desc="model pages",
        disable=None if context.progress is None else not context.progress,
    ):
        model_id = row["id"]
        slug = context.slugs[model_id]
        labels = derived.labels.get(model_id, [])
        alternatives = [
            {**alt, "page": _sibling(context.model_pages.get(str(alt["alternative_id"])))}
            for alt in derived.alternatives.get(model_id, [])
        ]
        files[context.model_pages[model_id]] = render(
            "model.html.j2",
            root="../",
            current="model",
            run=context.run,
            notices=context.notices,
            model_id=model_id,
            hub=hub_url(model_id),
            legacy=is_legacy_id(model_id),
            slug=slug,
            row=row,
            emissions=emission_fields(reporter),
            listing=listing_fields(reporter, row["domain"]),
            grades=derived.grades.get(model_id, []),
            labels=[{**label, "breakdown": metric_rows(label)} for label in labels],
            lint=derived.lint.get(model_id, []),
            alternatives=alternatives,
            history=context.history.models.get(model_id, []),
            hub_url=hub_url,
            missing={name: m.message for name, m in derived.missing.items()},
            domain_missing=context.domain.message if isinstance(context.domain, Missing) else "",
        )
    return files


def _sibling(path: str | None) -> str | None:
    """A model page's path relative to another model page."""
    return path.removeprefix("models/") if path else None


def _text(value: object) -> str:
    return formats.DASH if value is None or value == "" else str(value)
