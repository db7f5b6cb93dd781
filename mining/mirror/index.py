"""Listing engine of the mirror: filters, descending sorts and opaque cursors over a snapshot.

Built once when the mirror starts. Every sort is descending (as on the Hub since 2025), ties
broken by ascending id, missing values last; without `sort` the order is by id, a stable
stand-in for the Hub's unstable trending order. The cursor is the base64 of the sort key of the
last item served, so a page can be resumed even against a restarted mirror.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from mining.snapshot.reader import ModelRecord, Snapshot

SORT_FIELDS: dict[str, Callable[[ModelRecord], Any]] = {
    "createdAt": lambda r: r.hub_created_at,
    "created_at": lambda r: r.hub_created_at,
    "downloads": lambda r: r.downloads,
    "likes": lambda r: r.likes,
    "lastModified": lambda r: r.last_modified,
    "last_modified": lambda r: r.last_modified,
    "trendingScore": lambda r: 0,
    "trending_score": lambda r: 0,
    "likes30d": lambda r: 0,
    "id": lambda r: r.id,
    "modelId": lambda r: r.id,
    "mainSize": lambda r: max((s.size or 0 for s in r.siblings), default=0),
}


class QueryError(ValueError):
    """A listing request the Hub would reject with 400."""


@dataclass(frozen=True)
class Query:
    """The server-side part of `GET /api/models`."""

    search: str | None = None
    author: str | None = None
    filters: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    sort: str | None = None
    cursor: str | None = None
    gated: bool | None = None


class _Order:
    """Records sorted by one field, descending, with ascending keys for bisecting."""

    def __init__(self, records: Sequence[ModelRecord], key: Callable[[ModelRecord], Any]) -> None:
        values = [key(r) for r in records]
        distinct = sorted({v for v in values if v is not None})
        self._distinct = distinct
        rank = {v: len(distinct) - 1 - i for i, v in enumerate(distinct)}
        missing = float(len(distinct))
        keyed = sorted(
            (
                (float(rank[v]) if v is not None else missing, r.id, r.index)
                for v, r in zip(values, records, strict=True)
            ),
        )
        self.keys = [(k[0], k[1]) for k in keyed]
        self.indices = [k[2] for k in keyed]
        self._key = key

    def rank(self, value: Any) -> float:
        if value is None:
            return float(len(self._distinct))
        pos = bisect.bisect_left(self._distinct, value)
        if pos < len(self._distinct) and self._distinct[pos] == value:
            return float(len(self._distinct) - 1 - pos)
        return len(self._distinct) - pos - 0.5

    def start_after(self, value: Any, model_id: str) -> int:
        return bisect.bisect_right(self.keys, (self.rank(value), model_id))

    def value_of(self, record: ModelRecord) -> Any:
        return self._key(record)


@dataclass(frozen=True)
class _SnapshotSets:
    """What every index over one snapshot shares: models by tag and by owner, lower-cased ids."""

    by_tag: dict[str, frozenset[int]]
    by_author: dict[str, frozenset[int]]
    lower_ids: list[str]


_SETS: weakref.WeakKeyDictionary[Snapshot, _SnapshotSets] = weakref.WeakKeyDictionary()
_SETS_LOCK = threading.Lock()


def _snapshot_sets(snapshot: Snapshot) -> _SnapshotSets:
    """The sets of `snapshot`, built once per snapshot (every mirror over it shares them)."""
    with _SETS_LOCK:
        if snapshot not in _SETS:
            by_tag: dict[str, set[int]] = defaultdict(set)
            by_author: dict[str, set[int]] = defaultdict(set)
            for record in snapshot.records:
                for tag in record.tags:
                    by_tag[tag].add(record.index)
                owner = record.id.split("/", 1)[0] if "/" in record.id else (record.author or "")
                by_author[owner.lower()].add(record.index)
            _SETS[snapshot] = _SnapshotSets(
                by_tag={k: frozenset(v) for k, v in by_tag.items()},
                by_author={k: frozenset(v) for k, v in by_author.items()},
                lower_ids=[r.id.lower() for r in snapshot.records],
            )
        return _SETS[snapshot]


class ModelIndex:
    """Indexes over a snapshot: tags, authors, gated ids and one order per sort field."""

    def __init__(self, snapshot: Snapshot, gated: Iterable[str] = ()) -> None:
        self.snapshot = snapshot
        self.records = snapshot.records
        sets = _snapshot_sets(snapshot)
        self._by_tag, self._by_author, self._lower_ids = sets.by_tag, sets.by_author, sets.lower_ids
        self.gated = frozenset(i for i in gated if i in snapshot)
        self._orders: dict[str, _Order] = {}
        self._lock = threading.Lock()

    @cached_property
    def _id_order(self) -> _Order:
        return _Order(self.records, lambda r: 0)  # all ties: ascending id

    def order(self, sort: str | None) -> _Order:
        if sort is None:
            return self._id_order
        if sort not in SORT_FIELDS:
            raise QueryError(f"Invalid sort parameter: {sort!r}")
        with self._lock:
            if sort not in self._orders:
                self._orders[sort] = _Order(self.records, SORT_FIELDS[sort])
            return self._orders[sort]

    def _matching(self, query: Query) -> frozenset[int] | None:
        sets: list[frozenset[int]] = []
        if query.author is not None:
            sets.append(self._by_author.get(query.author.lower(), frozenset()))
        for tag in query.filters:
            sets.append(self._by_tag.get(tag, frozenset()))
        if query.pipeline_tag is not None:
            pipeline = frozenset(
                r.index for r in self.records if r.pipeline_tag == query.pipeline_tag
            )
            sets.append(pipeline)
        if query.gated is not None:
            gated_idx = frozenset(r.index for r in self.records if r.id in self.gated)
            everyone = frozenset(r.index for r in self.records)
            sets.append(gated_idx if query.gated else everyone - gated_idx)
        if not sets:
            return None
        sets.sort(key=len)
        result = sets[0]
        for other in sets[1:]:
            result = result & other
        return result

    def page(self, query: Query, size: int) -> tuple[list[ModelRecord], str | None]:
        """One page of matching records and the cursor of the next page (None on the last)."""
        order = self.order(query.sort)
        start = 0
        if query.cursor:
            value, model_id = decode_cursor(query.cursor)
            try:
                start = order.start_after(value, model_id)
            except TypeError:
                raise QueryError("Invalid cursor for this sort") from None
        allowed = self._matching(query)
        needle = query.search.lower() if query.search else None
        page: list[ModelRecord] = []
        position = start
        indices = order.indices
        while position < len(indices) and len(page) < size:
            record = self.records[indices[position]]
            position += 1
            if allowed is not None and record.index not in allowed:
                continue
            if needle is not None and needle not in self._lower_ids[record.index]:
                continue
            page.append(record)
        if len(page) < size or not self._more_after(position, order, allowed, needle):
            return page, None
        last = page[-1]
        return page, encode_cursor(order.value_of(last), last.id)

    def _more_after(
        self, position: int, order: _Order, allowed: frozenset[int] | None, needle: str | None
    ) -> bool:
        for index in order.indices[position:]:
            if allowed is not None and index not in allowed:
                continue
            if needle is not None and needle not in self._lower_ids[index]:
                continue
            return True
        return False


def encode_cursor(value: Any, model_id: str) -> str:
    raw = json.dumps([value, model_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    """The (sort value, id) inside a cursor; QueryError when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, model_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise QueryError("Invalid cursor") from exc
    if not isinstance(model_id, str) or not isinstance(value, str | int | float | type(None)):
        raise QueryError("Invalid cursor")
    return value, model_id
