"""Rows for the crawl tables, built from what the Hub returns: README texts and cardData.

One home for the mapping from parsed cards to the columns of `cards`, `card_texts`, `emissions`
and `crawl_errors` (see mining/store/schema.py); listing pages become `models` rows in SQL
(`mining.crawl.listing`).
"""

from __future__ import annotations

import hashlib
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
        ("fetch_status", _TEXT), ("fetch_error", _TEXT), ("text_sha256", _TEXT),
    ]
)  # fmt: skip
CARD_TEXT_SCHEMA = pa.schema([("text_sha256", _TEXT), ("raw_text", _TEXT)])
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


TEXT_UPDATE_SCHEMA = pa.schema(
    [("text_sha256", _TEXT), ("front_matter", _TEXT), ("parse_status", _TEXT),
     ("parse_error", _TEXT)]
)  # fmt: skip
TEXT_EMISSION_SCHEMA = pa.schema(
    [("text_sha256", _TEXT), *(f for f in EMISSION_SCHEMA if f.name not in ("run_id", "model_id"))]
)


@dataclass(frozen=True)
class ParsedRow:
    """What parsing one stored README adds: its `card_texts` columns and the `emissions` row of
    every card with this text."""

    text_sha256: str
    text_update: dict[str, Any]  # TEXT_UPDATE_SCHEMA
    emission: dict[str, Any] | None  # EMISSION_SCHEMA minus run_id and model_id


def text_sha256(text: str) -> str:
    """The key of a README in `card_texts`: the hex sha256 of its UTF-8 bytes (DuckDB's
    `sha256(raw_text)` gives the same)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def card_row(run_id: int, model_id: str, sha: str | None, fetch: CardFetch) -> dict[str, Any]:
    """A `cards` row as downloaded; its text goes to `card_texts` (`text_row`), once per hash."""
    return {
        "run_id": run_id,
        "model_id": model_id,
        "sha": sha,
        "etag": fetch.etag,
        "fetch_status": fetch.status,
        "fetch_error": fetch.error,
        "text_sha256": None if fetch.text is None else text_sha256(fetch.text),
    }


def text_rows(fetches: list[CardFetch]) -> list[dict[str, Any]]:
    """The `card_texts` rows of downloaded READMEs, one per distinct text."""
    texts = {text_sha256(f.text): f.text for f in fetches if f.text is not None}
    return [{"text_sha256": key, "raw_text": text} for key, text in texts.items()]


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
PARSE_PROBLEM_SCHEMA = pa.schema([("text_sha256", _TEXT), ("kind", _TEXT), ("message", _TEXT)])


def parse_problem(row: ParsedRow) -> dict[str, Any] | None:
    """What goes to `crawl_errors` (stage `parse`, for every card with this text) about a README
    whose metadata is unusable; None when it is fine."""
    message = row.text_update.get("parse_error")
    if not message:
        return None
    failed = row.text_update.get("parse_status") == PARSE_FAILED
    kind = ErrorKind.PARSE_FAILED if failed else ErrorKind.UNPARSEABLE_METADATA
    return {"text_sha256": row.text_sha256, "kind": str(kind), "message": message}


def parse_texts(texts: list[tuple[str, str]]) -> list[ParsedRow]:
    """Parse stored READMEs (text_sha256, text); runs in worker processes, so module-level."""
    return [_parse_or_record(key, text) for key, text in texts]


def _parse_or_record(key: str, text: str) -> ParsedRow:
    """One text's parse; a parser failure becomes the text's status, never the batch's end."""
    try:
        return _parse_one(key, text)
    except Exception as exc:
        update = {"text_sha256": key, "front_matter": None, "parse_status": PARSE_FAILED,
                  "parse_error": f"{type(exc).__name__}: {exc}"[:500]}  # fmt: skip
        return ParsedRow(key, update, None)


def _parse_one(key: str, text: str) -> ParsedRow:
    card = parse_card(text)
    record = emission_record(card)
    update = {
        "text_sha256": key,
        "front_matter": card.metadata_json(),
        "parse_status": str(card.status),
        "parse_error": card.parse_error,
    }
    return ParsedRow(key, update, record.as_row() if record else None)


def emission_from_card_data(run_id: int, model_id: str, card_data: object) -> dict[str, Any] | None:
    """An `emissions` row from a listing's cardData alone (no README)."""
    record = card_data_record(card_data) if isinstance(card_data, dict) else None
    return {"run_id": run_id, "model_id": model_id, **record.as_row()} if record else None
