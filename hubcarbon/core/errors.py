"""The typed error hierarchy. The CLI turns each into one actionable line and an exit code.

Bad input from a model card is never an exception: it is a finding or a parse status stored with
the row. These errors are for the user's own mistakes (flags, files, configuration) and for
conditions the program cannot work around (an unreachable endpoint, a corrupt snapshot).
"""

from __future__ import annotations


class HubcarbonError(Exception):
    """Base class: a known failure with a message meant for the user."""

    exit_code = 2


class ConfigError(HubcarbonError):
    """Bad configuration or command-line usage."""


class InputError(HubcarbonError):
    """A file the user named is missing, unreadable or malformed."""


class SnapshotError(HubcarbonError):
    """The snapshot file is missing or not in the expected format."""


class CrawlError(HubcarbonError):
    """The crawl cannot go on (endpoint unreachable, retries exhausted, a wait too long). The
    crawl is saved: the same command resumes it, hence its own exit code."""

    exit_code = 3


class StoreError(HubcarbonError):
    """The DuckDB database is missing, locked, or lacks the data a stage needs."""
