"""HC100-HC102 and HC104-HC106: the `co2_eq_emissions` metadata (grams of CO2-eq, as a number
or a mapping with `emissions`, `source`, `training_type`, `geographical_location`,
`hardware_used`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from classifiers.lint.findings import Fixable, Problem, Severity
from classifiers.lint.numbers import human_grams, is_portable_number, yaml_number
from classifiers.lint.registry import rule
from classifiers.lint.rules.common import (
    emissions_label,
    emissions_path,
    key_position,
    readable_metadata,
)
from mining.cards.card import CO2_FIELDS, CO2_KEY, Co2Form, ParsedCard
from mining.cards.quantities import Co2Problem

CONTEXT_FIELDS = ("source", "training_type", "geographical_location", "hardware_used")
TRAINING_TYPES = ("pre-training", "fine-tuning")
_TRAINING_SPELLINGS = {
    "pre-training": "pre-training",
    "pretraining": "pre-training",
    "pre-train": "pre-training",
    "pretrain": "pre-training",
    "pre-trained": "pre-training",
    "pretrained": "pre-training",
    "fine-tuning": "fine-tuning",
    "finetuning": "fine-tuning",
    "fine-tune": "fine-tuning",
    "finetune": "fine-tuning",
    "fine-tuned": "fine-tuning",
    "finetuned": "fine-tuning",
}
_SEPARATORS = re.compile(r"[\s_]+")


def canonical_training_type(value: str) -> str | None:
    """`pre-training` or `fine-tuning` for the usual spellings (`Fine tuning`, `pretraining`,
    `fine_tuned`, ...), None otherwise."""
    return _TRAINING_SPELLINGS.get(_SEPARATORS.sub("-", value.strip().lower()))


@rule(
    "HC100",
    "co2-missing",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/with_co2_metadata/404E__autotrain-formality-1026434913.md",
    ),
    fails=(
        "cards/ok_no_co2/29thDay__ppo-LunarLander-v2.md",
        "cards/no_front_matter/Ahmad__parsT5.md",
    ),
)
def co2_missing(card: ParsedCard) -> Iterator[Problem]:
    """The metadata has no `co2_eq_emissions`.

    ## What it does
    Fires on every card whose metadata (or lack of it) holds no `co2_eq_emissions` key. Cards
    whose front matter cannot be read get HC002-HC006 instead.

    ## Why it matters
    The Hub's emissions filter, its model pages and every study of ML emissions read this key;
    an amount written only in the text is invisible to them (see HC107).

    ## Example
    ```yaml
    license: mit
    ```

    Use instead (grams of CO2-eq, measured with CodeCarbon for instance):
    ```yaml
    license: mit
    co2_eq_emissions:
      emissions: 120
      source: CodeCarbon
      training_type: fine-tuning
      geographical_location: Oregon, USA
      hardware_used: 1 x A100
    ```

    `hubcarbon card from-codecarbon emissions.csv --card README.md --write` writes this block.
    """
    metadata = readable_metadata(card)
    if metadata is not None and CO2_KEY not in metadata:
        yield Problem(
            None if card.opening_line is None else key_position(card, ()),
            f"no {CO2_KEY} in the metadata: report the training emissions in grams of CO2-eq",
            anchor=CO2_KEY,
        )


@rule(
    "HC101",
    "co2-not-numeric",
    Severity.ERROR,
    fixable=Fixable.SAFE,
    passes=(
        "lint_cases/clean.md",
        "cards/with_co2_metadata/404E__autotrain-formality-1026434913.md",
        "cards/popular_cards/dalle-mini__dalle-mini.md",
    ),
    fails=(
        "cards/popular_cards/bigscience__bloom.md",
        "lint_cases/HC101_text_with_unit.md",
        "lint_cases/HC101_quoted_number_crlf.md",
    ),
)
def co2_not_numeric(card: ParsedCard) -> Iterator[Problem]:
    """The emissions amount is not a plain number of grams.

    ## What it does
    Fires when `co2_eq_emissions` (or its `emissions`) is text (`"1.2 kg"`, `"0.5"`), a boolean,
    empty, a list or a mapping, or is a number written in a way that YAML 1.1 (PyYAML,
    huggingface_hub) and YAML 1.2 (the Hub's JavaScript parser) read differently (`24_700_000`,
    `1e3`, `012`). When the text holds an amount with a recognisable unit, the message gives it
    in grams.

    ## Why it matters
    The Hub's spec says `emissions` is a number of grams; strings are skipped or misread by
    filters and leaderboards.

    ## Example
    ```yaml
    co2_eq_emissions:
      emissions: "0.0411 kg"
    ```

    Use instead:
    ```yaml
    co2_eq_emissions:
      emissions: 41.1
    ```

    ## Fix safety
    Safe when the text is a bare number, or a number in grams (`"12.5"`, `"12.5 g"`, `24_700_000`):
    the number is written plainly. Unsafe when a unit other than grams is written (`"1.2 kg"`):
    the fix converts it (to `1200`) and the author should check the unit was right. A number
    with no unit is never rescaled.
    """
    co2 = card.co2
    if co2 is None:
        return
    label = emissions_label(card)
    where = co2.value_position or co2.key_position
    raw_value = readable_metadata(card) or {}
    entry = raw_value.get(CO2_KEY)
    if co2.form is Co2Form.MAPPING and isinstance(entry, dict) and "emissions" not in entry:
        yield Problem(
            co2.key_position,
            f"{CO2_KEY} has no 'emissions' key: the amount in grams is required",
            anchor=label,
        )
        return
    value = co2.emissions
    span = card.spans.get(emissions_path(card))
    written = span.text if span is not None else None
    if value.plain_number:
        if written is not None and not is_portable_number(written) and value.grams is not None:
            yield Problem(
                where,
                f"{label} is written {written!r}, which YAML 1.2 (the Hub's parser) does not "
                f"read as the number PyYAML reads; write {yaml_number(value.grams)}",
                anchor=label,
            )
        return
    yield Problem(
        where,
        f"{label} {_not_a_number(value.problem, value.raw, value.unit_text)}"
        + _in_grams(value.grams, value.unit_text),
        anchor=label,
    )


def _not_a_number(problem: Co2Problem | None, raw: str | None, unit_text: str | None) -> str:
    shown = (raw or "")[:80]
    if problem is Co2Problem.MISSING:
        return "has no value: write the amount in grams"
    if problem is Co2Problem.BOOLEAN:
        return f"is the boolean {shown!r}, not an amount in grams"
    if problem is Co2Problem.LIST:
        return "is a list, not an amount in grams"
    if problem is Co2Problem.MAPPING:
        return "is a mapping, not an amount in grams"
    return f"is the text {shown!r}, not a number"


def _in_grams(grams: float | None, unit_text: str | None) -> str:
    if grams is None:
        return ""
    if unit_text:
        shown = human_grams(grams)
        return f"; that is {shown} ({unit_text} read as written): write {yaml_number(grams)}"
    return f"; write it as a number: {yaml_number(grams)}"


@rule(
    "HC102",
    "co2-non-positive",
    Severity.ERROR,
    passes=(
        "lint_cases/clean.md",
        "cards/with_co2_metadata/404E__autotrain-formality-1026434913.md",
    ),
    fails=(
        "lint_cases/HC102_negative.md",
        "lint_cases/HC102_zero.md",
    ),
)
def co2_non_positive(card: ParsedCard) -> Iterator[Problem]:
    """The emissions amount is zero or negative.

    ## What it does
    Fires when the amount (a number, or text holding one) is 0 or below.

    ## Why it matters
    Training emits something; a zero usually means "not measured" and a negative value a typo or
    an offset subtracted. Either misleads every comparison of models.

    ## Example
    ```yaml
    co2_eq_emissions: 0
    ```

    Use instead: the measured or estimated amount in grams, or no `co2_eq_emissions` until it is
    known.
    """
    co2 = card.co2
    if co2 is None or co2.emissions.number is None or co2.emissions.number > 0:
        return
    label = emissions_label(card)
    number = co2.emissions.number
    written = co2.emissions.raw or yaml_number(number)
    reason = "negative" if number < 0 else "zero"
    yield Problem(
        co2.value_position or co2.key_position,
        f"{label} is {written} ({reason}): state the amount of CO2-eq emitted, in grams",
        anchor=label,
    )


@rule(
    "HC104",
    "co2-context-missing",
    Severity.INFO,
    fixable=Fixable.UNSAFE,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=(
        "cards/with_co2_metadata/404E__autotrain-formality-1026434913.md",
        "cards/with_co2_metadata/0-hero__led-large-legal-summary.md",
    ),
)
def co2_context_missing(card: ParsedCard) -> Iterator[Problem]:
    """The emissions lack their context: source, training type, location or hardware.

    ## What it does
    Fires when `co2_eq_emissions` is a bare number, or a mapping without one of `source`,
    `training_type`, `geographical_location`, `hardware_used`; the message names which.

    ## Why it matters
    An amount without its source (measured or estimated, by which tool), training type,
    location (grid intensity) and hardware cannot be compared or checked.

    ## Example
    ```yaml
    co2_eq_emissions: 120
    ```

    Use instead:
    ```yaml
    co2_eq_emissions:
      emissions: 120
      source: CodeCarbon
      training_type: fine-tuning
      geographical_location: Oregon, USA
      hardware_used: 1 x A100
    ```

    ## Fix safety
    Unsafe: the fix copies `hardware_used` and `geographical_location` from the body's
    Environmental Impact lines (`Hardware Type:`, `Compute Region:`) when they are filled in;
    the author should check they describe the same run. It is offered only for the mapping form.
    """
    co2 = card.co2
    if co2 is None:
        return
    missing = [name for name in CONTEXT_FIELDS if getattr(co2, name) is None]
    if not missing:
        return
    form = "is a bare number without" if co2.form is not Co2Form.MAPPING else "lacks"
    yield Problem(
        co2.key_position,
        f"{CO2_KEY} {form} {', '.join(missing)}",
        anchor=CO2_KEY,
    )


@rule(
    "HC105",
    "co2-training-type-unknown",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=("cards/with_co2_metadata/Ayaka__bart-base-cantonese.md",),
)
def co2_training_type_unknown(card: ParsedCard) -> Iterator[Problem]:
    """`training_type` is neither `pre-training` nor `fine-tuning`.

    ## What it does
    Reads `co2_eq_emissions.training_type`, accepting the usual spellings (`pretraining`,
    `Pre-Training`, `fine tuning`, `finetuning`, `fine-tuned`, ...), and fires on anything else.

    ## Why it matters
    Pre-training and fine-tuning emissions differ by orders of magnitude; comparisons group
    models by this field, and free text cannot be grouped.

    ## Example
    ```yaml
    co2_eq_emissions:
      emissions: 120
      training_type: training
    ```

    Use instead: `training_type: fine-tuning` (or `pre-training`).
    """
    co2 = card.co2
    metadata = readable_metadata(card) or {}
    entry = metadata.get(CO2_KEY)
    if co2 is None or not isinstance(entry, dict) or "training_type" not in entry:
        return
    value = entry["training_type"]
    where = card.spans.get((CO2_KEY, "training_type"))
    position = where.start if where else co2.key_position
    label = f"{CO2_KEY}.training_type"
    if not isinstance(value, str):
        yield Problem(
            position,
            f"{label} should be 'pre-training' or 'fine-tuning', not {_kind(value)}",
            anchor=label,
        )
    elif canonical_training_type(value) is None:
        yield Problem(
            position,
            f"{label} is {value[:80]!r}: write 'pre-training' or 'fine-tuning'",
            anchor=label,
        )


def _kind(value: object) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a list" if isinstance(value, list) else "a mapping"


@rule(
    "HC106",
    "co2-unknown-key",
    Severity.INFO,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=("lint_cases/HC106_unknown_key.md",),
)
def co2_unknown_key(card: ParsedCard) -> Iterator[Problem]:
    """`co2_eq_emissions` has a key outside the spec.

    ## What it does
    Fires on each key of the `co2_eq_emissions` mapping other than `emissions`, `source`,
    `training_type`, `geographical_location` and `hardware_used`, suggesting the closest known
    key when there is one.

    ## Why it matters
    Tools read only the specified keys: `hardware: A100` or `emissions_kg: 3` is lost on them.

    ## Example
    ```yaml
    co2_eq_emissions:
      emissions: 120
      hardware: 1 x A100
    ```

    Use instead: `hardware_used: 1 x A100`.
    """
    co2 = card.co2
    if co2 is None:
        return
    for key in co2.unknown_keys:
        close = difflib.get_close_matches(key, CO2_FIELDS, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        yield Problem(
            key_position(card, (CO2_KEY, key)) or co2.key_position,
            f"{CO2_KEY} has the key {key[:80]!r}, which is not in the spec "
            f"({', '.join(CO2_FIELDS)}){hint}",
            anchor=f"{CO2_KEY}.{key}",
        )
