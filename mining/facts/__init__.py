"""Facts derived once per crawled model, at crawl time, and stored in `card_facts`: the AutoTrain
flag and the domain (from the listing's tags), and from the README the performance metrics with
their dataset, the base model and the body's template lines. Analysis, the classifiers and the
site read the stored facts (see docs/schema.md, `card_facts`).
"""

from mining.facts.stage import derive_facts
from mining.facts.tags import AUTOTRAIN, NORMAL_TAGS
from mining.facts.text import base_models, text_facts
from mining.facts.vocabulary import (
    AUTOTRAIN_TAGS,
    DOMAIN_ORDER,
    domain_map,
    normal_tag,
    tags_metadata,
)

__all__ = [
    "AUTOTRAIN",
    "AUTOTRAIN_TAGS",
    "DOMAIN_ORDER",
    "NORMAL_TAGS",
    "base_models",
    "derive_facts",
    "domain_map",
    "normal_tag",
    "tags_metadata",
    "text_facts",
]
