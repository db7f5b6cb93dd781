"""HC103: is the amount plausible, alone and against power x hours x grid intensity?"""

from __future__ import annotations

from collections.abc import Iterator

from classifiers.lint import grid
from classifiers.lint.findings import Problem, Severity
from classifiers.lint.numbers import human_grams
from classifiers.lint.registry import rule
from classifiers.lint.rules.common import emissions_label
from mining.cards.card import ParsedCard
from mining.cards.emission_record import (
    MAX_TRAINING_G,
    MIN_TRAINING_G,
    implausible_training_figure,
)

MAX_FACTOR = 10.0


@rule(
    "HC103",
    "co2-implausible",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/with_co2_metadata/404E__autotrain-formality-1026434913.md",
        "cards/popular_cards/dalle-mini__dalle-mini.md",
    ),
    fails=(
        "cards/with_co2_metadata/abhishek__autotrain-iris-logistic-regression.md",
        "cards/with_co2_metadata/EricPeter__comments-text-classification-model.md",  # 0.0067 g
        "lint_cases/HC103_kilograms_estimate.md",
    ),
)
def co2_implausible(card: ParsedCard) -> Iterator[Problem]:
    """The emissions amount is implausible.

    ## What it does
    Fires when the amount in grams is below 0.01 g or above 5e10 g (50,000 t), the bounds of
    a training run the card reader's audit uses (`implausible`, docs/classifications.md,
    "Audited emissions": `mining.cards.emission_record.MIN_TRAINING_G`, `MAX_TRAINING_G`), or, when
    the card names its hardware (`hardware_used` or the body's `Hardware Type`), hours (the
    body's `Hours used`) and location (`geographical_location` or `Compute Region`), when the
    amount is more than 10 times away from power x hours x grid intensity. Power is the thermal
    design power of the named device (times the count written before it), intensity that of
    the cloud region or country (tables of the ML CO2 Impact calculator and CodeCarbon, MIT).

    ## Why it matters
    The usual cause is a unit: CodeCarbon reports kilograms, the Hub expects grams, so the
    amount is 1,000 times too small; tonnes written as grams make it 1,000,000 times too large.

    ## Example
    ```markdown
    ---
    co2_eq_emissions:
      emissions: 8.9
      hardware_used: 8 x A100
      geographical_location: Oregon, USA
    ---
    - **Hours used:** 12
    ```
    8 x 250 W x 12 h x 369 g/kWh is about 8,900 g: 8.9 looks like kilograms.

    Use instead: `emissions: 8900` if the 8.9 was kilograms (`hubcarbon card from-codecarbon`
    converts CodeCarbon's kilograms for you).
    """
    co2 = card.co2
    if co2 is None or co2.emissions.grams is None or co2.emissions.grams <= 0:
        return
    grams = co2.emissions.grams
    label = emissions_label(card)
    where = co2.value_position or co2.key_position
    if implausible_training_figure(grams):
        bound = (
            f"below {human_grams(MIN_TRAINING_G)}"
            if grams < MIN_TRAINING_G
            else f"above {MAX_TRAINING_G / 1e6:,.0f} t"
        )
        yield Problem(
            where,
            f"{label} is {human_grams(grams)}, {bound}: check the unit (grams are expected)",
            anchor=label,
        )
        return
    hardware = co2.hardware_used or card.prose.hardware_type
    location = co2.geographical_location or card.prose.compute_region
    hours = card.prose.hours
    if not hardware or not location or hours is None:
        return
    found = grid.estimate(hardware, hours, location)
    if found is None or found.grams <= 0:
        return
    factor = grams / found.grams
    if 1 / MAX_FACTOR <= factor <= MAX_FACTOR:
        return
    direction = "above" if factor > 1 else "below"
    times = factor if factor > 1 else 1 / factor
    unit = "kilograms" if factor < 1 else "milligrams"
    hint = f"; it looks like {unit}" if 300 <= times <= 3000 else ": check the unit"
    yield Problem(
        where,
        f"{label} is {human_grams(grams)}, {times:,.0f} times {direction} the estimate of "
        f"{human_grams(found.grams)} for {found.describe()}{hint}",
        anchor=label,
    )
