"""The paper's own data files (see README.md here for provenance), loaded exactly as the
original notebooks load them: pandas defaults, no cleaning. Replication and the `paper2023`
schemes start from these frames; any cleaning belongs to the procedure that needs it."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from mining.facts import vocabulary as mining_vocabulary

_PACKAGE = "analysis.paperdata"


def _read_csv(name: str, **kwargs: Any) -> pd.DataFrame:
    with resources.files(_PACKAGE).joinpath(name).open("rb") as handle:
        return pd.read_csv(handle, **kwargs)


def hfco2() -> pd.DataFrame:
    """HFCO2.csv: 1,419 rows, the CO2 dataset after the HFClean merge."""
    return _read_csv("HFCO2.csv").copy()


def hfstreamlit() -> pd.DataFrame:
    """HFStreamlit.csv: 1,417 reporting rows before the merge (176 columns)."""
    return _cached_hfstreamlit().copy()


@cache
def _cached_hfstreamlit() -> pd.DataFrame:
    return _read_csv("HFStreamlit.csv", low_memory=False)


def hfclean() -> pd.DataFrame:
    """HFClean.csv: the 48 hand-curated models."""
    return _read_csv("HFClean.csv", low_memory=False)


def reference_values() -> pd.DataFrame:
    """referenceValues.csv (its first line is a spurious header, hence header=1)."""
    return _read_csv("referenceValues.csv", header=1)


def tags_metadata() -> dict[str, Any]:
    """tags_metadata.yaml: tag vocabularies and the tag-to-domain mapping (kept with the crawl's
    facts stage, which applies it: `mining.facts.vocabulary`)."""
    return mining_vocabulary.tags_metadata()
