"""Tag vocabularies of the analysis, from the paper's `tags_metadata.yaml`: the library list and
the label of an unstated category. The tag-to-domain map, its tie-break order and the AutoTrain
tags are the crawl's (`mining.facts.vocabulary`): the crawl stores each model's domain and
AutoTrain flag, and the analysis reads them.

Tags are compared normalised (`normal_tag`): lower case, surrounding space removed, inner spaces
as dashes, as the paper's preprocessing does.
"""

from __future__ import annotations

from mining.facts.vocabulary import DOMAIN_ORDER, normal_tag, tags_metadata

__all__ = ["DOMAIN_ORDER", "UNSPECIFIED", "libraries", "normal_tag"]

UNSPECIFIED = "Not Specified"
"""Shown for a reporter without a domain (and, lower-cased, for other unstated categories)."""


def libraries() -> list[str]:
    """The library tags of `tags_metadata.yaml` (normalised), in file order."""
    return [normal_tag(str(name)) for name in tags_metadata()["libraries"]]
