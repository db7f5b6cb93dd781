"""The rule registry: every lint rule is a `Rule` registered under its code.

A rule is declared by decorating its check with `@rule(code, name, severity, ...)`; the check's
docstring is the rule's documentation (`hubcarbon rules HC101` prints it) with ruff's sections
(What it does / Why it matters / Example / Fix safety). `passes` and `fails` name real fixture
cards (paths under tests/fixtures/) on which the rule must stay silent, or must fire; a test
iterates the registry, so a rule without both kinds of fixture fails the suite.

Codes are a public contract: add more, never renumber or reuse one. The same registry grades
reporting quality (a card's grade is a function of its findings).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from classifiers.lint.findings import Fixable, Problem, Severity
from hubcarbon.core.registry import Registry, documentation
from mining.cards.card import ParsedCard

Check = Callable[[ParsedCard], Iterable[Problem]]

_CODE = re.compile(r"HC\d{3}")
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True, eq=False)
class Rule:
    """One lint rule: stable code, kebab-case name, default severity, the kind of fix it offers
    (None: fixed by hand), its check, and its pass/fail fixtures."""

    code: str
    name: str
    severity: Severity
    fixable: Fixable | None
    check: Check | None
    passes: tuple[str, ...] = ()
    fails: tuple[str, ...] = ()
    doc: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.code):
            raise ValueError(f"rule code {self.code!r} is not HCnnn")
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"rule name {self.name!r} is not kebab-case")
        object.__setattr__(self, "__doc__", self.doc)

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.splitlines()[0] if self.doc else ""


RULES: Registry[Rule] = Registry("lint rule", lambda r: r.code)


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    fixable: Fixable | None = None,
    passes: Iterable[str] = (),
    fails: Iterable[str] = (),
) -> Callable[[Check], Rule]:
    """Register the decorated check as rule `code`; its docstring is the documentation."""

    def register(check: Check) -> Rule:
        unit = Rule(
            code,
            name,
            severity,
            fixable,
            check,
            tuple(passes),
            tuple(fails),
            documentation(check),
        )
        if any(r.name == name for r in RULES):
            raise ValueError(f"duplicate lint rule name {name!r}")
        return RULES.register(unit)

    return register


def find_rule(code_or_name: str) -> Rule | None:
    """The rule with this code (any case) or name, or None."""
    wanted = code_or_name.strip()
    if wanted.upper() in RULES:
        return RULES[wanted.upper()]
    return next((r for r in RULES if r.name == wanted.lower()), None)
