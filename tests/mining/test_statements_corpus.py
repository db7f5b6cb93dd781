"""Every 2023 card's stated figure is unchanged by the audit unless a flag explains the change.

The baseline (tests/fixtures/cards/emissions_2023_baseline.csv, see the README there) is what
the reader stored for each of the 2023 cards of the embedded snapshot before statements, flags
and the audited figure existed."""

from __future__ import annotations

import csv

import pytest
from support import FIXTURES, embedded_snapshot

from mining.cards.card import parse_card
from mining.cards.emission_record import emission_record

BASELINE = FIXTURES / "cards" / "emissions_2023_baseline.csv"


@pytest.mark.slow
def test_every_2023_figure_is_unchanged_unless_a_flag_explains_it() -> None:
    baseline = {row["model_id"]: row for row in csv.DictReader(BASELINE.open(encoding="utf-8"))}
    snapshot = embedded_snapshot()
    seen, unexplained, audited_without_flag = 0, [], []
    for model in snapshot:
        if model.card_origin != "hf_modelcards_2023":
            continue
        text = snapshot.readme(model)
        if text is None:
            continue
        record = emission_record(parse_card(text), model.id)
        before = baseline.get(model.id)
        if before is None:
            assert record is None or record.flags or record.co2_g is not None, model.id
            continue
        seen += 1
        assert record is not None, model.id
        stated = float(before["co2_g"]) if before["co2_g"] else None
        if (record.co2_g, str(record.provenance), record.unit) != (
            stated,
            before["provenance"],
            before["unit"] or None,
        ) and not record.flags:
            unexplained.append(model.id)
        if record.co2_g_audited != record.co2_g and not record.flags:
            audited_without_flag.append(model.id)
    assert seen == len(baseline)
    assert unexplained == []
    assert audited_without_flag == []
