"""Inline suppression in the card: `<!-- hubcarbon: disable=HC100,co2-context-missing -->`.

The Hub does not show HTML comments, so authors can silence rules in the card itself. A
directive applies to the whole file and takes codes, prefixes (`HC1`) or names, separated by
commas or spaces; `<!-- hubcarbon: disable -->` (no list) silences every rule. Unknown codes
are ignored, so a card never fails because of a directive written for a newer version.
"""

from __future__ import annotations

import re

from classifiers.lint.registry import RULES
from classifiers.lint.selectors import UnknownSelector, codes_of

_DIRECTIVE = re.compile(
    r"<!--[ \t]*hubcarbon:[ \t]*disable(?:[ \t]*=[ \t]*(?P<rules>[^>]*?))?[ \t]*-->",
    re.IGNORECASE,
)
MAX_DIRECTIVES = 100


def suppressed_codes(text: str) -> frozenset[str]:
    """The codes the card's directives disable."""
    if "hubcarbon" not in text:
        return frozenset()
    codes: set[str] = set()
    for count, match in enumerate(_DIRECTIVE.finditer(text)):
        if count >= MAX_DIRECTIVES:
            break
        rules = match.group("rules")
        if rules is None or not rules.strip():
            return frozenset(RULES.ids())
        for selector in re.split(r"[\s,]+", rules.strip()):
            try:
                codes |= codes_of(selector)
            except UnknownSelector:
                continue
    return frozenset(codes)
