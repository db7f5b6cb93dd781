"""Rows for the crawl tables, built from what the Hub returns: listing items and README texts.

One home for the mapping from Hub JSON and parsed cards to the columns of `models`, `cards`,
`emissions` and `crawl_errors` (see mining/store.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from mining.cards import parse_card, read_co2_metadata
from mining.emission_record import EmissionRecord, Provenance, emission_record
from mining.hubclient import CardFetch
from mining.mirror_routes import ORIGINAL_CREATED

_TEXT = pa.string()
MODEL_SCHEMA = pa.schema(
    [
        ("run_id", pa.int32()), ("model_id", _TEXT), ("author", _TEXT),
        ("created_at", pa.timestamp("us")), ("last_modified", pa.timestamp("us")),
        ("downloads", pa.int64()), ("likes", pa.int64()), ("pipeline_tag", _TEXT),
        ("library_name", _TEXT), ("tags", pa.list_(_TEXT)), ("sha", _TEXT), ("gated", _TEXT),
        ("parameters", pa.int64()), ("pytorch_model_bytes", pa.int64()),
        ("files", pa.list_(_TEXT)), ("card_data", _TEXT),
    ]
)  # fmt: skip
CARD_SCHEMA = pa.schema(
    [
        ("run_id", pa.int32()), ("model_id", _TEXT), ("sha", _TEXT), ("etag", _TEXT),
        ("fetch_status", _TEXT), ("fetch_error", _TEXT), ("raw_text", _TEXT),
        ("front_matter", _TEXT), ("parse_status", _TEXT), ("parse_error", _TEXT),
    ]
)  # fmt: skip
EMISSION_SCHEMA = pa.schema(
    [
        ("run_id", pa.int32()), ("model_id", _TEXT), ("co2_g", pa.float64()),
        ("raw_value", _TEXT), ("unit", _TEXT), ("provenance", _TEXT), ("source", _TEXT),
        ("training_type", _TEXT), ("geographical_location", _TEXT), ("hardware_used", _TEXT),
        ("hours", pa.float64()), ("cloud_provider", _TEXT),
    ]
)  # fmt: skip
ERROR_SCHEMA = pa.schema(
    [("run_id", pa.int32()), ("model_id", _TEXT), ("stage", _TEXT), ("kind", _TEXT),
     ("message", _TEXT)]
)  # fmt: skip


def batch(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows as an Arrow table of the table's schema, for one batched insert."""
    return pa.Table.from_pylist(rows, schema=schema)


CARD_UPDATE_SCHEMA = pa.schema(
    [("model_id", _TEXT), ("front_matter", _TEXT), ("parse_status", _TEXT), ("parse_error", _TEXT)]
)


@dataclass(frozen=True)
class ParsedRow:
    """What parsing one stored README adds: its `cards` columns and its `emissions` row."""

    model_id: str
    card_update: dict[str, Any]  # CARD_UPDATE_SCHEMA
    emission: dict[str, Any] | None  # EMISSION_SCHEMA minus run_id and model_id


def model_row(run_id: int, item: dict[str, Any]) -> dict[str, Any]:
    """A `models` row from one listing item (any listing mode; missing fields become NULL)."""
    model_id = str(item.get("id") or item.get("modelId"))
    listed_siblings = item.get("siblings")
    siblings: list[Any] = listed_siblings if isinstance(listed_siblings, list) else []
    # None when the listing did not say (then a README is fetched to find out), else the files
    files = (
        [s["rfilename"] for s in siblings if isinstance(s, dict) and "rfilename" in s]
        if isinstance(listed_siblings, list)
        else None
    )
    safetensors = item.get("safetensors")
    parameters = safetensors.get("total") if isinstance(safetensors, dict) else None
    card_data = item.get("cardData")
    gated = item.get("gated")
    return {
        "run_id": run_id,
        "model_id": model_id,
        "author": item.get("author") or (model_id.split("/")[0] if "/" in model_id else None),
        # The snapshot mirror also serves the real creation time of repositories older than the
        # Hub's creation-date records (which show 2022-03-02T23:29:04Z); the live Hub does not.
        "created_at": _timestamp(item.get(ORIGINAL_CREATED) or item.get("createdAt")),
        "last_modified": _timestamp(item.get("lastModified")),
        "downloads": _integer(item.get("downloads")),
        "likes": _integer(item.get("likes")),
        "pipeline_tag": _text(item.get("pipeline_tag")),
        "library_name": _text(item.get("library_name")),
        "tags": [str(t) for t in item.get("tags") or [] if isinstance(t, str)],
        "sha": _text(item.get("sha")),
        "gated": None if gated is None else str(gated).lower(),
        "parameters": _integer(parameters),
        "pytorch_model_bytes": _sibling_size(siblings, "pytorch_model.bin"),
        "files": files,
        "card_data": json.dumps(card_data, sort_keys=True) if isinstance(card_data, dict) else None,
    }


def card_row(run_id: int, model_id: str, sha: str | None, fetch: CardFetch) -> dict[str, Any]:
    """A `cards` row as downloaded; parsing fills front_matter and parse_status later."""
    return {
        "run_id": run_id,
        "model_id": model_id,
        "sha": sha,
        "etag": fetch.etag,
        "fetch_status": fetch.status,
        "fetch_error": fetch.error,
        "raw_text": fetch.text,
    }


def error_row(run_id: int, model_id: str, fetch: CardFetch) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "model_id": model_id,
        "stage": "card",
        "kind": fetch.status,
        "message": fetch.error or "",
    }


def parse_texts(cards: list[tuple[str, str]]) -> list[ParsedRow]:
    """Parse stored READMEs (model id, text); runs in worker processes, so module-level."""
    return [_parse_one(model_id, text) for model_id, text in cards]


def _parse_one(model_id: str, text: str) -> ParsedRow:
    card = parse_card(text)
    record = emission_record(card)
    update = {
        "model_id": model_id,
        "front_matter": card.metadata_json(),
        "parse_status": str(card.status),
        "parse_error": card.yaml_error.message if card.yaml_error else None,
    }
    return ParsedRow(model_id, update, record.as_row() if record else None)


def emission_from_card_data(run_id: int, model_id: str, card_data: object) -> dict[str, Any] | None:
    """An `emissions` row from a listing's cardData alone (no README): the metadata form only,
    since the body is unknown."""
    if not isinstance(card_data, dict):
        return None
    co2 = read_co2_metadata(card_data, {})
    if co2 is None:
        return None
    record = EmissionRecord(
        co2_g=co2.emissions.grams,
        raw_value=co2.emissions.raw,
        unit=co2.emissions.unit,
        provenance=Provenance.METADATA,
        source=co2.source,
        training_type=co2.training_type,
        geographical_location=co2.geographical_location,
        hardware_used=co2.hardware_used,
        hours=None,
        cloud_provider=None,
    )
    return {"run_id": run_id, "model_id": model_id, **record.as_row()}


def _sibling_size(siblings: list[Any], name: str) -> int | None:
    for sibling in siblings:
        if isinstance(sibling, dict) and sibling.get("rfilename") == name:
            return _integer(sibling.get("size"))
    return None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def _integer(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
