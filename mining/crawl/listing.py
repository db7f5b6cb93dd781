"""Listing pages into `models` rows: parsed, checked and converted by DuckDB, a batch at a time.

A batch of pages (each the JSON array exactly as served, in its own file) is first scanned for
the fields that decide how each page is stored: the ids, and the cardData of CO2 reporters. The
pages that pass are then inserted straight from their files, every field read with its declared
type in the same statement: no model becomes a Python object on the way in, and no page is
copied into a staging table. A page that does not pass is read carefully, on its own.

An item becomes a row only when its id passes huggingface_hub's `validate_repo_id` rule
(applied in bulk by `valid_repo_id`; tests/mining/test_listing_hostile.py proves it agrees with
the library's validator). Refused items, and a page holding more items than the `limit` asked,
become `crawl_errors` rows; the rest of the page is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from huggingface_hub.errors import HFValidationError
from huggingface_hub.utils import validate_repo_id

from hubcarbon.core.db import insert_rows
from mining.crawl import records
from mining.crawl.failures import ErrorKind
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


# The fields read from a listing item: the type the crawl stores, as read_json takes it (the
# fast path) and as json_transform takes it (the careful path, which makes an ill-typed value
# NULL instead of failing the page). The id stays JSON, so that only a JSON string can be one.
_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("JSON", '"JSON"'),
    "modelId": ("JSON", '"JSON"'),
    "author": ("VARCHAR", '"VARCHAR"'),
    "createdAt": ("VARCHAR", '"VARCHAR"'),
    ORIGINAL_CREATED: ("VARCHAR", '"VARCHAR"'),
    "lastModified": ("VARCHAR", '"VARCHAR"'),
    "downloads": ("BIGINT", '"BIGINT"'),
    "likes": ("BIGINT", '"BIGINT"'),
    "pipeline_tag": ("VARCHAR", '"VARCHAR"'),
    "library_name": ("VARCHAR", '"VARCHAR"'),
    "tags": ("VARCHAR[]", '["VARCHAR"]'),
    "sha": ("VARCHAR", '"VARCHAR"'),
    "gated": ("VARCHAR", '"VARCHAR"'),
    "safetensors": (
        "STRUCT(parameters MAP(VARCHAR, BIGINT), total BIGINT)",
        '{"parameters": "MAP(VARCHAR, BIGINT)", "total": "BIGINT"}',
    ),
    "siblings": (
        "STRUCT(rfilename VARCHAR, size BIGINT)[]",
        '[{"rfilename": "VARCHAR", "size": "BIGINT"}]',
    ),
    "cardData": ("JSON", '"JSON"'),
}
TYPED_COLUMNS = {name: typed for name, (typed, _) in _FIELDS.items()}
_JSON_COLUMNS = dict.fromkeys(_FIELDS, "JSON")
_TRANSFORMED = ", ".join(
    f'json_transform("{name}", \'{structure}\') AS "{name}"'
    for name, (_, structure) in _FIELDS.items()
    if name not in ("id", "modelId", "cardData")
)
_MODEL_ID = "CASE WHEN json_type(raw_id) = 'VARCHAR' THEN raw_id ->> '$' END"

# Whether an item's cardData states emissions (what makes it a reporter without its README).
_STATES_CO2 = (
    """json_type("cardData") = 'OBJECT' AND json_exists("cardData", '$.co2_eq_emissions')"""
)

# A batch of pages scanned for what decides how each is stored: every item's id (a JSON string,
# else NULL), whether it is valid, and its cardData when that states co2_eq_emissions. Only these
# fields are read here (the typed read of every field is the INSERT's, straight from the files).
_SCAN_BATCH = f"""
CREATE OR REPLACE TEMP TABLE listing_batch AS
SELECT filename, model_id, coalesce({valid_repo_id("model_id")}, false) AS valid, reported FROM (
    SELECT filename, {_MODEL_ID} AS model_id,
        CASE WHEN {_STATES_CO2} THEN "cardData" END AS reported
    FROM (
        SELECT filename, coalesce(id, "modelId") AS raw_id, "cardData"
        FROM read_json($files, format = 'array', columns = $columns, filename = true)
    )
)
"""
_SCANNED_COLUMNS = {"id": "JSON", "modelId": "JSON", "cardData": "JSON"}

# The pages themselves, every field with its declared type (the fast path: fails on an
# ill-typed value), as the source of `_INSERT`.
_TYPED_PAGES = f"""(
    SELECT *, {_MODEL_ID} AS model_id FROM (
        SELECT coalesce(id, "modelId") AS raw_id, *
        FROM read_json($files, format = 'array', columns = $columns)
    )
)"""

# One page read carefully: every item in order, its id (a JSON string, else NULL), whether that
# id is valid, and `keep`: the item becomes a row (valid, within the page's limit and within
# the crawl's remaining `--limit`).
_STAGE_PAGE = f"""
CREATE OR REPLACE TEMP TABLE listing_page AS
WITH items AS (
    SELECT row_number() OVER () AS position, coalesce(id, "modelId") AS raw_id, "cardData",
        {_TRANSFORMED}
    FROM read_json($file, format = 'array', columns = $columns)
), judged AS (
    SELECT *, coalesce({valid_repo_id("model_id")}, false) AS valid
    FROM (SELECT *, {_MODEL_ID} AS model_id FROM items)
)
SELECT *, valid AND position <= $page_limit
    AND sum(valid::INTEGER) OVER (ORDER BY position) <= $take AS keep
FROM judged
"""


def _time(column: str) -> str:
    """SQL: an ISO-8601 timestamp as a naive TIMESTAMP (DuckDB drops a `Z`/offset), or NULL."""
    return f"try_cast({column} AS TIMESTAMP)"


# One `models` row per item of {source} that passes {where} (missing or ill-typed fields are
# NULL), inserted with {insert} (`_insert_verb`). `files` is NULL when the listing did not say
# (a README is then fetched to find out).
# The snapshot mirror also serves the real creation time of repositories older than the Hub's
# creation-date records (which show 2022-03-02T23:29:04Z); the live Hub does not.
_INSERT = f"""
{{insert}} INTO models (run_id, model_id, author, created_at, last_modified, downloads,
    likes, pipeline_tag, library_name, tags, sha, gated, parameters, parameters_by_dtype,
    pytorch_model_bytes, files, card_data)
SELECT $run, model_id,
    coalesce(
        nullif(author, ''),
        CASE WHEN contains(model_id, '/') THEN split_part(model_id, '/', 1) END
    ),
    {_time('coalesce("' + ORIGINAL_CREATED + '", "createdAt")')},
    {_time('"lastModified"')},
    downloads,
    likes,
    nullif(pipeline_tag, ''),
    nullif(library_name, ''),
    coalesce(list_filter(tags, lambda t: t IS NOT NULL), []),
    nullif(sha, ''),
    lower(gated),
    safetensors.total,
    safetensors.parameters,
    list_extract(list_transform(
        list_filter(siblings, lambda f: f.rfilename = 'pytorch_model.bin'),
        lambda f: f.size), 1),
    list_transform(
        list_filter(siblings, lambda f: f.rfilename IS NOT NULL), lambda f: f.rfilename),
    CASE WHEN json_type("cardData") = 'OBJECT' THEN "cardData" END
FROM {{source}}
WHERE {{where}}
"""

_REFUSED = "SELECT position, raw_id FROM listing_page WHERE NOT valid AND position <= $page_limit"
_REPORTED = f"""
SELECT model_id, "cardData" FROM {{source}} WHERE {{where}} AND {_STATES_CO2}
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


def scan_batch(con: duckdb.DuckDBPyConnection, files: list[Path]) -> bool:
    """Scan listing pages (JSON files) into `listing_batch` in one statement: each item's id,
    whether it is valid, and the cardData of a CO2 reporter; False when the scan fails (a file
    that is not a JSON array, an item that is not an object, ...): read every page carefully
    instead, with `stage`."""
    try:
        con.execute(_SCAN_BATCH, {"files": [str(f) for f in files], "columns": _SCANNED_COLUMNS})
    except duckdb.InterruptException:  # Ctrl-C, not a page that does not fit
        raise
    except duckdb.Error:
        return False
    return True


def careful_pages(con: duckdb.DuckDBPyConnection, page_limit: int) -> list[str]:
    """The pages of the scanned batch that need `stage`: an invalid id, or over the limit."""
    found = con.execute(
        "SELECT filename FROM listing_batch GROUP BY filename "
        "HAVING count(*) > $limit OR bool_or(NOT valid) ORDER BY filename",
        {"limit": page_limit},
    ).fetchall()
    return [str(row[0]) for row in found]


class IllTypedPages(ValueError):
    """A field of the pages does not fit its declared type (read those pages with `stage`)."""


def insert_pages(
    con: duckdb.DuckDBPyConnection, run_id: int, files: list[str], *, new_ids: bool
) -> int:
    """Insert every model of the scanned pages `files` (none of them careful), read straight
    from the files with each field's declared type; returns how many. With `new_ids` (none of
    them is stored yet), a duplicate raises ConstraintException; IllTypedPages when a field
    does not fit its type (the statement failed: the transaction around it must roll back)."""
    if not files:
        return 0
    # the scan found every id valid: checked again row by row, should a path have been read
    # as a glob matching other files
    where = valid_repo_id("model_id")
    sql = _INSERT.format(insert=_insert_verb(new_ids), source=_TYPED_PAGES, where=where)
    try:
        inserted = con.execute(sql, {"run": run_id, "files": files, "columns": TYPED_COLUMNS})
    except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        raise IllTypedPages(str(exc)) from exc
    return int(inserted.fetchall()[0][0])


def batch_emissions(
    con: duckdb.DuckDBPyConnection, run_id: int, careful: list[str], *, new_ids: bool
) -> int:
    """Insert the `emissions` rows the cardData of the scanned batch states (but the `careful`
    pages'); returns how many."""
    found = con.execute(
        "SELECT model_id, reported FROM listing_batch "
        "WHERE reported IS NOT NULL AND valid AND NOT list_contains($careful, filename)",
        {"careful": careful},
    ).fetchall()
    return _insert_emissions(con, run_id, found, new_ids=new_ids)


def _insert_verb(new_ids: bool) -> str:
    """A plain INSERT when the ids are new, the key index checking each; else INSERT OR IGNORE,
    which DuckDB runs as a merge, hashing every key the table already holds (each batch's cost
    would grow with the listing)."""
    return "INSERT" if new_ids else "INSERT OR IGNORE"


def stage(
    con: duckdb.DuckDBPyConnection, file: Path | str, *, page_limit: int, take: int | None
) -> StagedPage:
    """Read one page (a JSON file) into the staging table `listing_page`, every item in order,
    an ill-typed field as NULL. PageError when the file is not a JSON array of objects."""
    params = {
        "file": str(file),
        "columns": _JSON_COLUMNS,
        "page_limit": page_limit,
        "take": 2**62 if take is None else take,
    }
    try:
        con.execute(_STAGE_PAGE, params)
    except duckdb.InterruptException:
        raise
    except duckdb.Error as exc:
        raise PageError(f"the listing page is not a JSON array of models ({exc})") from exc
    counts = con.execute("SELECT count(*), count(*) FILTER (keep) FROM listing_page").fetchall()
    return StagedPage(int(counts[0][0]), int(counts[0][1]))


def insert_staged(con: duckdb.DuckDBPyConnection, run_id: int) -> int:
    """Insert the kept items of the staged page as `models` rows; returns how many were new."""
    sql = _INSERT.format(insert=_insert_verb(False), source="listing_page", where="keep")
    sql += " ORDER BY position"
    return int(con.execute(sql, {"run": run_id}).fetchall()[0][0])


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
        rows.append(listing_error(run_id, ErrorKind.OVER_LIMIT_PAGE, message))
    return rows


def card_data_emissions(con: duckdb.DuckDBPyConnection, run_id: int) -> int:
    """Insert the `emissions` rows the cardData of the staged page's kept models states (the
    README is not read when crawling with `--cards none`: cardData is all there is)."""
    sql = _REPORTED.format(source="listing_page", where="keep")
    return _insert_emissions(con, run_id, con.execute(sql).fetchall(), new_ids=False)


def _insert_emissions(
    con: duckdb.DuckDBPyConnection, run_id: int, found: list[tuple[Any, ...]], *, new_ids: bool
) -> int:
    rows = [
        row
        for model_id, data in found
        if (row := records.emission_from_card_data(run_id, model_id, json.loads(data)))
    ]
    if not rows:
        return 0
    columns = ", ".join(records.EMISSION_SCHEMA.names)
    inserted = con.execute(
        f"{_insert_verb(new_ids)} INTO emissions ({columns}) "
        f"SELECT {columns} FROM (SELECT unnest($rows, recursive := true))",
        {"rows": rows},
    ).fetchall()
    return int(inserted[0][0])


def listing_error(run_id: int, kind: ErrorKind, message: str) -> dict[str, Any]:
    return {"run_id": run_id, "model_id": None, "stage": "listing", "kind": str(kind),
            "message": message}  # fmt: skip


def insert_errors(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Append `crawl_errors` rows (each gets its own `error_id`)."""
    if not rows:  # no Arrow table built for nothing (its first build imports pandas: ~1 s)
        return
    insert_rows(con, "crawl_errors", records.batch(rows, records.ERROR_SCHEMA))


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
    return listing_error(run_id, ErrorKind.INVALID_ID, message[:MAX_MESSAGE_CHARS])


def _shown(value: object) -> str:
    """An id as it may be printed: escaped (NUL bytes, newlines), its length past a cut."""
    text = ascii(value)
    if len(text) <= SHOWN_ID_CHARS:
        return text
    return f"{text[:SHOWN_ID_CHARS]}... ({len(str(value)):,} characters)"
