"""Rows for the crawl tables, built from what the Hub returns: listing items and README texts.

One home for the mapping from Hub JSON and parsed cards to the columns of `models`, `cards`,
`emissions` and `crawl_errors` (see mining/store.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mining.cards import parse_card, read_co2_metadata
from mining.emission_record import EmissionRecord, Provenance, emission_record
from mining.hubclient import CardFetch
from mining.mirror_routes import ORIGINAL_CREATED

MODEL_COLUMNS = [
    "run_id", "model_id", "author", "created_at", "last_modified", "downloads", "likes",
    "pipeline_tag", "library_name", "tags", "sha", "gated", "parameters", "pytorch_model_bytes",
    "files", "card_data",
]  # fmt: skip
CARD_COLUMNS = [
    "run_id", "model_id", "sha", "etag", "fetch_status", "fetch_error", "raw_text",
    "front_matter", "parse_status", "parse_error",
]  # fmt: skip
EMISSION_COLUMNS = [
    "run_id", "model_id", "co2_g", "raw_value", "unit", "provenance", "source", "training_type",
    "geographical_location", "hardware_used", "hours", "cloud_provider",
]  # fmt: skip
ERROR_COLUMNS = ["run_id", "model_id", "stage", "kind", "message"]


@dataclass(frozen=True)
class CardInterpretation:
    """What the card parser made of one README, reduced to what the crawl tables store."""

    front_matter: str | None  # the metadata mapping as JSON, when it parsed
    parse_status: str
    parse_error: str | None
    emission: dict[str, Any] | None  # EMISSION_COLUMNS minus run_id and model_id


@dataclass(frozen=True)
class FetchedCard:
    model_id: str
    sha: str | None
    fetch: CardFetch
    interpretation: CardInterpretation | None
    pytorch_model_bytes: int | None


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


def card_row(run_id: int, fetched: FetchedCard) -> dict[str, Any]:
    interpretation = fetched.interpretation
    return {
        "run_id": run_id,
        "model_id": fetched.model_id,
        "sha": fetched.sha,
        "etag": fetched.fetch.etag,
        "fetch_status": fetched.fetch.status,
        "fetch_error": fetched.fetch.error,
        "raw_text": fetched.fetch.text,
        "front_matter": interpretation.front_matter if interpretation else None,
        "parse_status": interpretation.parse_status if interpretation else None,
        "parse_error": interpretation.parse_error if interpretation else None,
    }


def emission_row(run_id: int, fetched: FetchedCard) -> dict[str, Any] | None:
    interpretation = fetched.interpretation
    if interpretation is None or interpretation.emission is None:
        return None
    return {"run_id": run_id, "model_id": fetched.model_id, **interpretation.emission}


def error_row(run_id: int, fetched: FetchedCard) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "model_id": fetched.model_id,
        "stage": "card",
        "kind": fetched.fetch.status,
        "message": fetched.fetch.error or "",
    }


def interpret_card(text: str) -> CardInterpretation:
    """Parse a README and keep what the `cards` and `emissions` tables store."""
    card = parse_card(text)
    record = emission_record(card)
    return CardInterpretation(
        front_matter=card.metadata_json(),
        parse_status=str(card.status),
        parse_error=card.yaml_error.message if card.yaml_error else None,
        emission=record.as_row() if record else None,
    )


def emission_from_card_data(run_id: int, item: dict[str, Any]) -> dict[str, Any] | None:
    """An `emissions` row from a listing item's cardData alone (no README fetched): the
    metadata form only, since the body is unknown."""
    card_data = item.get("cardData")
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
    return {"run_id": run_id, "model_id": str(item.get("id")), **record.as_row()}


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
