"""HC000: the finding that stands for a rule that crashed."""

from __future__ import annotations

from collections.abc import Iterator

from classifiers.lint.findings import Problem, Severity
from classifiers.lint.registry import rule
from mining.cards.card import ParsedCard


@rule(
    "HC000",
    "internal-error",
    Severity.ERROR,
    passes=("cards/popular_cards/dalle-mini__dalle-mini.md",),
    fails=("cards/popular_cards/dalle-mini__dalle-mini.md",),
)
def internal_error(card: ParsedCard) -> Iterator[Problem]:
    """A lint rule crashed on this card.

    ## What it does
    Stands for an exception inside one rule: the run goes on with the other rules and the other
    files, and the finding names the rule and the exception in one line (no traceback).

    ## Why it matters
    A crash is a bug in hubcarbon, not in the card; the finding makes it visible without
    breaking CI. Please report it with the card that triggered it.

    ## Example
    The fail fixture is a card the linter reads correctly; the test makes a rule crash on it.
    """
    return iter(())
