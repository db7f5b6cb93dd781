"""A model card's text: decoding, positions in the original file, and the front-matter split.

Decoding follows huggingface_hub (`utf-8-sig`: a leading BOM is dropped) but never fails:
undecodable bytes become U+FFFD and are counted. Lines end at `\\r\\n`, `\\r` or `\\n` (as in
markdown-it and YAML), so a CRLF file has the same line numbers as its LF twin. Positions are
1-based; columns count code points of the decoded line (a BOM is not a column).

The front matter is found exactly as the Hub finds it (huggingface_hub's `REGEX_YAML_BLOCK`): an
opening `---` line, possibly after blank space, up to the first closing `---` line. A `...` line
does not close the block, and an empty `---`/`---` pair is not a block for the Hub.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from array import array
from dataclasses import dataclass
from enum import StrEnum

# huggingface_hub.repocard.REGEX_YAML_BLOCK (documented as identical to the Hub server's).
HUB_FRONT_MATTER = re.compile(
    r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))"
)
_LEADING_BLANKS = re.compile(r"\s*")
_CLOSING = re.compile(r"(?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$)")  # HUB_FRONT_MATTER's group 3
_OPENING = re.compile(r"^\s*---(?:\r\n|\r|\n)")
_FENCE_LIKE = re.compile(r"^\s*(-{3,})[ \t]*(?:\r\n|\r|\n|$)")
_EMPTY_PAIR = re.compile(r"^\s*---(?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|$)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in the original file."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass(frozen=True)
class Decoded:
    """Card text as decoded: `had_bom` when a BOM was dropped, and how many bytes were replaced."""

    text: str
    had_bom: bool
    undecodable_bytes: int


def decode_card(data: bytes | str) -> Decoded:
    """Decode README bytes as utf-8-sig with replacement (or take a str, dropping a leading BOM)."""
    if isinstance(data, str):
        had_bom = data.startswith(_BOM)
        return Decoded(data[1:] if had_bom else data, had_bom, 0)
    had_bom = data.startswith(b"\xef\xbb\xbf")
    strict_ok = True
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        strict_ok = False
        text = data.decode("utf-8-sig", errors="replace")
    replaced = 0 if strict_ok else _count_undecodable(data)
    return Decoded(text, had_bom, replaced)


def _count_undecodable(data: bytes) -> int:
    """Bytes that a strict utf-8 decoder rejects (each maximal bad run counted by its length)."""
    count = 0
    position = 0
    while position < len(data):
        try:
            data[position:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            count += exc.end - exc.start
            position += exc.end
    return count


class LineIndex:
    """Turns character offsets of a text into 1-based (line, column) positions.

    Most cards ask for a handful of positions: the first `COUNTED_QUERIES` are counted in the
    text (line breaks before the offset), and only a card that asks for more gets the table of
    line starts (a text with `\\r` line breaks gets it at once)."""

    COUNTED_QUERIES = 16

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: array[int] | None = None
        self._newlines_only = "\r" not in text
        self._counted = 0 if self._newlines_only else self.COUNTED_QUERIES

    @property
    def line_count(self) -> int:
        if self._starts is None and self._newlines_only:
            return self._text.count("\n") + 1
        return len(self._table())

    def position(self, offset: int) -> Position:
        if self._starts is None and self._counted < self.COUNTED_QUERIES:
            self._counted += 1
            start = self._text.rfind("\n", 0, offset) + 1
            return Position(self._text.count("\n", 0, offset) + 1, offset - start + 1)
        starts = self._table()
        line = bisect.bisect_right(starts, offset) - 1
        return Position(line + 1, offset - starts[line] + 1)

    def line_start(self, line: int) -> int:
        """Offset of the first character of a 1-based line."""
        return self._table()[line - 1]

    def start_of_line_at(self, offset: int) -> int:
        """Offset of the first character of the line holding `offset`."""
        if self._starts is None and self._newlines_only:
            return self._text.rfind("\n", 0, offset) + 1
        return self.line_start(self.position(offset).line)

    def _table(self) -> array[int]:
        if self._starts is None:
            self._starts = _line_starts(self._text)
        return self._starts


def _line_starts(text: str) -> array[int]:
    """The offset of each line's first character (a packed array: 8 bytes a line)."""
    if "\r" in text:
        return array("q", itertools.chain([0], (m.end() for m in _LINE_BREAK.finditer(text))))
    lengths = map(len, text.split("\n")[:-1])
    # the lines before a line, and one \n after each of them
    return array(
        "q", map(operator.add, itertools.accumulate(lengths, initial=0), itertools.count())
    )


class FrontMatterStatus(StrEnum):
    """What the card's front matter is. `ok` is the only status with a usable metadata mapping
    beyond `empty_front_matter` (an empty mapping, as the Hub reads it)."""

    OK = "ok"
    EMPTY = "empty"  # the file holds nothing but whitespace
    NO_FRONT_MATTER = "no_front_matter"  # no `---` block at the start
    UNTERMINATED = "unterminated_front_matter"  # an opening `---` never closed
    EMPTY_FRONT_MATTER = "empty_front_matter"  # a block with no YAML content (or only comments)
    YAML_ERROR = "yaml_error"  # the YAML does not parse
    NOT_A_MAPPING = "not_a_mapping"  # the YAML is a list or a scalar
    TOO_LARGE = "too_large"  # the block is over MAX_FRONT_MATTER_BYTES: not parsed
    TOO_DEEP = "too_deep"  # nesting deeper than the parser can follow
    ALIAS_BOMB = "alias_bomb"  # aliases expand beyond MAX_EXPANDED_NODES, or into a cycle


@dataclass(frozen=True)
class Split:
    """Where the front matter and the body are. Offsets index the decoded text.

    `yaml_start`/`yaml_end` bound the YAML between the fences (None without a closed block);
    `opening_line`/`closing_line` are the fence lines; the body starts at `body_start`.
    """

    status: FrontMatterStatus  # only EMPTY, NO_FRONT_MATTER, UNTERMINATED, EMPTY_FRONT_MATTER, OK
    yaml_start: int | None
    yaml_end: int | None
    opening_line: int | None
    closing_line: int | None
    body_start: int


def fence_like_line(text: str, lines: LineIndex) -> int | None:
    """The line of a first non-blank line made of dashes (`----`, `--- `) that is not the Hub's
    opening fence, so front matter the author meant is ignored by the Hub."""
    match = _FENCE_LIKE.match(text)
    if match is None or _OPENING.match(text):
        return None
    return lines.position(match.start(1)).line


def hub_block(text: str) -> tuple[int, int, int] | None:
    r"""Where `HUB_FRONT_MATTER.search(text)` finds the block: the end of its group 1 (the
    YAML's start), the start of its group 3 (the YAML's end) and the end of the match; None
    when it finds none. The same match, found without trying the lazy `[\S\s]*?` at every
    character: the pattern is anchored, `\s*` can only end where `---` starts (its first
    non-blank character), and group 3 does not look back, so the match ends at the first
    closing fence after the opening line; only when there is none and the opening line ends
    with CRLF does the pattern backtrack, taking the CR alone as the line break, which leaves
    one more place (the LF) for a closing fence."""
    dashes = _LEADING_BLANKS.match(text).end()  # type: ignore[union-attr]  # \s* always matches
    if not text.startswith("---", dashes):
        return None
    after = dashes + 3
    if text.startswith("\r\n", after):
        closing = _CLOSING.search(text, after + 2) or _CLOSING.match(text, after + 1)
        start = after + 2 if closing is not None and closing.start() >= after + 2 else after + 1
    elif text.startswith(("\r", "\n"), after):
        start = after + 1
        closing = _CLOSING.search(text, start)
    else:
        return None
    if closing is None:
        return None
    return start, closing.start(), closing.end()


def split_card(text: str, lines: LineIndex) -> Split:
    """Locate the front matter like the Hub does; `OK` here means a closed block was found."""
    if not text.strip():
        return Split(FrontMatterStatus.EMPTY, None, None, None, None, 0)
    block = hub_block(text)
    if block is None:
        opening = _OPENING.match(text)
        if opening is None:
            return Split(FrontMatterStatus.NO_FRONT_MATTER, None, None, None, None, 0)
        opening_line = lines.position(opening.end() - 1).line
        empty_pair = _EMPTY_PAIR.match(text)
        if empty_pair is not None:
            closing_line = lines.position(empty_pair.end() - 1).line
            return Split(
                FrontMatterStatus.EMPTY_FRONT_MATTER,
                None,
                None,
                opening_line,
                closing_line,
                empty_pair.end(),
            )
        return Split(FrontMatterStatus.UNTERMINATED, None, None, opening_line, None, 0)
    yaml_start, yaml_end, end = block
    opening_line = lines.position(yaml_start - 1).line
    closing_line = lines.position(end - 1).line
    return Split(FrontMatterStatus.OK, yaml_start, yaml_end, opening_line, closing_line, end)
