"""What `hubcarbon lint` reads: files, the cards under directories, stdin, Hub cards.

A directory stands for every file below it that its configuration's `include` names (default
`README.md`) and `exclude` does not (hidden directories, `node_modules` and virtual environments
skipped); a file named on the command line is read unless `exclude` names it. Files are read one
at a time, as the linter gets to them. Display paths are relative to the working directory when
the file is under it, with `/` separators, so CI annotations and SARIF point into the
repository. Hub cards need huggingface_hub (`pip install 'hubcarbon[hub]'`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from classifiers.lint.config import DEFAULT, LintConfig
from hubcarbon.core.errors import ConfigError, InputError

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
    """`path` relative to the working directory when it is under it, else as given."""
    base = os.path.abspath(cwd or Path.cwd())  # noqa: PTH100 (no system call)
    relative = os.path.relpath(os.path.abspath(path), base)  # noqa: PTH100
    if relative.startswith(".."):
        return path.as_posix()
    return Path(relative).as_posix()


def card_files(
    directory: Path, is_card: Callable[[Path], bool] = lambda p: p.name == CARD_NAME
) -> Iterator[Path]:
    """The cards below `directory` (README.md files by default), in sorted order, skipping
    hidden and tool directories."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(files):
            path = Path(root) / name
            if is_card(path):
                yield path


ConfigFor = Callable[[Path | None], LintConfig]


def iter_sources(
    arguments: Iterable[str], config_for: ConfigFor, *, stdin_name: str = "-"
) -> Iterator[Source]:
    """Sources for PATH, DIR and `-` arguments, read one at a time; InputError for a missing
    or unreadable path."""
    for argument in arguments:
        if argument == "-":
            try:
                yield Source(stdin_name, sys.stdin.buffer.read())
            except OSError as exc:
                raise InputError(f"cannot read stdin: {exc}") from None
            continue
        path = Path(argument)
        if path.is_dir():

            def is_card(found: Path) -> bool:
                return config_for(found).is_card(str(found))

            yield from (_read(file) for file in card_files(path, is_card))
        elif path.is_file():
            if not config_for(path).is_excluded(str(path)):
                yield _read(path)
        else:
            raise InputError(f"no such file or directory: {argument}")


def from_arguments(arguments: Iterable[str], *, stdin_name: str = "-") -> list[Source]:
    """Every source of PATH, DIR and `-` arguments with the default configuration."""
    return list(iter_sources(arguments, lambda _: DEFAULT, stdin_name=stdin_name))


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
    try:
        from mining.crawl.hubclient import HubClient
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"--hub needs huggingface_hub (no module {exc.name!r}): pip install 'hubcarbon[hub]'"
        ) from None
    client = HubClient(endpoint=base, max_retries=3, base_wait=0.5)
    sources = []
    for repo_id in repo_ids:
        fetched = client.fetch_readme(repo_id, None)
        if fetched.status != "ok" or fetched.text is None:
            raise InputError(f"cannot fetch the card of {repo_id} from {base}: {fetched.error}")
        sources.append(Source(f"{repo_id}/{CARD_NAME}", fetched.text))
    return sources
