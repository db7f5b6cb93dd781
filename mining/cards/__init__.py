"""The card parser: a model card's text in, everything hubcarbon reads from it out.

`parse_card(bytes | str) -> ParsedCard` is the entry point (mining.cards.card); the rooms behind
it are the text and its positions (text), the YAML front matter (frontmatter), the Markdown body's
emission statements (prose), CO2 amounts with units (quantities), performance metrics (metrics)
and the emission record the crawler stores (emission_record).
"""

from mining.cards.card import (
    CO2_FIELDS,
    CO2_KEY,
    Co2Form,
    Co2Metadata,
    FrontMatterStatus,
    ParsedCard,
    parse_card,
    read_co2_metadata,
)

__all__ = [
    "CO2_FIELDS",
    "CO2_KEY",
    "Co2Form",
    "Co2Metadata",
    "FrontMatterStatus",
    "ParsedCard",
    "parse_card",
    "read_co2_metadata",
]
