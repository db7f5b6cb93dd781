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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from classifiers.lint.config import ConfigFinder, LintConfig
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
    return _Displays(cwd).of(path)


class _Displays:
    """Display paths against one working directory; a walk's directories are made relative
    once each, their files only appended."""

    def __init__(self, cwd: Path | None = None) -> None:
        self._process_cwd = os.getcwd()  # noqa: PTH109 (once, not per directory)
        self._base = os.path.abspath(cwd or self._process_cwd)  # noqa: PTH100 (no system call)
        self._below = self._base if self._base.endswith(os.sep) else self._base + os.sep

    def of(self, path: Path) -> str:
        relative = os.path.relpath(os.path.abspath(path), self._base)  # noqa: PTH100
        if relative.startswith(".."):
            return path.as_posix()
        return Path(relative).as_posix()

    def outside(self, directory: Path) -> bool:
        """True when no directory at or below `directory` is at or below the working
        directory, so every display path under it is its path as the walk writes it."""
        absolute = os.path.abspath(directory)  # noqa: PTH100 (no system call)
        below = absolute if absolute.endswith(os.sep) else absolute + os.sep
        inside = absolute == self._base or absolute.startswith(self._below)
        return not inside and not self._below.startswith(below)

    def directory(self, directory: str) -> str:
        """`directory` (as a walk names it) relative to the working directory, as relpath
        gives it."""
        absolute = os.path.normpath(os.path.join(self._process_cwd, directory))  # noqa: PTH118
        if absolute == self._base:
            return "."
        if absolute.startswith(self._below):
            return absolute[len(self._below) :]
        return os.path.relpath(absolute, self._base)

    @staticmethod
    def in_directory(relative_directory: str, name: str, file: str) -> str:
        """The display path of `file`, the file `name` of a directory whose relative path is
        `relative_directory`."""
        relative = name if relative_directory == "." else f"{relative_directory}{os.sep}{name}"
        if relative.startswith(".."):
            return file.replace(os.sep, "/")  # as Path(file).as_posix(): pathlib wrote `file`
        return relative.replace(os.sep, "/")


def _walk(directory: Path) -> Iterator[tuple[str, list[str], str]]:
    """(directory, its sorted file names, the prefix that makes a name its path as pathlib
    writes it) for every directory below `directory`, in sorted order, hidden and tool
    directories skipped: os.walk's order and names, without its lstat of each directory (the
    listing says which entries are symbolic links, which are not followed)."""
    top = os.fspath(directory)
    stack = [(top, str(Path(top)))]
    while stack:
        root, as_pathlib = stack.pop()
        names, subdirectories = _listing(root)
        prefix = "" if as_pathlib == "." else os.path.join(as_pathlib, "")  # noqa: PTH118
        yield root, names, prefix
        # a subdirectory's path as pathlib writes it is its parent's, a separator and its name
        stack.extend(
            (os.path.join(root, d), prefix + d)  # noqa: PTH118
            for d in reversed(subdirectories)
        )


def _listing(directory: str) -> tuple[list[str], list[str]]:
    """The sorted file names and walked subdirectories of `directory` (none when it cannot be
    listed, as os.walk skips it)."""
    files: list[str] = []
    subdirectories: list[str] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if not _is_directory(entry):
                    files.append(entry.name)
                elif _walked(entry):
                    subdirectories.append(entry.name)
    except OSError:
        return [], []
    return sorted(files), sorted(subdirectories)


def _walked(directory: os.DirEntry[str]) -> bool:
    if directory.name.startswith(".") or directory.name in SKIPPED_DIRS:
        return False
    try:
        return not directory.is_symlink()
    except OSError:  # as os.path.islink, which os.walk asks
        return True


def _is_directory(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


@dataclass(frozen=True)
class Pending:
    """A card to lint with its configuration, not read yet (stdin's and Hub cards' content is
    read already): `file` is the path as pathlib writes it."""

    display: str
    config: LintConfig
    file: str | None = None
    content: bytes | str | None = None

    def read(self) -> Source:
        """The card's source; InputError when the file cannot be read."""
        content = self.read_content()
        if self.content is not None or self.file is None:
            return Source(self.display, content)
        return Source(self.display, content, Path(self.file))

    def read_content(self) -> bytes | str:
        """The card's content (the file's bytes, read now); InputError when the file cannot be
        read."""
        if self.content is not None or self.file is None:
            return self.content or b""
        try:
            with open(self.file, "rb", buffering=0) as handle:  # noqa: PTH123 (fewer system calls)
                return handle.readall()
        except OSError as exc:
            raise InputError(f"cannot read {self.file}: {exc.strerror or exc}") from None


def iter_pending(
    arguments: Iterable[str], finder: ConfigFinder, *, stdin_name: str = "-"
) -> Iterator[Pending]:
    """The cards of PATH, DIR and `-` arguments with their configurations, found lazily (stdin
    is read when its turn comes); InputError for a missing path."""
    displays = _Displays()
    stdin_path = Path(stdin_name) if stdin_name != "-" else None
    for argument in arguments:
        if argument == "-":
            try:
                content = sys.stdin.buffer.read()
            except OSError as exc:
                raise InputError(f"cannot read stdin: {exc}") from None
            yield Pending(stdin_name, finder.for_file(stdin_path), None, content)
            continue
        path = Path(argument)
        if path.is_dir():
            outside = displays.outside(path)
            for root, names, prefix in _walk(path):
                if not names:
                    continue
                config = finder.for_directory(root, names)
                relative = os.pardir if outside else displays.directory(root)
                for name in names:
                    file = prefix + name
                    if config.is_card(file):
                        yield Pending(displays.in_directory(relative, name, file), config, file)
        elif path.is_file():
            config = finder.for_file(path)
            if not config.is_excluded(str(path)):
                yield Pending(displays.of(path), config, str(path))
        else:
            raise InputError(f"no such file or directory: {argument}")


def iter_sources(
    arguments: Iterable[str], finder: ConfigFinder, *, stdin_name: str = "-"
) -> Iterator[Source]:
    """Sources for PATH, DIR and `-` arguments, read one at a time; InputError for a missing
    or unreadable path."""
    return (pending.read() for pending in iter_pending(arguments, finder, stdin_name=stdin_name))


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
