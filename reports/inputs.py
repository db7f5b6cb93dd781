"""The inputs of the site, and how an absent one is shown: never a crash, always a visible note.

The site reads the crawl tables (required), the classifiers' tables, findings.json and
replication.json (each optional: the page says what is missing and which command computes it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Missing:
    """An input that does not exist yet: what it is and the command that computes it."""

    what: str
    command: str | None
    detail: str = ""

    @property
    def message(self) -> str:
        """One line for the page and the CLI summary."""
        extra = f" ({self.detail})" if self.detail else ""
        if self.command is None:
            return f"{self.what}: not available{extra}"
        return f"{self.what}: not computed: run `{self.command}`{extra}"
