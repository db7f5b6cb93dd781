"""What both label schemes share: the metrics, the input columns, index, rating and compound.

A label is computed per model from five metrics. Each metric's value is turned into an *index*
relative to a reference model (higher is always better), the index into a *rating* 0-4 by four
descending boundaries, and the ratings into one compound letter A-E by a weighted mean over the
ratings that exist.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mining.facts import AUTOTRAIN_TAGS

LETTERS = "ABCDE"


@dataclass(frozen=True)
class Metric:
    """One label attribute: its short name and whether a larger raw value is better."""

    name: str
    higher_is_better: bool


METRICS: tuple[Metric, ...] = (
    Metric("co2", higher_is_better=False),
    Metric("size_efficiency", higher_is_better=True),
    Metric("dataset_size_efficiency", higher_is_better=True),
    Metric("downloads", higher_is_better=True),
    Metric("performance", higher_is_better=True),
)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)

# The per-model input frame both schemes read. Only model_id and co2_g are required.
INPUT_COLUMNS: tuple[str, ...] = (
    "model_id",  # full owner/name (paper data: bare name)
    "co2_g",  # training emissions in grams CO2e, units already normalised
    "size_bytes",  # bytes of the weights file(s)
    "dataset_bytes",  # summed dataset sizes in bytes
    "downloads",
    "performance_score",  # 0-1; see each scheme for its exact meaning
    "autotrain",  # bool-like; or derived from `tags`
    "tags",  # list of tags (optional)
    "base_model",  # str or list of str from the card's base_model (optional)
    "created_at",  # optional, used to order copies of the same model
    "copied_from",  # optional: the origin of the training run this row copies (crawl audit)
)
REQUIRED_COLUMNS: tuple[str, ...] = ("model_id", "co2_g")


def normalise_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every input column present and typed, index 0..n-1."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise KeyError(f"label inputs lack column(s) {', '.join(missing)}")
    out = frame.reset_index(drop=True).copy()
    for column in ("co2_g", "size_bytes", "dataset_bytes", "downloads", "performance_score"):
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        else:
            out[column] = np.nan
    for column in ("tags", "base_model", "created_at", "copied_from"):
        if column not in out.columns:
            out[column] = None
    out["model_id"] = out["model_id"].astype(str)
    out["autotrain"] = autotrain_flags(out)
    return out


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    return bool(value)


def autotrain_flags(frame: pd.DataFrame) -> pd.Series:
    """True for AutoTrain/AutoNLP reports: an `autotrain` flag, or an autotrain/autonlp tag.

    The paper's `auto` column is True exactly when the tags contain `autotrain` or `autonlp`;
    flag strings such as 'True'/'False'/'1' are read as booleans (never by truthiness of a
    non-empty string, the bug that corrupted HFCO2's `source`)."""
    flags = pd.Series(False, index=frame.index, dtype=bool)
    if "autotrain" in frame.columns:
        flags |= frame["autotrain"].map(_truthy).astype(bool)
    if "tags" in frame.columns:
        flags |= frame["tags"].map(_has_autotrain_tag).astype(bool)
    return flags


def _has_autotrain_tag(tags: object) -> bool:
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list | tuple | set | np.ndarray):
        return False
    return any(isinstance(t, str) and t.strip().lower() in AUTOTRAIN_TAGS for t in tags)


def metric_values(inputs: pd.DataFrame) -> dict[str, np.ndarray]:
    """Raw metric values per model: CO2 in g, bytes per gram, downloads, performance score."""
    co2 = inputs["co2_g"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        size_eff = inputs["size_bytes"].to_numpy(dtype=float) / co2
        data_eff = inputs["dataset_bytes"].to_numpy(dtype=float) / co2
    return {
        "co2": co2,
        "size_efficiency": size_eff,
        "dataset_size_efficiency": data_eff,
        "downloads": inputs["downloads"].to_numpy(dtype=float),
        "performance": inputs["performance_score"].to_numpy(dtype=float),
    }


def metric_index(metric: Metric, values: np.ndarray, reference: float) -> np.ndarray:
    """value / reference, or reference / value when lower is better (CO2); NaN stays NaN.

    Division by zero follows numpy float division: CO2 = 0 gives +inf (the best index)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric.higher_is_better:
            return np.asarray(values / reference, dtype=float)
        return np.asarray(reference / values, dtype=float)


def rate(index: np.ndarray, boundaries: Sequence[float]) -> np.ndarray:
    """Ratings 0 (A) to 4 (E) for an index, by descending boundaries b0 >= b1 >= b2 >= b3.

    The rating is the position of the first interval (+inf, b0], (b0, b1], (b1, b2], (b2, b3],
    (b3, 0] with lower < index <= upper, so an index equal to a boundary falls into the worse
    class. An index matching no interval (index <= 0) gets 4; a NaN index gives NaN."""
    b0, b1, b2, b3 = (float(b) for b in boundaries)
    intervals = [(np.inf, b0), (b0, b1), (b1, b2), (b2, b3), (b3, 0.0)]
    ratings = np.full(index.shape, 4.0)
    for position in reversed(range(len(intervals))):
        upper, lower = intervals[position]
        ratings[(lower < index) & (index <= upper)] = position
    ratings[np.isnan(index)] = np.nan
    return ratings


def weighted_means(ratings: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """The mean of each row's available ratings, weights renormalised over the available ones.

    Computed as the paper does, row by row: the available weights are divided by their sum and
    the dot product with the ratings is taken (the float result decides ties at .5, so the
    order of operations matters). NaN when a row has no rating at all."""
    names = list(weights)
    w = np.array([weights[n] for n in names], dtype=float)
    means: list[float] = []
    for row in ratings[names].to_numpy(dtype=float):
        available = ~np.isnan(row)
        if not available.any():
            means.append(np.nan)
            continue
        kept = w[available]
        means.append(float(np.dot(kept / kept.sum(), row[available])))
    return pd.Series(means, index=ratings.index, dtype="float64")


def used_weights(ratings: pd.DataFrame, weights: Mapping[str, float]) -> list[dict[str, float]]:
    """Per row, the renormalised weights of the ratings that were available."""
    rows: list[dict[str, float]] = []
    for _, row in ratings[list(weights)].iterrows():
        present = {n: w for n, w in weights.items() if not pd.isna(row[n])}
        total = sum(present.values())
        rows.append({n: w / total for n, w in present.items()} if total else {})
    return rows


def letters(compound: pd.Series, to_int: Callable[[float], int]) -> tuple[pd.Series, pd.Series]:
    """(rounded class 0-4 as nullable Int64, letter or None) from compound means."""
    classes = compound.map(lambda m: pd.NA if pd.isna(m) else to_int(float(m))).astype("Int64")
    letter = classes.map(lambda c: None if pd.isna(c) else LETTERS[int(c)]).astype(object)
    return classes, letter


def python_round(mean: float) -> int:
    """int(round(mean)): Python's round, half to even (0.5 -> 0, 1.5 -> 2, 2.5 -> 2)."""
    return round(mean)


def round_half_to_worse(mean: float) -> int:
    """Nearest class; an exact half (within 1e-9) goes to the worse (higher) class."""
    return int(np.floor(mean + 0.5 + 1e-9))


def result_frame(
    scheme_id: str,
    inputs: pd.DataFrame,
    index: Mapping[str, np.ndarray],
    ratings: pd.DataFrame,
    weights: Mapping[str, float],
    to_int: Callable[[float], int],
) -> pd.DataFrame:
    """The common output: one row per input row, in input order."""
    compound = weighted_means(ratings, weights)
    classes, letter = letters(compound, to_int)
    out = pd.DataFrame(
        {
            "model_id": inputs["model_id"].to_numpy(),
            "scheme": scheme_id,
            "letter": pd.Series(letter.to_numpy(), dtype=object),
            "rating": classes.array,
            "compound": compound.to_numpy(),
        }
    )
    for name in METRIC_NAMES:
        out[f"{name}_index"] = index[name]
        out[f"{name}_rating"] = pd.array(
            [pd.NA if np.isnan(r) else int(r) for r in ratings[name]], dtype="Int64"
        )
    out["weights"] = pd.Series(used_weights(ratings, weights), dtype=object)
    out["autotrain"] = inputs["autotrain"].to_numpy(dtype=bool)
    return out
