"""HC107-HC109: emissions written in the Markdown body, and how they agree with the metadata."""

from __future__ import annotations

from collections.abc import Iterator

from classifiers.lint.findings import Fixable, Problem, Severity
from classifiers.lint.numbers import human_grams
from classifiers.lint.registry import rule
from classifiers.lint.rules.common import audited_record, emissions_label, prose_figure
from mining.cards.card import CO2_KEY, ParsedCard
from mining.cards.measures import Kind
from mining.cards.text import Position

MISMATCH_TOLERANCE = 0.10


@rule(
    "HC107",
    "co2-prose-only",
    Severity.WARNING,
    fixable=Fixable.UNSAFE,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=(
        "cards/co2_prose_only/17939225__feature_extractor.md",
        "cards/popular_cards/CompVis__stable-diffusion-v1-4.md",
    ),
)
def co2_prose_only(card: ParsedCard) -> Iterator[Problem]:
    """The body reports emissions but the metadata does not.

    ## What it does
    Fires when the Markdown body states an amount of CO2-eq (the template's `Carbon Emitted:`
    line, AutoTrain's `CO2 Emissions (in grams):`, or a sentence such as "emissions were
    2290 tCO2eq") and the metadata has no `co2_eq_emissions`.

    ## Why it matters
    Only the metadata is machine-readable: the Hub's emissions filter and the studies built on
    it miss models that report in prose only.

    ## Example
    ```markdown
    - **Carbon Emitted:** 11250 kg CO2 eq.
    ```

    Use instead: also state it in the front matter, in grams:
    ```yaml
    co2_eq_emissions:
      emissions: 11250000
    ```

    ## Fix safety
    Unsafe: the fix adds `co2_eq_emissions` with the amount from the body converted to grams
    (using the unit written there) and the hardware and region the body names; the author should
    check the amount is the model's training emissions. It is never offered when the body's
    figure is a total over a family of models, another model's, in conflict with another
    figure, or energy rather than CO2-eq (HC111-HC114).
    """
    if card.co2 is not None or card.prose.co2 is None:
        return
    found = card.prose.co2
    record = audited_record(card)
    statements = record.statements if record is not None else ()
    on_line = [x for x in statements if x.kind is Kind.CO2 and x.line == found.position.line]
    figure = (
        record.statements[record.chosen]
        if record is not None and record.chosen is not None
        else next(iter(on_line), None)
    )
    if figure is None:
        what = f"{found.value.raw or ''!r}"
        if any(x.kind is Kind.ENERGY for x in statements):
            what += " (energy, not CO2-eq: HC113)"
    else:
        grams = human_grams(figure.amount)
        if figure.high is not None:
            grams += f" to {human_grams(figure.high)}"
        what = f"{figure.text!r} = {grams}"
        if prose_figure(card) is None:
            what += " (not this model's own single figure: HC111-HC114)"
    label = found.label.split("(")[0].strip()
    where = "a sentence" if label == "statement" else f"its {label!r} line"
    position = found.position
    if figure is not None and figure.line != found.position.line:
        where, position = f"line {figure.line}", Position(figure.line, 1)
    yield Problem(
        position,
        f"the body states {what} in {where}, but the metadata has no {CO2_KEY}; add it to the "
        "front matter, in grams",
        anchor="body.co2",
    )


@rule(
    "HC108",
    "co2-mismatch",
    Severity.ERROR,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=("cards/popular_cards/dalle-mini__dalle-mini.md",),
)
def co2_mismatch(card: ParsedCard) -> Iterator[Problem]:
    """The metadata and the body state different emissions.

    ## What it does
    Compares the metadata amount with the first amount stated in the body, both in grams (the
    body's unit as written), and fires when they differ by more than 10 %.

    ## Why it matters
    One of the two is wrong. The most common cause is CodeCarbon's kilograms copied into the
    metadata, which the Hub reads as grams: a factor of 1,000.

    ## Example
    ```markdown
    ---
    co2_eq_emissions: 0.0411
    ---
    - **Carbon Emitted:** 41.1 g
    ```

    Use instead: the same amount in both, in grams in the metadata.
    """
    co2, prose = card.co2, card.prose.co2
    if co2 is None or prose is None:
        return
    meta_g, prose_g = co2.emissions.grams, prose.value.grams
    if meta_g is None or prose_g is None or max(meta_g, prose_g) <= 0:
        return
    if abs(meta_g - prose_g) <= MISMATCH_TOLERANCE * max(meta_g, prose_g):
        return
    ratio = max(meta_g, prose_g) / max(min(meta_g, prose_g), 1e-300)
    hint = (
        "; they differ by a factor of about 1,000: one is probably in kilograms"
        if 900 <= ratio <= 1100
        else ""
    )
    yield Problem(
        co2.value_position or co2.key_position,
        f"{emissions_label(card)} is {human_grams(meta_g)} but the body (line "
        f"{prose.position.line}) states {prose.value.raw} = {human_grams(prose_g)}{hint}",
        anchor=emissions_label(card),
    )


@rule(
    "HC109",
    "template-placeholder",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/bigscience__bloom.md",
    ),
    fails=("cards/co2_prose_only/51la5__roberta-large-NER.md",),
)
def template_placeholder(card: ParsedCard) -> Iterator[Problem]:
    """The Environmental Impact section still holds the template's placeholders.

    ## What it does
    Fires on each `Hardware Type`, `Hours used`, `Cloud Provider`, `Compute Region` or
    `Carbon Emitted` line of an Environmental Impact section whose value is a placeholder
    (`[More Information Needed]`, `More information needed`, `N/A`, `Unknown`, `TBD`, an empty
    value, `{{ ... }}`).

    ## Why it matters
    The section looks filled in at a glance, yet says nothing; readers and tools take the
    placeholder for a missing report.

    ## Example
    ```markdown
    ## Environmental Impact
    - **Carbon Emitted:** [More Information Needed]
    ```

    Use instead: the amount (e.g. `- **Carbon Emitted:** 120 g CO2eq`), or delete the line.
    """
    for placeholder in card.prose.placeholders:
        if not placeholder.in_environmental_impact:
            continue
        shown = placeholder.text.strip() or "an empty value"
        yield Problem(
            placeholder.position,
            f"{placeholder.label.split('(')[0].strip()} is still the template placeholder "
            f"{shown[:60]!r}: fill it in or delete the line",
            anchor=f"body.{placeholder.field}",
        )
