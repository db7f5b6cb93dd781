"""Rows for the crawl tables, built from what the Hub returns: README texts and cardData.

One home for the mapping from parsed cards to the columns of `cards`, `emissions` and
`crawl_errors` (see mining/store/schema.py); listing pages become `models` rows in SQL
(`mining.crawl.listing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from mining.cards.card import parse_card
from mining.cards.emission_record import card_data_record, emission_record
from mining.crawl.failures import ErrorKind
from mining.crawl.hubclient import CardFetch

_TEXT = pa.string()
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
    """The `crawl_errors` row of a README that could not be fetched."""
    return {
        "run_id": run_id,
        "model_id": model_id,
        "stage": "card",
        "kind": str(fetch.kind or ErrorKind.BAD_RESPONSE),
        "message": fetch.error or "",
    }


PARSE_FAILED = "parse_failed"  # a parse_status of our own: the parser raised


def parse_error_row(run_id: int, row: ParsedRow) -> dict[str, Any] | None:
    """The `crawl_errors` row of a README whose metadata is unusable; None when it is fine."""
    message = row.card_update.get("parse_error")
    if not message:
        return None
    failed = row.card_update.get("parse_status") == PARSE_FAILED
    kind = ErrorKind.PARSE_FAILED if failed else ErrorKind.UNPARSEABLE_METADATA
    return {"run_id": run_id, "model_id": row.model_id, "stage": "parse", "kind": str(kind),
            "message": message}  # fmt: skip


def parse_texts(cards: list[tuple[str, str]]) -> list[ParsedRow]:
    """Parse stored READMEs (model id, text); runs in worker processes, so module-level."""
    return [_parse_or_record(model_id, text) for model_id, text in cards]


def _parse_or_record(model_id: str, text: str) -> ParsedRow:
    """One card's parse; a parser failure becomes the card's status, never the batch's end."""
    try:
        return _parse_one(model_id, text)
    except Exception as exc:
        update = {"model_id": model_id, "front_matter": None, "parse_status": PARSE_FAILED,
                  "parse_error": f"{type(exc).__name__}: {exc}"[:500]}  # fmt: skip
        return ParsedRow(model_id, update, None)


def _parse_one(model_id: str, text: str) -> ParsedRow:
    card = parse_card(text)
    record = emission_record(card)
    update = {
        "model_id": model_id,
        "front_matter": card.metadata_json(),
        "parse_status": str(card.status),
        "parse_error": card.parse_error,
    }
    return ParsedRow(model_id, update, record.as_row() if record else None)


def emission_from_card_data(run_id: int, model_id: str, card_data: object) -> dict[str, Any] | None:
    """An `emissions` row from a listing's cardData alone (no README)."""
    record = card_data_record(card_data) if isinstance(card_data, dict) else None
    return {"run_id": run_id, "model_id": model_id, **record.as_row()} if record else None
