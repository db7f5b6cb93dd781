"""Emissions written in a card's Markdown body, with positions in the original file.

What is read (outside code blocks and HTML blocks, which the Hub does not show as prose):

- the model-card template's Environmental Impact lines `Hardware Type:`, `Hours used:`,
  `Cloud Provider:`, `Compute Region:` and `Carbon Emitted:`, plain, in bold (`**Carbon
  Emitted:**`), in lists or as a two-cell table row (`| Carbon Emitted | 5 kg |`), with an
  optional note in parentheses (`Carbon Emitted (Power consumption x Time ...):`);
- AutoTrain's `CO2 Emissions (in grams): x` (and `Carbon Emissions: x`), read like `Carbon Emitted`;
- a statement such as `Estimated total emissions were 2290 tCO2eq` (only with a unit written).

Amounts are unit-aware (`11250 kg CO2 eq.` is 11,250,000 g); a bare number takes the unit named
in the label's note (`(in grams)`, `(tCO2eq)`), else grams. Template placeholders (`More
information needed`, `[More Information Needed]`, `Unknown`, `N/A`, an empty value, `{{ ... }}`)
are not values: they are listed in `placeholders`, with their positions.

`mentions_emissions` says whether any prose line talks about emissions at all: carbon
footprint / emissions / emitted / intensity, CO2 (also `CO₂`, `CO<sub>2</sub>`), emission(s),
codecarbon, mlco2, an impact calculator, greenhouse gas, GHG, or an Environmental Impact heading.

Speed: a body in which none of these patterns can match is not parsed as Markdown at all (most
cards: a precheck over the lowercased text, see `_may_mention`).

Bounded work: every pattern runs in linear time, and the reader reads at most `MAX_BODY_LINES`
lines and `MAX_BODY_BYTES` bytes (UTF-8) of the body, whichever comes first; a longer body is
read up to there and `ProseEmissions.truncated_at` says where reading stopped (None when the whole
body was read). An amount after a statement is looked for in the `AMOUNT_WINDOW` characters that
follow it.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from markdown_it import MarkdownIt
from markdown_it.token import Token

from mining.cards.measures import Kind
from mining.cards.quantities import Co2Value, find_co2, find_unit
from mining.cards.statements import (
    Statement,
    label_statement,
    line_statements,
    may_state,
    table_statements,
)
from mining.cards.tables import Table, html_tables, markdown_tables
from mining.cards.text import LineIndex, Position


class ProseField(StrEnum):
    """The template fields read from the body."""

    HARDWARE_TYPE = "hardware_type"
    HOURS_USED = "hours_used"
    CLOUD_PROVIDER = "cloud_provider"
    COMPUTE_REGION = "compute_region"
    CARBON_EMITTED = "carbon_emitted"


_FIELD_OF_LABEL = {
    "hardware type": ProseField.HARDWARE_TYPE,
    "hours used": ProseField.HOURS_USED,
    "cloud provider": ProseField.CLOUD_PROVIDER,
    "compute region": ProseField.COMPUTE_REGION,
    "carbon emitted": ProseField.CARBON_EMITTED,
    "co2 emissions": ProseField.CARBON_EMITTED,
    "carbon emissions": ProseField.CARBON_EMITTED,
}
_LABEL_WORDS = "|".join(r"\s+".join(label.split()) for label in _FIELD_OF_LABEL)
_LABEL = rf"(?P<label>{_LABEL_WORDS})"
# Linear time: every run of blanks in these patterns is followed by something else than a blank
# (a marker, a label, a colon) or by the end, so each `\s*+` takes its run whole and gives none
# back; a value is runs of blanks each closed by a non-blank (its trailing blanks are left out).
_NOTE = r"(?P<note>\s*+\([^()]*+\))?"
_LABEL_LINE = re.compile(
    r"^\s*+(?:>\s*+)*+(?:(?:[-*+]|\d++[.)])\s++)?[*_]{0,3}\s*+"
    + _LABEL
    + _NOTE
    + r"\s*+[*_]{0,3}\s*+:\s*+[*_]{0,3}+[ \t]*+(?P<value>(?:[ \t]*+[^ \t\n])*+)[ \t]*$",
    re.IGNORECASE,
)
_LABEL_CELL = re.compile(
    r"[*_]{0,3}\s*+" + _LABEL + _NOTE + r"\s*+:?\s*+[*_]{0,3}\s*+:?", re.IGNORECASE
)
_STATEMENT = re.compile(
    r"\bemissions?\s+(?:were|was|is|are|of|totall?ed|amount(?:ed|s)?\s+to)\s+"
    r"(?:(?:approximately|about|around|roughly|an\s+estimated)\s+|~\s*)?",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"\[?\s*+(?:(?:more\s+)?info(?:rmation)?\s+(?:is\s+)?needed|needs\s+more\s+information|unknown"
    r"|n/?a|tbd|tba|todo|to\s+be\s+(?:added|determined|announced)|not\s+(?:available|known|"
    r"specified|provided)|none|-+|\?+)?\s*+\]?\s*+\.?",
    re.IGNORECASE,
)
_MENTION = re.compile(
    r"carbon\s+(?:footprint|emissions?|emitted|intensity|dioxide|offset)|\bco2(?:eq|e)?\b|\bco₂"
    r"|\bco<sub>2</sub>|codecarbon|code\s+carbon|mlco2|ml\s+co2|impact\s+calculator"
    r"|greenhouse\s+gas|\bghg\b|\bemissions?\b|environmental\s+impact",
    re.IGNORECASE,
)
_SECTION_WORDS = r"environmental\s+impact|carbon\s+(?:footprint|emissions?)|co2\s+emissions"
_SECTION_HEADING = re.compile(_SECTION_WORDS, re.I)
# Statements the patterns above miss (mining.cards.statements) hold one of these (an energy
# unit, `Wh` after a digit and at most one blank, `emitted`, `footprint`, `greenhouse`, ...);
# every alternative starts with a letter, so the precheck stays fast.
_WH_AFTER_DIGIT = r"wh(?:(?<=\dwh)|(?<=\d\swh))"
_STATEMENT_WORDS = (
    r"kwh|mwh|gwh|watt|electricity|emitted|footprint|greenhouse|energy\s+(?:consum|used|usage)|"
    + _WH_AFTER_DIGIT
)
# a calculator or tracker named in prose as the way the figure was obtained
_SOURCE = re.compile(
    r"(?:estimat|measur|comput|calculat|track)\w*+[^.\n]{0,160}?"
    r"(?P<source>machine\s+learning\s+impact\s+calculator|ml\s*co2\s+impact|codecarbon"
    r"|code\s+carbon|carbontracker|experiment-impact-tracker|green\s+algorithms)",
    re.IGNORECASE,
)
_SOURCE_NAMES = {
    "machine learning impact calculator": "Machine Learning Impact calculator",
    "ml co2 impact": "Machine Learning Impact calculator",
    "mlco2 impact": "Machine Learning Impact calculator",
    "codecarbon": "CodeCarbon",
    "code carbon": "CodeCarbon",
    "carbontracker": "carbontracker",
    "experiment-impact-tracker": "experiment-impact-tracker",
    "green algorithms": "Green Algorithms",
}
_HOURS = re.compile(
    r"\s*(?:(?:approximately|approx\.?|about|around|roughly|~)\s*)?(?P<n>\d[\d,_]*(?:\.\d+)?)\s*"
    r"(?P<unit>h|hrs?|hours?|days?|weeks?)?\b(?!\s*[-–]\s*\d)",
    re.IGNORECASE,
)
_HOURS_PER = {"d": 24.0, "w": 168.0}
_LABEL_PATTERNS = {
    re.compile(r"\s+".join(label.split()), re.IGNORECASE): field
    for label, field in _FIELD_OF_LABEL.items()
}
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
MAX_BODY_LINES = 50_000
MAX_BODY_BYTES = 2_000_000
AMOUNT_WINDOW = 200

# Only block tokens are read (their lines, and a heading's title as written), so the core rules
# that parse and join inline content are off.
_MARKDOWN = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])
_NOT_PROSE = {"fence", "code_block", "html_block"}

# The precheck (see _may_mention): every pattern above that can find something, as one pattern
# without word boundaries, matched case-sensitively over lowercased text. A heading's title may
# run over lines, each stripped of its blockquote markers (`>`).
_KEYWORDS_LOWERCASE = re.compile(
    "|".join(
        [
            _LABEL_WORDS,
            _STATEMENT.pattern,
            _MENTION.pattern,
            _SECTION_WORDS.replace(r"\s+", r"[\s>]+"),
            _STATEMENT_WORDS,
        ]
    ).replace(r"\b", "")
)
# Every alternative of _KEYWORDS_LOWERCASE but the last holds one of these words as written
# (a test checks it on the parsed pattern); the last is `_DIGIT_WH`. So a text holding none of
# them, and no `_DIGIT_WH`, cannot match, and that is found with fast substring searches.
_KEYWORD_WORDS = (
    "carbon", "co2", "co\u2082", "co<sub>2</sub>", "emission", "emitted", "environmental",
    "hardware", "hours", "provider", "compute", "calculator", "greenhouse", "ghg", "kwh", "mwh",
    "gwh", "watt", "electricity", "footprint", "energy",
)  # fmt: skip
_DIGIT_WH = re.compile(_WH_AFTER_DIGIT)
# The only characters IGNORECASE equates with a letter of those patterns that str.lower() does
# not turn into that letter (İ and dotless ı with i, long ſ with s).
LOWER_TRAPS = ("\u0130", "\u0131", "\u017f")


@dataclass(frozen=True)
class LabelledValue:
    """One template line: the field, its label and value as written, and where they are."""

    field: ProseField
    label: str
    text: str
    position: Position  # of the value; of the label's end when the value is empty
    label_position: Position
    in_environmental_impact: bool


@dataclass(frozen=True)
class ProseCo2:
    """An amount of CO2-eq found in the body, and the label or statement it came from."""

    value: Co2Value
    position: Position
    label: str


@dataclass(frozen=True)
class ProseEmissions:
    """What the body says about emissions. `values` are filled template lines, `placeholders`
    the unfilled ones; `co2` the first amount read (a labelled value before a statement)."""

    values: tuple[LabelledValue, ...]
    placeholders: tuple[LabelledValue, ...]
    co2: ProseCo2 | None
    hardware_type: str | None
    hours: float | None
    cloud_provider: str | None
    compute_region: str | None
    mentions_emissions: bool
    first_mention: Position | None
    environmental_impact_lines: tuple[tuple[int, int], ...]  # (first, last) line of each section
    truncated_at: Position | None = None  # where reading stopped, when the body is over the caps
    statements: tuple[Statement, ...] = ()  # every figure read (mining.cards.statements)
    headings: tuple[Heading, ...] = ()
    source_in_prose: str | None = None  # a calculator or tracker the text says it used


@dataclass(frozen=True)
class Heading:
    """A Markdown heading: its 1-based line, level and title as written."""

    line: int
    level: int
    title: str


NOTHING_READ = ProseEmissions((), (), None, None, None, None, None, False, None, ())


def read_prose(
    text: str, body_start: int, lines: LineIndex, *, metadata_states: bool = False
) -> ProseEmissions:
    """Read the body `text[body_start:]` (up to the caps); positions are in the whole text.

    `metadata_states`: the metadata has `co2_eq_emissions`, so the body is read whatever it
    says (its `Time:` line is that figure's context) and every statement is kept."""
    end = body_end(text, body_start, lines)
    if metadata_states:
        return read_every_line(text, body_start, lines, keep_all=True)
    if not _may_mention(text[:end], body_start, lines):
        return _truncated(NOTHING_READ, text, end, lines)
    return read_every_line(text, body_start, lines)


def read_every_line(
    text: str, body_start: int, lines: LineIndex, *, keep_all: bool = False
) -> ProseEmissions:
    """`read_prose` without its precheck: the body's Markdown is always parsed. Statements of
    time or power alone are kept only with `keep_all` (see `_about_emissions`)."""
    end = body_end(text, body_start, lines)
    body = _Body(text, body_start, end, lines)
    values: list[LabelledValue] = []
    placeholders: list[LabelledValue] = []
    statements: list[ProseCo2] = []
    read: list[Statement] = []
    source: str | None = None
    first_mention: Position | None = None
    for number, offset, line in body.prose_lines():
        labelled_here = list(body.labelled(number, offset, line))
        for labelled in labelled_here:
            (placeholders if _is_placeholder(labelled.text) else values).append(labelled)
        if labelled_here:
            read.extend(_labelled_statements(labelled_here))
        elif not body.is_table_row(number) and may_state(line):
            read.extend(line_statements(line, number))
        statement = _statement(line)
        if statement is not None:
            value, column = statement
            statements.append(ProseCo2(value, lines.position(offset + column), "statement"))
        mention = _MENTION.search(line)
        if first_mention is None and mention is not None:
            first_mention = lines.position(offset + mention.start())
        if source is None and mention is not None:
            source = _source_named(line)
    found = read + body.table_statements()
    found = found if keep_all else _about_emissions(found)
    return ProseEmissions(
        values=tuple(values),
        placeholders=tuple(placeholders),
        co2=_first_co2(values) or (statements[0] if statements else None),
        hardware_type=_first_text(values, ProseField.HARDWARE_TYPE),
        hours=_first_hours(values),
        cloud_provider=_first_text(values, ProseField.CLOUD_PROVIDER),
        compute_region=_first_text(values, ProseField.COMPUTE_REGION),
        mentions_emissions=first_mention is not None,
        first_mention=first_mention,
        environmental_impact_lines=body.sections,
        truncated_at=lines.position(end) if end < len(text) else None,
        statements=body.in_sections(found),
        headings=body.headings if found else (),
        source_in_prose=source,
    )


def _about_emissions(statements: list[Statement]) -> list[Statement]:
    """The statements, when one is about CO2, energy or intensity (time and power alone say
    nothing about emissions, and a body the precheck skips would not have them)."""
    if any(s.kind in (Kind.CO2, Kind.ENERGY, Kind.INTENSITY) for s in statements):
        return statements
    return []


def _source_named(line: str) -> str | None:
    found = _SOURCE.search(line)
    if found is None:
        return None
    return _SOURCE_NAMES.get(" ".join(found.group("source").lower().split()))


def _labelled_statements(labelled: list[LabelledValue]) -> Iterator[Statement]:
    for value in labelled:
        if _is_placeholder(value.text):
            continue
        if value.field is ProseField.CARBON_EMITTED:
            note = value.label[value.label.find("(") :] if "(" in value.label else ""
            unit = find_unit(note) or "g"
            found = label_statement(value.label, value.text, value.position.line, default_unit=unit)
        elif value.field is ProseField.HOURS_USED:
            found = label_statement(value.label, value.text, value.position.line, default_unit="h")
        else:
            continue
        if found is not None:
            yield found


def body_end(text: str, body_start: int, lines: LineIndex) -> int:
    """Where the reader stops: the end of the text, or the start of the first line beyond the caps
    (`MAX_BODY_LINES` lines from the body's first line, `MAX_BODY_BYTES` bytes from its start;
    only whole lines are read)."""
    first = lines.position(body_start).line
    end = len(text)
    if lines.line_count - first >= MAX_BODY_LINES:
        end = lines.line_start(first + MAX_BODY_LINES)
    if end - body_start > MAX_BODY_BYTES // 4:  # else even 4-byte characters stay under the cap
        chars = text[body_start : min(end, body_start + MAX_BODY_BYTES + 1)]
        head = chars.encode("utf-8", "surrogatepass")
        if len(head) > MAX_BODY_BYTES:
            cut = body_start + len(head[:MAX_BODY_BYTES].decode("utf-8", "ignore"))
            end = lines.line_start(lines.position(cut).line)
    return end


def _truncated(read: ProseEmissions, text: str, end: int, lines: LineIndex) -> ProseEmissions:
    return read if end == len(text) else replace(read, truncated_at=lines.position(end))


def _may_mention(text: str, body_start: int, lines: LineIndex) -> bool:
    """False when the body cannot hold anything `read_prose` reports, so Markdown is not parsed.

    Everything reported needs a match of the reader's patterns (IGNORECASE) inside one body line
    (a label, a statement, a mention) or inside a heading's title (a section). A line is a piece
    of the text, and a title is pieces of lines joined by line breaks, less blockquote markers.
    So `_KEYWORDS_LOWERCASE` (the same patterns, `>` allowed between a heading's words, word
    boundaries dropped) matches the text from the body's first line whenever the reader finds
    anything; lowercasing keeps that match, as its letters are lowercase ASCII (or `₂`), `\\s`
    is unchanged by lowercasing, and only LOWER_TRAPS need IGNORECASE (texts holding one are
    parsed). A statement of mining.cards.statements that none of those patterns matches holds
    one of `_STATEMENT_WORDS` (energy written `Wh` after at most one blank, else `kWh`, ...).
    """
    source = text[lines.start_of_line_at(body_start) :]
    if any(trap in source for trap in LOWER_TRAPS):
        return True
    lowered = source.lower()
    if _DIGIT_WH.search(lowered) is not None:
        return True
    if not any(word in lowered for word in _KEYWORD_WORDS):
        return False
    return _KEYWORDS_LOWERCASE.search(lowered) is not None


class _Body:
    """The body's lines, which of them are prose, tables and Environmental Impact sections."""

    def __init__(self, text: str, body_start: int, end: int, lines: LineIndex) -> None:
        self._text = text[:end]
        self._lines = lines
        self._first = lines.position(body_start).line
        self._last = (
            lines.position(max(end - 1, body_start)).line if end < len(text) else lines.line_count
        )
        tokens = _MARKDOWN.parse(self._text[body_start:])
        self._tokens = tokens
        self._hidden = _lines_of(tokens, _NOT_PROSE)
        self._rows = _lines_of(tokens, {"tr_open"})
        self.headings = tuple(
            Heading(self._first + token.map[0], int(token.tag[1:]), tokens[i + 1].content)
            for i, token in enumerate(tokens)
            if token.type == "heading_open" and token.map is not None
        )
        self.sections = self._sections(tokens)
        self._in_section = _covered(self.sections, self._last)

    def is_table_row(self, number: int) -> bool:
        return number - self._first in self._rows

    def tables(self) -> list[Table]:
        """The body's Markdown tables and the HTML tables of its HTML blocks."""
        found = markdown_tables(self._tokens, self._first)
        for token in self._tokens:
            if token.type == "html_block" and token.map is not None and "<t" in token.content:
                found.extend(html_tables(token.content, self._first + token.map[0]))
        return found

    def table_statements(self) -> list[Statement]:
        return [s for table in self.tables() for s in table_statements(table)]

    def in_sections(self, statements: list[Statement]) -> tuple[Statement, ...]:
        """The statements in line order, each with the title of the heading it sits under."""
        starts = [heading.line for heading in self.headings]
        placed = []
        for statement in sorted(statements, key=lambda s: s.line):
            at = bisect.bisect_right(starts, statement.line) - 1
            title = self.headings[at].title.strip() if at >= 0 else None
            placed.append(replace(statement, section=title))
        return tuple(placed)

    def prose_lines(self) -> Iterator[tuple[int, int, str]]:
        """(line number, offset, text) of each body line that is shown as prose."""
        for number in range(self._first, self._last + 1):
            if number - self._first in self._hidden:
                continue
            start = self._lines.line_start(number)
            end = (
                self._lines.line_start(number + 1)
                if number < self._lines.line_count
                else len(self._text)
            )
            yield number, start, self._text[start:end].rstrip("\r\n")

    def labelled(self, number: int, offset: int, line: str) -> Iterator[LabelledValue]:
        in_section = self._in_section[number]
        if number - self._first in self._rows:
            yield from self._cells(offset, line, in_section)
            return
        match = _LABEL_LINE.match(line)
        if match is not None:
            value_at = match.start("value")
            yield LabelledValue(
                field=_field_of(match.group("label")),
                label=match.group("label") + (match.group("note") or ""),
                text=match.group("value"),
                position=self._lines.position(offset + value_at),
                label_position=self._lines.position(offset + match.start("label")),
                in_environmental_impact=in_section,
            )

    def _cells(self, offset: int, line: str, in_section: bool) -> Iterator[LabelledValue]:
        """A two-cell row `| label | value |` (wider rows are column headers or data)."""
        bounds = [-1, *(m.start() for m in _CELL_SPLIT.finditer(line)), len(line)]
        cells = [(a + 1, line[a + 1 : b]) for a, b in itertools.pairwise(bounds)]
        if cells and not cells[0][1].strip():
            cells = cells[1:]
        if cells and not cells[-1][1].strip():
            cells = cells[:-1]
        if len(cells) != 2:
            return
        (label_start, label_cell), (value_start, value) = cells
        match = _LABEL_CELL.fullmatch(label_cell.strip())
        if match is None:
            return
        stripped = value.strip()
        value_at = value_start + (value.find(stripped) if stripped else 0)
        label_at = label_start + label_cell.find(match.group("label"))
        yield LabelledValue(
            field=_field_of(match.group("label")),
            label=match.group("label") + (match.group("note") or ""),
            text=stripped,
            position=self._lines.position(offset + value_at),
            label_position=self._lines.position(offset + label_at),
            in_environmental_impact=in_section,
        )

    def _sections(self, tokens: list[Token]) -> tuple[tuple[int, int], ...]:
        """(first, last) line of each Environmental Impact section: from its heading to the line
        before the next heading of the same or a higher level (or to the last line read)."""
        headings = [
            (int(token.tag[1:]), token.map[0], tokens[i + 1].content)
            for i, token in enumerate(tokens)
            if token.type == "heading_open" and token.map is not None
        ]
        ends: list[int | None] = [None] * len(headings)
        open_headings: list[int] = []  # of rising level: each has no closing heading yet
        for index, (level, line, _) in enumerate(headings):
            while open_headings and headings[open_headings[-1]][0] >= level:
                ends[open_headings.pop()] = line
            open_headings.append(index)
        sections = []
        for (_, line, title), end in zip(headings, ends, strict=True):
            if _SECTION_HEADING.search(title):
                last = self._first + end - 1 if end is not None else self._last
                sections.append((self._first + line, last))
        return tuple(sections)


def _field_of(label: str) -> ProseField:
    """The field of a label as matched (IGNORECASE, so also `Carbon Emıtted` with a dotless ı)."""
    return next(field for pattern, field in _LABEL_PATTERNS.items() if pattern.fullmatch(label))


def _covered(sections: tuple[tuple[int, int], ...], last_line: int) -> list[bool]:
    """Whether each line number (index 0 unused) lies in one of the sections."""
    depth = [0] * (last_line + 2)
    for first, last in sections:
        depth[first] += 1
        depth[last + 1] -= 1
    return [running > 0 for running in itertools.accumulate(depth)]


def _lines_of(tokens: list[Token], types: set[str]) -> set[int]:
    """Body line indices (0-based) covered by tokens of the given types."""
    covered: set[int] = set()
    for token in tokens:
        if token.type in types and token.map is not None:
            covered.update(range(token.map[0], token.map[1]))
    return covered


def _is_placeholder(value: str) -> bool:
    plain = value.strip().strip("*_` ")
    return plain.startswith("{{") or _PLACEHOLDER.fullmatch(plain) is not None


def _statement(line: str) -> tuple[Co2Value, int] | None:
    for match in _STATEMENT.finditer(line):
        rest = line[match.end() : match.end() + AMOUNT_WINDOW]
        if not rest[:1].isdigit():
            continue
        value = find_co2(rest)
        if value is not None and value.unit_text:
            return value, match.end()
    return None


def _first_co2(values: list[LabelledValue]) -> ProseCo2 | None:
    for labelled in values:
        if labelled.field is not ProseField.CARBON_EMITTED:
            continue
        note = labelled.label[labelled.label.find("(") :] if "(" in labelled.label else ""
        value = find_co2(labelled.text, default_unit=find_unit(note) or "g")
        if value is not None:
            return ProseCo2(value, labelled.position, labelled.label)
    return None


def _first_text(values: list[LabelledValue], field: ProseField) -> str | None:
    return next((v.text for v in values if v.field is field), None)


def _first_hours(values: list[LabelledValue]) -> float | None:
    for labelled in values:
        if labelled.field is not ProseField.HOURS_USED:
            continue
        match = _HOURS.match(labelled.text)
        if match is None:
            continue
        hours = float(match.group("n").replace(",", "").replace("_", ""))
        unit = (match.group("unit") or "h")[0].lower()
        return hours * _HOURS_PER.get(unit, 1.0)
    return None
