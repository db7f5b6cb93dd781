"""HC200-HC202: metadata keys the Hub validates (license, model-index, datasets)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from classifiers.lint.findings import Fixable, Problem, Severity
from classifiers.lint.registry import rule
from classifiers.lint.rules.common import key_position, readable_metadata, value_position
from mining.cards.card import ParsedCard
from mining.cards.frontmatter import NodePath
from mining.cards.text import Position

MAX_MODEL_INDEX_FINDINGS = 20


@rule(
    "HC200",
    "license-missing",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=("cards/ok_no_co2/29thDay__ppo-LunarLander-v2.md",),
)
def license_missing(card: ParsedCard) -> Iterator[Problem]:
    """The metadata has no `license`.

    ## What it does
    Fires when the metadata (or the lack of it) holds no `license` key, or leaves it empty.

    ## Why it matters
    Without a license nobody may reuse the model; the Hub shows the license from this key and
    filters by it.

    ## Example
    ```yaml
    tags: [bert]
    ```

    Use instead: `license: apache-2.0` (a Hub license id; `other` with `license_name` and
    `license_link`).
    """
    metadata = readable_metadata(card)
    if metadata is None:
        return
    value = metadata.get("license")
    if value is None or value == "" or value == []:
        where = key_position(card, ("license",)) if "license" in metadata else None
        yield Problem(
            where or key_position(card, ()),
            "no license in the metadata: add `license:` with a Hub license id",
            anchor="license",
        )


@rule(
    "HC201",
    "model-index-invalid",
    Severity.ERROR,
    passes=(
        "lint_cases/clean.md",
        "cards/hf_hub_test_fixtures/sample_simple_model_index.md",
    ),
    fails=(
        "cards/hf_hub_test_fixtures/sample_invalid_model_index.md",
        "cards/intervention_model_cards/Intel__dynamic_tinybert.md",
    ),
)
def model_index_invalid(card: ParsedCard) -> Iterator[Problem]:
    """`model-index` does not have the shape the Hub requires.

    ## What it does
    Checks `model-index` as the Hub and huggingface_hub do: a list of `{name, results}`; each
    result has `task.type`, a `dataset` with `type` and `name` (`config` a string when given),
    `metrics` each with `type` and `value`, and a `source` with a `url` when given. Reports
    each problem at the node it concerns (at most 20 per card).

    ## Why it matters
    The Hub rejects commits with a malformed `model-index`, and huggingface_hub drops the
    evaluation results (or raises) when it reads one.

    ## Example
    ```yaml
    model-index:
    - name: my-model
      results:
      - task: {type: text-classification}
        metrics:
        - {type: accuracy, value: 0.9}
    ```

    Use instead: add `dataset: {type: glue, name: GLUE}` to the result.
    """
    metadata = readable_metadata(card)
    if not metadata or "model-index" not in metadata:
        return
    problems = list(_model_index(card, metadata["model-index"]))
    yield from problems[:MAX_MODEL_INDEX_FINDINGS]
    if len(problems) > MAX_MODEL_INDEX_FINDINGS:
        yield Problem(
            key_position(card, ("model-index",)),
            f"model-index has {len(problems) - MAX_MODEL_INDEX_FINDINGS} more problems",
            anchor="model-index",
        )


class _Checker:
    def __init__(self, card: ParsedCard) -> None:
        self.card = card

    def at(self, path: NodePath) -> Position | None:
        while path:
            found = value_position(self.card, path)
            if found is not None:
                return found
            path = path[:-1]
        return None

    def problem(self, path: NodePath, message: str) -> Problem:
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        return Problem(self.at(path), f"{dotted}: {message}", anchor=dotted)


def _model_index(card: ParsedCard, value: Any) -> Iterator[Problem]:
    check = _Checker(card)
    root: NodePath = ("model-index",)
    if not isinstance(value, list):
        yield check.problem(root, "should be a list of {name, results}")
        return
    for i, entry in enumerate(value):
        path = (*root, i)
        if not isinstance(entry, dict):
            yield check.problem(path, "should be a mapping with name and results")
            continue
        if not isinstance(entry.get("name"), str) or not entry.get("name"):
            yield check.problem(path, "needs a name")
        results = entry.get("results")
        if not isinstance(results, list):
            yield check.problem((*path, "results"), "should be a list of results")
            continue
        for j, result in enumerate(results):
            yield from _result(check, (*path, "results", j), result)


def _result(check: _Checker, path: NodePath, result: Any) -> Iterator[Problem]:
    if not isinstance(result, dict):
        yield check.problem(path, "should be a mapping with task, dataset and metrics")
        return
    task = result.get("task")
    if not isinstance(task, dict) or not task.get("type"):
        yield check.problem((*path, "task"), "needs a task with a type")
    dataset = result.get("dataset")
    if not isinstance(dataset, dict):
        yield check.problem((*path, "dataset"), "needs a dataset with type and name")
    else:
        for key in ("type", "name"):
            if not dataset.get(key):
                yield check.problem((*path, "dataset"), f"the dataset needs a {key}")
        if "config" in dataset and not isinstance(dataset["config"], str):
            yield check.problem((*path, "dataset", "config"), "must be a string")
    metrics = result.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        yield check.problem((*path, "metrics"), "needs a list of metrics")
    else:
        for k, metric in enumerate(metrics):
            where = (*path, "metrics", k)
            if not isinstance(metric, dict):
                yield check.problem(where, "should be a mapping with type and value")
                continue
            for key in ("type", "value"):
                if metric.get(key) is None or metric.get(key) == "":
                    yield check.problem(where, f"the metric needs a {key}")
    source = result.get("source")
    if "source" in result and (not isinstance(source, dict) or not source.get("url")):
        yield check.problem((*path, "source"), "needs a url")


@rule(
    "HC202",
    "datasets-not-list",
    Severity.WARNING,
    fixable=Fixable.SAFE,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=("cards/ok_no_co2/Geotrend__bert-base-nl-cased.md",),
)
def datasets_not_list(card: ParsedCard) -> Iterator[Problem]:
    """`datasets` is not a list of dataset ids.

    ## What it does
    Fires when `datasets` is a single string, a number, a mapping or empty.

    ## Why it matters
    The Hub's spec types `datasets` as a list; huggingface_hub keeps a single string as it is
    (so code iterating it gets characters), and tags such as `dataset:<id>` are derived per item.

    ## Example
    ```yaml
    datasets: squad
    ```

    Use instead: `datasets: ["squad"]`, or one `- squad` item per line.

    ## Fix safety
    Safe for a single string: it is wrapped in a one-item list, written in flow style.
    """
    metadata = readable_metadata(card)
    if not metadata or "datasets" not in metadata:
        return
    value = metadata["datasets"]
    if isinstance(value, list):
        return
    shown = "empty" if value is None else f"{type(value).__name__} {str(value)[:60]!r}"
    yield Problem(
        value_position(card, ("datasets",)) or key_position(card, ("datasets",)),
        f"datasets should be a list of dataset ids, not {shown.replace('str', 'the string')}",
        anchor="datasets",
    )
