"""What every output format renders: the findings of each file linted, as they come, then a
summary. A format is a `Writer`: `start()`, `file(report)` for each file in turn, `finish(tally)`;
each returns the text to write at once, so a corpus is linted without holding it."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from classifiers.lint.findings import Finding, Fixable, Severity


@dataclass(frozen=True)
class FileReport:
    """One linted file: its display path (repository-relative, `/`-separated), its findings,
    and its text (for code frames; None when unavailable)."""

    path: str
    findings: Sequence[Finding]
    text: str | None = None


@dataclass
class Tally:
    """Running counts over the files written so far: the summary every format ends with."""

    files: int = 0
    severities: Counter[Severity] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    files_by_rule: Counter[str] = field(default_factory=Counter)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    fixable: Counter[Fixable] = field(default_factory=Counter)

    def add(self, file: FileReport) -> None:
        self.files += 1
        for finding in file.findings:
            self.severities[finding.severity] += 1
            self.rules[finding.code] += 1
            self.names[finding.code] = (finding.name, str(finding.severity))
            if finding.fixable is not None:
                self.fixable[finding.fixable] += 1
        self.files_by_rule.update({f.code for f in file.findings})

    @property
    def findings(self) -> int:
        return sum(self.severities.values())

    def summary(self) -> dict[str, int]:
        return {
            "files": self.files,
            "errors": self.severities[Severity.ERROR],
            "warnings": self.severities[Severity.WARNING],
            "infos": self.severities[Severity.INFO],
        }


@dataclass(frozen=True)
class Options:
    """How to render: in colour, without the summary (`--quiet`), counting unsafe fixes as
    available (`--unsafe-fixes`)."""

    color: bool = False
    quiet: bool = False
    unsafe_fixes: bool = False


class Writer(Protocol):
    def start(self) -> str: ...

    def file(self, file: FileReport) -> str: ...

    def finish(self, tally: Tally) -> str: ...


@dataclass(frozen=True)
class Report:
    """A whole report in memory (tests, small runs); `render` streams it through a format."""

    files: Sequence[FileReport] = field(default_factory=list)

    def tally(self) -> Tally:
        tally = Tally()
        for file in self.files:
            tally.add(file)
        return tally

    def summary(self) -> dict[str, int]:
        return self.tally().summary()

    def findings(self) -> Iterator[tuple[FileReport, Finding]]:
        for file in self.files:
            for finding in file.findings:
                yield file, finding


@dataclass(frozen=True)
class Format:
    """An output format: its name, how to make its writer, its documentation, and whether it
    shows the cards' text (so reports must carry it)."""

    name: str
    writer: Callable[[Options], Writer]
    doc: str = ""
    reads_text: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "__doc__", self.doc)


def fingerprints(file: FileReport) -> list[str]:
    """A stable fingerprint per finding: a hash of the code, the path and the YAML key path (or
    body anchor) with its occurrence number, so it survives lines moving."""
    seen: Counter[tuple[str, str]] = Counter()
    prints = []
    for finding in file.findings:
        key = (finding.code, finding.anchor or finding.message)
        seen[key] += 1
        material = "\0".join((finding.code, file.path, key[1], str(seen[key])))
        prints.append(hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32])
    return prints


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
