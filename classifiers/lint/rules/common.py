"""Helpers the rules share: the metadata as the Hub reads it, and node positions."""

from __future__ import annotations

from typing import Any

from mining.cards.card import CO2_KEY, Co2Form, ParsedCard
from mining.cards.emission_record import EmissionRecord, Flag, emission_record
from mining.cards.frontmatter import NodePath
from mining.cards.statements import Statement, Where
from mining.cards.text import FrontMatterStatus, Position

NO_METADATA = frozenset(
    {
        FrontMatterStatus.EMPTY,
        FrontMatterStatus.NO_FRONT_MATTER,
        FrontMatterStatus.EMPTY_FRONT_MATTER,
    }
)


def readable_metadata(card: ParsedCard) -> dict[Any, Any] | None:
    """The metadata the Hub sees: the mapping, `{}` when the card has none, None when the front
    matter cannot be read (the rules about it report that instead)."""
    if card.status is FrontMatterStatus.OK and card.metadata is not None:
        return card.metadata
    if card.status in NO_METADATA:
        return {}
    return None


def key_position(card: ParsedCard, path: NodePath) -> Position | None:
    """Where the key of the node at `path` is written (its value's start for list items)."""
    span = card.spans.get(path)
    if span is None:
        return None
    return span.key or span.start


def value_position(card: ParsedCard, path: NodePath) -> Position | None:
    span = card.spans.get(path)
    return span.start if span else None


def emissions_label(card: ParsedCard) -> str:
    """`co2_eq_emissions.emissions` (mapping form) or `co2_eq_emissions` (scalar form)."""
    if card.co2 is not None and card.co2.form is Co2Form.MAPPING:
        return f"{CO2_KEY}.emissions"
    return CO2_KEY


def emissions_path(card: ParsedCard) -> NodePath:
    if card.co2 is not None and card.co2.form is Co2Form.MAPPING:
        return (CO2_KEY, "emissions")
    return (CO2_KEY,)


_LAST_RECORD: list[tuple[ParsedCard, EmissionRecord | None]] = []


def audited_record(card: ParsedCard) -> EmissionRecord | None:
    """The card's emission record (mining.cards.emission_record, no model id), computed once
    per card however many rules ask."""
    if card.co2 is None and not card.prose.statements:
        return None  # most cards: nothing stated, nothing to audit
    if _LAST_RECORD and _LAST_RECORD[0][0] is card:
        return _LAST_RECORD[0][1]
    record = emission_record(card)
    _LAST_RECORD[:] = [(card, record)]
    return record


NO_FIGURE_FLAGS = frozenset(
    {Flag.FAMILY_TOTAL, Flag.COPIED, Flag.CONFLICT, Flag.ENERGY_ONLY, Flag.RANGE}
)


def prose_figure(card: ParsedCard) -> Statement | None:
    """The body's training figure the audit chose for a card without metadata amount; None
    when there is no single one (a family total, a copied figure, a conflict, energy only, a
    range)."""
    record = audited_record(card)
    if record is None or record.chosen is None or NO_FIGURE_FLAGS & set(record.flags):
        return None
    chosen = record.statements[record.chosen]
    return chosen if chosen.where is not Where.METADATA and chosen.is_training_co2 else None
