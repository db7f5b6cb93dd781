"""HTTP to a Hub (the live one or the loopback mirror) through huggingface_hub's own session.

Requests go through `huggingface_hub.utils.http_backoff` (which retries 429 honouring `RateLimit`
and `Retry-After`, 5xx, timeouts and dropped or truncated connections) and
`hf_raise_for_status` (typed errors). The listing is paged here rather than through
`HfApi.list_models`, because the library hides the cursor and a resumable crawl must checkpoint
it. Every request first spends from the client-side `RequestBudget` of its rate-limit bucket.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlencode, urljoin, urlsplit

from huggingface_hub import get_hf_file_metadata
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import (
    build_hf_headers,
    hf_raise_for_status,
    http_backoff,
    http_stream_backoff,
    httpx,
)

from mining.crawl.budget import RequestBudget

LISTING_EXPAND = (
    "author",
    "createdAt",
    "downloads",
    "gated",
    "lastModified",
    "library_name",
    "likes",
    "pipeline_tag",
    "safetensors",
    "sha",
    "siblings",
    "tags",
)

# Failures worth recording and moving past: the request reached the Hub (or gave up after every
# retry) and the answer concerns this one repository.
NETWORK_ERRORS: tuple[type[Exception], ...] = (
    HfHubHTTPError,
    httpx.HTTPError,
    OSError,
)


@dataclass(frozen=True)
class ListingQuery:
    """The server-side part of a listing: which models, in which stable order."""

    co2_only: bool = False
    author: str | None = None
    page_size: int = 1000
    card_data: bool = False  # only worth its bytes when the READMEs themselves are not fetched

    def first_page_path(self) -> str:
        params: list[tuple[str, str]] = [("sort", "createdAt"), ("limit", str(self.page_size))]
        if self.co2_only:
            params.append(("filter", "co2_eq_emissions"))
        if self.author:
            params.append(("author", self.author))
        params.extend(("expand", prop) for prop in LISTING_EXPAND)
        if self.card_data:
            params.append(("expand", "cardData"))
        return "/api/models?" + urlencode(params)


MAX_LISTING_BYTES = 64 << 20
"""Largest listing page read (a page of 1,000 models with cardData is a few MB on the Hub)."""


class OversizedBody(ValueError):
    """A reply body larger than the cap: refused before it is read whole."""


@dataclass(frozen=True)
class Page:
    body: Path  # the file holding the JSON array as served, read by DuckDB where it is stored
    next_path: str | None  # relative to the endpoint, so a checkpoint survives a new mirror port
    refused_link: str | None = None  # a `next` Link to another host: not followed, said why


@dataclass(frozen=True)
class CardFetch:
    """The outcome of fetching one README: ok with its text, or a recorded failure."""

    status: str  # ok | missing | gated | not_found | error
    text: str | None = None
    etag: str | None = None
    commit: str | None = None
    error: str | None = None


@dataclass
class HubClient:
    """One Hub endpoint, its token (kept in memory only) and its request budgets."""

    endpoint: str
    token: str | bool = False
    api_budget: RequestBudget = field(default_factory=lambda: RequestBudget(None))
    resolver_budget: RequestBudget = field(default_factory=lambda: RequestBudget(None))
    timeout: float = 30.0
    max_retries: int = 8
    base_wait: float = 1.0
    max_listing_bytes: int = MAX_LISTING_BYTES

    def __post_init__(self) -> None:
        self.endpoint = self.endpoint.rstrip("/")
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)

    def _headers(self) -> dict[str, str]:
        return build_hf_headers(token=self.token)

    def _get(self, url: str, budget: RequestBudget) -> httpx.Response:
        budget.spend()
        return http_backoff(
            "GET",
            url,
            headers=self._headers(),
            timeout=self.timeout,
            max_retries=self.max_retries,
            base_wait_time=self.base_wait,
        )

    def list_page(self, path: str, into: Path) -> Page:
        """Fetch one listing page into the file `into`; raises the library's typed errors once
        retries are spent, and OversizedBody past `max_listing_bytes`. The body is written as it
        arrives, its size counted, and not parsed here: the store reads the file
        (`mining.crawl.listing`). A `next` Link to another host than the endpoint is refused
        (the token goes nowhere else)."""
        url = urljoin(self.endpoint + "/", path.lstrip("/"))
        for attempt in range(self.max_retries + 1):
            self.api_budget.spend()
            cut_short: httpx.TransportError | None = None
            # nothing may be raised inside the block: the library's generator would retry it
            with http_stream_backoff(
                "GET",
                url,
                headers=self._headers(),
                timeout=self.timeout,
                max_retries=self.max_retries,
                base_wait_time=self.base_wait,
            ) as response:
                try:
                    with into.open("wb") as body:
                        oversized = _read_capped(response, body, self.max_listing_bytes)
                except httpx.TransportError as exc:  # a body cut short or stalled
                    cut_short = exc
                links, failed = response.links, response.is_error
            if cut_short is None:
                break
            if attempt == self.max_retries:
                raise cut_short
            time.sleep(min(self.base_wait * 2**attempt, 8.0))
        if oversized is not None:
            raise OversizedBody(oversized)
        if failed:
            hf_raise_for_status(_with_body(response, into))
        next_url = links.get("next", {}).get("url")
        if not next_url:
            return Page(into, None)
        target = urljoin(url, next_url)
        if _origin(target) != _origin(self.endpoint):
            scheme, host, port = _origin(target)
            shown = f"{scheme}://{host}:{port}"
            refused = f"the next-page Link points at another host ({shown!a}); not followed"
            return Page(into, None, refused_link=refused)
        return Page(into, _path_of(target))

    def resolve_url(self, model_id: str, filename: str, revision: str | None) -> str:
        """The /resolve/ URL of a file. Built here rather than with `hf_hub_url`, which refuses
        legacy ids the Hub still serves (e.g. names containing `--`)."""
        return (
            f"{self.endpoint}/{quote(model_id, safe='/')}/resolve/"
            f"{quote(revision or 'main', safe='')}/{quote(filename, safe='/')}"
        )

    def card_data(self, model_id: str) -> dict[str, Any] | None:
        """The Hub's cardData of one model (readable even where the README download is gated);
        None when the Hub has none or the request fails."""
        url = f"{self.endpoint}/api/models/{quote(model_id, safe='/')}?expand=cardData"
        try:
            response = self._get(url, self.api_budget)
            hf_raise_for_status(response)
            data = response.json().get("cardData")
        except (HfHubHTTPError, httpx.HTTPError, OSError, ValueError, AttributeError):
            return None
        return data if isinstance(data, dict) else None

    def fetch_readme(self, model_id: str, revision: str | None) -> CardFetch:
        """GET the README at `revision` (the listing's commit when known, else main)."""
        url = self.resolve_url(model_id, "README.md", revision)
        try:
            response = self._get(url, self.resolver_budget)
            hf_raise_for_status(response)
        except GatedRepoError as exc:
            return CardFetch("gated", error=_one_line(exc))
        except RemoteEntryNotFoundError:
            return CardFetch("missing", error="the repository has no README.md")
        except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
            return CardFetch("not_found", error=_one_line(exc))
        except NETWORK_ERRORS as exc:
            return CardFetch("error", error=f"{type(exc).__name__}: {_one_line(exc)}")
        return CardFetch(
            "ok",
            text=response.content.decode("utf-8", errors="replace"),
            etag=(response.headers.get("etag") or "").strip('"') or None,
            commit=response.headers.get("x-repo-commit"),
        )

    def file_size(self, model_id: str, filename: str, revision: str | None) -> int | None:
        """Size in bytes of a repository file from a HEAD request, as the paper measured
        `pytorch_model.bin`; None when the Hub does not say or the request fails."""
        url = self.resolve_url(model_id, filename, revision)
        self.resolver_budget.spend()
        try:
            metadata = get_hf_file_metadata(
                url, token=self.token, timeout=self.timeout, retry_on_errors=True
            )
        except NETWORK_ERRORS:
            return None
        return metadata.size


def _read_capped(response: httpx.Response, into: BinaryIO, cap: int) -> str | None:
    """Write the body chunk by chunk into `into` (never held whole in memory), at most `cap`
    bytes; returns why it stopped short when the body is over the cap."""
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > cap:
        return f"the reply announces {int(announced):,} bytes, over the {cap:,} cap"
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            return f"the reply exceeds the {cap:,}-byte cap"
        into.write(chunk)
    return None


def _with_body(response: httpx.Response, body: Path) -> httpx.Response:
    """A streamed error reply with its (capped) body, for `hf_raise_for_status` to read."""
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=body.read_bytes(),
        request=response.request,
    )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:  # a port that is not a number
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:500]
