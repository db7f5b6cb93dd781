"""The tag vocabularies the facts stage applies, from the paper's `tags_metadata.yaml` (kept
here, below every layer that reads it): the tag-to-domain map with its tie-break order, and the
tags that make a model an AutoTrain model.

Tags are compared normalised (`normal_tag`): lower case, surrounding space removed, inner spaces
as dashes, as the paper's preprocessing does.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa
import yaml

DOMAIN_ORDER = ("NLP", "Computer Vision", "Audio", "Multimodal", "Reinforcement Learning")
"""Domains, in the order that breaks ties between equally supported domains."""

AUTOTRAIN_TAGS = ("autotrain", "autonlp")
"""A model is an AutoTrain model when its tags contain one of these (compared in lower case)."""


@cache
def tags_metadata() -> dict[str, Any]:
    """tags_metadata.yaml: tag vocabularies and the tag-to-domain mapping."""
    text = resources.files("mining.facts").joinpath("tags_metadata.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("tags_metadata.yaml is not a mapping")
    return data


def normal_tag(tag: str) -> str:
    """`tag` as the vocabularies spell it: lower case, trimmed, spaces as dashes."""
    return tag.strip().lower().replace(" ", "-")


def domain_map() -> pa.Table:
    """One row per tag of the union of `task_to_domain`, `model_to_domain` and
    `concepts_to_domain`: columns `tag` (normalised), `domain`, `domain_rank` (position in
    DOMAIN_ORDER)."""
    sections = tags_metadata()["tags_to_domain"]
    rows: dict[str, str] = {}
    for mapping in sections.values():
        for tag, domain in mapping.items():
            if domain not in DOMAIN_ORDER:
                raise ValueError(f"tags_metadata.yaml: unknown domain {domain!r} for {tag!r}")
            previous = rows.setdefault(normal_tag(str(tag)), str(domain))
            if previous != domain:
                raise ValueError(f"tags_metadata.yaml maps {tag!r} to two domains")
    ordered = sorted(rows.items())
    return pa.table(
        {
            "tag": pa.array([tag for tag, _ in ordered], pa.string()),
            "domain": pa.array([domain for _, domain in ordered], pa.string()),
            "domain_rank": pa.array(
                [DOMAIN_ORDER.index(domain) for _, domain in ordered], pa.int32()
            ),
        }
    )
