"""The rule modules; importing this package registers every rule in RULES, in code order."""

# ruff: noqa: I001  (the import order is the registry's order: HC00x, HC01x, HC1xx, HC2xx)
from classifiers.lint.rules import (
    internal,
    frontmatter,
    suppressions,
    co2,
    plausibility,
    prose,
    metadata,
)

__all__ = ["co2", "frontmatter", "internal", "metadata", "plausibility", "prose", "suppressions"]
