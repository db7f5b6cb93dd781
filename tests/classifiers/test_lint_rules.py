"""Every registered rule: documented, with pass and fail fixtures that behave as declared."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from support import FIXTURES

from classifiers.lint import RULES, Rule, Severity, lint_card, lint_text
from classifiers.lint.findings import Finding
from classifiers.lint.registry import find_rule
from mining.cards.card import parse_card

SECTIONS = ("## What it does", "## Why it matters", "## Example")


def _read(reference: str) -> bytes:
    return (FIXTURES / reference).read_bytes()


def _codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def test_catalogue_is_the_published_one() -> None:
    published = [
        "HC000", "HC001", "HC002", "HC003", "HC004", "HC005", "HC006", "HC010", "HC011",
        "HC100", "HC101", "HC102", "HC103", "HC104", "HC105", "HC106", "HC107", "HC108",
        "HC109", "HC110", "HC111", "HC112", "HC113", "HC114", "HC200", "HC201", "HC202",
    ]  # fmt: skip
    assert sorted(RULES.ids()) == published
    names = {r.code: r.name for r in RULES}
    assert names["HC101"] == "co2-not-numeric"
    assert names["HC109"] == "template-placeholder"
    assert RULES["HC104"].severity is Severity.INFO
    assert RULES["HC108"].severity is Severity.ERROR


@pytest.mark.parametrize("unit", list(RULES), ids=lambda r: r.code)
def test_rule_is_documented_and_has_fixtures(unit: Rule) -> None:
    assert unit.passes, f"{unit.code} has no pass fixture"
    assert unit.fails, f"{unit.code} has no fail fixture"
    for section in SECTIONS:
        assert section in unit.doc, f"{unit.code} docstring lacks {section}"
    if unit.fixable is not None:
        assert "## Fix safety" in unit.doc
    assert unit.__doc__ == unit.doc
    assert find_rule(unit.code) is unit
    assert find_rule(unit.name) is unit
    for reference in (*unit.passes, *unit.fails):
        assert (FIXTURES / reference).is_file(), reference


def _pairs(kind: str) -> list[tuple[Rule, str]]:
    return [
        (unit, ref)
        for unit in RULES
        if unit.code != "HC000"
        for ref in (unit.passes if kind == "pass" else unit.fails)
    ]


@pytest.mark.parametrize(
    ("unit", "reference"), _pairs("fail"), ids=lambda x: x.code if isinstance(x, Rule) else x
)
def test_rule_fires_on_its_fail_fixtures(unit: Rule, reference: str) -> None:
    findings = lint_text(_read(reference), reference)
    assert unit.code in _codes(findings), f"{unit.code} silent on {reference}"
    for finding in findings:
        assert finding.line >= 1
        assert finding.column >= 1
        assert finding.message and "\n" not in finding.message


@pytest.mark.parametrize(
    ("unit", "reference"), _pairs("pass"), ids=lambda x: x.code if isinstance(x, Rule) else x
)
def test_rule_is_silent_on_its_pass_fixtures(unit: Rule, reference: str) -> None:
    assert unit.code not in _codes(lint_text(_read(reference), reference))


def test_internal_error_on_a_crashing_rule_names_it_without_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    internal = RULES["HC000"]
    card = parse_card(_read(internal.fails[0]))
    for reference in internal.passes:
        assert "HC000" not in _codes(lint_text(_read(reference)))

    def crash(_card: object) -> list[object]:
        raise ZeroDivisionError("boom\nsecond line")

    crashing = replace(RULES["HC108"], check=crash)
    monkeypatch.setitem(RULES._units, "HC108", crashing)
    findings = lint_card(card)
    internal_findings = [f for f in findings if f.code == "HC000"]
    assert len(internal_findings) == 1
    message = internal_findings[0].message
    assert "HC108" in message and "co2-mismatch" in message and "ZeroDivisionError" in message
    assert "Traceback" not in message and "\n" not in message
    assert {"HC104", "HC109"} <= _codes(findings)  # the other rules still ran


def test_positions_point_at_the_offending_text() -> None:
    text = _read("cards/popular_cards/bigscience__bloom.md").decode()
    (finding,) = [f for f in lint_text(text) if f.code == "HC101"]
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith("24_700_000")
    crlf = _read("lint_cases/HC101_quoted_number_crlf.md").decode()
    (quoted,) = [f for f in lint_text(crlf) if f.code == "HC101"]
    assert crlf.split("\r\n")[quoted.line - 1][quoted.column - 1 :] == '"41.1"'


def test_yaml_error_carries_the_parsers_line_and_column() -> None:
    reference = "cards/malformed_front_matter/Madhour__gpt2-eli5.md"
    text = _read(reference).decode()
    (finding,) = [f for f in lint_text(text) if f.code == "HC003"]
    assert "\t" in text.splitlines()[finding.line - 1]
    assert text.splitlines()[finding.line - 1][finding.column - 1] == "\t"


def test_messages_give_grams_and_name_missing_context() -> None:
    text = _read("lint_cases/HC101_text_with_unit.md")
    (hc101,) = [f for f in lint_text(text) if f.code == "HC101"]
    assert "1,200 g" in hc101.message and "write 1200" in hc101.message
    a = _read("cards/with_co2_metadata/0-hero__led-large-legal-summary.md")
    (hc104,) = [f for f in lint_text(a) if f.code == "HC104"]
    assert re.search(r"source.*training_type.*geographical_location.*hardware_used", hc104.message)
    dalle = lint_text(_read("cards/popular_cards/dalle-mini__dalle-mini.md"))
    (hc108,) = [f for f in dalle if f.code == "HC108"]
    assert "7,540 g" in hc108.message and "30,160 g" in hc108.message


def test_training_type_accepts_usual_spellings() -> None:
    base = _read("lint_cases/clean.md").decode()
    for spelling in ("pre-training", "Pretraining", "pre training", "Fine-Tuning", "finetuning",
                     "fine_tuned", "fine tune"):  # fmt: skip
        card = base.replace("training_type: fine-tuning", f"training_type: {spelling}")
        assert "HC105" not in _codes(lint_text(card)), spelling
    for odd in ("training", "second-stage pre-training", "1", "[a, b]"):
        card = base.replace("training_type: fine-tuning", f"training_type: {odd}")
        assert "HC105" in _codes(lint_text(card)), odd


@pytest.mark.slow
def test_model_index_agrees_with_huggingface_hub() -> None:
    """HC201 fires on every fixture whose model-index huggingface_hub cannot read."""
    from huggingface_hub.repocard_data import model_index_to_eval_results

    checked = 0
    for path in sorted((FIXTURES / "cards").rglob("*.md")):
        card = parse_card(path.read_bytes())
        if not card.metadata or "model-index" not in card.metadata:
            continue
        checked += 1
        try:
            model_index_to_eval_results(card.metadata["model-index"])
            library_ok = True
        except (KeyError, TypeError, ValueError, AttributeError):
            library_ok = False
        fires = "HC201" in _codes(lint_card(card))
        if not library_ok:
            assert fires, path.name
    assert checked >= 100


def test_fixtures_exist_for_every_group_used() -> None:
    used = {Path(ref).parts[0] for unit in RULES for ref in (*unit.passes, *unit.fails)}
    assert used == {"cards", "lint_cases"}


def test_oversized_and_hostile_inputs_are_refused_with_hc006() -> None:
    big_front = "---\nlicense: mit\nnotes: " + "x" * 1_100_000 + "\n---\n# Card\n"
    assert [f.code for f in lint_text(big_front)] == ["HC006"]
    deep = "---\nkey: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    assert "HC006" in _codes(lint_text(deep))
    huge_card = "---\nlicense: mit\n---\n" + "text " * 2_100_000
    (only,) = lint_text(huge_card)
    assert only.code == "HC006" and "over 10,000,000" in only.message
    bomb = _read("lint_cases/HC006_alias_bomb.md")
    (finding,) = lint_text(bomb)
    assert finding.code == "HC006" and "aliases" in finding.message
