"""The model-card linter: one rule registry (codes HCnnn), offline checks, CI output formats.

    lint_text(text, path="README.md", config=None) -> list[Finding]
    RULES                      # the registry: RULES["HC101"], iter(RULES), RULES.ids()
    fix_text(data, path, config, unsafe=False) -> FixResult

The same registry grades reporting quality: a card's grade is a function of its findings.
"""

from __future__ import annotations

from classifiers.lint import rules as _rules  # registers every rule
from classifiers.lint.config import LintConfig, load_config
from classifiers.lint.engine import FixResult, fix_text, lint_card, lint_text
from classifiers.lint.findings import Finding, Fixable, Severity
from classifiers.lint.registry import RULES, Rule, find_rule

__all__ = [
    "RULES",
    "Finding",
    "FixResult",
    "Fixable",
    "LintConfig",
    "Rule",
    "Severity",
    "find_rule",
    "fix_text",
    "lint_card",
    "lint_text",
    "load_config",
]
del _rules
