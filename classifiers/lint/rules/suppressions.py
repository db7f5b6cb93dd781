"""HC010-HC011: the card's own suppression directives (see classifiers.lint.suppression)."""

from __future__ import annotations

from collections.abc import Iterator

from classifiers.lint.findings import Problem, Severity
from classifiers.lint.registry import rule
from mining.cards.card import ParsedCard


@rule(
    "HC010",
    "unknown-suppression",
    Severity.WARNING,
    passes=("lint_cases/suppressions.md",),
    fails=("lint_cases/HC010_unknown_suppression.md",),
)
def unknown_suppression(card: ParsedCard) -> Iterator[Problem]:
    """A suppression directive names a rule that does not exist.

    ## What it does
    Reports each selector of a `hubcarbon: disable...` directive (an HTML comment in the body or
    a YAML comment in the front matter) that matches no rule code, code prefix or rule name,
    naming it. The finding points at the directive.

    ## Why it matters
    A typo such as `HC1O1` (a letter O) silences nothing, so the finding the author meant to
    silence is still reported, or a later one is silently not. A directive written for a newer
    hubcarbon shows up here too: it is a warning, so it does not fail the default run.

    ## Example
    ```markdown
    <!-- hubcarbon: disable=HC1O1 -->
    ```
    Write the code as `hubcarbon rules` lists it: `<!-- hubcarbon: disable=HC101 -->`.
    """
    return iter(())  # the engine reports it while reading the directives


@rule(
    "HC011",
    "unused-suppression",
    Severity.INFO,
    passes=("lint_cases/suppressions.md",),
    fails=("lint_cases/HC011_unused_suppression.md",),
)
def unused_suppression(card: ParsedCard) -> Iterator[Problem]:
    """A suppression directive silenced nothing.

    ## What it does
    Reports a `disable`, `disable-next-line` or YAML-comment directive that covered no finding
    of the rules it names, like ruff's RUF100 for `# noqa`. A directive whose rules the
    configuration turns off is not reported. Neither HC010 nor HC011 can be silenced by a
    directive, only by the configuration. It is `info`, so it fails a run only with
    `--fail-on info`; `ignore = ["HC011"]` turns it off.

    ## Why it matters
    A directive left behind after the card was fixed would hide the next real problem of that
    rule on those lines. Removing it keeps the card's suppressions honest.

    ## Example
    ```markdown
    <!-- hubcarbon: disable=HC104 -->
    ```
    in a card whose `co2_eq_emissions` already names its source: remove the comment.
    """
    return iter(())  # the engine reports it after the other rules ran
