"""Suppression directives as people write them, on real cards: YAML trailing comments, the
next line, ranges, the whole file; fenced code is text; unknown codes and unused directives are
findings; the reader is linear in the card's size."""

from __future__ import annotations

import time

from support import FIXTURES

from classifiers.lint import lint_text
from classifiers.lint.findings import Finding

NEGATIVE = (FIXTURES / "lint_cases" / "HC102_negative.md").read_text()  # HC102 on line 4
NO_CO2 = (FIXTURES / "cards" / "ok_no_co2" / "29thDay__ppo-LunarLander-v2.md").read_text()
PROSE = "\n- **Carbon Emitted:** 5 kg CO2eq\n"  # a made-up body line
BLOOM = (FIXTURES / "cards" / "popular_cards" / "bigscience__bloom.md").read_text()


def _codes(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in findings]


def test_a_trailing_yaml_comment_silences_that_front_matter_line_only() -> None:
    assert ("HC102", 4) in _codes(lint_text(NEGATIVE))
    silenced = NEGATIVE.replace("emissions: -35.2", "emissions: -35.2  # hubcarbon: disable=HC102")
    assert _codes(lint_text(silenced)) == []
    # the same comment on another line silences nothing there, and says so
    elsewhere = NEGATIVE.replace("license: mit", "license: mit  # hubcarbon: disable=HC102")
    assert _codes(lint_text(elsewhere)) == [("HC011", 2), ("HC102", 4)]
    # a comment on its own line covers the next line
    above = NEGATIVE.replace(
        "  emissions: -35.2", "  # hubcarbon: disable=HC102\n  emissions: -35.2"
    )
    assert _codes(lint_text(above)) == []
    # a '#' inside a value is not a comment
    card = NO_CO2.replace(
        "library_name: stable-baselines3", 'library_name: "sb3 # hubcarbon: disable"'
    )
    assert ("HC100", 2) in _codes(lint_text(card))  # inside a quoted value: text


def test_disable_next_line_silences_one_body_line() -> None:
    # a body finding: an amount stated in the prose only (HC107)
    card = NO_CO2 + PROSE
    found = [c for c in _codes(lint_text(card)) if c[0] == "HC107"]
    assert found, "the prose line is a finding"
    line = found[0][1]
    lines = card.splitlines(keepends=True)
    lines.insert(line - 1, "<!-- hubcarbon: disable-next-line=co2-prose-only -->\n")
    assert "HC107" not in {c for c, _ in _codes(lint_text("".join(lines)))}
    # two lines above is not the next line: the finding stays and the directive is unused
    lines.insert(line, "\n")
    codes = _codes(lint_text("".join(lines)))
    assert ("HC107", line + 2) in codes and ("HC011", line) in codes


def test_disable_enable_is_a_range_and_an_unclosed_disable_is_file_wide() -> None:
    file_wide = NEGATIVE + "\n<!-- hubcarbon: disable=HC102 -->\n"
    assert _codes(lint_text(file_wide)) == []  # the original form: the whole file
    # a range that ends before the finding's line does not cover it
    ranged = (
        NEGATIVE.replace("license: mit\n", "license: mit\n", 1)
        + "\n<!-- hubcarbon: disable=HC102 -->\ntext\n<!-- hubcarbon: enable=HC102 -->\n"
    )
    codes = _codes(lint_text(ranged))
    assert ("HC102", 4) in codes and any(c == "HC011" for c, _ in codes)
    # a range around a body finding covers it
    card = (
        NO_CO2
        + "\n<!-- hubcarbon: disable=HC107 -->"
        + PROSE
        + "<!-- hubcarbon: enable=HC107 -->\n"
    )
    codes = {c for c, _ in _codes(lint_text(card))}
    assert "HC107" not in codes and "HC011" not in codes
    after = NO_CO2 + "\n<!-- hubcarbon: disable=HC107 -->\n<!-- hubcarbon: enable=HC107 -->" + PROSE
    assert "HC107" in {c for c, _ in _codes(lint_text(after))}


def test_comments_inside_fenced_code_are_text() -> None:
    fenced = NEGATIVE + "\n```markdown\n<!-- hubcarbon: disable=HC102 -->\n```\n"
    assert ("HC102", 4) in _codes(lint_text(fenced))
    indented = NEGATIVE + "\nText.\n\n    <!-- hubcarbon: disable=HC102 -->\n"
    assert ("HC102", 4) in _codes(lint_text(indented))
    tilde = (
        NEGATIVE + "\n~~~\n<!-- hubcarbon: disable -->\n~~~\n\n<!-- hubcarbon: disable=HC102 -->\n"
    )
    assert _codes(lint_text(tilde)) == []  # the directive after the fence counts


def test_an_unknown_code_is_a_finding_naming_it() -> None:
    typo = NEGATIVE + "\n<!-- hubcarbon: disable=HC1O2, co2-non-positive -->\n"
    findings = lint_text(typo)
    assert _codes(findings) == [("HC010", 12)]
    assert "'HC1O2'" in findings[0].message and findings[0].severity == "warning"


def test_a_directive_for_a_rule_the_configuration_turns_off_is_not_unused() -> None:
    from classifiers.lint.config import LintConfig

    card = NEGATIVE + "\n<!-- hubcarbon: disable=HC104 -->\n"
    assert ("HC011", 12) in _codes(lint_text(card))
    assert _codes(lint_text(card, config=LintConfig(ignore=("HC104", "HC102")))) == []


def test_the_reader_is_linear_in_the_number_of_unclosed_comments() -> None:
    """Unclosed `<!-- hubcarbon: disable=...` comments (a crafted card): n vs 4n."""

    def seconds(count: int) -> float:
        card = BLOOM + "<!-- hubcarbon: disable=HC101 \n" * count
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            lint_text(card)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = seconds(2_000), seconds(8_000)
    assert large / small < 6, (small, large)  # quadratic would be about 16
