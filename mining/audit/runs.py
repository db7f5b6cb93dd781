"""Training runs: which `emissions` rows report the same training run.

A figure copied into another repository's card (a re-upload, a fine-tune that kept the upstream
card, a conversion) is one training run, not two. Two rows share a run when they state the same
figure (`co2_g` equal to `FIGURE_DIGITS` significant digits) and one of them

- names the other as its `base_model` in its metadata (`base-model`);
- says it is a fine-tuned version of the other, fine-tuned from it, or initialised with its
  weights, naming it (`fine-tuned-from`);
- carries the same AutoTrain `Model ID` line (`autotrain-model-id`: AutoTrain writes the job's
  id into every card it generates, so a fine-tune that repeats it repeats the job's figure);
- has a body that is a near-copy of the other's and names it (`near-copy`): at least
  `NEAR_COPY_JACCARD` of their word 5-gram shingles are shared. Naming is required so that
  sibling fine-tunes written from one template (the it5 family: one estimate per model size,
  each card naming only itself and its base) keep separate runs.

Comparisons happen only inside a group of the same figure, and only against the group members
a card names, so the work grows with the text, not with the square of the group.

Each connected set of rows is one run; its origin is the member the others point at most, then
the oldest `created_at` (unknown last), then the id. Every other member gets `copied_from` = the
origin and `copy_reason` = how it joined the run (the link by which a breadth-first walk from the
origin reached it), and `copied` joins its `flags` (mining.cards.emission_record.Flag).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import duckdb
import pyarrow as pa

from hubcarbon.core.db import registered, transaction
from mining.audit.stage import audit_stage
from mining.cards.card import parse_card
from mining.cards.emission_record import Flag

FIGURE_DIGITS = 4
"""Figures are the same when equal to four significant digits (a copy that rounded still
matches; distinct AutoTrain jobs differ far earlier)."""
NEAR_COPY_JACCARD = 0.5
"""Share of word 5-gram shingles two bodies must have in common to count as a near-copy."""
SHINGLE_WORDS = 5
MAX_BODY_CHARS = 200_000
"""Only the first 200,000 characters of a body are read (bounded work per card)."""
REFERENCE_WINDOW = 300
"""Characters after a "fine-tuned version of" phrase searched for the model it names."""

# Hub ids as a card names them: `owner/name` (optionally after `huggingface.co/`), a bare legacy
# id in a Hub URL, or a quoted bare id (`model='distilgpt2'`). Each match starts at a token
# boundary (the lookbehind) so no start position is rescanned: linear time.
_ID_CHARS = r"[A-Za-z0-9_.-]"
_OWNER_NAME = re.compile(rf"(?<!{_ID_CHARS})(?:huggingface\.co/)?(\w{_ID_CHARS}*/{_ID_CHARS}+)")
_HUB_URL = re.compile(rf"huggingface\.co/(\w{_ID_CHARS}*)(?![A-Za-z0-9_./-])")
_QUOTED = re.compile(rf"[\"'`](\w{_ID_CHARS}*)[\"'`]")
_FINE_TUNED = re.compile(
    r"(?i)\b(?:fine-?tuned (?:version of|from|on top of)|initiali[sz]ed (?:with|from) the weights"
    r" of|based on the)\b"
)
_AUTOTRAIN_ID = re.compile(r"(?m)^[ \t>*-]*Model ID:[ \t*]*(\d{1,20})\b")
_WORD = re.compile(r"\w+")


class CopyReason(StrEnum):
    """How a row joined a training run whose origin is another row (`emissions.copy_reason`)."""

    AUTOTRAIN_MODEL_ID = "autotrain-model-id"
    BASE_MODEL = "base-model"
    FINE_TUNED_FROM = "fine-tuned-from"
    NEAR_COPY = "near-copy"


_PRIORITY = list(CopyReason)  # the first applicable reason names a link


@dataclass(frozen=True)
class Reporter:
    """What the audit reads of one `emissions` row and its card."""

    model_id: str
    co2_g: float | None
    created_at: datetime | None = None
    body: str = ""
    base_models: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return self.model_id.lower()

    @property
    def figure(self) -> float | None:
        """`co2_g` to `FIGURE_DIGITS` significant digits; None when there is no usable figure."""
        value = self.co2_g
        if value is None or not math.isfinite(value) or value <= 0:
            return None
        return float(f"{value:.{FIGURE_DIGITS - 1}e}")


@dataclass(frozen=True)
class TrainingRun:
    """The audit of one row: its run key (the origin's model id), origin and reason."""

    model_id: str
    training_run: str
    copied_from: str | None = None
    copy_reason: CopyReason | None = None


@dataclass
class _Card:
    reporter: Reporter
    named: frozenset[str] = frozenset()
    fine_tuned_from: frozenset[str] = frozenset()
    autotrain_id: str | None = None
    _shingles: frozenset[int] | None = field(default=None, repr=False)

    @property
    def shingles(self) -> frozenset[int]:
        if self._shingles is None:
            self._shingles = _shingles(self.reporter.body)
        return self._shingles


def training_runs(reporters: Iterable[Reporter]) -> list[TrainingRun]:
    """The training run of every reporter (sorted by model id)."""
    cards = {r.key: _read(r) for r in reporters}
    links: dict[str, dict[str, CopyReason]] = defaultdict(dict)  # from -> to -> reason
    groups: dict[float, list[str]] = defaultdict(list)
    for key, card in sorted(cards.items()):
        if (figure := card.reporter.figure) is not None:
            groups[figure].append(key)
    for members in groups.values():
        for source, target, reason in _links(members, cards):
            current = links[source].get(target)
            if current is None or _PRIORITY.index(reason) < _PRIORITY.index(current):
                links[source][target] = reason
    return sorted(_assign(cards, links), key=lambda run: run.model_id)


def _read(reporter: Reporter) -> _Card:
    body = reporter.body[:MAX_BODY_CHARS]
    named = frozenset(_mentions(body))
    fine_tuned: set[str] = set()
    for match in _FINE_TUNED.finditer(body):
        window = body[match.end() : match.end() + REFERENCE_WINDOW]
        found = next(_mentions(window), None)
        if found is not None:
            fine_tuned.add(found)
    autotrain = _AUTOTRAIN_ID.search(body)
    return _Card(
        reporter,
        named=named - {reporter.key},
        fine_tuned_from=frozenset(fine_tuned) - {reporter.key},
        autotrain_id=autotrain.group(1) if autotrain else None,
    )


def _mentions(text: str) -> Iterator[str]:
    """Lower-cased Hub ids named in `text`, in order of appearance (repeats included)."""
    hits: list[tuple[int, str]] = []
    for pattern in (_OWNER_NAME, _HUB_URL, _QUOTED):
        hits += [(m.start(), m.group(1).rstrip(".").lower()) for m in pattern.finditer(text)]
    for _, model_id in sorted(hits):
        yield model_id


def _shingles(body: str) -> frozenset[int]:
    words = _WORD.findall(body[:MAX_BODY_CHARS].lower())
    if len(words) < SHINGLE_WORDS:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    return frozenset(
        hash(tuple(words[i : i + SHINGLE_WORDS])) for i in range(len(words) - SHINGLE_WORDS + 1)
    )


def jaccard(left: frozenset[int], right: frozenset[int]) -> float:
    """Shared shingles over all shingles of the two bodies (0 when both are empty)."""
    union = len(left | right)
    return len(left & right) / union if union else 0.0


def _links(members: list[str], cards: Mapping[str, _Card]) -> Iterator[tuple[str, str, CopyReason]]:
    """The links inside one group of the same figure (source names or repeats target)."""
    in_group = set(members)
    by_autotrain: dict[str, list[str]] = defaultdict(list)
    for key in members:
        card = cards[key]
        if card.autotrain_id is not None:
            by_autotrain[card.autotrain_id].append(key)
        for target in sorted(card.reporter.base_models & in_group - {key}):
            yield key, target, CopyReason.BASE_MODEL
        for target in sorted(card.fine_tuned_from & in_group):
            yield key, target, CopyReason.FINE_TUNED_FROM
        for target in sorted(card.named & in_group):
            if jaccard(card.shingles, cards[target].shingles) >= NEAR_COPY_JACCARD:
                yield key, target, CopyReason.NEAR_COPY
    for same_job in by_autotrain.values():
        for key in same_job[1:]:
            yield key, same_job[0], CopyReason.AUTOTRAIN_MODEL_ID


def _assign(
    cards: Mapping[str, _Card], links: Mapping[str, Mapping[str, CopyReason]]
) -> Iterator[TrainingRun]:
    neighbours: dict[str, dict[str, CopyReason]] = defaultdict(dict)
    pointed_at: dict[str, set[str]] = defaultdict(set)
    for source, targets in links.items():
        for target, reason in targets.items():
            pointed_at[target].add(source)
            for a, b in ((source, target), (target, source)):
                current = neighbours[a].get(b)
                if current is None or _PRIORITY.index(reason) < _PRIORITY.index(current):
                    neighbours[a][b] = reason
    seen: set[str] = set()
    for start in sorted(cards):
        if start in seen:
            continue
        component = _component(start, neighbours)
        seen |= component
        origin = min(component, key=lambda k: _origin_rank(cards[k].reporter, pointed_at[k]))
        origin_id = cards[origin].reporter.model_id
        for key, joined in _walk(origin, neighbours).items():
            model_id = cards[key].reporter.model_id
            if joined is None:
                yield TrainingRun(model_id, origin_id)
            else:
                yield TrainingRun(model_id, origin_id, origin_id, joined)


def _component(start: str, neighbours: Mapping[str, Mapping[str, CopyReason]]) -> set[str]:
    found, todo = {start}, [start]
    while todo:
        for other in neighbours.get(todo.pop(), {}):
            if other not in found:
                found.add(other)
                todo.append(other)
    return found


def _origin_rank(reporter: Reporter, pointed_at: set[str]) -> tuple[Any, ...]:
    created = reporter.created_at
    return (
        -len(pointed_at),
        created is None,
        created.isoformat() if created else "",
        reporter.model_id,
    )


def _walk(
    origin: str, neighbours: Mapping[str, Mapping[str, CopyReason]]
) -> dict[str, CopyReason | None]:
    """Breadth-first from the origin, in id order: each member with the link that reached it."""
    reached: dict[str, CopyReason | None] = {origin: None}
    queue = deque([origin])
    while queue:
        here = queue.popleft()
        for other, reason in sorted(neighbours.get(here, {}).items()):
            if other not in reached:
                reached[other] = reason
                queue.append(other)
    return reached


# --- the stage -------------------------------------------------------------------------------

_RESULT_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),
        ("training_run", pa.string()),
        ("copied_from", pa.string()),
        ("copy_reason", pa.string()),
    ]
)


def load_reporters(con: duckdb.DuckDBPyConnection, run_id: int) -> list[Reporter]:
    """Every `emissions` row of the run with its model's creation time and its card."""
    rows = con.execute(
        """
        SELECT e.model_id, e.co2_g, m.created_at, c.raw_text,
               coalesce(c.front_matter, m.card_data)::VARCHAR
        FROM emissions e
        LEFT JOIN models m ON m.run_id = e.run_id AND m.model_id = e.model_id
        LEFT JOIN cards_with_text c ON c.run_id = e.run_id AND c.model_id = e.model_id
        WHERE e.run_id = ?
        ORDER BY e.model_id
        """,
        [run_id],
    ).fetchall()
    return [_reporter(*row) for row in rows]


def _reporter(
    model_id: str,
    co2_g: float | None,
    created_at: datetime | None,
    raw_text: str | None,
    metadata_json: str | None,
) -> Reporter:
    body = parse_card(raw_text).body if raw_text else ""
    metadata = json.loads(metadata_json) if metadata_json else None
    return Reporter(model_id, co2_g, created_at, body, _base_models(metadata))


def _base_models(metadata: object) -> frozenset[str]:
    if not isinstance(metadata, dict):
        return frozenset()
    value = metadata.get("base_model")
    values = value if isinstance(value, list) else [value]
    return frozenset(v.strip().lower() for v in values if isinstance(v, str) and v.strip())


# The flags keep the card reader's order (Flag: `copied` is last): the reader's own flags, less
# `copied`, then `copied` on a copy. A row the reader has not audited (NULL flags, crawled before
# the audit columns) stays NULL unless it is a copy.
_UPDATE_SQL = """
UPDATE emissions SET
    training_run = a.training_run,
    copied_from = a.copied_from,
    copy_reason = a.copy_reason,
    flags = CASE
        WHEN emissions.flags IS NULL AND a.copied_from IS NULL THEN NULL
        ELSE list_concat(
            list_filter(coalesce(emissions.flags, []::VARCHAR[]), lambda f: f <> $copied),
            CASE WHEN a.copied_from IS NULL THEN []::VARCHAR[] ELSE [$copied] END)
    END
FROM audit_runs a
WHERE emissions.run_id = $run AND emissions.model_id = a.model_id
"""


@audit_stage("training-runs")
def audit_training_runs(con: duckdb.DuckDBPyConnection, run_id: int) -> str:
    """Training runs: every `emissions` row gets `training_run` (the model id of the run's
    origin; rows reporting the same run share it), and a copy gets `copied_from` (the origin)
    and `copy_reason` (autotrain-model-id, base-model, fine-tuned-from or near-copy). Same
    figure to four significant digits, and a base model, a "fine-tuned version of", the same
    AutoTrain Model ID, or a near-copy body that names the other model. A copy's `flags` gain
    `copied` in the same transaction (and lose it when a later audit finds no origin). See
    mining.audit.runs."""
    runs = training_runs(load_reporters(con, run_id))
    table = pa.Table.from_pylist(
        [
            {
                "model_id": run.model_id,
                "training_run": run.training_run,
                "copied_from": run.copied_from,
                "copy_reason": None if run.copy_reason is None else str(run.copy_reason),
            }
            for run in runs
        ],
        schema=_RESULT_SCHEMA,
    )
    with transaction(con), registered(con, audit_runs=table):
        con.execute(_UPDATE_SQL, {"run": run_id, "copied": str(Flag.COPIED)})
    copies = sum(run.copied_from is not None for run in runs)
    distinct = len({run.training_run for run in runs})
    return f"training runs: {distinct:,} for {len(runs):,} reporters ({copies:,} copies)"
