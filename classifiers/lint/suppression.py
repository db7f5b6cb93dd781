"""Suppressions written in the card, as people write them:

- `<!-- hubcarbon: disable=HC103 -->` in the body: with a later `<!-- hubcarbon: enable=HC103 -->`
  the rule is off on the lines between (a range); with none, in the whole file (the original,
  file-wide form). `<!-- hubcarbon: disable -->` (no list) means every rule.
- `<!-- hubcarbon: disable-next-line=HC103 -->`: the body line after the comment.
- `# hubcarbon: disable=HC101` as a YAML comment at the end of a front-matter line: that line;
  `# hubcarbon: disable-next-line=HC101` the front-matter line after it.

The Hub hides HTML comments, so directives do not show on the card's page. A directive lists
codes, prefixes (`HC1`) or rule names separated by commas or spaces. Comments inside fenced or
indented code blocks are text, not directives (inline code spans are not told apart). A
selector that matches no rule is reported (HC007 `unknown-suppression`, a warning), and so is a
directive that silenced nothing the rules found (HC008 `unused-suppression`, info). At most
`MAX_DIRECTIVES` directives are read per card.

Reading is linear in the card's size: comments are found with `str.find` (each `-->` search
starts after the previous comment, and an unclosed `<!--` ends the scan), never with a
backtracking pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from markdown_it import MarkdownIt

from classifiers.lint.findings import Finding
from classifiers.lint.registry import RULES
from classifiers.lint.selectors import UnknownSelector, codes_of
from mining.cards.card import ParsedCard
from mining.cards.text import LineIndex, Position

MAX_DIRECTIVES = 100
MAX_DIRECTIVE_CHARS = 500
PREFIX = "hubcarbon:"
_MARKDOWN = MarkdownIt("commonmark").disable(["inline", "text_join"])
_CODE_TOKENS = frozenset({"fence", "code_block"})
_SEPARATORS = re.compile(r"[\s,]+")


class Action(StrEnum):
    DISABLE = "disable"
    ENABLE = "enable"
    DISABLE_NEXT_LINE = "disable-next-line"


Span = tuple[int, int | None, frozenset[str]]
"""Lines `first..last` (None: to the end of the file) on which `codes` are off."""


@dataclass
class Directive:
    """One directive: what it does, where it is, the codes it names (every rule when it names
    none), the selectors that matched no rule, the spans it silences, and whether it silenced a
    finding."""

    action: Action
    position: Position
    text: str
    codes: frozenset[str]
    unknown: tuple[str, ...]
    spans: list[Span] = field(default_factory=list)
    used: bool = False

    def covers(self, finding: Finding) -> bool:
        return any(
            finding.code in codes
            and first <= finding.line
            and (last is None or finding.line <= last)
            for first, last, codes in self.spans
        )


@dataclass
class Suppressions:
    """The directives of one card and the lines they cover."""

    directives: list[Directive] = field(default_factory=list)

    def silences(self, finding: Finding) -> bool:
        """True (and the directive marked used) when a directive covers the finding."""
        for directive in self.directives:
            if directive.covers(finding):
                directive.used = True
                return True
        return False

    def unused(self, enabled: frozenset[str]) -> Iterator[Directive]:
        """The disabling directives that silenced nothing, among those naming a rule that runs
        (a directive naming only unknown codes is reported as unknown instead)."""
        return (
            d
            for d in self.directives
            if d.action is not Action.ENABLE and d.codes & enabled and not d.used
        )


def parse_directive(content: str) -> tuple[Action, str] | None:
    """(action, the list after `=`) when a comment's content is a hubcarbon directive."""
    stripped = content.strip()
    if len(stripped) > MAX_DIRECTIVE_CHARS or not stripped.lower().startswith(PREFIX):
        return None
    name, _, listed = stripped[len(PREFIX) :].partition("=")
    try:
        return Action(name.strip().lower()), listed.strip()
    except ValueError:
        return None


def read_suppressions(card: ParsedCard) -> Suppressions:
    """Every directive of the card, with the lines each covers."""
    if PREFIX not in card.text.lower():  # IGNORECASE equates no other character with its letters
        return Suppressions()
    lines = LineIndex(card.text)
    found = [*_yaml_directives(card, lines), *_html_directives(card, lines)][:MAX_DIRECTIVES]
    return Suppressions(_ranges(found))


def _directive(action: Action, listed: str, position: Position, text: str) -> Directive:
    codes: set[str] = set()
    unknown: list[str] = []
    selectors = [s for s in _SEPARATORS.split(listed) if s]
    for selector in selectors:
        try:
            codes |= codes_of(selector)
        except UnknownSelector:
            unknown.append(selector)
    if not selectors:
        codes = set(RULES.ids())
    return Directive(action, position, text, frozenset(codes), tuple(unknown))


def _yaml_directives(card: ParsedCard, lines: LineIndex) -> Iterator[Directive]:
    if card.opening_line is None or card.closing_line is None:
        return
    for number in range(card.opening_line + 1, card.closing_line):
        start = lines.line_start(number)
        end = lines.line_start(number + 1)
        line = card.text[start:end]
        mark = line.lower().find(PREFIX)
        if mark < 0:
            continue
        hash_at = line.rfind("#", 0, mark)
        if hash_at < 0 or line[hash_at + 1 : mark].strip() or (hash_at and line[hash_at - 1] > " "):
            continue
        parsed = parse_directive(line[hash_at + 1 :])
        if parsed is None or _in_scalar(card, Position(number, hash_at + 1)):
            continue
        action, listed = parsed
        if action is Action.ENABLE:
            continue
        directive = _directive(action, listed, Position(number, hash_at + 1), line[hash_at:])
        own_line = not line[:hash_at].strip()
        target = number + 1 if action is Action.DISABLE_NEXT_LINE or own_line else number
        directive.spans = [(target, target, directive.codes)]
        yield directive


def _in_scalar(card: ParsedCard, where: Position) -> bool:
    """True when a position lies inside a scalar value (a `#` in a quoted string)."""
    return any(
        span.text is not None and _key(span.start) <= _key(where) < _key(span.end)
        for span in card.spans.values()
    )


def _key(position: Position) -> tuple[int, int]:
    return (position.line, position.column)


def _html_directives(card: ParsedCard, lines: LineIndex) -> Iterator[Directive]:
    text = card.text
    for start, end in _outside_code(card, lines):
        at = start
        while True:
            opening = text.find("<!--", at, end)
            if opening < 0:
                break
            closing = text.find("-->", opening + 4, end)
            if closing < 0:
                break  # an unclosed comment hides the rest of the segment
            at = closing + 3
            inner = text.rfind("<!--", opening + 4, closing)  # `<!-- a <!-- hubcarbon: ... -->`
            opening = inner if inner >= 0 else opening
            parsed = parse_directive(text[opening + 4 : closing])
            if parsed is None:
                continue
            action, listed = parsed
            where = lines.position(opening)
            directive = _directive(action, listed, where, text[opening:at].strip())
            if action is Action.DISABLE_NEXT_LINE:
                after = lines.position(closing).line + 1
                directive.spans = [(after, after, directive.codes)]
            yield directive


def _outside_code(card: ParsedCard, lines: LineIndex) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the body's stretches outside fenced and indented code."""
    body = card.body
    if "<!--" not in body:
        return
    first = card.body_start_line
    start = card.body_offset
    for token in _MARKDOWN.parse(body):
        if token.type not in _CODE_TOKENS or token.map is None:
            continue
        code_start = lines.line_start(first + token.map[0])
        yield start, code_start
        after = first + token.map[1]
        start = lines.line_start(after) if after <= lines.line_count else len(card.text)
    yield start, len(card.text)


def _ranges(directives: Sequence[Directive]) -> list[Directive]:
    """Give each body `disable` its spans: up to the next `enable` of the same codes; the codes
    no later `enable` names are off in the whole file (the original form)."""
    ranged = sorted(
        (d for d in directives if d.action in (Action.DISABLE, Action.ENABLE) and not d.spans),
        key=lambda d: (d.position.line, d.position.column),
    )
    for index, directive in enumerate(ranged):
        if directive.action is Action.ENABLE:
            continue
        still_off = set(directive.codes)
        for later in ranged[index + 1 :]:
            closed = still_off & later.codes if later.action is Action.ENABLE else set()
            if closed:
                directive.spans.append(
                    (directive.position.line, later.position.line, frozenset(closed))
                )
                still_off -= closed
            if not still_off:
                break
        if still_off:
            directive.spans.append((1, None, frozenset(still_off)))
    return list(directives)
