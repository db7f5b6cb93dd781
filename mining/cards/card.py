"""The model-card parser every layer uses: `parse_card(bytes | str) -> ParsedCard`.

It splits the front matter from the body as the Hub does, reads the YAML defensively
(mining.cards.frontmatter), interprets `co2_eq_emissions` (a number of grams, or a mapping with
`emissions`, `source`, `training_type`, `geographical_location`, `hardware_used`), and reads the
emissions written in the body (mining.cards.prose). Card text is untrusted: parse_card never raises
on it; every problem is a status or a field of the result. Positions are 1-based lines and columns
in the original file (CRLF and a BOM included, see mining.cards.text).

The work per card is bounded: every pattern runs in linear time, front matter over
MAX_FRONT_MATTER_BYTES is not parsed (`too_large`), and the body is read up to MAX_BODY_LINES
lines or MAX_BODY_BYTES bytes (`ParsedCard.prose.truncated_at` says where reading stopped).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mining.cards.frontmatter import (
    DuplicateKey,
    FrontMatter,
    NodePath,
    NodeSpan,
    YamlProblem,
    read_front_matter,
)
from mining.cards.prose import ProseEmissions, read_prose
from mining.cards.quantities import Co2Value, parse_co2
from mining.cards.text import (
    FrontMatterStatus,
    LineIndex,
    Position,
    Split,
    decode_card,
    fence_like_line,
    split_card,
)

CO2_KEY = "co2_eq_emissions"
CO2_FIELDS = ("emissions", "source", "training_type", "geographical_location", "hardware_used")


_STATUS_ERRORS = {
    FrontMatterStatus.UNTERMINATED: "the opening --- of the front matter is never closed",
    FrontMatterStatus.NOT_A_MAPPING: "the front matter is not a mapping of keys to values",
    FrontMatterStatus.TOO_LARGE: "the front matter is over 1 MB and was not parsed",
    FrontMatterStatus.TOO_DEEP: "the front matter nests too deeply to parse",
    FrontMatterStatus.ALIAS_BOMB: "the front matter's aliases expand too far (or loop)",
}


class Co2Form(StrEnum):
    """How `co2_eq_emissions` is written: a scalar (`12.5`), a mapping, or anything else."""

    SCALAR = "scalar"
    MAPPING = "mapping"
    OTHER = "other"


@dataclass(frozen=True)
class Co2Metadata:
    """The `co2_eq_emissions` entry, interpreted. `emissions` holds the amount in grams (the Hub
    convention, unless a unit is written), the raw text and the unit; the other fields are text
    (None when absent or not a scalar); `unknown_keys` lists mapping keys outside the spec."""

    form: Co2Form
    emissions: Co2Value
    source: str | None
    training_type: str | None
    geographical_location: str | None
    hardware_used: str | None
    unknown_keys: tuple[str, ...]
    key_position: Position | None
    value_position: Position | None


@dataclass(frozen=True)
class ParsedCard:
    """Everything the crawler, the linter and the classifiers read from one README.md.

    `metadata` is the front matter as yaml.safe_load gives it (`{}` for an empty block, None when
    there is none or it is not a usable mapping). `spans` locates every YAML node by path.
    `opening_line`/`closing_line` are the fence lines; `fence_like_line` a first line of dashes the
    Hub does not take as a fence (`----`, `--- `). `body_start_line` is where the body starts.
    """

    text: str
    had_bom: bool
    undecodable_bytes: int
    status: FrontMatterStatus
    metadata: dict[Any, Any] | None
    yaml_error: YamlProblem | None
    duplicate_keys: tuple[DuplicateKey, ...]
    spans: Mapping[NodePath, NodeSpan]
    opening_line: int | None
    closing_line: int | None
    fence_like_line: int | None
    body_offset: int
    body_start_line: int
    co2: Co2Metadata | None
    prose: ProseEmissions

    @property
    def body(self) -> str:
        """The Markdown body as the Hub shows it (the whole text when no block closes)."""
        return self.text[self.body_offset :]

    @property
    def parse_error(self) -> str | None:
        """One line for the `cards.parse_error` column, None when the front matter is usable."""
        if self.yaml_error is not None:
            where = f"{self.yaml_error.position}: " if self.yaml_error.position else ""
            return f"{where}{self.yaml_error.message}"
        return _STATUS_ERRORS.get(self.status)

    def metadata_json(self) -> str | None:
        """The metadata as JSON for storage (dates as ISO text, other odd values as text)."""
        if self.metadata is None:
            return None
        return json.dumps(_jsonable(self.metadata), ensure_ascii=False)


def parse_card(data: bytes | str) -> ParsedCard:
    """Parse one README.md (bytes are decoded as utf-8-sig with replacement). Never raises."""
    decoded = decode_card(data)
    text = decoded.text
    lines = LineIndex(text)
    split = split_card(text, lines)
    front = _front_matter(text, split, lines)
    return ParsedCard(
        text=text,
        had_bom=decoded.had_bom,
        undecodable_bytes=decoded.undecodable_bytes,
        status=front.status,
        metadata=front.metadata,
        yaml_error=front.error,
        duplicate_keys=front.duplicate_keys,
        spans=front.spans,
        opening_line=split.opening_line,
        closing_line=split.closing_line,
        fence_like_line=fence_like_line(text, lines),
        body_offset=split.body_start,
        body_start_line=lines.position(split.body_start).line,
        co2=read_co2_metadata(front.metadata, front.spans) if front.metadata else None,
        prose=read_prose(text, split.body_start, lines),
    )


def _front_matter(text: str, split: Split, lines: LineIndex) -> FrontMatter:
    if split.status is FrontMatterStatus.EMPTY_FRONT_MATTER:
        return FrontMatter(FrontMatterStatus.EMPTY_FRONT_MATTER, metadata={})
    if split.yaml_start is None or split.yaml_end is None:
        return FrontMatter(split.status)
    return read_front_matter(text[split.yaml_start : split.yaml_end], split.yaml_start, lines)


def read_co2_metadata(
    metadata: Mapping[Any, Any], spans: Mapping[NodePath, NodeSpan]
) -> Co2Metadata | None:
    """Interpret `co2_eq_emissions`; None when the key is absent."""
    if CO2_KEY not in metadata:
        return None
    value = metadata[CO2_KEY]
    entry = spans.get((CO2_KEY,))
    key_position = entry.key if entry else None
    if not isinstance(value, dict):
        form = Co2Form.OTHER if isinstance(value, list) else Co2Form.SCALAR
        written = entry.text if entry else None
        emissions = parse_co2(value, written=written)
        return Co2Metadata(
            form,
            emissions,
            None,
            None,
            None,
            None,
            (),
            key_position,
            entry.start if entry else None,
        )
    inner = spans.get((CO2_KEY, "emissions"))
    return Co2Metadata(
        form=Co2Form.MAPPING,
        emissions=parse_co2(value.get("emissions"), written=inner.text if inner else None),
        source=_text(value.get("source")),
        training_type=_text(value.get("training_type")),
        geographical_location=_text(value.get("geographical_location")),
        hardware_used=_text(value.get("hardware_used")),
        unknown_keys=tuple(str(k) for k in value if k not in CO2_FIELDS),
        key_position=key_position,
        value_position=inner.start if inner else None,
    )


def _text(value: object) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    return str(value)


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
