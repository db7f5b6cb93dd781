"""Listing pages into `models` rows: parsed, checked and converted by DuckDB, a page at a time.

A page (the JSON array exactly as served) is read once by DuckDB into a staging table; every
later step is SQL over that table, so no model becomes a Python object on the way in. An item
becomes a row only when its id passes huggingface_hub's `validate_repo_id` rule (applied in bulk
by `valid_repo_id`; tests/mining/test_listing_hostile.py proves it agrees with the
library's validator). Refused items, and a page holding more items than the `limit` asked,
become `crawl_errors` rows; the rest of the page is stored.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
from huggingface_hub.errors import HFValidationError
from huggingface_hub.utils import validate_repo_id

from mining.crawl import records
from mining.mirror.routes import ORIGINAL_CREATED

_WORD = "A-Za-z0-9_"
_PART = f"[{_WORD}](?:[{_WORD}.-]{{0,94}}[{_WORD}])?"
REPO_ID_RE2 = f"(?:{_PART}/)?{_PART}"


def valid_repo_id(column: str) -> str:
    """SQL: whether the VARCHAR `column` passes huggingface_hub's `validate_repo_id`.

    The library (`REPO_ID_REGEX`, compiled with re.ASCII) asks for an optional namespace and a
    name, each 1-96 characters of `[A-Za-z0-9_.-]` starting and ending with a word character
    (its `\\b` anchors), at most one `/`, no `--` or `..`, no `.git` ending. RE2 (DuckDB's regex
    engine) matches in linear time."""
    return (
        f"(regexp_full_match({column}, '{REPO_ID_RE2}') AND NOT contains({column}, '--') "
        f"AND NOT contains({column}, '..') AND NOT suffix({column}, '.git'))"
    )


def _text(column: str) -> str:
    """SQL: a JSON column's string value, NULL when it is not a non-empty string."""
    return f"CASE WHEN json_type({column}) = 'VARCHAR' THEN nullif({column} ->> '$', '') END"


def _time(column: str) -> str:
    """SQL: an ISO-8601 UTC timestamp (`...Z` or `+00:00`) as a naive TIMESTAMP, or NULL."""
    return f"try_cast(regexp_replace({column} ->> '$', '(Z|[+-]00:?00)$', '') AS TIMESTAMP)"


# Every field as raw JSON, so that an odd value becomes NULL below instead of failing the page.
_LISTING_COLUMNS = dict.fromkeys(
    [
        "id", "modelId", "author", "createdAt", ORIGINAL_CREATED, "lastModified", "downloads",
        "likes", "pipeline_tag", "library_name", "tags", "sha", "gated", "safetensors",
        "siblings", "cardData",
    ],
    "JSON",
)  # fmt: skip

# The page as read, one row per item in order, with its id (a JSON string, else NULL), whether
# that id is valid, and `keep`: the item becomes a row (valid, within the page's limit and
# within the crawl's remaining `--limit`).
_STAGE = f"""
CREATE OR REPLACE TEMP TABLE listing_page AS
WITH items AS (
    SELECT row_number() OVER () AS position, coalesce(id, "modelId") AS raw_id, *
    FROM listing_json
), checked AS (
    SELECT *, CASE WHEN json_type(raw_id) = 'VARCHAR' THEN raw_id ->> '$' END AS model_id
    FROM items
), judged AS (
    SELECT *, coalesce({valid_repo_id("model_id")}, false) AS valid FROM checked
)
SELECT *, valid AND position <= $page_limit
    AND sum(valid::INTEGER) OVER (ORDER BY position) <= $take AS keep
FROM judged
"""

# One `models` row per kept item (missing or ill-typed fields are NULL). `files` is NULL when
# the listing did not say (a README is then fetched to find out). The snapshot mirror also
# serves the real creation time of repositories older than the Hub's creation-date records
# (which show 2022-03-02T23:29:04Z); the live Hub does not.
_INSERT = f"""
INSERT OR IGNORE INTO models (run_id, model_id, author, created_at, last_modified, downloads,
    likes, pipeline_tag, library_name, tags, sha, gated, parameters, parameters_by_dtype,
    pytorch_model_bytes, files, card_data)
WITH page AS (
    SELECT *, from_json(siblings, '["JSON"]') AS sibling_list
    FROM listing_page WHERE keep
)
SELECT $run, model_id,
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
    try_cast(safetensors -> 'parameters' AS MAP(VARCHAR, BIGINT)),
    list_extract(list_transform(
        list_filter(sibling_list, lambda f: f ->> 'rfilename' = 'pytorch_model.bin'),
        lambda f: try_cast(f ->> 'size' AS BIGINT)), 1),
    list_transform(
        list_filter(sibling_list, lambda f: (f ->> 'rfilename') IS NOT NULL),
        lambda f: f ->> 'rfilename'),
    CASE WHEN json_type("cardData") = 'OBJECT' THEN "cardData" END
FROM page
ORDER BY position
"""

_REFUSED = "SELECT position, raw_id FROM listing_page WHERE NOT valid AND position <= $page_limit"
_REPORTED = """
SELECT model_id, "cardData" FROM listing_page
WHERE keep AND json_type("cardData") = 'OBJECT' AND json_exists("cardData", '$.co2_eq_emissions')
"""

SHOWN_ID_CHARS = 120
MAX_MESSAGE_CHARS = 600


class PageError(ValueError):
    """The body is not a JSON array of objects."""


@dataclass(frozen=True)
class StagedPage:
    """A page read into the staging table: how many items it holds and how many are kept."""

    items: int
    kept: int


def stage(
    con: duckdb.DuckDBPyConnection, body: io.BytesIO, *, page_limit: int, take: int | None
) -> StagedPage:
    """Read a page into the staging table `listing_page` (replacing the previous page's).
    PageError when the body is not a JSON array of objects."""
    body.seek(0)
    relation = con.read_json(body, format="array", columns=_LISTING_COLUMNS)
    con.register("listing_json", relation)
    try:
        con.execute(_STAGE, {"page_limit": page_limit, "take": 2**62 if take is None else take})
    except duckdb.Error as exc:
        raise PageError(f"the listing page is not a JSON array of models ({exc})") from exc
    finally:
        con.unregister("listing_json")
    counts = con.execute("SELECT count(*), count(*) FILTER (keep) FROM listing_page").fetchall()
    return StagedPage(int(counts[0][0]), int(counts[0][1]))


def insert_staged(con: duckdb.DuckDBPyConnection, run_id: int) -> int:
    """Insert the kept items of the staged page as `models` rows; returns how many were new."""
    inserted = con.execute(_INSERT, {"run": run_id}).fetchall()
    return int(inserted[0][0])


def refused_rows(
    con: duckdb.DuckDBPyConnection, run_id: int, staged: StagedPage, page_limit: int
) -> list[dict[str, Any]]:
    """`crawl_errors` rows of the staged page: one per refused id, one for an over-limit page."""
    rows = [
        _refused(run_id, int(position), raw_id)
        for position, raw_id in con.execute(_REFUSED, {"page_limit": page_limit}).fetchall()
    ]
    if staged.items > page_limit:
        message = (
            f"the page holds {staged.items} models but {page_limit} were asked for: "
            f"the {staged.items - page_limit} after the first {page_limit} were not read"
        )
        rows.append(listing_error(run_id, "over-limit-page", message))
    return rows


def card_data_emissions(con: duckdb.DuckDBPyConnection, run_id: int) -> pa.Table:
    """`emissions` rows from the cardData of the staged page's kept models (the README is not
    read when crawling with `--cards none`: cardData is all there is)."""
    found = (
        records.emission_from_card_data(run_id, model_id, json.loads(card_data))
        for model_id, card_data in con.execute(_REPORTED).fetchall()
    )
    return records.batch([row for row in found if row is not None], records.EMISSION_SCHEMA)


def listing_error(run_id: int, kind: str, message: str) -> dict[str, Any]:
    return {"run_id": run_id, "model_id": None, "stage": "listing", "kind": kind,
            "message": message}  # fmt: skip


def insert_errors(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append `crawl_errors` rows (the table has no key: every failure is its own row)."""
    if not rows:
        return
    con.register("error_rows", records.batch(rows, records.ERROR_SCHEMA))
    try:
        columns = ", ".join(records.ERROR_SCHEMA.names)
        con.execute(f"INSERT INTO crawl_errors ({columns}) SELECT {columns} FROM error_rows")
    finally:
        con.unregister("error_rows")


def _refused(run_id: int, position: int, raw_id: str | None) -> dict[str, Any]:
    value = None if raw_id is None else json.loads(raw_id)
    shown = _shown(value)
    if value is None:
        reason = "the item has no id"
    else:
        try:
            validate_repo_id(value)
            reason = "refused by the bulk form of validate_repo_id"  # they agree: see the tests
        except HFValidationError as exc:
            reason = str(exc).replace(f"'{value}'", shown) if isinstance(value, str) else str(exc)
    message = f"listing item {position}: invalid model id {shown}: {reason}"
    return listing_error(run_id, "invalid-id", message[:MAX_MESSAGE_CHARS])


def _shown(value: object) -> str:
    """An id as it may be printed: escaped (NUL bytes, newlines), its length past a cut."""
    text = ascii(value)
    if len(text) <= SHOWN_ID_CHARS:
        return text
    return f"{text[:SHOWN_ID_CHARS]}... ({len(str(value)):,} characters)"
