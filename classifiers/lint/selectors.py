"""Rule selectors, as configuration and suppressions write them: `ALL`, a code (`HC101`), a
code prefix (`HC1`, `HC10`) or a rule name (`co2-not-numeric`)."""

from __future__ import annotations

from collections.abc import Iterable

from classifiers.lint.registry import RULES


class UnknownSelector(ValueError):
    """A selector that matches no rule."""

    def __init__(self, selector: str) -> None:
        super().__init__(selector)
        self.selector = selector


def codes_of(selector: str) -> frozenset[str]:
    """The codes a selector stands for; UnknownSelector when it matches none."""
    wanted = selector.strip()
    if wanted.upper() == "ALL":
        return frozenset(RULES.ids())
    upper = wanted.upper()
    if upper.startswith("HC"):
        codes = frozenset(code for code in RULES.ids() if code.startswith(upper))
    else:
        codes = frozenset(r.code for r in RULES if r.name == wanted.lower())
    if not codes:
        raise UnknownSelector(selector)
    return codes


def resolve(selectors: Iterable[str]) -> frozenset[str]:
    """The union of the codes of several selectors (UnknownSelector on the first unknown)."""
    codes: set[str] = set()
    for selector in selectors:
        codes |= codes_of(selector)
    return frozenset(codes)
