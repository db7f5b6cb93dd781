"""The linter: a card's text in, its findings out (and, with fixes, the repaired text).

The card is parsed once by `mining.cards.card.parse_card` and every enabled rule reads the parsed
card. A rule that raises becomes an HC000 finding naming the rule and the exception, in one
line, and the other rules still run. Inputs over `MAX_CARD_BYTES` are refused with one HC006
finding, unparsed. Findings are sorted by position, then code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from classifiers.lint import fixes
from classifiers.lint.config import DEFAULT, LintConfig
from classifiers.lint.findings import Finding, Fixable, Problem
from classifiers.lint.registry import RULES, Rule
from classifiers.lint.suppression import Suppressions, read_suppressions
from mining.cards.card import ParsedCard, parse_card
from mining.cards.text import Position

MAX_CARD_BYTES = 10_000_000
INTERNAL = "HC000"
REFUSED = "HC006"
UNKNOWN_SUPPRESSION = "HC010"
UNUSED_SUPPRESSION = "HC011"
MAX_FIX_PASSES = 4


def lint_text(
    text: str | bytes, path: str = "README.md", config: LintConfig | None = None
) -> list[Finding]:
    """Lint one model card (README.md text or bytes); never raises on card content."""
    config = config or DEFAULT
    if len(text) > MAX_CARD_BYTES:
        return _refused(len(text), path, config)
    try:
        card = parse_card(text)
    except Exception as exc:  # the parser promises not to raise; never let a card crash a run
        return _finding_list([_internal(RULES[INTERNAL], "the card parser", exc)], path, config)
    return lint_card(card, path, config)


def lint_card(
    card: ParsedCard, path: str = "README.md", config: LintConfig | None = None
) -> list[Finding]:
    """Run the enabled rules on a parsed card."""
    config = config or DEFAULT
    enabled = config.enabled(path)
    findings: list[Finding] = []
    for unit in RULES:
        if unit.check is None or unit.code not in enabled:
            continue
        try:
            problems = list(unit.check(card))
        except Exception as exc:
            if INTERNAL in enabled:
                findings.append(_internal(unit, f"rule {unit.code} ({unit.name})", exc))
            continue
        for problem in problems:
            findings.append(_finding(unit, problem, _fix_kind(unit, card, config)))
    suppressions = read_suppressions(card)
    if suppressions.directives:
        findings = [f for f in findings if not suppressions.silences(f)]
        findings.extend(_directive_findings(suppressions, enabled))
    return _finding_list(findings, path, config)


def _directive_findings(suppressions: Suppressions, enabled: frozenset[str]) -> list[Finding]:
    """HC010 for each selector that names no rule, HC011 for each directive that silenced
    nothing (neither can be silenced by a directive, only by the configuration)."""
    found: list[Finding] = []
    if UNKNOWN_SUPPRESSION in enabled:
        unit = RULES[UNKNOWN_SUPPRESSION]
        for directive in suppressions.directives:
            for selector in directive.unknown:
                message = (
                    f"unknown rule {selector[:40]!r} in the suppression "
                    f"{_shown(directive.text)}; `hubcarbon rules` lists the codes"
                )
                found.append(_finding(unit, Problem(directive.position, message), None))
    if UNUSED_SUPPRESSION in enabled:
        unit = RULES[UNUSED_SUPPRESSION]
        for directive in suppressions.unused(enabled):
            message = f"the suppression {_shown(directive.text)} silenced nothing; remove it"
            found.append(_finding(unit, Problem(directive.position, message), None))
    return found


def _shown(directive: str) -> str:
    one_line = " ".join(directive.split())
    return f"`{one_line[:80]}{'...' if len(one_line) > 80 else ''}`"


def _fix_kind(unit: Rule, card: ParsedCard, config: LintConfig) -> Fixable | None:
    if unit.fixable is None:
        return None
    try:
        fix = fixes.plan(card, unit.code)
    except Exception:
        return None
    return fix.kind if fix is not None else None


def _finding(unit: Rule, problem: Problem, fixable: Fixable | None) -> Finding:
    where = problem.position or Position(1, 1)
    return Finding(
        code=unit.code,
        name=unit.name,
        severity=unit.severity,
        line=where.line,
        column=where.column,
        message=problem.message,
        fixable=fixable,
        anchor=problem.anchor,
    )


def _internal(unit: Rule, what: str, exc: BaseException) -> Finding:
    detail = " ".join(str(exc).split())[:200]
    internal = RULES[INTERNAL]
    return Finding(
        code=internal.code,
        name=internal.name,
        severity=internal.severity,
        line=1,
        column=1,
        message=f"{what} crashed on this card ({type(exc).__name__}: {detail}); please report "
        "it with the card",
        anchor=unit.code,
    )


def _refused(size: int, path: str, config: LintConfig) -> list[Finding]:
    if REFUSED not in config.enabled(path):
        return []
    unit = RULES[REFUSED]
    problem = Problem(None, f"the card is {size:,} bytes, over {MAX_CARD_BYTES:,}: not read")
    return _finding_list([_finding(unit, problem, None)], path, config)


def _finding_list(findings: list[Finding], path: str, config: LintConfig) -> list[Finding]:
    adjusted = [
        replace(f, severity=config.severity_of(f.code, f.severity))
        if f.code in config.severity
        else f
        for f in findings
    ]
    return sorted(adjusted, key=lambda f: (f.line, f.column, f.code, f.message))


@dataclass(frozen=True)
class FixResult:
    """The outcome of `fix_text`: the new content (same type as the input), the findings fixed,
    and what remains."""

    content: str | bytes
    fixed: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def fix_text(
    data: str | bytes,
    path: str = "README.md",
    config: LintConfig | None = None,
    *,
    unsafe: bool = False,
) -> FixResult:
    """Apply the safe (and with `unsafe`, the unsafe) fixes of the reported findings, repeatedly
    until none applies. Every byte outside the edits is kept (a BOM and CRLF included); a file
    that is not valid UTF-8 is never rewritten."""
    config = config or DEFAULT
    if isinstance(data, bytes):
        try:
            decoded = data.decode("utf-8")
        except UnicodeDecodeError:
            return FixResult(data, [], lint_text(data, path, config))
    else:
        decoded = data
    bom = "\ufeff" if decoded.startswith("\ufeff") else ""
    text = decoded[len(bom) :]
    allowed = {Fixable.SAFE, Fixable.UNSAFE} if unsafe else {Fixable.SAFE}
    fixed: list[Finding] = []
    findings = lint_text(text, path, config)
    for _ in range(MAX_FIX_PASSES):
        card = parse_card(text)
        edits: list[fixes.Edit] = []
        for finding in findings:
            if finding.fixable not in allowed or finding.code == INTERNAL:
                continue
            fix = fixes.plan(card, finding.code)
            if fix is not None and fix.kind in allowed:
                edits.extend(fix.edits)
                fixed.append(finding)
        if not edits:
            break
        text, _ = fixes.apply_edits(text, edits)
        findings = lint_text(text, path, config)
    out = bom + text
    content: str | bytes = out.encode("utf-8") if isinstance(data, bytes) else out
    return FixResult(content, fixed, findings)
