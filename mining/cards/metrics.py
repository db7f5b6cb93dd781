"""Performance metrics stated in a model card, normalised to [0, 1].

Two places state them: the `model-index` of the front matter (results → metrics, each with a
`type`, a `name` and a `value`) and, in AutoTrain cards, a fixed "Validation Metrics" section of
the body (`- Accuracy: 0.950`, `- Rouge1: 36.855`). The model-index comes first; the body fills
the metrics it leaves out. Card text is untrusted: anything unreadable is skipped, never raised.

Normalisation happens here and nowhere else: a value in [0, 1] is kept, a value in (1, 100] is
read as a percentage and divided by 100 (AutoTrain writes ROUGE on 0-100), anything else
(negative, above 100, not a number) is dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

METRICS = ("accuracy", "f1", "rouge1", "rougeL")
"""The metrics read, in the order the paper lists them."""

Source = Literal["model-index", "card-text"]

_ALIASES = {
    "accuracy": "accuracy",
    "acc": "accuracy",
    "f1": "f1",
    "rouge1": "rouge1",
    "rougel": "rougeL",
}
"""Squashed metric names (lower case, no spaces, dashes or underscores) to metric ids."""

_FALLBACK_ALIASES = {"macrof1": "f1", "f1macro": "f1"}
"""Used only when the plain name is absent (AutoTrain multi-class cards: `Macro F1`)."""

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*validation metrics\b", re.IGNORECASE | re.MULTILINE)
_NEXT_HEADING = re.compile(r"^\s{0,3}#{1,6}\s", re.MULTILINE)
# Linear time: each run of blanks is followed by a non-blank or the end, so `\s*+` keeps it whole.
_LINE = re.compile(
    r"^\s*+(?:[-*+]\s*+)?(?P<name>[A-Za-z][A-Za-z0-9 _-]{0,40}?)\s*+:\s*+"
    r"(?P<value>[-+]?\d++(?:[.,]\d++)?(?:[eE][-+]?\d++)?)\s*+(?P<pct>%)?\s*+$"
)
_MAX_SECTION = 20_000
"""Characters of a Validation Metrics section read at most."""


@dataclass(frozen=True)
class MetricValue:
    """One metric: `value` normalised to [0, 1], `raw` as stated, where it was read, and the
    dataset it was measured on (the model-index result's `dataset` name, else its type; None
    when the card does not say)."""

    metric: str
    value: float
    raw: float
    source: Source
    dataset: str | None = None


def normalise(raw: float, *, percent: bool = False) -> float | None:
    """`raw` on a [0, 1] scale: kept in [0, 1], divided by 100 in (1, 100] or when written with
    a % sign; None when negative, above 100 or not finite."""
    if not math.isfinite(raw) or raw < 0 or raw > 100:
        return None
    if percent or raw > 1:
        return raw / 100
    return raw


_SEPARATORS = re.compile(r"[\s_\-]+")


def _squash(name: object) -> str:
    return _SEPARATORS.sub("", str(name)).lower() if name is not None else ""


def _number(value: object) -> tuple[float, bool] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value), False
    if isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        text = text.rstrip("%").strip().replace(",", ".")
        try:
            return float(text), percent
        except ValueError:
            return None
    return None


def _metric_id(kind: object, name: object) -> str | None:
    """The metric a model-index entry states: by `type`, or by `name` for a generic `rouge`."""
    squashed = _squash(kind)
    if squashed in _ALIASES:
        return _ALIASES[squashed]
    if squashed in ("rouge", ""):
        return _ALIASES.get(_squash(name))
    return None


_MAX_DATASET = 200
"""Characters of a dataset name kept."""


def _model_index_entries(
    model_index: object,
) -> Iterator[tuple[Mapping[object, object], str | None]]:
    """Each metric mapping of a model-index, with the dataset of its result."""
    if not isinstance(model_index, list):
        return
    for entry in model_index[:50]:
        results = entry.get("results") if isinstance(entry, Mapping) else None
        if not isinstance(results, list):
            continue
        for result in results[:200]:
            if not isinstance(result, Mapping):
                continue
            metrics = result.get("metrics")
            if isinstance(metrics, list):
                dataset = _dataset_name(result.get("dataset"))
                for metric in metrics[:200]:
                    if isinstance(metric, Mapping):
                        yield metric, dataset


def _dataset_name(dataset: object) -> str | None:
    """A result's dataset: its `name`, else its `type` (the Hub id), as text."""
    if not isinstance(dataset, Mapping):
        return None
    for key in ("name", "type"):
        value = dataset.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:_MAX_DATASET]
    return None


def from_model_index(model_index: object) -> dict[str, MetricValue]:
    """Metrics of a `model-index` value (a list of models, each with results and metrics); the
    first readable value of each metric in file order wins."""
    found: dict[str, MetricValue] = {}
    for metric, dataset in _model_index_entries(model_index):
        metric_id = _metric_id(metric.get("type"), metric.get("name"))
        number = _number(metric.get("value"))
        if metric_id is None or metric_id in found or number is None:
            continue
        value = normalise(number[0], percent=number[1])
        if value is not None:
            found[metric_id] = MetricValue(metric_id, value, number[0], "model-index", dataset)
    return found


def validation_section(text: str) -> str | None:
    """The body of the first "Validation Metrics" heading, up to the next heading."""
    heading = _HEADING.search(text)
    if heading is None:
        return None
    rest = text[heading.end() : heading.end() + _MAX_SECTION]
    rest = rest.split("\n", 1)[1] if "\n" in rest else ""
    following = _NEXT_HEADING.search(rest)
    return rest[: following.start()] if following else rest


def from_card_text(text: str | None) -> dict[str, MetricValue]:
    """Metrics of the "Validation Metrics" section (`- Name: value` lines); `Macro F1` stands in
    for `F1` when the card has no plain `F1` line."""
    section = validation_section(text) if isinstance(text, str) else None
    if not section:
        return {}
    plain: dict[str, MetricValue] = {}
    fallback: dict[str, MetricValue] = {}
    for line in section.splitlines()[:500]:
        match = _LINE.match(line)
        if match is None:
            continue
        squashed = _squash(match["name"])
        for aliases, target in ((_ALIASES, plain), (_FALLBACK_ALIASES, fallback)):
            metric_id = aliases.get(squashed)
            if metric_id is None or metric_id in target:
                continue
            raw = float(match["value"].replace(",", "."))
            value = normalise(raw, percent=bool(match["pct"]))
            if value is not None:
                target[metric_id] = MetricValue(metric_id, value, raw, "card-text")
    return {**fallback, **plain}


def performance_metrics(model_index: object, card_text: str | None) -> dict[str, MetricValue]:
    """The card's metrics: model-index first, the Validation Metrics section for the rest."""
    return {**from_card_text(card_text), **from_model_index(model_index)}
