"""Where and when the site's data was collected: facts about the embedded Hub snapshot, read from
its data README (`mining/snapshot/data`), and the provenance line every page's header shows.

A crawl of a snapshot runs against a mirror on a loopback port, and a crawl of a private mirror
against an internal address: neither is a place a reader can visit, so the site never prints such
an address (`public_endpoint`)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from reports.database import RunInfo

EMBEDDED = "hub_snapshot.parquet"
CARDS_SOURCE = "hf_modelcards_2023"  # the source of the README texts: the snapshot's Hub date
LOCAL_MIRROR = "a local mirror"
_MARKUP = re.compile(r"\*\*|`")


@dataclass(frozen=True)
class Collected:
    """When and where the data of a crawl run was collected, as the header states it."""

    hub_as_of: str  # "April 2023" for the embedded snapshot; the crawl day for a live Hub
    crawled_on: str  # YYYY-MM-DD the run started
    source: str  # "the embedded snapshot", a public endpoint URL, or a snapshot file name

    @property
    def sentence(self) -> str:
        """`Hub data as of April 2023, crawled on 2025-01-02 from the embedded snapshot.`"""
        return f"Hub data as of {self.hub_as_of}, crawled on {self.crawled_on} from {self.source}."


def collected(run: RunInfo) -> Collected:
    """The provenance of `run`: the embedded snapshot's date (its README's card source), or, for
    a live Hub, the crawl's own day; the source named without any loopback or private address."""
    crawled_on = run.started_at[:10] or "an unknown day"
    if is_embedded(run.snapshot):
        return Collected(_embedded_date(), crawled_on, "the embedded snapshot")
    if run.snapshot:
        name = run.snapshot.split(" ", 1)[0]
        return Collected("the snapshot's date", crawled_on, f"the snapshot file {name}")
    return Collected(crawled_on, crawled_on, public_endpoint(run.endpoint))


def public_endpoint(endpoint: str) -> str:
    """`endpoint` when a reader could visit it; LOCAL_MIRROR for a loopback, private, link-local
    or unparsable address (never the address itself)."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
    except ValueError:
        return LOCAL_MIRROR
    if parts.scheme not in ("http", "https") or not host or _is_local(host):
        return LOCAL_MIRROR
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}".rstrip("/")


def public_source(crawl_source: str) -> str:
    """A history's crawl source (`snapshot <name> sha256:...` or an endpoint URL) as the site
    may print it: a snapshot as is, an endpoint through `public_endpoint`."""
    return crawl_source if crawl_source.startswith("snapshot ") else public_endpoint(crawl_source)


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_unspecified
        or address.is_reserved
    )


def is_embedded(run_snapshot: str | None) -> bool:
    """True when the run crawled the embedded snapshot: its name and its hash as the README
    states it (a renamed copy of another file is not the embedded snapshot)."""
    if not run_snapshot or not run_snapshot.startswith(EMBEDDED + " "):
        return False
    stated = next((value for fact, value in _summary() if fact == "sha256"), "")
    digest = run_snapshot.rsplit("sha256:", 1)[-1]
    return bool(stated) and bool(digest) and stated.startswith(digest)


def snapshot_facts(run_snapshot: str | None) -> list[tuple[str, str]]:
    """(fact, value) rows: the README's summary table and each source's date and licence, when
    the run crawled the embedded snapshot; nothing for other sources."""
    if not is_embedded(run_snapshot):
        return []
    facts = list(_summary())
    for name, date, licence in _sources():
        facts.append((f"source {name}", f"{date}; licence: {licence}"))
    return facts


def snapshot_licences(run_snapshot: str | None) -> list[tuple[str, str]]:
    """(source, licence) per source of the embedded snapshot; nothing for other sources."""
    if not is_embedded(run_snapshot):
        return []
    return [(name, licence) for name, _, licence in _sources()]


def _embedded_date() -> str:
    dates = {name: date for name, date, _ in _sources()}
    return dates.get(CARDS_SOURCE, "an unknown date")


def _summary() -> list[tuple[str, str]]:
    rows = _tables(_readme()).get("", [])
    return [(row[0], row[1]) for row in rows if len(row) >= 2 and row[0]]


def _sources() -> list[tuple[str, str, str]]:
    """(name, date, licence) per source of the snapshot."""
    out = []
    for row in _tables(_readme()).get("source", []):
        if len(row) >= 4:
            out.append((row[0].split(":", 1)[0].split(" ", 1)[0], row[2], row[3]))
    return out


@cache
def _readme() -> str:
    try:
        return resources.files("mining.snapshot.data").joinpath("README.md").read_text("utf-8")
    except (OSError, ModuleNotFoundError):
        return ""


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
