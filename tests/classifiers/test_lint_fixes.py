"""Fixes: only the fixed bytes change (CRLF, BOM and everything else kept), idempotent, never a
silent unit change; checked on the real fixture cards."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from support import FIXTURES, fast_sample

from classifiers.lint import Fixable, fix_text, lint_text
from mining.cards.card import parse_card

CRLF = FIXTURES / "lint_cases" / "HC101_quoted_number_crlf.md"
REAL_CARDS = sorted((FIXTURES / "cards").rglob("*.md"))


def _codes(data: bytes | str) -> set[str]:
    return {f.code for f in lint_text(data)}


def test_safe_fixes_on_a_crlf_card_change_only_their_bytes() -> None:
    before = CRLF.read_bytes()
    result = fix_text(before)
    expected = before.replace(b'"41.1"', b"41.1")
    expected = expected.replace(b"datasets: squad", b'datasets: ["squad"]')
    assert result.content == expected
    assert b"\r\n" in expected and b"\n" not in expected.replace(b"\r\n", b"")
    assert sorted(f.code for f in result.fixed) == ["HC101", "HC202"]
    assert not {"HC101", "HC202"} & {f.code for f in result.remaining}
    again = fix_text(result.content)
    assert again.content == result.content and again.fixed == []


def test_bom_is_kept() -> None:
    before = b"\xef\xbb\xbf" + CRLF.read_bytes()
    after = fix_text(before).content
    assert isinstance(after, bytes) and after.startswith(b"\xef\xbb\xbf")
    assert after[3:] == fix_text(CRLF.read_bytes()).content


def test_yaml_1_1_only_number_is_rewritten_in_bloom() -> None:
    before = (FIXTURES / "cards" / "popular_cards" / "bigscience__bloom.md").read_bytes()
    result = fix_text(before)
    assert result.content == before.replace(b"emissions: 24_700_000", b"emissions: 24700000")
    assert parse_card(result.content).co2.emissions.grams == 24_700_000  # type: ignore[union-attr]


def test_a_unit_is_converted_only_as_an_unsafe_fix() -> None:
    before = (FIXTURES / "lint_cases" / "HC101_text_with_unit.md").read_text()
    (finding,) = [f for f in lint_text(before) if f.code == "HC101"]
    assert finding.fixable is Fixable.UNSAFE
    assert fix_text(before).content == before
    after = fix_text(before, unsafe=True).content
    assert after == before.replace('emissions: "1.2 kg"', "emissions: 1200")


def test_a_number_without_unit_is_never_rescaled() -> None:
    for reference in (
        "cards/with_co2_metadata/abhishek__autotrain-iris-logistic-regression.md",
        "lint_cases/HC103_kilograms_estimate.md",
    ):
        before = (FIXTURES / reference).read_bytes()
        assert "HC103" in _codes(before)
        assert fix_text(before, unsafe=True).content == before


def test_prose_amount_is_added_to_the_metadata_of_a_real_card() -> None:
    path = FIXTURES / "cards" / "popular_cards" / "CompVis__stable-diffusion-v1-4.md"
    before = path.read_text(encoding="utf-8")
    assert fix_text(before).content == before  # unsafe: not applied by --fix alone
    after = fix_text(before, unsafe=True).content
    assert isinstance(after, str)
    added = "".join(
        line[2:]
        for line in difflib.ndiff(before.splitlines(True), after.splitlines(True))
        if line.startswith("+ ")
    )
    assert added == (
        "co2_eq_emissions:\n  emissions: 11250000\n"
        '  hardware_used: "A100 PCIe 40GB"\n  geographical_location: "US-east"\n'
    )
    assert after.replace(added, "", 1) == before
    card = parse_card(after)
    assert card.co2 is not None and card.co2.emissions.grams == 11_250_000
    assert "HC107" not in _codes(after)


def test_prose_amount_opens_a_front_matter_when_there_is_none() -> None:
    before = "# Model\r\n\r\n## Environmental Impact\r\n\r\n- **Carbon Emitted:** 5 kg CO2eq\r\n"
    after = fix_text(before, unsafe=True).content
    assert after == "---\r\nco2_eq_emissions:\r\n  emissions: 5000\r\n---\r\n" + before


def test_context_is_copied_from_the_body() -> None:
    clean = (FIXTURES / "lint_cases" / "clean.md").read_text()
    before = clean.replace("  hardware_used: 8 x A100\n", "")
    (finding,) = [f for f in lint_text(before) if f.code == "HC104"]
    assert finding.fixable is Fixable.UNSAFE
    after = fix_text(before, unsafe=True).content
    assert after == before.replace(
        "  geographical_location: Oregon, USA\n",
        '  geographical_location: Oregon, USA\n  hardware_used: "8 x A100"\n',
    )
    assert "HC104" not in _codes(after)


def test_undecodable_files_are_never_rewritten() -> None:
    before = CRLF.read_bytes().replace(b"# A CRLF", b"# A \xff CRLF")
    result = fix_text(before, unsafe=True)
    assert result.content == before and result.fixed == []
    assert "HC101" in {f.code for f in result.remaining}


@pytest.mark.parametrize("path", fast_sample(REAL_CARDS))
def test_fixing_real_cards_keeps_everything_else(path: Path) -> None:
    before = path.read_bytes()
    result = fix_text(before, unsafe=True)
    after = result.content
    assert isinstance(after, bytes)
    if not result.fixed:
        assert after == before
        return
    old, new = parse_card(before), parse_card(after)
    assert new.status.value == "ok"
    if old.body_offset:  # the body is untouched
        assert new.body == old.body
    else:
        assert after.endswith(before)
    assert old.metadata is not None or old.status.value in ("no_front_matter", "empty")
    fixed_keys = {"co2_eq_emissions", "datasets"}
    assert {k: v for k, v in (old.metadata or {}).items() if k not in fixed_keys} == {
        k: v for k, v in (new.metadata or {}).items() if k not in fixed_keys
    }
    remaining = {f.code for f in result.remaining}
    assert not {f.code for f in result.fixed} & remaining
    assert fix_text(after, unsafe=True).content == after  # idempotent
