"""The emission record the crawler stores for one card (the `emissions` table, mining.store).

The record is chosen from the card's statements (mining.cards.statements, scopes settled for
the model by mining.cards.attribution), with the reasons kept:

- `co2_g`, the figure as stated (unit-normalised): the metadata's `co2_eq_emissions` when it
  gives an amount (provenance `metadata`); otherwise the body's training figure for this model
  (provenance `prose`): a table row or a section naming the model first, then a labelled line
  (`Carbon Emitted:`), then a sentence. A family total, another model's figure, an inference
  or per-query figure and an intensity are never chosen. An energy amount is `energy_kwh`,
  never grams.
- `co2_g_audited`, the figure the study uses: `co2_g` unless a flag says otherwise (FLAGS).
- context the metadata leaves out is filled from the body's template lines (hardware from
  `Hardware Type`, location from `Compute Region`, `cloud_provider`); `hours` from `Hours used`
  (a calculation's result, never a range), else a `Time:` or `Training time:` line, else this
  model's table row; `source` from a calculator or tracker the text names ("estimated using the
  Machine Learning Impact calculator").

A card with no statement about its emissions and no `co2_eq_emissions` yields no record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from mining.cards.attribution import card_statements
from mining.cards.card import Co2Metadata, ParsedCard, read_co2_metadata
from mining.cards.measures import Kind
from mining.cards.prose import NOTHING_READ, ProseEmissions
from mining.cards.quantities import GRAMS_PER_UNIT
from mining.cards.statements import Scope, Statement, Where

# Thresholds of `implausible` (grams of CO2-eq for one training run), the project's only ones:
# the lint rule HC103 and the greener alternatives read them from here. 0.01 g is a third of what
# one CodeCarbon measurement interval (15 s) of a single 20 W CPU emits on a 400 g/kWh grid
# (about 0.03 g), so no measured training run is below it; 5e10 g (50,000 t) is over four
# times the largest training footprint published so far (Meta's Llama 3.1 family card: 11,390
# tCO2eq location-based for all sizes together; GPT-3: 552 t, Patterson et al. 2021; BLOOM:
# 24.7 t of dynamic consumption, Luccioni et al. 2022).
MIN_TRAINING_G = 0.01
MAX_TRAINING_G = 5e10
CONFLICT_TOLERANCE = 0.10


class Provenance(StrEnum):
    """Where the amount was read."""

    METADATA = "metadata"
    PROSE = "prose"


class Flag(StrEnum):
    """Why a figure needs care; the audited figure follows from them.

    - `unit-suspect`: the metadata gives a bare number that the card's text states with another
      unit (`co2_eq_emissions: 0.0279` and "Carbon emission: 0.0279 Kg"): audited with that unit.
    - `conflict`: two training figures for this model differ by more than 10 %: audited is the
      one the card attributes to this model by name (its table row, its section), else none.
    - `range`: the figure is a range (`10-20 kg`): `co2_g` is the low end, audited the midpoint.
    - `approximate`: written with `~`, "approximately", "about", ...: audited as written.
    - `energy-only`: the card states energy (kWh) and no CO2-eq: no grams, `energy_kwh` set.
    - `family-total`: the card states only a total over a family of models: no figure.
    - `implausible`: below MIN_TRAINING_G or above MAX_TRAINING_G: no audited figure.
    - `copied`: the figure is another model's (set by the training-run audit, mining.audit).
    """

    UNIT_SUSPECT = "unit-suspect"
    CONFLICT = "conflict"
    RANGE = "range"
    APPROXIMATE = "approximate"
    ENERGY_ONLY = "energy-only"
    FAMILY_TOTAL = "family-total"
    IMPLAUSIBLE = "implausible"
    COPIED = "copied"


@dataclass(frozen=True)
class EmissionRecord:
    """One row of `emissions` without run_id and model_id; `co2_g` is None when the amount
    written could not be read as grams (negative, text, energy only, ...), `raw_value` keeps
    it as written. `statements` are every figure the card states; `reasons` say how the
    figure was chosen and audited."""

    co2_g: float | None
    raw_value: str | None
    unit: str | None
    provenance: Provenance
    source: str | None
    training_type: str | None
    geographical_location: str | None
    hardware_used: str | None
    hours: float | None
    cloud_provider: str | None
    co2_g_audited: float | None = None
    energy_kwh: float | None = None
    flags: tuple[Flag, ...] = ()
    statements: tuple[Statement, ...] = ()
    chosen: int | None = None  # index in `statements` of the figure in co2_g
    reasons: tuple[str, ...] = ()

    def as_row(self) -> dict[str, Any]:
        row = {field.name: getattr(self, field.name) for field in _ROW_FIELDS}
        row["provenance"] = str(self.provenance)
        row["flags"] = [str(flag) for flag in self.flags]
        row["statements"] = self.statements_json()
        return row

    def statements_json(self) -> str:
        """The `statements` column: what the card said, what was read, and why."""
        return json.dumps(
            {
                "chosen": self.chosen,
                "reasons": list(self.reasons),
                "statements": [s.as_json() for s in self.statements],
            },
            ensure_ascii=False,
        )


_ROW_FIELDS = tuple(f for f in fields(EmissionRecord) if f.name not in ("chosen", "reasons"))


def emission_record(card: ParsedCard, model_id: str | None = None) -> EmissionRecord | None:
    """The record for a parsed card (of `model_id` when known), or None when it states no
    emissions at all.

    An unreadable metadata amount (`co2_eq_emissions: yes`) gives way to a prose amount; with no
    prose amount it is still recorded, with `co2_g` None and the raw text kept.
    """
    if card.co2 is None and not card.prose.statements:
        return None
    statements = card_statements(card, model_id)
    return _Choice(card, statements).record()


def card_data_record(card_data: Mapping[Any, Any]) -> EmissionRecord | None:
    """The record for a card known only by its metadata (the Hub's cardData, no README): the
    metadata form only, since there is no body to read."""
    meta = read_co2_metadata(card_data, {})
    if meta is None:
        return None
    value = meta.emissions
    base = _context(meta, NOTHING_READ, None)
    flags = (Flag.IMPLAUSIBLE,) if implausible_training_figure(value.grams) else ()
    return EmissionRecord(
        co2_g=value.grams,
        raw_value=value.raw,
        unit=value.unit,
        provenance=Provenance.METADATA,
        **base,
        co2_g_audited=None if flags else value.grams,
        flags=flags,
    )


class _Choice:
    """Choosing and auditing the figure among a card's statements."""

    def __init__(self, card: ParsedCard, statements: Sequence[Statement]) -> None:
        self.card = card
        self.statements = tuple(statements)
        self.flags: list[Flag] = []
        self.reasons: list[str] = []

    def record(self) -> EmissionRecord | None:
        meta = self.card.co2
        training = _attributable([s for s in self.statements if s.is_training_co2])
        chosen = self._figure(training)
        energy = self._energy()
        family = [
            s for s in self.statements if s.kind is Kind.CO2 and s.scope is Scope.FAMILY_TOTAL
        ]
        if meta is None and chosen is None and energy is None and not family:
            return None
        base = _context(meta, self.card.prose, self._hours())
        if base["source"] is None and self.card.prose.source_in_prose and (meta or chosen):
            base["source"] = self.card.prose.source_in_prose
            self.reasons.append(f"source named in the text: {base['source']}")
        if meta is not None and (meta.emissions.grams is not None or chosen is None):
            value = meta.emissions
            co2_g, raw, unit = value.grams, value.raw, value.unit
            provenance = Provenance.METADATA
        elif chosen is not None:
            co2_g, raw, unit = chosen.amount, chosen.text, chosen.unit
            provenance = Provenance.PROSE
        elif energy is not None:
            co2_g, raw, unit, provenance = None, energy.text, energy.unit, Provenance.PROSE
        else:
            co2_g, raw, unit, provenance = None, family[0].text, family[0].unit, Provenance.PROSE
        audited = self._audit(co2_g, chosen, training, energy, family)
        index = self.statements.index(chosen) if chosen is not None else None
        return EmissionRecord(
            co2_g=co2_g,
            raw_value=raw,
            unit=unit,
            provenance=provenance,
            **base,
            co2_g_audited=audited,
            energy_kwh=energy.amount if energy is not None else None,
            flags=tuple(flag for flag in Flag if flag in self.flags),
            statements=self.statements,
            chosen=index,
            reasons=tuple(self.reasons),
        )

    def _figure(self, training: list[Statement]) -> Statement | None:
        """The training figure for this model: the metadata, else a statement naming the
        model, else the first labelled line, else the first sentence; table rows that name no
        model only when the table states one figure."""
        for where, attributed in (
            (Where.METADATA, False),
            (None, True),
            (Where.LABEL, False),
            (Where.SENTENCE, False),
        ):
            for statement in training:
                if attributed and statement.attributed:
                    self.reasons.append(f"figure: {statement.reason}")
                    return statement
                if not attributed and statement.where is where:
                    self.reasons.append(f"figure: the first {where} statement")
                    return statement
        table = next((s for s in training if s.where is Where.TABLE), None)
        if table is not None:
            self.reasons.append("figure: the only figure of the card's table")
        return table

    def _energy(self) -> Statement | None:
        energy = [s for s in self.statements if s.kind is Kind.ENERGY and s.scope is Scope.TRAINING]
        named = [s for s in energy if s.attributed]
        if named:
            return named[0]
        unnamed_rows = {s.amount for s in energy if s.where is Where.TABLE}
        others = [s for s in energy if s.where is not Where.TABLE]
        if others:
            return others[0]
        return energy[0] if len(unnamed_rows) == 1 else None

    def _hours(self) -> float | None:
        hours = [
            s
            for s in self.statements
            if s.kind is Kind.HOURS and s.scope is Scope.TRAINING and s.high is None
        ]
        for test in (
            lambda s: s.where is Where.LABEL and s.key.lower().startswith("hours used"),
            lambda s: s.where is Where.LABEL,
            lambda s: s.attributed,
        ):
            found = next((s for s in hours if test(s)), None)
            if found is not None:
                return found.amount
        return None

    def _audit(
        self,
        co2_g: float | None,
        chosen: Statement | None,
        training: list[Statement],
        energy: Statement | None,
        family: list[Statement],
    ) -> float | None:
        audited = co2_g
        metadata = next((s for s in training if s.where is Where.METADATA), None)
        suspect = _unit_suspect(metadata, training)
        if suspect is not None and metadata is not None:
            audited = metadata.value * GRAMS_PER_UNIT[suspect.unit]
            self.flags.append(Flag.UNIT_SUSPECT)
            self.reasons.append(
                f"unit-suspect: the metadata's bare {metadata.text} is written "
                f"{suspect.text!r} on line {suspect.line}"
            )
        considered = [s for s in training if s is not suspect]
        if _disagree(considered):
            self.flags.append(Flag.CONFLICT)
            named = {s.amount for s in considered if s.attributed}
            winner = next((s for s in considered if s.attributed), None)
            winner = winner if len(named) == 1 else None
            audited = winner.amount if winner is not None else None
            listed = "; ".join(f"{s.text} ({s.where}, line {s.line})" for s in considered)
            verdict = f"the figure naming this model: {winner.text}" if winner else "none"
            self.reasons.append(f"conflict: {listed}; audited as {verdict}")
        if chosen is not None and chosen.high is not None:
            self.flags.append(Flag.RANGE)
            if audited is not None and Flag.CONFLICT not in self.flags:
                audited = (chosen.amount + chosen.high) / 2
                self.reasons.append("range: audited as its midpoint")
        if chosen is not None and chosen.approximate:
            self.flags.append(Flag.APPROXIMATE)
        if co2_g is None and chosen is None and energy is not None:
            self.flags.append(Flag.ENERGY_ONLY)
        if co2_g is None and chosen is None and energy is None and family:
            self.flags.append(Flag.FAMILY_TOTAL)
            self.reasons.append("family-total: the card states no figure for this model")
        if implausible_training_figure(audited if audited is not None else co2_g):
            self.flags.append(Flag.IMPLAUSIBLE)
            self.reasons.append(
                f"implausible: outside {MIN_TRAINING_G} g to {MAX_TRAINING_G:.0e} g for a "
                "training run"
            )
            audited = None
        return audited


def _attributable(training: list[Statement]) -> list[Statement]:
    """The training figures less a table's rows that name no model when the table states
    several figures (a table of sizes read without the model id: none of them is this one)."""
    rows = {s.amount for s in training if s.where is Where.TABLE and not s.attributed}
    if len(rows) <= 1:
        return training
    return [s for s in training if s.where is not Where.TABLE or s.attributed]


def _unit_suspect(metadata: Statement | None, training: list[Statement]) -> Statement | None:
    """The body statement that writes the metadata's bare number with another unit."""
    if metadata is None or metadata.unit_written:
        return None
    for statement in training:
        if (
            statement.where is not Where.METADATA
            and statement.unit_written
            and statement.unit != "g"
            and _same_number(statement.value, metadata.value)
        ):
            return statement
    return None


def _same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) or (
        a != 0 and abs(a - b) <= 0.005 * abs(a) and round(a, 4) == round(b, 4)
    )


def _disagree(statements: list[Statement]) -> bool:
    """Do the figures differ by more than CONFLICT_TOLERANCE? Each is compared with the smallest
    and the largest (linear work; exact for single figures), and a range agrees with what falls
    inside it."""
    if len(statements) < 2:
        return False
    extremes = (
        min(statements, key=lambda s: s.amount),
        max(statements, key=lambda s: s.high or s.amount),
    )
    return any(not _agree(one, other) for one in extremes for other in statements)


def _agree(first: Statement, second: Statement) -> bool:
    for one, other in ((first, second), (second, first)):
        if one.high is not None and one.amount <= other.amount <= one.high:
            return True
    top = max(first.amount, second.amount)
    return abs(first.amount - second.amount) <= CONFLICT_TOLERANCE * top


def implausible_training_figure(grams: float | None) -> bool:
    """Is `grams` outside what one training run can emit (MIN_TRAINING_G to MAX_TRAINING_G)?
    The one home of the thresholds: the audit's `implausible` flag, the linter's HC103 and the
    greener alternatives read them here. None (no figure) is not implausible."""
    return grams is not None and not MIN_TRAINING_G <= grams <= MAX_TRAINING_G


def _context(
    meta: Co2Metadata | None, prose: ProseEmissions, hours: float | None
) -> dict[str, Any]:
    return {
        "source": meta.source if meta else None,
        "training_type": meta.training_type if meta else None,
        "geographical_location": (meta.geographical_location if meta else None)
        or prose.compute_region,
        "hardware_used": (meta.hardware_used if meta else None) or prose.hardware_type,
        "hours": hours,
        "cloud_provider": prose.cloud_provider,
    }
