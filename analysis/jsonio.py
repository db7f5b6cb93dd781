"""findings.json text: numpy scalars made Python, tuples made lists, NaN and ±inf as null,
sorted keys, strict JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """`value` made of JSON types only (non-finite floats become None)."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(document: Mapping[str, Any]) -> str:
    """The document as text: sorted keys, two-space indent, a final newline."""
    return json.dumps(jsonable(document), sort_keys=True, indent=2, allow_nan=False) + "\n"
