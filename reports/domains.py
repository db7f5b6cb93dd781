"""The task-to-domain mapping the leaderboard's Domain column shows. It belongs to the analysis
layer (one home per concept); until that layer exposes it, the column is empty and the site
says so."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from reports.inputs import Missing

DomainOf = Callable[[str | None], str | None]

# where the analysis layer is expected to expose it: module, function(pipeline_tag) -> domain
PROVIDER = ("analysis.domains", "domain_of")


def domain_mapping() -> DomainOf | Missing:
    """The analysis layer's `domain_of(pipeline_tag)`, or a Missing that the pages show."""
    module_name, function_name = PROVIDER
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        module = None
    function = getattr(module, function_name, None)
    if not callable(function):
        return Missing(
            "Domain column", None, f"the analysis layer exposes no {module_name}.{function_name}"
        )
    return function
