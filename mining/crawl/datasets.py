"""The dataset stage of a crawl: the Hub datasets that models name, and the sizes they state.

After the listing and the cards, in three resumable steps, each committing in batches:

1. link: the datasets each model in scope names (its card's `datasets`, one id or a list, and
   its `dataset:<id>` tags) become `model_datasets` rows, deduplicated per model;
2. fetch: every linked dataset without a `datasets` row yet is read once with the request
   `HfApi.dataset_info` makes (`GET /api/datasets/{id}`, bounded by `HubClient.api_json`) and
   parsed by huggingface_hub's own `DatasetInfo`: its sha, gating, and the sizes its card
   states (`dataset_info` of one config or summed over several, `size_categories`), each with
   its provenance. An invalid id, a missing, gated or broken dataset is a `crawl_errors` row
   (stage `dataset`; the id in `model_id`) and a `datasets` row whose `fetch_status` is the kind;
3. stated sizes (snapshot mirrors only): a reporter's training-data size stated on the model
   itself (`hubcarbon:datasetsSize`: the paper's multi-dataset sums and curated values, which
   are never split into per-dataset values), into `model_data_sizes`.

The view `model_dataset_size` combines them into one size per model (see mining/store/schema.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import duckdb
import pyarrow as pa
from huggingface_hub import DatasetInfo
from tqdm import tqdm

from hubcarbon.core.db import insert_rows, transaction
from mining.crawl import records
from mining.crawl.cards import _in_threads, bars_disabled
from mining.crawl.failures import ErrorKind, HubUnavailable, RequestFailed
from mining.crawl.hubclient import HubClient, invalid_id

DatasetsScope = Literal["all", "reporters", "none"]

BATCH = 256
FLUSH_SECONDS = 2.0
MAX_NAMED = 100  # datasets read per model: a card naming more is cut there
MAX_CONFIGS = 1000  # dataset_info entries read per dataset card
STAGE = "dataset"
PROVENANCE = "hubcarbon:provenance"
MODEL_DATA_SIZE = "hubcarbon:datasetsSize"

_TEXT = pa.string()
DATASET_SCHEMA = pa.schema(
    [
        ("run_id", pa.int32()), ("dataset_id", _TEXT), ("fetch_status", _TEXT), ("sha", _TEXT),
        ("gated", _TEXT), ("dataset_size", pa.int64()), ("dataset_size_provenance", _TEXT),
        ("download_size", pa.int64()), ("download_size_provenance", _TEXT),
        ("num_rows", pa.int64()), ("num_rows_provenance", _TEXT),
        ("size_categories", pa.list_(_TEXT)), ("size_categories_provenance", _TEXT),
    ]
)  # fmt: skip
MODEL_SIZE_SCHEMA = pa.schema(
    [
        ("run_id", pa.int32()), ("model_id", _TEXT), ("fetch_status", _TEXT),
        ("data_bytes", pa.int64()), ("provenance", _TEXT), ("source", _TEXT),
    ]
)  # fmt: skip

_NAMED_IN_CARD = f"""
CASE json_type(meta -> 'datasets')
    WHEN 'ARRAY' THEN list_transform(
        list_filter(list_slice(from_json(meta -> 'datasets', '["JSON"]'), 1, {MAX_NAMED}),
                    lambda d: json_type(d) = 'VARCHAR'),
        lambda d: d ->> '$')
    WHEN 'VARCHAR' THEN [meta ->> 'datasets']
    ELSE []::VARCHAR[] END"""

LINK_SQL = f"""
INSERT OR IGNORE INTO model_datasets (run_id, model_id, dataset_id, named_in)
WITH scope AS (
    SELECT m.model_id, coalesce(c.front_matter, m.card_data) AS meta, m.tags
    FROM models m
    LEFT JOIN cards_with_text c ON c.run_id = m.run_id AND c.model_id = m.model_id
    WHERE m.run_id = $run {{scope}}
),
card AS (SELECT model_id, unnest({_NAMED_IN_CARD}) AS named FROM scope),
tag AS (
    SELECT model_id, unnest(list_slice(list_filter(coalesce(tags, []),
                                                   lambda t: starts_with(t, 'dataset:')),
                                       1, {MAX_NAMED})) AS named
    FROM scope
),
named AS (
    SELECT model_id, 'card' AS named_in, trim(named) AS dataset_id FROM card
    UNION ALL
    SELECT model_id, 'tag', trim(substr(named, 9)) FROM tag
)
SELECT $run, model_id, dataset_id, string_agg(DISTINCT named_in, ',' ORDER BY named_in)
FROM named WHERE dataset_id IS NOT NULL AND dataset_id <> ''
GROUP BY model_id, dataset_id
"""

REPORTERS = "AND m.model_id IN (SELECT model_id FROM emissions WHERE run_id = $run)"


@dataclass(frozen=True)
class Sizes:
    """What a dataset's card states about its size, each value with its provenance."""

    dataset_size: int | None = None
    download_size: int | None = None
    num_rows: int | None = None
    size_categories: list[str] | None = None
    categories_from: str | None = None  # card | tags

    @classmethod
    def of(cls, info: DatasetInfo) -> Sizes:
        card = info.card_data.to_dict() if info.card_data is not None else {}
        configs = card.get("dataset_info")
        listed: list[Any] = configs[:MAX_CONFIGS] if isinstance(configs, list) else [configs]
        entries: list[dict[str, Any]] = [entry for entry in listed if isinstance(entry, dict)]
        categories = _strings(card.get("size_categories"))
        tags = [t for t in info.tags or [] if isinstance(t, str)]
        from_tags = [t.split(":", 1)[1] for t in tags if t.startswith("size_categories:")]
        return cls(
            dataset_size=_summed(entries, "dataset_size"),
            download_size=_summed(entries, "download_size"),
            num_rows=_summed_rows(entries),
            size_categories=categories or from_tags or None,
            categories_from="card" if categories else "tags" if from_tags else None,
        )


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _summed(entries: list[dict[str, Any]], key: str) -> int | None:
    """The sum of `key` over every config; None unless every config states it."""
    values = [_count(entry.get(key)) for entry in entries]
    return sum(v for v in values if v is not None) if values and None not in values else None


def _summed_rows(entries: list[dict[str, Any]]) -> int | None:
    """Rows over every split of every config; None unless each split states its count."""
    counts: list[int | None] = []
    for entry in entries:
        splits = entry.get("splits")
        if not isinstance(splits, list) or not splits:
            return None
        counts += [_count(s.get("num_examples")) if isinstance(s, dict) else None for s in splits]
    return sum(c for c in counts if c is not None) if counts and None not in counts else None


def _strings(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items[:MAX_NAMED] if isinstance(item, str) and item]


class DatasetStage:
    """Links, fetches and sizes the datasets of one run (see the module docstring)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        client: HubClient,
        run_id: int,
        *,
        scope: DatasetsScope = "reporters",
        stated_sizes: bool = False,
        concurrency: int = 8,
        progress: bool | None = None,
    ) -> None:
        self.con = con
        self.client = client
        self.run_id = run_id
        self.scope = scope
        self.stated_sizes = stated_sizes
        self.concurrency = concurrency
        self.progress = progress
        self.fetched = 0

    def run(self) -> None:
        if self.scope == "none":
            return
        self.link()
        self.fetch()
        if self.stated_sizes:
            self.fetch_stated_sizes()

    # -- 1. link --------------------------------------------------------------------------------

    def link(self) -> None:
        scope = REPORTERS if self.scope == "reporters" else ""
        with transaction(self.con):
            self.con.execute(LINK_SQL.format(scope=scope), {"run": self.run_id})

    # -- 2. fetch -------------------------------------------------------------------------------

    def fetch(self) -> None:
        todo = self.con.execute(
            "SELECT DISTINCT dataset_id FROM model_datasets WHERE run_id = $run "
            "AND dataset_id NOT IN (SELECT dataset_id FROM datasets WHERE run_id = $run) "
            "ORDER BY dataset_id",
            {"run": self.run_id},
        ).fetchall()
        jobs = [str(dataset_id) for (dataset_id,) in todo]
        results = _in_threads(self._fetch_one, jobs, self.concurrency)
        for done in _batches(results, len(jobs), "fetching datasets", self.progress):
            rows = [row for row, _ in done]
            errors = [error for _, error in done if error is not None]
            with transaction(self.con):
                insert_rows(self.con, "datasets", records.batch(rows, DATASET_SCHEMA))
                insert_rows(self.con, "crawl_errors", records.batch(errors, records.ERROR_SCHEMA))

    def _fetch_one(self, dataset_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        row: dict[str, Any] = {"run_id": self.run_id, "dataset_id": dataset_id}
        problem = invalid_id(dataset_id)
        if problem is not None:
            return self._failed(row, ErrorKind.INVALID_ID, problem)
        try:
            data = self.client.api_json(f"/api/datasets/{quote(dataset_id, safe='/')}")
            self.fetched += 1
            info = DatasetInfo(**data)
            sizes = Sizes.of(info)
        except HubUnavailable:  # the Hub itself, not this dataset: the crawl stops
            raise
        except RequestFailed as failure:
            return self._failed(row, failure.kind, str(failure))
        except Exception as exc:  # an answer huggingface_hub cannot read: this dataset only
            message = self.client.redact(f"{type(exc).__name__}: {exc}")
            return self._failed(row, ErrorKind.BAD_RESPONSE, message)
        stated = data.get(PROVENANCE) if isinstance(data.get(PROVENANCE), dict) else {}

        def provenance(field: str, value: object, default: str = "card") -> str | None:
            origin = stated.get(field)
            return None if value is None else str(origin) if isinstance(origin, str) else default

        row.update(
            fetch_status="ok",
            sha=info.sha if isinstance(info.sha, str) else None,
            gated=str(info.gated).lower() if info.gated is not None else None,
            dataset_size=sizes.dataset_size,
            dataset_size_provenance=provenance("dataset_size", sizes.dataset_size),
            download_size=sizes.download_size,
            download_size_provenance=provenance("download_size", sizes.download_size),
            num_rows=sizes.num_rows,
            num_rows_provenance=provenance("num_rows", sizes.num_rows),
            size_categories=sizes.size_categories,
            size_categories_provenance=sizes.categories_from,
        )
        return row, None

    def _failed(
        self, row: dict[str, Any], kind: ErrorKind, message: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        row["fetch_status"] = str(kind)
        error = {"run_id": self.run_id, "model_id": row["dataset_id"], "stage": STAGE,
                 "kind": str(kind), "message": message}  # fmt: skip
        return row, error

    # -- 3. sizes stated on the model (snapshot mirrors) ----------------------------------------

    def fetch_stated_sizes(self) -> None:
        todo = self.con.execute(
            "SELECT model_id FROM emissions WHERE run_id = $run "
            "AND model_id NOT IN (SELECT model_id FROM model_data_sizes WHERE run_id = $run) "
            "ORDER BY model_id",
            {"run": self.run_id},
        ).fetchall()
        jobs = [str(model_id) for (model_id,) in todo]
        results = _in_threads(self._stated_one, jobs, self.concurrency)
        for done in _batches(results, len(jobs), "reading stated data sizes", self.progress):
            rows = [row for row, _ in done]
            errors = [error for _, error in done if error is not None]
            with transaction(self.con):
                insert_rows(self.con, "model_data_sizes", records.batch(rows, MODEL_SIZE_SCHEMA))
                insert_rows(self.con, "crawl_errors", records.batch(errors, records.ERROR_SCHEMA))

    def _stated_one(self, model_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        row: dict[str, Any] = {"run_id": self.run_id, "model_id": model_id}
        problem = invalid_id(model_id)
        try:
            if problem is not None:
                raise RequestFailed(ErrorKind.INVALID_ID, problem)
            data = self.client.api_json(f"/api/models/{quote(model_id, safe='/')}")
        except HubUnavailable:
            raise
        except RequestFailed as failure:
            row["fetch_status"] = str(failure.kind)
            error = {"run_id": self.run_id, "model_id": model_id, "stage": "dataset_size",
                     "kind": str(failure.kind), "message": str(failure)}  # fmt: skip
            return row, error
        stated = data.get(MODEL_DATA_SIZE) if isinstance(data, dict) else None
        row["fetch_status"] = "ok"
        if isinstance(stated, dict) and _count(stated.get("bytes")):
            row.update(
                data_bytes=stated["bytes"],
                provenance=str(stated.get("provenance") or "stated")[:100],
                source=str(stated.get("source") or "")[:500] or None,
            )
        return row, None


def _batches(
    items: Iterable[Any], total: int, label: str, progress: bool | None
) -> Iterator[list[Any]]:
    """Groups for one commit each: every BATCH items or FLUSH_SECONDS; the last only when
    `items` ran out (never while unwinding)."""
    bar = tqdm(total=total, desc=label, unit=" datasets", mininterval=1.0,
               disable=bars_disabled(progress))  # fmt: skip
    pending: list[Any] = []
    last = time.monotonic()
    with bar:
        for item in items:
            pending.append(item)
            bar.update(1)
            if len(pending) >= BATCH or time.monotonic() - last >= FLUSH_SECONDS:
                yield pending
                pending, last = [], time.monotonic()
        if pending:
            yield pending
