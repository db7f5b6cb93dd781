"""What every output format renders: the findings of each file linted, and their summary."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from classifiers.lint.findings import Finding, Severity


@dataclass(frozen=True)
class FileReport:
    """One linted file: its display path (repository-relative, `/`-separated), its findings,
    and its text (for code frames; None when unavailable)."""

    path: str
    findings: Sequence[Finding]
    text: str | None = None


@dataclass(frozen=True)
class Report:
    files: Sequence[FileReport] = field(default_factory=list)

    def counts(self) -> Counter[Severity]:
        return Counter(f.severity for file in self.files for f in file.findings)

    def summary(self) -> dict[str, int]:
        counts = self.counts()
        return {
            "files": len(self.files),
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "infos": counts[Severity.INFO],
        }

    def findings(self) -> Iterator[tuple[FileReport, Finding]]:
        for file in self.files:
            for finding in file.findings:
                yield file, finding


@dataclass(frozen=True)
class Format:
    """An output format: its name and the function rendering a report as text."""

    name: str
    render: Callable[[Report], str]
    doc: str = ""

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
