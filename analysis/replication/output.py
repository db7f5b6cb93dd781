"""JSON output of the replication: sorted keys, full-precision floats, NaN and ±inf as null."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """`value` with numpy scalars made Python, tuples made lists and non-finite floats None."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(results: Mapping[str, Any]) -> str:
    """The replication document as text: sorted keys, indented, strict JSON (no NaN)."""
    return json.dumps(jsonable(results), sort_keys=True, indent=2, allow_nan=False) + "\n"
