"""Hypothesis: whatever the card, parsing plus every rule plus the fixes raise nothing, report
no HC000, and point inside the file."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifiers.lint import fix_text, lint_text
from classifiers.lint.formats import FORMATS, FileReport, Report, render

pytestmark = pytest.mark.slow  # hypothesis fuzzing of the linter, over a minute

_PIECES = st.sampled_from(
    [
        "---\n", "---\r\n", "\r", "\n", "\t", "  ", "- ", ": ", "co2_eq_emissions:",
        "co2_eq_emissions: ", "\n  emissions: ", "\n  training_type: ", "\n  hardware_used: ",
        "\n  source: ", "\n  geographical_location: ", "12 kg", "-3", "0", "1e3", "24_700_000",
        '"41.1"', "0,5 g", "nan", ".inf", "yes", "~", "[1, 2]", "{a: 1}", "&a ", "*a", "<<: *a",
        "model-index:\n- name: x\n  results:\n  - ", "task: {type: t}", "dataset: ", "metrics:",
        "license: ", "datasets: ", "!!binary ", "? ", "'", '"', "|\n", "#", "...\n", "\ufeff",
        "\x00", "\u2028", "🤗", "## Environmental Impact\n", "- **Carbon Emitted:** ",
        "- **Hours used:** ", "- **Hardware Type:** 8 x A100", "- **Compute Region:** ",
        "[More Information Needed]", "CO2 Emissions (in grams): 3\n", "| Carbon Emitted | 5 kg |\n",
        "```\n", "<!-- hubcarbon: disable=", "HC1", " -->", "emissions were 2290 tCO2eq",
    ]
)  # fmt: skip
_PIECED = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=50).map("".join)

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["1.2 kg", "24_700_000", "fine tuning", "Oregon, USA", "8 x V100", "squad"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_KEY_NAMES = [
    "co2_eq_emissions", "license", "datasets", "model-index", "tags", "emissions", "source",
    "training_type", "hardware_used", "geographical_location", "results",
]  # fmt: skip
_KEYS = st.one_of(st.sampled_from(_KEY_NAMES), st.text(max_size=8))
_METADATA = st.dictionaries(_KEYS, _VALUES, max_size=6)
_BODIES = st.lists(_PIECES, max_size=12).map("".join)


def _check(data: str | bytes) -> None:
    findings = lint_text(data)
    text = data if isinstance(data, str) else data.decode("utf-8-sig", errors="replace")
    text = text.removeprefix("\ufeff")
    lines = len(re.split(r"\r\n|\r|\n", text))
    for finding in findings:
        assert finding.code != "HC000", finding.message
        assert 1 <= finding.line <= lines, finding
        assert finding.column >= 1
    report = Report([FileReport("README.md", findings, text)])
    for unit in FORMATS:
        render(report, unit.name)
    fixed = fix_text(data, unsafe=True)
    assert "HC000" not in {f.code for f in fixed.remaining}
    assert fix_text(fixed.content, unsafe=True).content == fixed.content


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary())
def test_arbitrary_bytes(data: bytes) -> None:
    _check(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PIECED, _PIECED)
def test_pieces_of_cards(front: str, body: str) -> None:
    _check("---\n" + front + "\n---\n" + body)
    _check(front + body)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_METADATA, _BODIES, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_structured_metadata(
    metadata: dict[str, object], body: str, newline: str, flow: bool
) -> None:
    try:
        dumped = yaml.safe_dump(metadata, default_flow_style=flow, allow_unicode=True)
    except (yaml.YAMLError, ValueError, OverflowError):
        dumped = json.dumps(metadata, default=str)
    card = "---\n" + dumped + "---\n" + body
    _check(card.replace("\n", newline))
