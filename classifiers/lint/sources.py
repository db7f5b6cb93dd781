"""What `hubcarbon lint` reads: files, README.md files under directories, stdin, Hub cards.

A directory stands for every `README.md` below it (hidden directories, `node_modules` and
virtual environments skipped). Display paths are relative to the working directory when the
file is under it, with `/` separators, so CI annotations and SARIF point into the repository.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hubcarbon.core.errors import InputError
from mining.crawl.hubclient import HubClient

CARD_NAME = "README.md"
SKIPPED_DIRS = frozenset({"node_modules", "venv", "site-packages", "__pycache__"})
DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class Source:
    """One card to lint: where to show it, its content, and the file to rewrite (None for
    stdin and Hub cards, which are never written)."""

    display: str
    content: bytes | str
    file: Path | None = None


def display_path(path: Path, cwd: Path | None = None) -> str:
    base = (cwd or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def card_files(directory: Path) -> Iterator[Path]:
    """README.md files below `directory`, sorted, skipping hidden and tool directories."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        if CARD_NAME in files:
            yield Path(root) / CARD_NAME


def from_arguments(arguments: Iterable[str], *, stdin_name: str = "-") -> list[Source]:
    """Sources for PATH, DIR and `-` arguments; InputError for a missing or unreadable path."""
    sources: list[Source] = []
    for argument in arguments:
        if argument == "-":
            try:
                sources.append(Source(stdin_name, sys.stdin.buffer.read()))
            except OSError as exc:
                raise InputError(f"cannot read stdin: {exc}") from None
            continue
        path = Path(argument)
        if path.is_dir():
            sources.extend(_read(file) for file in card_files(path))
        elif path.is_file():
            sources.append(_read(path))
        else:
            raise InputError(f"no such file or directory: {argument}")
    return sources


def _read(path: Path) -> Source:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return Source(display_path(path), content, path)


def from_hub(repo_ids: Iterable[str], endpoint: str | None = None) -> list[Source]:
    """The README.md of each model on the Hub (`endpoint`, else $HF_ENDPOINT, else
    huggingface.co), fetched through the crawler's client; InputError when one cannot be."""
    base = endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    client = HubClient(endpoint=base, max_retries=3, base_wait=0.5)
    sources = []
    for repo_id in repo_ids:
        fetched = client.fetch_readme(repo_id, None)
        if fetched.status != "ok" or fetched.text is None:
            raise InputError(f"cannot fetch the card of {repo_id} from {base}: {fetched.error}")
        sources.append(Source(f"{repo_id}/{CARD_NAME}", fetched.text))
    return sources
