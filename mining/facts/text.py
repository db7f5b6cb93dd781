"""Facts of a model read from its README, once per distinct text: the performance metrics with
the dataset of each (`mining.cards.metrics`: the model-index first, then AutoTrain's
"Validation Metrics" lines of the body), the `base_model` the metadata names, and the body's
template lines (`Hardware Type:`, `Compute Region:`, `Hours used:`) that cards without
emissions metadata still carry.

Card text is untrusted: a text the parser cannot read gives no facts, never an error.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pyarrow as pa

from mining.cards.card import parse_card
from mining.cards.metrics import METRICS, performance_metrics

_TEXT = pa.string()
TEXT_FACTS_SCHEMA = pa.schema(
    [
        ("text_sha256", _TEXT), ("base_model", pa.list_(_TEXT)),
        *((metric, pa.float64()) for metric in METRICS),
        ("metric_sources", _TEXT), ("metrics", _TEXT),
        ("prose_hardware", _TEXT), ("prose_region", _TEXT), ("prose_hours", pa.float64()),
    ]
)  # fmt: skip
"""The columns of `text_facts`: what a README gives, keyed by the text's hash."""


def text_facts(key: str, text: str) -> dict[str, Any]:
    """The TEXT_FACTS_SCHEMA row of one README (`key`: its text_sha256)."""
    try:
        card = parse_card(text)
    except Exception:  # the crawl's parse recorded why (crawl_errors, stage parse)
        return {"text_sha256": key}
    meta = card.metadata if isinstance(card.metadata, dict) else {}
    found = performance_metrics(meta.get("model-index"), card.body)
    used = sorted({value.source for value in found.values()})
    return {
        "text_sha256": key,
        "base_model": base_models(meta.get("base_model")),
        **{metric: (found[metric].value if metric in found else None) for metric in METRICS},
        "metric_sources": ",".join(used) if used else None,
        "metrics": json.dumps({m: asdict(v) for m, v in found.items()}) if found else None,
        "prose_hardware": card.prose.hardware_type,
        "prose_region": card.prose.compute_region,
        "prose_hours": card.prose.hours,
    }


def texts_facts(texts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """text_facts of (text_sha256, text) pairs; runs in worker processes, so module-level."""
    return [text_facts(key, text) for key, text in texts]


def base_models(value: object) -> list[str] | None:
    """The metadata's `base_model` as a list of names (None when the card names none)."""
    if isinstance(value, str):
        names = [value]
    elif isinstance(value, list):
        names = [v for v in value if isinstance(v, str)]
    else:
        names = []
    return names or None
