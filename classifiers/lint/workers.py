"""Linting many cards in worker processes (`hubcarbon lint --jobs N`), the reports in the
order of the cards.

Cards go to the workers in chunks of up to `CHUNK_FILES` cards sharing one configuration, as
the directory walk finds them, and at most `AHEAD_PER_WORKER` chunks per worker are
outstanding: memory holds a few chunks' reports, whatever the number of cards. A chunk names
its cards (display path, file); each worker reads them itself. A card a worker cannot read
ends the run when its turn comes, as it would in one process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from classifiers.lint.config import LintConfig
from classifiers.lint.formats import FileReport
from classifiers.lint.session import lint_source
from classifiers.lint.sources import Pending, Source
from hubcarbon.core.errors import InputError
from hubcarbon.core.pool import ordered_map

CHUNK_FILES = 128
AHEAD_PER_WORKER = 4

Card = tuple[str, str | None, bytes | str | None]
"""A card as a chunk names it: display path, file (None for stdin and Hub cards), content
(None: read the file)."""


@dataclass(frozen=True)
class Chunk:
    """Cards that share one configuration, and whether their reports carry the text."""

    config: LintConfig
    keep_text: bool
    cards: list[Card]


@dataclass(frozen=True)
class Unread:
    """A card a worker could not read: the InputError's message."""

    message: str


Linted = tuple[FileReport, bool]


def lint_in_workers(cards: Iterable[Pending], processes: int, keep_text: bool) -> Iterator[Linted]:
    """Each card's report and whether it fails the run, in the order of `cards`, linted by
    `processes` worker processes; InputError for a card that cannot be read."""
    chunks = _chunks(cards, keep_text)
    ahead = processes * AHEAD_PER_WORKER
    with ordered_map(lint_chunk, chunks, processes=processes, ahead=ahead, fork=True) as done:
        for results in done:
            for result in results:
                if isinstance(result, Unread):
                    raise InputError(result.message)
                yield result


def _chunks(cards: Iterable[Pending], keep_text: bool) -> Iterator[Chunk]:
    chunk: Chunk | None = None
    for card in cards:
        if chunk is None or card.config is not chunk.config or len(chunk.cards) >= CHUNK_FILES:
            if chunk is not None:
                yield chunk
            chunk = Chunk(card.config, keep_text, [])
        chunk.cards.append((card.display, card.file, card.content))
    if chunk is not None:
        yield chunk


def lint_chunk(chunk: Chunk) -> list[Linted | Unread]:
    """A worker's work: read and lint each card of the chunk (up to one it cannot read)."""
    results: list[Linted | Unread] = []
    for display, file, content in chunk.cards:
        card = Pending(display, chunk.config, file, content)
        try:
            source = Source(display, card.read_content())  # the file is not rewritten here
        except InputError as exc:
            results.append(Unread(str(exc)))
            break
        results.append(lint_source(source, chunk.config, keep_text=chunk.keep_text))
    return results
