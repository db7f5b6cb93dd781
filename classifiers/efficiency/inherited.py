"""Inherited emissions: a re-upload that repeats the CO2 figure of the model it copies.

GGUF/quantised re-uploads and plain copies often keep the base model's card, so they report the
base model's training emissions (e.g. `distilgpt2-GGUF` repeating distilgpt2's 149,200 g). Such a
figure is not new evidence: nobody trained anything to produce the copy.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

import pandas as pd

# Name suffixes that mark a format/quantisation re-upload, stripped repeatedly from the end.
_REUPLOAD_SUFFIX = re.compile(
    r"[-_.](?:gguf|ggml|gptq|awq|exl2|mlx|onnx|openvino|fp16|bf16|f16|f32|int4|int8|\d+[-_]?bits?"
    r"|bnb|quanti[sz]ed|i?q\d(?:_[a-z0-9]+)*)$",
    re.IGNORECASE,
)
RELATIVE_TOLERANCE = 1e-9


def name_of(model_id: str) -> str:
    """The part of an id after its owner, lower-cased."""
    return model_id.rsplit("/", 1)[-1].lower()


def name_stem(model_id: str) -> str:
    """The name with every re-upload suffix removed: `x/distilgpt2-Q4_K_M-GGUF` -> `distilgpt2`."""
    stem = name_of(model_id)
    while True:
        shorter = _REUPLOAD_SUFFIX.sub("", stem)
        if shorter == stem or not shorter:
            return stem
        stem = shorter


def is_reupload_name(model_id: str) -> bool:
    """True when the name carries a re-upload suffix (GGUF, GPTQ, Q4_K_M, 4bit, ...)."""
    return name_stem(model_id) != name_of(model_id)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0)


def _base_models(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def detect_inherited(inputs: pd.DataFrame) -> pd.Series:
    """For each row, the model whose CO2 figure it repeats, or None.

    Columns: model_id, co2_g; optional base_model (str or list) and created_at. A row with a
    positive figure inherits, in this order of rules:

    1. from a model it names as `base_model` that reports the same figure;
    2. if its name has a re-upload suffix, from a model without one whose name is the same stem
       and that reports the same figure (`distilgpt2-GGUF` -> `distilgpt2`);
    3. if its name has a re-upload suffix and no such base is present but another re-upload of
       the same stem repeats the figure, from the bare stem (the base, absent from the data);
    4. from a model with the same name under another owner and the same figure, created earlier
       (a plain copy; needs created_at on both rows).

    "Same figure" means equal within a relative 1e-9.
    """
    ids = inputs["model_id"].astype(str).tolist()
    co2 = pd.to_numeric(inputs["co2_g"], errors="coerce").tolist()
    bases = inputs["base_model"].tolist() if "base_model" in inputs else [None] * len(ids)
    created = _epoch_seconds(inputs["created_at"]) if "created_at" in inputs else []
    created += [math.nan] * (len(ids) - len(created))
    by_id = {model_id.lower(): i for i, model_id in enumerate(ids)}
    by_stem: dict[str, list[int]] = defaultdict(list)
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, model_id in enumerate(ids):
        by_stem[name_stem(model_id)].append(i)
        by_name[name_of(model_id)].append(i)

    def valid(i: int) -> bool:
        return isinstance(co2[i], float) and math.isfinite(co2[i]) and co2[i] > 0

    result: list[str | None] = []
    for i, model_id in enumerate(ids):
        found: str | None = None
        if valid(i):
            found = _by_base_model(i, bases[i], by_id, co2, ids)
            if found is None and is_reupload_name(model_id):
                stem = name_stem(model_id)
                siblings = [j for j in by_stem[stem] if j != i and valid(j)]
                same = [j for j in siblings if _same(co2[i], co2[j])]
                originals = [ids[j] for j in same if not is_reupload_name(ids[j])]
                if originals:
                    found = sorted(originals)[0]
                elif same:
                    found = stem
            if found is None:
                found = _by_copy(i, by_name[name_of(model_id)], co2, created, ids)
        result.append(found)
    return pd.Series(result, index=inputs.index, dtype=object)


def _by_base_model(
    i: int, base: object, by_id: dict[str, int], co2: list[float], ids: list[str]
) -> str | None:
    for name in _base_models(base):
        j = by_id.get(name.strip().lower())
        if j is not None and j != i and _same(co2[i], co2[j]):
            return ids[j]
    return None


def _epoch_seconds(values: pd.Series) -> list[float]:
    times = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    return [math.nan if pd.isna(t) else float(t.timestamp()) for t in times]


def _by_copy(
    i: int, same_name: list[int], co2: list[float], created: list[float], ids: list[str]
) -> str | None:
    mine = created[i]
    earlier = [j for j in same_name if j != i and created[j] < mine and _same(co2[i], co2[j])]
    if not earlier:
        return None
    return ids[min(earlier, key=lambda j: created[j])]
