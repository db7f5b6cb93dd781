"""Tag vocabularies of the analysis, from the paper's `tags_metadata.yaml`: the tag-to-domain map
(with the deterministic tie-break order) and the library list.

Tags are compared normalised (`normal_tag`): lower case, surrounding space removed, inner spaces
as dashes, as the paper's preprocessing does.
"""

from __future__ import annotations

import pandas as pd

from analysis import paperdata

DOMAIN_ORDER = ("NLP", "Computer Vision", "Audio", "Multimodal", "Reinforcement Learning")
"""Domains, in the order that breaks ties between equally supported domains."""

UNSPECIFIED = "Not Specified"
"""Shown for a reporter without a domain (and, lower-cased, for other unstated categories)."""

AUTOTRAIN_TAGS = ("autotrain", "autonlp")
"""A model is an AutoTrain model when its tags contain one of these."""


def normal_tag(tag: str) -> str:
    """`tag` as the vocabularies spell it: lower case, trimmed, spaces as dashes."""
    return tag.strip().lower().replace(" ", "-")


def domain_map() -> pd.DataFrame:
    """One row per tag of the union of `task_to_domain`, `model_to_domain` and
    `concepts_to_domain`: columns `tag` (normalised), `domain`, `domain_rank` (position in
    DOMAIN_ORDER)."""
    sections = paperdata.tags_metadata()["tags_to_domain"]
    rows: dict[str, str] = {}
    for mapping in sections.values():
        for tag, domain in mapping.items():
            if domain not in DOMAIN_ORDER:
                raise ValueError(f"tags_metadata.yaml: unknown domain {domain!r} for {tag!r}")
            previous = rows.setdefault(normal_tag(str(tag)), str(domain))
            if previous != domain:
                raise ValueError(f"tags_metadata.yaml maps {tag!r} to two domains")
    frame = pd.DataFrame(sorted(rows.items()), columns=["tag", "domain"])
    frame["domain_rank"] = frame["domain"].map(DOMAIN_ORDER.index).astype("int32")
    return frame


def libraries() -> list[str]:
    """The library tags of `tags_metadata.yaml` (normalised), in file order."""
    return [normal_tag(str(name)) for name in paperdata.tags_metadata()["libraries"]]
