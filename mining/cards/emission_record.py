"""The emission record the crawler stores for one card (the `emissions` table, mining.store).

Metadata is preferred over prose: when `co2_eq_emissions` gives an amount in grams, that amount
is the record (provenance `metadata`); otherwise the first amount written in the body is
(provenance `prose`). Context the metadata leaves out is filled from the body's template lines:
hardware from `Hardware Type`, location from `Compute Region`, plus `hours` and `cloud_provider`,
which only the body has. A card with neither yields no record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from mining.cards.card import Co2Metadata, ParsedCard, read_co2_metadata
from mining.cards.prose import NOTHING_READ, ProseEmissions
from mining.cards.quantities import Co2Value


class Provenance(StrEnum):
    """Where the amount was read."""

    METADATA = "metadata"
    PROSE = "prose"


@dataclass(frozen=True)
class EmissionRecord:
    """One row of `emissions` without run_id and model_id; `co2_g` is None when the amount
    written could not be read as grams (negative, text, ...), `raw_value` keeps it as written."""

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

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["provenance"] = str(self.provenance)
        return row


def emission_record(card: ParsedCard) -> EmissionRecord | None:
    """The record for a parsed card, or None when it states no emissions at all.

    An unreadable metadata amount (`co2_eq_emissions: yes`) gives way to a prose amount; with no
    prose amount it is still recorded, with `co2_g` None and the raw text kept.
    """
    meta, prose = card.co2, card.prose.co2
    if meta is not None and (meta.emissions.grams is not None or prose is None):
        return _record(meta.emissions, Provenance.METADATA, card.prose, meta)
    if prose is not None:
        return _record(prose.value, Provenance.PROSE, card.prose, meta)
    return None


def card_data_record(card_data: Mapping[Any, Any]) -> EmissionRecord | None:
    """The record for a card known only by its metadata (the Hub's cardData, no README): the
    metadata form only, since there is no body to read."""
    meta = read_co2_metadata(card_data, {})
    if meta is None:
        return None
    return _record(meta.emissions, Provenance.METADATA, NOTHING_READ, meta)


def _record(
    value: Co2Value, provenance: Provenance, prose: ProseEmissions, meta: Co2Metadata | None
) -> EmissionRecord:
    return EmissionRecord(
        co2_g=value.grams,
        raw_value=value.raw,
        unit=value.unit,
        provenance=provenance,
        source=meta.source if meta else None,
        training_type=meta.training_type if meta else None,
        geographical_location=(meta.geographical_location if meta else None)
        or prose.compute_region,
        hardware_used=(meta.hardware_used if meta else None) or prose.hardware_type,
        hours=prose.hours,
        cloud_provider=prose.cloud_provider,
    )
