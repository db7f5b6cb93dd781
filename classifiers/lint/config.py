"""Lint configuration: `[tool.hubcarbon.lint]` in a pyproject.toml, or `[lint]` in a
hubcarbon.toml, the nearest one to each linted file.

    [tool.hubcarbon.lint]
    select = ["ALL"]                 # codes, prefixes (HC1) or rule names; default ALL
    extend-select = []               # added to select (to the default when select is not set)
    ignore = ["HC104"]
    per-file-ignores = { "examples/**/README.md" = ["HC100", "HC200"] }
    severity = { HC100 = "error", co2-context-missing = "warning" }
    fail-on = "warning"              # error (default) | warning | info
    include = ["README.md"]          # the files a directory stands for (default README.md)
    exclude = ["README.md"]          # never lint these (e.g. a repository's own root README)

Discovery: for each linted file, from its directory upwards, the first directory holding a
hubcarbon.toml or a pyproject.toml with a `[tool.hubcarbon.lint]` table (hubcarbon.toml wins when
both are there); stdin and Hub cards use the working directory's. `--config PATH` names one file
for every input instead. Precedence, as in ruff: command-line `--select` replaces the
configuration's selection (so it can turn on a rule the configuration ignores), `--extend-select`
adds to it and `--ignore` removes from it; then `per-file-ignores`. Unknown keys, unknown rule
codes and values of the wrong type are errors (exit 2) that name them. Glob patterns (`*`, `?`,
`**/`) match the path relative to the configuration file's directory; a pattern without `/`
matches the file name in any directory, and a leading `/` anchors a pattern to the
configuration's directory (`exclude = ["/README.md"]`: the root README only). `exclude`
applies to files named on the command line too (pre-commit names every changed README.md).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from classifiers.lint.findings import Severity
from classifiers.lint.registry import RULES
from classifiers.lint.selectors import UnknownSelector, codes_of, resolve
from hubcarbon.core.errors import ConfigError

TABLE = "tool.hubcarbon.lint"
OWN_FILE = "hubcarbon.toml"
OWN_TABLE = "lint"
PYPROJECT = "pyproject.toml"
KEYS = (
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "severity",
    "fail-on",
    "include",
    "exclude",
)
DEFAULT_INCLUDE = ("README.md",)


@dataclass(frozen=True)
class Selection:
    """One layer of rule selection (the configuration's, or the command line's)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def apply(self, codes: frozenset[str]) -> frozenset[str]:
        base = resolve(self.select) if self.select is not None else codes
        return (base | resolve(self.extend_select)) - resolve(self.ignore)

    @property
    def empty(self) -> bool:
        return self.select is None and not self.extend_select and not self.ignore


@dataclass(frozen=True)
class Overrides:
    """What the command line says: a selection layer and the failing severity."""

    selection: Selection = field(default_factory=Selection)
    fail_on: Severity | None = None


@dataclass(frozen=True)
class LintConfig:
    """Which files are cards, which rules run on which file, at which severity, and what fails
    the run."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR
    root: Path | None = None
    source: str = "defaults"
    extend_select: tuple[str, ...] = ()
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    command_line: Selection = field(default_factory=Selection)
    _selected: frozenset[str] = field(init=False, repr=False, compare=False)
    _patterns: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        own = Selection(self.select, self.extend_select, self.ignore)
        try:
            selected = own.apply(frozenset(RULES.ids()))
        except UnknownSelector as exc:
            raise ConfigError(f"{self.source}: unknown rule selector {exc.selector!r}") from None
        try:
            selected = self.command_line.apply(selected)
            patterns = tuple(
                (_glob(pattern), resolve(selectors)) for pattern, selectors in self.per_file_ignores
            )
        except UnknownSelector as exc:
            where = "command line" if not self.command_line.empty else self.source
            raise ConfigError(f"{where}: unknown rule selector {exc.selector!r}") from None
        object.__setattr__(self, "_selected", selected)
        object.__setattr__(self, "_patterns", patterns)
        for code in self.severity:
            if code not in RULES:
                raise ConfigError(f"{self.source}: unknown rule {code!r} in severity")

    def enabled(self, path: str) -> frozenset[str]:
        """The codes that run on `path` (as given on the command line or relative to root)."""
        selected = self._selected
        if not self._patterns:
            return selected
        relative = self.relative(path)
        for pattern, codes in self._patterns:
            if pattern.fullmatch(relative):
                selected = selected - codes
        return selected

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)

    def is_excluded(self, path: str) -> bool:
        """True when an `exclude` glob matches the file."""
        relative = self.relative(path)
        return any(_glob(pattern).fullmatch(relative) for pattern in self.exclude)

    def is_card(self, path: str) -> bool:
        """True when a file met in a directory walk is a card to lint (`include`, not
        `exclude`)."""
        relative = self.relative(path)
        included = any(_glob(pattern).fullmatch(relative) for pattern in self.include)
        return included and not self.is_excluded(path)

    def with_overrides(
        self,
        overrides: Overrides | None = None,
        *,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        fail_on: Severity | None = None,
    ) -> LintConfig:
        """This configuration with command-line flags applied (they win)."""
        if overrides is None:
            chosen = tuple(select) if select else None
            overrides = Overrides(Selection(chosen, (), tuple(ignore)), fail_on)
        return replace(
            self,
            command_line=overrides.selection,
            fail_on=overrides.fail_on or self.fail_on,
        )

    def relative(self, path: str) -> str:
        """`path` relative to the configuration's directory, `/`-separated."""
        posix = path.replace("\\", "/")
        if self.root is None:
            return posix.removeprefix("./")
        relative = os.path.relpath(os.path.abspath(path), _absolute(self.root))  # noqa: PTH100 (no system call)
        if relative.startswith(".."):
            return posix.removeprefix("./")
        return relative.replace(os.sep, "/")


DEFAULT = LintConfig()


def _absolute(path: str | Path) -> str:
    """The absolute path without resolving symbolic links (string work, no system call)."""
    return os.path.abspath(path)  # noqa: PTH100 (no system call, unlike resolve)


def find_config_file(start: Path) -> Path | None:
    """The nearest hubcarbon.toml, or pyproject.toml with a [tool.hubcarbon.lint] table, at or
    above the directory `start`."""
    resolved = start.resolve()
    for directory in (resolved, *resolved.parents):
        found = _config_in(directory)
        if found is not None:
            return found
    return None


find_pyproject = find_config_file


def _config_in(directory: str | Path, names: Collection[str] | None = None) -> Path | None:
    """The configuration file of `directory`, if any; `names` (the directory's file names, when
    a walk listed them) spares looking for files that are not there."""
    if names is None or OWN_FILE in names:
        own = Path(directory, OWN_FILE)
        if own.is_file():
            return own
    if names is None or PYPROJECT in names:
        candidate = Path(directory, PYPROJECT)
        if candidate.is_file():
            return candidate if _lint_table(candidate) is not None else None
    return None


def load_config(path: Path | None = None, *, start: Path | None = None) -> LintConfig:
    """The configuration in `path` (a pyproject.toml or hubcarbon.toml), or discovered from
    `start` (the working directory); the defaults when none is found. ConfigError on any
    problem."""
    if path is None:
        path = find_config_file(start or Path.cwd())
        if path is None:
            return DEFAULT
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    table = _lint_table(path)
    if table is None:
        return LintConfig(root=path.parent, source=str(path))
    where = f"[{OWN_TABLE}]" if path.name == OWN_FILE else f"[{TABLE}]"
    return from_table(table, root=path.parent, source=f"{path} {where}")


class ConfigFinder:
    """The configuration of each linted file, discovered once per directory, with the command
    line's overrides applied; one fixed configuration when `--config` names it."""

    def __init__(self, explicit: Path | None = None, overrides: Overrides | None = None) -> None:
        self._overrides = overrides or Overrides()
        self._fixed = self._apply(load_config(explicit)) if explicit is not None else None
        self._by_file: dict[Path | None, LintConfig] = {}
        self._by_directory: dict[str, Path | None] = {}
        self._by_parent: dict[str, LintConfig] = {}
        self._cwd = os.getcwd()  # noqa: PTH109 (once, not per directory)

    def for_file(self, path: Path | None) -> LintConfig:
        """The configuration for a file (None: stdin or a Hub card, the working directory's)."""
        return self.for_directory(path.parent if path is not None else Path())

    def for_directory(
        self, directory: str | Path, names: Collection[str] | None = None
    ) -> LintConfig:
        """The configuration of the files in `directory`; `names`, the directory's file names
        when a walk has listed them, spares looking there for files that are not there."""
        if self._fixed is not None:
            return self._fixed
        key = os.fspath(directory)
        config = self._by_parent.get(key)
        if config is None:
            absolute = os.path.normpath(os.path.join(self._cwd, key))  # noqa: PTH118 (os.walk's strings)
            found = self._nearest(absolute, names)
            if found not in self._by_file:
                loaded = load_config(found) if found is not None else DEFAULT
                self._by_file[found] = self._apply(loaded)
            config = self._by_parent[key] = self._by_file[found]
        return config

    def _nearest(self, directory: str, names: Collection[str] | None) -> Path | None:
        """The configuration file for `directory` (absolute, normalised), looked for upwards
        from it through the directories not seen yet."""
        walked: list[str] = []
        found: Path | None = None
        candidate = directory
        while True:
            if candidate in self._by_directory:
                found = self._by_directory[candidate]
                break
            walked.append(candidate)
            found = _config_in(candidate, names if candidate is directory else None)
            parent = os.path.dirname(candidate)  # noqa: PTH120 (strings, as the cache keys)
            if found is not None or parent == candidate:
                break
            candidate = parent
        for seen in walked:
            self._by_directory[seen] = found
        return found

    def _apply(self, config: LintConfig) -> LintConfig:
        return config.with_overrides(self._overrides)


def from_table(table: Mapping[str, object], *, root: Path | None, source: str) -> LintConfig:
    """Validate a `[tool.hubcarbon.lint]` table."""
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        known = ", ".join(KEYS)
        names = ", ".join(repr(k) for k in unknown)
        raise ConfigError(f"{source}: unknown key(s) {names}; known keys: {known}")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{source}: 'per-file-ignores' should be a table of glob = [rules]")
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{source}: 'severity' should be a table of rule = level")
    return LintConfig(
        select=_strings(table.get("select", ["ALL"]), "select", source),
        extend_select=_strings(table.get("extend-select", []), "extend-select", source),
        ignore=_strings(table.get("ignore", []), "ignore", source),
        per_file_ignores=tuple(
            (str(pattern), _strings(rules, f"per-file-ignores.{pattern!r}", source))
            for pattern, rules in per_file.items()
        ),
        severity=_severities(severity, source),
        fail_on=_level(table.get("fail-on", "error"), "fail-on", source),
        include=_globs(table.get("include", list(DEFAULT_INCLUDE)), "include", source),
        exclude=_globs(table.get("exclude", []), "exclude", source),
        root=root,
        source=source,
    )


def _lint_table(path: Path) -> dict[str, object] | None:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    name = OWN_TABLE if path.name == OWN_FILE else TABLE
    table: object = data
    for part in name.split("."):
        table = table.get(part) if isinstance(table, dict) else None
    if table is None:
        return {} if path.name == OWN_FILE else None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] should be a table")
    return table


def _strings(value: object, key: str, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: {key!r} should be a list of rule codes or names")
    return tuple(value)


def _globs(value: object, key: str, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{source}: {key!r} should be a list of glob patterns")
    return tuple(value)


def _level(value: object, key: str, source: str) -> Severity:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return Severity(value.lower())
    except ValueError:
        raise ConfigError(
            f"{source}: {key!r} should be one of error, warning, info (got {value!r})"
        ) from None


def _severities(table: Mapping[str, object], source: str) -> dict[str, Severity]:
    levels: dict[str, Severity] = {}
    for selector, value in table.items():
        try:
            codes = codes_of(selector)
        except UnknownSelector:
            raise ConfigError(f"{source}: unknown rule {selector!r} in 'severity'") from None
        level = _level(value, f"severity.{selector}", source)
        levels.update(dict.fromkeys(codes, level))
    return levels


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """A glob as a regex: `**/` any directories (or none), `*` within a segment, `?` one char;
    a pattern without `/` matches the file name in any directory (as in ruff), and a leading
    `/` anchors it to the configuration's directory."""
    posix = pattern.replace("\\", "/").removeprefix("./")
    if posix.startswith("/"):
        return re.compile(_translate(posix.lstrip("/")))
    if "/" not in posix:
        return re.compile("(?:.*/)?" + _translate(posix))
    return re.compile(_translate(posix))


def _translate(posix: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(posix):
        if posix.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif posix.startswith("**", i):
            out.append(".*")
            i += 2
        elif posix[i] == "*":
            out.append("[^/]*")
            i += 1
        elif posix[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(posix[i]))
            i += 1
    return "".join(out)
