"""Fixes: text edits that repair a finding and leave every other byte of the file as it was.

Each fixable rule has a planner here that looks at the parsed card and returns a `Fix` (its
kind and its edits) or None when this card cannot be fixed automatically. Edits are offsets in
the decoded text; inserted lines use the file's own line break (CRLF stays CRLF). A unit is
never rescaled silently: converting `1.2 kg` to `1200` is an unsafe fix, and a number written
without a unit is never changed.

- safe: HC101 (a number written as text, or in a way YAML parsers disagree on, in grams),
  HC202 (a single dataset id wrapped in a list);
- unsafe: HC101 with a unit other than grams (converted), HC104 (hardware and location copied
  from the body's template lines), HC107 (the body's amount added to the metadata in grams).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from classifiers.lint.findings import Fixable
from classifiers.lint.numbers import yaml_number
from classifiers.lint.rules.common import emissions_path, prose_figure, readable_metadata
from mining.cards.card import CO2_KEY, Co2Form, ParsedCard
from mining.cards.text import FrontMatterStatus, LineIndex, Position


@dataclass(frozen=True, order=True)
class Edit:
    """Replace `text[start:end]` with `replacement` (an insertion when start == end)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Fix:
    kind: Fixable
    edits: tuple[Edit, ...]
    description: str


Planner = Callable[[ParsedCard], Fix | None]


class CardText:
    """Offsets and the line break of a card's text."""

    def __init__(self, card: ParsedCard) -> None:
        self.text = card.text
        self.lines = LineIndex(card.text)

    def offset(self, position: Position) -> int:
        return self.lines.line_start(position.line) + position.column - 1

    def next_line_start(self, position: Position) -> int:
        """The start of the line after `position` (its own start when at column 1)."""
        if position.column == 1:
            return self.lines.line_start(position.line)
        if position.line < self.lines.line_count:
            return self.lines.line_start(position.line + 1)
        return len(self.text)

    @property
    def newline(self) -> str:
        for brk in ("\r\n", "\n", "\r"):
            if brk in self.text:
                return brk
        return "\n"


def _scalar_replacement(card: ParsedCard, path: tuple[str, ...], new: str) -> Edit | None:
    span = card.spans.get(path)
    if span is None or span.text is None or span.start.line != span.end.line:
        return None
    text = CardText(card)
    start, end = text.offset(span.start), text.offset(span.end)
    source = card.text[start:end]
    if not source.strip() or "\n" in source or "\r" in source or source.startswith(("|", ">")):
        return None
    return Edit(start, end, new)


def plan_co2_not_numeric(card: ParsedCard) -> Fix | None:
    co2 = card.co2
    if co2 is None or co2.emissions.grams is None or co2.emissions.number is None:
        return None
    value = co2.emissions
    if value.grams is None or value.number is None or value.number <= 0:
        return None
    if value.unit in (None, "g"):
        kind, new = Fixable.SAFE, yaml_number(value.number, significant=None)
        description = f"write {value.raw} as the number {new}"
    else:
        kind, new = Fixable.UNSAFE, yaml_number(value.grams, significant=12)
        description = f"convert {value.raw} to {new} g"
    edit = _scalar_replacement(card, tuple(str(p) for p in emissions_path(card)), new)
    if edit is None or card.text[edit.start : edit.end] == new:
        return None
    return Fix(kind, (edit,), description)


def plan_datasets_not_list(card: ParsedCard) -> Fix | None:
    metadata = readable_metadata(card) or {}
    value = metadata.get("datasets")
    if not isinstance(value, str) or not value.strip():
        return None
    edit = _scalar_replacement(card, ("datasets",), f"[{yaml_string(value)}]")
    return Fix(Fixable.SAFE, (edit,), "wrap the dataset id in a list") if edit else None


def _prose_context(card: ParsedCard) -> dict[str, str]:
    found = {
        "hardware_used": card.prose.hardware_type,
        "geographical_location": card.prose.compute_region,
    }
    return {k: v.strip() for k, v in found.items() if v and v.strip()}


def plan_context_from_prose(card: ParsedCard) -> Fix | None:
    co2 = card.co2
    if co2 is None or co2.form is not Co2Form.MAPPING or co2.key_position is None:
        return None
    wanted = {k: v for k, v in _prose_context(card).items() if getattr(co2, k) is None}
    entry = (readable_metadata(card) or {}).get(CO2_KEY)
    if not wanted or not isinstance(entry, dict) or any(k in entry for k in wanted):
        return None
    children = [s for p, s in card.spans.items() if len(p) >= 2 and p[0] == CO2_KEY]
    first_keys = [s.key for p, s in card.spans.items() if len(p) == 2 and p[0] == CO2_KEY]
    keys = [k for k in first_keys if k is not None]
    if not children or not keys or keys[0].line <= co2.key_position.line:
        return None  # a flow mapping {emissions: 1} or an odd layout: leave it to the author
    text = CardText(card)
    indent = " " * (keys[0].column - 1)
    at = text.next_line_start(max(s.end for s in children))
    lines = "".join(f"{indent}{k}: {yaml_string(v)}{text.newline}" for k, v in wanted.items())
    return Fix(Fixable.UNSAFE, (Edit(at, at, lines),), f"add {', '.join(wanted)} from the body")


def plan_co2_from_prose(card: ParsedCard) -> Fix | None:
    if card.co2 is not None or card.prose.co2 is None:
        return None
    figure = prose_figure(card)
    grams = figure.amount if figure is not None else None
    if grams is None or grams <= 0 or readable_metadata(card) is None:
        return None
    text = CardText(card)
    nl = text.newline
    block = [f"{CO2_KEY}:", f"  emissions: {yaml_number(grams, significant=12)}"]
    block += [f"  {k}: {yaml_string(v)}" for k, v in _prose_context(card).items()]
    body = "".join(line + nl for line in block)
    description = f"add {CO2_KEY} with the body's {figure.text if figure else ''} in grams"
    if card.status in (FrontMatterStatus.NO_FRONT_MATTER, FrontMatterStatus.EMPTY):
        return Fix(Fixable.UNSAFE, (Edit(0, 0, f"---{nl}{body}---{nl}"),), description)
    if card.closing_line is None:
        return None
    root = card.spans.get(())
    if root is not None and (root.start.column != 1 or card.text[text.offset(root.start)] in "{["):
        return None
    at = text.lines.line_start(card.closing_line)
    return Fix(Fixable.UNSAFE, (Edit(at, at, body),), description)


def yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (JSON's string syntax is valid YAML 1.1 and 1.2)."""
    return json.dumps(value, ensure_ascii=False)


PLANNERS: Mapping[str, Planner] = {
    "HC101": plan_co2_not_numeric,
    "HC104": plan_context_from_prose,
    "HC107": plan_co2_from_prose,
    "HC202": plan_datasets_not_list,
}


def plan(card: ParsedCard, code: str) -> Fix | None:
    """The fix for `code` on this card, or None (no planner, or nothing to do safely)."""
    planner = PLANNERS.get(code)
    return planner(card) if planner is not None else None


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """Apply the non-overlapping edits (in order; an edit overlapping an earlier one is
    skipped) and return the new text and the edits applied."""
    applied: list[Edit] = []
    last_end = -1
    for edit in sorted(edits):
        if edit.start < last_end or (edit.start == last_end and edit.start == edit.end and applied):
            continue
        applied.append(edit)
        last_end = edit.end
    out: list[str] = []
    cursor = 0
    for edit in applied:
        out.append(text[cursor : edit.start])
        out.append(edit.replacement)
        cursor = edit.end
    out.append(text[cursor:])
    return "".join(out), applied
