"""What a lint rule reports: a finding with its severity, position and fix kind.

Severity only affects the exit code and the presentation (`--fail-on`); the reporting grades
work on the raw findings. Positions are 1-based lines and columns in the original file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mining.cards.text import Position


class Severity(StrEnum):
    """`error` > `warning` > `info`; SARIF calls info `note`, GitHub calls it `notice`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    def at_least(self, threshold: Severity) -> bool:
        return self.rank >= threshold.rank


class Fixable(StrEnum):
    """How a finding can be fixed: `safe` fixes apply with `--fix`, `unsafe` ones also need
    `--unsafe-fixes` (they add information the author must check)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Problem:
    """What a rule's check yields: where, what, and (for stable SARIF fingerprints) the YAML key
    path or body anchor it concerns. `position` None means the start of the file."""

    position: Position | None
    message: str
    anchor: str = ""


@dataclass(frozen=True)
class Finding:
    """One finding in one file: the rule's code and name, the effective severity, where, what,
    and whether `--fix` (`safe`) or `--unsafe-fixes` (`unsafe`) can fix it (None: by hand)."""

    code: str
    name: str
    severity: Severity
    line: int
    column: int
    message: str
    fixable: Fixable | None = None
    anchor: str = ""

    def as_dict(self) -> dict[str, object]:
        """The finding as the JSON format writes it (a stable, versioned interface)."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "fixable": str(self.fixable) if self.fixable else None,
        }
