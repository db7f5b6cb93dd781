"""Lint configuration: `[tool.hubcarbon.lint]` of the nearest pyproject.toml.

    [tool.hubcarbon.lint]
    select = ["ALL"]                 # codes, prefixes (HC1) or rule names; default ALL
    ignore = ["HC104"]
    per-file-ignores = { "examples/**/README.md" = ["HC100", "HC200"] }
    severity = { HC100 = "error", co2-context-missing = "warning" }
    fail-on = "warning"              # error (default) | warning | info

Discovery: from the working directory upwards, the first pyproject.toml that has a
`[tool.hubcarbon.lint]` table; `--config PATH` names one instead. Precedence: command-line flags
> that table > defaults. Unknown keys, unknown rule codes and values of the wrong type are errors
(exit 2) that name them. `per-file-ignores` patterns are globs (`*`, `?`, `**/`) matched against
the path relative to the directory of the pyproject.toml.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from classifiers.lint.findings import Severity
from classifiers.lint.registry import RULES
from classifiers.lint.selectors import UnknownSelector, codes_of, resolve
from hubcarbon.core.errors import ConfigError

TABLE = "tool.hubcarbon.lint"
KEYS = ("select", "ignore", "per-file-ignores", "severity", "fail-on")


@dataclass(frozen=True)
class LintConfig:
    """Which rules run on which file, at which severity, and what fails the run."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR
    root: Path | None = None
    source: str = "defaults"
    _selected: frozenset[str] = field(init=False, repr=False, compare=False)
    _patterns: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        try:
            selected = resolve(self.select) - resolve(self.ignore)
            patterns = tuple(
                (_glob(pattern), resolve(selectors)) for pattern, selectors in self.per_file_ignores
            )
        except UnknownSelector as exc:
            raise ConfigError(f"{self.source}: unknown rule selector {exc.selector!r}") from None
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
        relative = self._relative(path)
        for pattern, codes in self._patterns:
            if pattern.fullmatch(relative):
                selected = selected - codes
        return selected

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)

    def with_overrides(
        self,
        *,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        fail_on: Severity | None = None,
    ) -> LintConfig:
        """This configuration with command-line flags applied (they win)."""
        return LintConfig(
            select=tuple(select) if select else self.select,
            ignore=(*self.ignore, *ignore),
            per_file_ignores=self.per_file_ignores,
            severity=self.severity,
            fail_on=fail_on or self.fail_on,
            root=self.root,
            source="command line" if select or ignore else self.source,
        )

    def _relative(self, path: str) -> str:
        posix = path.replace("\\", "/")
        if self.root is None:
            return posix.removeprefix("./")
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, OSError):
            return posix.removeprefix("./")


DEFAULT = LintConfig()


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.hubcarbon.lint] table."""
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _lint_table(candidate) is not None:
            return candidate
    return None


def load_config(path: Path | None = None, *, start: Path | None = None) -> LintConfig:
    """The configuration in `path` (a pyproject.toml), or discovered from `start` (the working
    directory); the defaults when none is found. ConfigError on any problem."""
    if path is None:
        path = find_pyproject(start or Path.cwd())
        if path is None:
            return DEFAULT
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    table = _lint_table(path)
    if table is None:
        return LintConfig(root=path.parent, source=str(path))
    return from_table(table, root=path.parent, source=f"{path} [{TABLE}]")


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
        ignore=_strings(table.get("ignore", []), "ignore", source),
        per_file_ignores=tuple(
            (str(pattern), _strings(rules, f"per-file-ignores.{pattern!r}", source))
            for pattern, rules in per_file.items()
        ),
        severity=_severities(severity, source),
        fail_on=_level(table.get("fail-on", "error"), "fail-on", source),
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
    table: object = data
    for part in TABLE.split("."):
        table = table.get(part) if isinstance(table, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{TABLE}] should be a table")
    return table


def _strings(value: object, key: str, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: {key!r} should be a list of rule codes or names")
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
    """A glob as a regex: `**/` any directories (or none), `*` within a segment, `?` one char."""
    posix = pattern.replace("\\", "/").removeprefix("./")
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
    if "/" not in posix:  # a bare file name matches in any directory, as in ruff
        return re.compile("(?:.*/)?" + "".join(out))
    return re.compile("".join(out))
