"""HC110-HC114: what the emissions audit finds in a card's statements (mining.cards.statements
and mining.cards.emission_record): a unit the metadata leaves out, figures that disagree, a
range, energy without CO2-eq, a family total. The linter reads a card without its model id, so
table rows and sections are not attributed here; `hubcarbon card inspect --model-id` shows the
reading with them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from classifiers.lint.findings import Problem, Severity
from classifiers.lint.numbers import human_grams, yaml_number
from classifiers.lint.registry import rule
from classifiers.lint.rules.common import audited_record, emissions_label
from mining.cards.card import CO2_KEY, ParsedCard
from mining.cards.emission_record import CONFLICT_TOLERANCE, Flag
from mining.cards.measures import Kind
from mining.cards.statements import Scope, Statement, Where
from mining.cards.text import Position


def _at(statement: Statement) -> Position:
    return Position(statement.line, 1)


@rule(
    "HC110",
    "co2-unit-suspect",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=(
        "cards/with_co2_metadata/Afreen__test1.md",
        "cards/audit_cards/d4data__biomedical-ner-all.md",
    ),
)
def co2_unit_suspect(card: ParsedCard) -> Iterator[Problem]:
    """The metadata's amount is the body's figure without its unit.

    ## What it does
    Fires when `co2_eq_emissions` is a bare number and the body writes the same number with a
    unit other than grams (`co2_eq_emissions: 0.1069` and "Carbon emission 0.1069 Kg").

    ## Why it matters
    The Hub reads a bare number as grams, so the figure is 1,000 times too small (kilograms)
    or 1,000,000 times (tonnes). The audit uses the body's unit (`co2_g_audited`).

    ## Example
    ```markdown
    ---
    co2_eq_emissions: 0.1069
    ---
    - Carbon emission 0.1069 Kg
    ```

    Use instead: `co2_eq_emissions: 106.9` (grams).
    """
    record = audited_record(card)
    if record is None or Flag.UNIT_SUSPECT not in record.flags or card.co2 is None:
        return
    metadata = record.statements[0]
    body = next(
        s
        for s in record.statements
        if s.where is not Where.METADATA and s.unit_written and s.unit != "g"
        and s.kind is Kind.CO2 and abs(s.value - metadata.value) <= 1e-6 * max(s.value, 1e-300)
    )  # fmt: skip
    label = emissions_label(card)
    yield Problem(
        card.co2.value_position or card.co2.key_position,
        f"{label} is the bare number {metadata.text}, which the Hub reads as grams, but line "
        f"{body.line} writes it {body.text!r} ({human_grams(body.amount)}): write "
        f"{yaml_number(body.amount)}",
        anchor=label,
    )


@rule(
    "HC111",
    "co2-conflicting-statements",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/dalle-mini__dalle-mini.md",
    ),
    fails=("cards/audit_cards/m2m100_418M_br_fr.md",),
)
def co2_conflicting_statements(card: ParsedCard) -> Iterator[Problem]:
    """The body states training emissions that disagree with each other.

    ## What it does
    Fires when two training figures in the Markdown body (labelled lines, sentences, tables
    of a single figure) differ by more than 10 %. A range agrees with what lies inside it;
    figures of another model, a family total, inference and intensities are left out. The
    metadata against the body is HC108.

    ## Why it matters
    A reader cannot tell which one the model's training emitted, and neither can the audit:
    its figure is then none unless the card names this model for one of them.

    ## Example
    ```markdown
    We estimate emissions of 300 gCO2 per fine-tuning run.
    So far, the carbon emissions for this model are approximately 3300 gCO2.
    ```

    Use instead: one figure for this model's training, and say what the other one is.
    """
    record = audited_record(card)
    if record is None:
        return
    body = [
        s
        for s in record.statements
        if s.where is not Where.METADATA and s.is_training_co2 and s.where is not Where.TABLE
    ]
    for first, second in itertools.pairwise(body):
        top = max(first.amount, second.amount)
        inside = any(
            one.high is not None and one.amount <= other.amount <= one.high
            for one, other in ((first, second), (second, first))
        )
        if not inside and abs(first.amount - second.amount) > CONFLICT_TOLERANCE * top:
            yield Problem(
                _at(second),
                f"line {second.line} states {second.text!r} ({human_grams(second.amount)}) but "
                f"line {first.line} states {first.text!r} ({human_grams(first.amount)}): say "
                "which is this model's training",
                anchor="body.co2",
            )
            return


@rule(
    "HC112",
    "co2-range",
    Severity.INFO,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/CompVis__stable-diffusion-v1-4.md",
    ),
    fails=("lint_cases/HC112_range.md",),
)
def co2_range(card: ParsedCard) -> Iterator[Problem]:
    """The card's emissions figure is a range.

    ## What it does
    Fires when the metadata has no amount and the body's training figure is a range
    (`10-20 kg`, `10 to 20 kg`).

    ## Why it matters
    A range cannot be stored as `co2_eq_emissions`; studies take its midpoint, which the card
    could state (with the range in the text).

    ## Example
    ```markdown
    - **Carbon Emitted:** 10-20 kg CO2eq
    ```

    Use instead: `co2_eq_emissions: 15000` in the metadata, the range in the text.
    """
    record = audited_record(card)
    if record is None or Flag.RANGE not in record.flags or record.chosen is None:
        return
    chosen = record.statements[record.chosen]
    middle = (chosen.amount + (chosen.high or chosen.amount)) / 2
    yield Problem(
        _at(chosen),
        f"the body states the range {chosen.text!r}: state one amount in {CO2_KEY} (its "
        f"midpoint is {yaml_number(middle)} g)",
        anchor="body.co2",
    )


@rule(
    "HC113",
    "co2-energy-only",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/allenai__OLMo-7B.md",
    ),
    fails=("lint_cases/HC113_energy_only.md",),
)
def co2_energy_only(card: ParsedCard) -> Iterator[Problem]:
    """The card states energy where CO2-eq is expected.

    ## What it does
    Fires when the card states no CO2-eq amount but states energy (Wh, kWh, MWh, GWh), for
    instance on its `Carbon Emitted:` line.

    ## Why it matters
    Energy is not emissions: converting it needs the grid's carbon intensity where the model
    was trained. A tool that reads `Carbon Emitted: 2.5 MWh` as 2.5 g is wrong by orders of
    magnitude.

    ## Example
    ```markdown
    - **Carbon Emitted:** 2.5 MWh
    ```

    Use instead: the emissions (energy x the grid's intensity, e.g. 2,500 kWh x 0.4 kg/kWh =
    1,000 kg CO2eq) on the `Carbon Emitted:` line, the energy in the text.
    """
    record = audited_record(card)
    if record is None or Flag.ENERGY_ONLY not in record.flags:
        return
    energy = next(
        s for s in record.statements if s.kind is Kind.ENERGY and s.scope is Scope.TRAINING
    )
    yield Problem(
        _at(energy),
        f"the card states energy ({energy.text!r}) and no CO2-eq: give the emissions in "
        "grams of CO2-eq (energy x the grid's carbon intensity)",
        anchor="body.co2",
    )


@rule(
    "HC114",
    "co2-family-total",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=(
        "cards/popular_cards/meta-llama__Meta-Llama-3-8B.md",
        "cards/popular_cards/NousResearch__Llama-2-7b-chat-hf.md",
    ),
)
def co2_family_total(card: ParsedCard) -> Iterator[Problem]:
    """The emissions the card states are a total over a family of models.

    ## What it does
    Fires on a sentence stating a total that is a table's Total row, or a total next to a
    table of several models (`Estimated total emissions were 2290 tCO2eq` above a table of
    the 8B and 70B models), when the metadata has no amount.

    ## Why it matters
    A family total is not this model's training: read as the model's figure it overstates it
    (Llama 2 7B: 539 t for the family, 31.22 t for the 7B model).

    ## Example
    ```markdown
    Estimated total emissions were 539 tCO2eq.

    | | Time (GPU hours) | Carbon Emitted (tCO2eq) |
    |---|---|---|
    | Llama 2 7B | 184320 | 31.22 |
    | Llama 2 13B | 368640 | 62.44 |
    | Total | 3311616 | 539.00 |
    ```

    Use instead: this model's own figure in `co2_eq_emissions` (`emissions: 31220000`).
    """
    record = audited_record(card)
    if record is None or card.co2 is not None:
        return
    total = next(
        (
            s
            for s in record.statements
            if s.kind is Kind.CO2 and s.scope is Scope.FAMILY_TOTAL and s.where is Where.SENTENCE
        ),
        None,
    )
    if total is None:
        return
    yield Problem(
        _at(total),
        f"{total.text!r} ({human_grams(total.amount)}) is a total over several models "
        f"({total.reason.removeprefix('the family total: ')}): state this model's own figure "
        f"in {CO2_KEY}",
        anchor="body.co2",
    )
