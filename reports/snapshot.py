"""Facts about the embedded Hub snapshot, read from its data README (`mining/snapshot/data`), for
the report's data-provenance section."""

from __future__ import annotations

import re
from importlib import resources

EMBEDDED = "hub_snapshot.parquet"
_MARKUP = re.compile(r"\*\*|`")


def snapshot_facts(run_snapshot: str | None) -> list[tuple[str, str]]:
    """(fact, value) rows: the README's summary table and each source's date and licence, when
    the run crawled the embedded snapshot; nothing for other sources."""
    if not run_snapshot or not run_snapshot.startswith(EMBEDDED):
        return []
    try:
        text = resources.files("mining.snapshot.data").joinpath("README.md").read_text("utf-8")
    except (OSError, ModuleNotFoundError):
        return []
    tables = _tables(text)
    facts = [(row[0], row[1]) for row in tables.get("", []) if len(row) >= 2 and row[0]]
    for row in tables.get("source", []):
        if len(row) >= 4:
            name = row[0].split(":", 1)[0].split(" ", 1)[0]
            facts.append((f"source {name}", f"{row[2]}; licence: {row[3]}"))
    return facts


def _tables(text: str) -> dict[str, list[list[str]]]:
    """Markdown pipe tables keyed by their first header cell (rows without the header)."""
    tables: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            current = None
            continue
        cells = [_MARKUP.sub("", cell).strip() for cell in line.strip().strip("|").split("|")]
        if current is None:
            current = tables.setdefault(cells[0], [])
        elif not all(set(cell) <= {"-", ":"} for cell in cells):
            current.append(cells)
    return tables
