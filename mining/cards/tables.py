"""Tables in a card's body, Markdown and HTML, as rows of plain-text cells with line numbers.

Markdown tables come from markdown-it-py's tokens (the GFM table rule); HTML tables from the
stdlib `html.parser` over each HTML block holding `<table`. Cell text is plain: inline markup
(`**`, `_`, backticks) and HTML tags are dropped, `<sub>2</sub>` is kept as `2` (`CO2`).

Bounded: at most `MAX_TABLE_ROWS` rows and `MAX_TABLE_CELLS` cells a row are kept per table,
and a cell's text is cut at `MAX_CELL_CHARS`; the HTML parser reads only blocks the body reader
already bounded (mining.cards.prose caps the body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it.token import Token

MAX_TABLE_ROWS = 1_000
MAX_TABLE_CELLS = 64
MAX_CELL_CHARS = 500

_MARKUP = re.compile(r"<[^<>]*+>|[*_`]++")
_BLANKS = re.compile(r"\s++")


@dataclass(frozen=True)
class Row:
    """One table row: its 1-based line in the card and its cells' plain text."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table: the first row is its header (HTML tables often have no `<th>`)."""

    header: Row
    rows: tuple[Row, ...]
    html: bool


def plain_cell(text: str) -> str:
    """A cell's text without inline markup or tags, blanks collapsed."""
    text = text[:MAX_CELL_CHARS].replace("<sub>2</sub>", "2")
    return _BLANKS.sub(" ", _MARKUP.sub("", text)).strip()


def markdown_tables(tokens: list[Token], first_line: int) -> list[Table]:
    """The GFM tables among block tokens whose line map starts at `first_line` (1-based)."""
    tables: list[Table] = []
    rows: list[Row] | None = None
    cells: list[str] = []
    line = first_line
    for token in tokens:
        kind = token.type
        if kind == "table_open":
            rows = []
        elif rows is None:
            continue
        elif kind == "tr_open":
            cells = []
            line = first_line + (token.map[0] if token.map else 0)
        elif kind == "inline" and len(cells) < MAX_TABLE_CELLS:
            cells.append(plain_cell(token.content))
        elif kind == "tr_close" and len(rows) < MAX_TABLE_ROWS:
            rows.append(Row(line, tuple(cells)))
        elif kind == "table_close":
            if rows:
                tables.append(Table(rows[0], tuple(rows[1:]), html=False))
            rows = None
    return tables


def html_tables(html: str, first_line: int) -> list[Table]:
    """The tables of one HTML block starting on line `first_line` (1-based)."""
    if "<table" not in html.lower():
        return []
    reader = _TableReader(first_line)
    try:
        reader.feed(html)
        reader.close()
    except (AssertionError, ValueError):  # html.parser refuses some malformed markup
        pass
    reader.finish_table()
    return reader.tables


class _TableReader(HTMLParser):
    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self._first_line = first_line
        self.tables: list[Table] = []
        self._rows: list[Row] | None = None
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None
        self._row_line = first_line

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.finish_table()
            self._rows = []
        elif self._rows is None:
            return
        elif tag == "tr":
            self._finish_row()
            self._cells = []
            self._row_line = self._first_line + self.getpos()[0] - 1
        elif tag in ("td", "th") and self._cells is not None:
            self._finish_cell()
            self._cell = []
        elif tag == "sub" and self._cell is not None:
            self._cell.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._finish_cell()
        elif tag == "tr":
            self._finish_row()
        elif tag == "table":
            self.finish_table()

    def handle_data(self, data: str) -> None:
        if self._cell is not None and sum(map(len, self._cell)) < MAX_CELL_CHARS:
            self._cell.append(data)

    def _finish_cell(self) -> None:
        if (
            self._cell is not None
            and self._cells is not None
            and len(self._cells) < MAX_TABLE_CELLS
        ):
            self._cells.append(plain_cell("".join(self._cell)))
        self._cell = None

    def _finish_row(self) -> None:
        self._finish_cell()
        if self._cells is not None and self._rows is not None and len(self._rows) < MAX_TABLE_ROWS:
            self._rows.append(Row(self._row_line, tuple(self._cells)))
        self._cells = None

    def finish_table(self) -> None:
        self._finish_row()
        if self._rows:
            self.tables.append(Table(self._rows[0], tuple(self._rows[1:]), html=True))
        self._rows = None
