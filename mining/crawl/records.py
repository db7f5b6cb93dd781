"""Rows for the crawl tables, built from what the Hub returns: listing items and README texts.

One home for the mapping from Hub JSON and parsed cards to the columns of `models`, `cards`,
`emissions` and `crawl_errors` (see mining/store/schema.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from mining.cards.card import parse_card
from mining.cards.emission_record import card_data_record, emission_record
from mining.crawl.failures import ErrorKind
from mining.crawl.hubclient import CardFetch
from mining.mirror.routes import ORIGINAL_CREATED

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


def _text(column: str) -> str:
    """SQL: a JSON column's string value, NULL when it is not a non-empty string."""
    return f"CASE WHEN json_type({column}) = 'VARCHAR' THEN nullif({column} ->> '$', '') END"


def _time(column: str) -> str:
    """SQL: an ISO-8601 UTC timestamp (`...Z` or `+00:00`) as a naive TIMESTAMP, or NULL."""
    return f"try_cast(regexp_replace({column} ->> '$', '(Z|[+-]00:?00)$', '') AS TIMESTAMP)"


# Columns of a listing page as DuckDB reads them: everything but the id as raw JSON, so that an
# odd value becomes NULL below instead of failing the page.
_LISTING_JSON = dict.fromkeys(
    [
        "modelId", "author", "createdAt", ORIGINAL_CREATED, "lastModified", "downloads",
        "likes", "pipeline_tag", "library_name", "tags", "sha", "gated", "safetensors",
        "siblings", "cardData",
    ],
    "JSON",
)  # fmt: skip

# One `models` row per listing item (any listing mode; missing or ill-typed fields are NULL).
# `files` is NULL when the listing did not say (a README is then fetched to find out). The
# snapshot mirror also serves the real creation time of repositories older than the Hub's
# creation-date records (which show 2022-03-02T23:29:04Z); the live Hub does not.
_INSERT_LISTING = f"""
INSERT OR IGNORE INTO models (run_id, model_id, author, created_at, last_modified, downloads,
    likes, pipeline_tag, library_name, tags, sha, gated, parameters, pytorch_model_bytes, files,
    card_data)
WITH page AS (
    SELECT *, from_json(siblings, '["JSON"]') AS sibling_list
    FROM listing_page
    WHERE coalesce(id, modelId ->> '$') IS NOT NULL
    LIMIT $take
)
SELECT $run, coalesce(id, modelId ->> '$') AS model_id,
    coalesce(
        {_text("author")},
        CASE WHEN contains(model_id, '/') THEN split_part(model_id, '/', 1) END
    ),
    {_time('coalesce("' + ORIGINAL_CREATED + '", "createdAt")')},
    {_time('"lastModified"')},
    try_cast(downloads ->> '$' AS BIGINT),
    try_cast(likes ->> '$' AS BIGINT),
    {_text("pipeline_tag")},
    {_text("library_name")},
    coalesce(list_transform(
        list_filter(from_json(tags, '["JSON"]'), lambda t: json_type(t) = 'VARCHAR'),
        lambda t: t ->> '$'), []),
    {_text("sha")},
    lower(gated ->> '$'),
    try_cast(safetensors ->> 'total' AS BIGINT),
    list_extract(list_transform(
        list_filter(sibling_list, lambda f: f ->> 'rfilename' = 'pytorch_model.bin'),
        lambda f: try_cast(f ->> 'size' AS BIGINT)), 1),
    list_transform(
        list_filter(sibling_list, lambda f: (f ->> 'rfilename') IS NOT NULL),
        lambda f: f ->> 'rfilename'),
    CASE WHEN json_type("cardData") = 'OBJECT' THEN "cardData" END
FROM page
"""


def listing_size(con: duckdb.DuckDBPyConnection, body: bytes) -> int:
    """How many models a listing page holds; ValueError when it is not a JSON array of objects."""
    try:
        rows = _read_listing(con, body).aggregate("count(*)").fetchall()
    except duckdb.Error as exc:
        raise ValueError(f"the listing page is not a JSON array of models ({exc})") from exc
    return int(rows[0][0])


def insert_listing(
    con: duckdb.DuckDBPyConnection, run_id: int, body: bytes, take: int | None
) -> int:
    """Insert the `models` rows of a listing page (its raw JSON body), at most `take` of them;
    returns how many were inserted. DuckDB parses and converts the page in one statement."""
    con.register("listing_page", _read_listing(con, body))
    try:
        inserted = con.execute(_INSERT_LISTING, {"run": run_id, "take": take}).fetchall()
    finally:
        con.unregister("listing_page")
    return int(inserted[0][0])


def _read_listing(con: duckdb.DuckDBPyConnection, body: bytes) -> duckdb.DuckDBPyRelation:
    columns = {"id": "VARCHAR", **_LISTING_JSON}
    return con.read_json(io.BytesIO(body), format="array", columns=columns)


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
