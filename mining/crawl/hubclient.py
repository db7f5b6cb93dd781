"""HTTP to a Hub (the live one or the loopback mirror) through huggingface_hub's own session.

Every request goes through huggingface_hub's shared session (`get_session`) and
`hf_raise_for_status` (typed errors), and is bounded:

- one overall deadline per request, retries and body included (`request_deadline`);
- retries of 408/429/5xx and dropped connections with exponential backoff, honouring the Hub's
  `RateLimit` (parsed by `huggingface_hub.utils.parse_ratelimit_headers`) and `Retry-After`, but
  never waiting longer than `max_rate_wait`: a longer wait raises `HubUnavailable`;
- `connect_tries` failed connections in a row raise `HubUnavailable` at once (no endpoint);
- bodies are read as a stream against the deadline and a byte cap, and held once (a listing
  page is not held at all: it is written to a file as it arrives, for DuckDB to read).

The retry loop is ours rather than `http_backoff`'s because that one has no deadline and sleeps
for whatever `Retry-After` says. Whatever the server sends back (error text, headers) is redacted
(`hubcarbon.core.redact`) before it leaves this module. Ids are checked with
`huggingface_hub.utils.validate_repo_id` before they become URLs, and every path segment is
quoted. The listing is paged here rather than through `HfApi.list_models`, because the library
hides the cursor and a resumable crawl must checkpoint it; a `next` Link to another host than
the endpoint is not followed (the token goes nowhere else).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import quote, urlencode, urljoin, urlsplit

from huggingface_hub import get_hf_file_metadata
from huggingface_hub.errors import (
    DisabledRepoError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import (
    build_hf_headers,
    get_session,
    hf_raise_for_status,
    httpx,
    parse_ratelimit_headers,
    validate_repo_id,
)

from hubcarbon.core.redact import redact, redact_exact
from mining.crawl.budget import DEFAULT_API_BUDGET, DEFAULT_RESOLVER_BUDGET, RequestBudget
from mining.crawl.failures import Cancelled, ErrorKind, HubUnavailable, RequestFailed

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

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_REQUEST_DEADLINE = 60.0
# The Hub's rate-limit window is 5 minutes: a wait up to one window (plus a margin) is honoured.
DEFAULT_MAX_RATE_WAIT = 330.0
DEFAULT_MAX_CARD_BYTES = 16 << 20
# Largest listing page read (a page of 1,000 models with cardData is a few MB on the Hub).
MAX_LISTING_BYTES = 64 << 20
METADATA_BYTES = 16 << 20
ERROR_BODY_BYTES = 64 << 10
MESSAGE_CHARS = 500

T = TypeVar("T")


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


@dataclass(frozen=True)
class Page:
    body: Path  # the file holding the JSON array as served, read by DuckDB where it is stored
    next_path: str | None  # relative to the endpoint, so a checkpoint survives a new mirror port
    refused_link: str | None = None  # a `next` Link to another host: not followed, said why


@dataclass(frozen=True)
class CardFetch:
    """The outcome of fetching one README: ok with its text, or a recorded failure (`kind` says
    which, for `status == "error"`)."""

    status: str  # ok | missing | gated | not_found | error
    text: str | None = None
    etag: str | None = None
    commit: str | None = None
    error: str | None = None
    kind: ErrorKind | None = None

    @classmethod
    def failed(cls, failure: RequestFailed) -> CardFetch:
        return cls("error", error=str(failure), kind=failure.kind)


@dataclass(frozen=True)
class _Body:
    headers: httpx.Headers
    data: bytearray


@dataclass
class HubClient:
    """One Hub endpoint, its token (kept in memory only) and its request budgets (by default
    below the live Hub's anonymous limits; a loopback snapshot passes `RequestBudget(None)`)."""

    endpoint: str
    token: str | bool = False
    api_budget: RequestBudget = field(default_factory=lambda: RequestBudget(DEFAULT_API_BUDGET))
    resolver_budget: RequestBudget = field(
        default_factory=lambda: RequestBudget(DEFAULT_RESOLVER_BUDGET)
    )
    timeout: float = 30.0  # per connect and per read
    max_retries: int = 8
    base_wait: float = 1.0
    max_backoff: float = 8.0
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    max_rate_wait: float = DEFAULT_MAX_RATE_WAIT
    max_card_bytes: int = DEFAULT_MAX_CARD_BYTES
    max_listing_bytes: int = MAX_LISTING_BYTES
    connect_tries: int = 3
    _cancelled: threading.Event = field(default_factory=threading.Event, repr=False)

    def __post_init__(self) -> None:
        self.endpoint = self.endpoint.rstrip("/")
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)

    def cancel(self) -> None:
        """Stop every request in flight at its next step (Ctrl-C): no more retries or waits."""
        self._cancelled.set()
        self.api_budget.cancel()
        self.resolver_budget.cancel()

    # -- the listing ----------------------------------------------------------------------------

    def list_page(self, path: str, into: Path) -> Page:
        """Fetch one listing page into the file `into` (written as it arrives, never held in
        memory, at most `max_listing_bytes`: `RequestFailed(TOO_LARGE)` past that); raises
        `RequestFailed` or `HubUnavailable` once retries are spent. The body is not parsed here:
        the store reads the file (`mining.crawl.listing`)."""
        url = urljoin(self.endpoint + "/", path.lstrip("/"))
        try:
            headers = self._download(url, self.api_budget, into, self.max_listing_bytes)
        except HfHubHTTPError as exc:
            raise self._failure(exc) from None
        next_url = httpx.Response(200, headers=headers).links.get("next", {}).get("url")
        if not next_url:
            return Page(into, None)
        target = urljoin(url, next_url)
        if _origin(target) != _origin(self.endpoint):
            scheme, host, port = _origin(target)
            shown = self.redact(f"{scheme}://{host}:{port}")
            refused = f"the next-page Link points at another host ({shown!a}); not followed"
            return Page(into, None, refused_link=refused)
        return Page(into, _path_of(target))

    # -- one repository -------------------------------------------------------------------------

    def resolve_url(self, model_id: str, filename: str, revision: str | None) -> str:
        """The /resolve/ URL of a file, every segment quoted. Built here rather than with
        `hf_hub_url`, to quote the revision too."""
        return (
            f"{self.endpoint}/{quote(model_id, safe='/')}/resolve/"
            f"{quote(revision or 'main', safe='')}/{quote(filename, safe='/')}"
        )

    def card_data(self, model_id: str) -> dict[str, Any] | None:
        """The Hub's cardData of one model (readable even where the README download is gated);
        None when the Hub has none or the request fails."""
        if invalid_id(model_id) is not None:
            return None
        url = f"{self.endpoint}/api/models/{quote(model_id, safe='/')}?expand=cardData"
        try:
            answer = self._get(url, self.api_budget, METADATA_BYTES)
            text = redact_exact(answer.data.decode("utf-8", errors="replace"), self._secrets())
            data = json.loads(text).get("cardData")
        except (HfHubHTTPError, RequestFailed, ValueError, AttributeError):
            return None
        return data if isinstance(data, dict) else None

    def fetch_readme(self, model_id: str, revision: str | None) -> CardFetch:
        """GET the README at `revision` (the listing's commit when known, else main)."""
        problem = invalid_id(model_id)
        if problem is not None:
            return CardFetch("error", error=problem, kind=ErrorKind.INVALID_ID)
        url = self.resolve_url(model_id, "README.md", revision)
        try:
            answer = self._get(url, self.resolver_budget, self.max_card_bytes)
        except GatedRepoError as exc:
            return CardFetch("gated", error=self.redact(exc))
        except RemoteEntryNotFoundError:
            return CardFetch("missing", error="the repository has no README.md")
        except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
            return CardFetch("not_found", error=self.redact(exc))
        except HfHubHTTPError as exc:
            return CardFetch.failed(self._failure(exc))
        except RequestFailed as failure:
            return CardFetch.failed(failure)
        text = answer.data.decode("utf-8", errors="replace")
        del answer.data[:]  # the bytes go as soon as the text exists: a card is held once
        return CardFetch(
            "ok",
            text=redact_exact(text, self._secrets()),
            etag=self._clean_header(answer.headers.get("etag"), strip='"'),
            commit=self._clean_header(answer.headers.get("x-repo-commit")),
        )

    def file_size(self, model_id: str, filename: str, revision: str | None) -> int | None:
        """Size in bytes of a repository file from a HEAD request, as the paper measured
        `pytorch_model.bin`; None when the Hub does not say or the request fails."""
        if invalid_id(model_id) is not None:
            return None
        url = self.resolve_url(model_id, filename, revision)

        def head(deadline: float) -> int | None:
            timeout = max(0.001, min(self.timeout, deadline - time.monotonic()))
            metadata = get_hf_file_metadata(
                url, token=self.token, timeout=timeout, retry_on_errors=False
            )
            return metadata.size

        try:
            return self._retrying(head, self.resolver_budget)
        except (HfHubHTTPError, RequestFailed, OSError):
            return None

    # -- the bounded request --------------------------------------------------------------------

    def _get(self, url: str, budget: RequestBudget, max_bytes: int) -> _Body:
        """GET `url` within the bounds (see `_retrying`); the body in memory."""

        def attempt(deadline: float) -> _Body:
            with self._stream(url, deadline, max_bytes) as response:
                return _Body(response.headers, self._read(response, max_bytes, deadline))

        return self._retrying(attempt, budget)

    def _download(
        self, url: str, budget: RequestBudget, into: Path, max_bytes: int
    ) -> httpx.Headers:
        """GET `url` within the same bounds, the body written to the file `into` as it arrives
        (rewritten from the start on a retry); the response headers."""

        def attempt(deadline: float) -> httpx.Headers:
            with self._stream(url, deadline, max_bytes) as response, into.open("wb") as sink:
                self._read(response, max_bytes, deadline, sink=sink)
                return response.headers

        return self._retrying(attempt, budget)

    @contextmanager
    def _stream(self, url: str, deadline: float, max_bytes: int) -> Iterator[httpx.Response]:
        """The response to GET `url`, its status checked (typed errors) and its declared size
        against `max_bytes`; the body still to read."""
        with get_session().stream(
            "GET", url, headers=self._headers(), timeout=self._timeouts(deadline)
        ) as response:
            if response.status_code >= 400:
                error_body = self._read(response, ERROR_BODY_BYTES, deadline, truncate=True)
                hf_raise_for_status(
                    httpx.Response(
                        response.status_code,
                        headers=response.headers,
                        content=bytes(error_body),
                        request=response.request,
                    )
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise RequestFailed(ErrorKind.TOO_LARGE, _too_large(int(declared), max_bytes))
            yield response

    def _retrying(self, attempt: Callable[[float], T], budget: RequestBudget) -> T:
        """Run `attempt(deadline)` until it succeeds, retrying what is worth retrying within the
        deadline. A rate-limit wait the server asks for (up to `max_rate_wait`) extends the
        deadline by that wait: it is the Hub's pause, not the request's slowness."""
        deadline = time.monotonic() + self.request_deadline
        tries = connect_failures = 0
        backoff = self.base_wait
        refused: HfHubHTTPError | None = None  # the last retryable status, if that was the last
        while True:
            self._check_cancelled()
            if time.monotonic() >= deadline:
                if refused is not None:  # out of time while the server kept failing
                    raise self._failure(
                        refused, f"after {tries} tries in {self.request_deadline:g} s"
                    )
                raise RequestFailed(ErrorKind.TIMEOUT, self._timed_out(tries))
            budget.spend()
            tries += 1
            refused = None
            try:
                return attempt(deadline)
            except HfHubHTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status not in RETRY_STATUSES or tries > self.max_retries:
                    raise
                refused = exc
                asked = _asked_wait(exc.response.headers)  # status > 0: a response exists
                if asked is not None:
                    if asked > self.max_rate_wait:
                        raise HubUnavailable(
                            ErrorKind.RATE_LIMITED, self._wait_refused(asked)
                        ) from None
                    self._sleep(asked + 1)
                    deadline += asked + 1
                    continue
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                connect_failures += 1
                if connect_failures >= self.connect_tries:
                    raise HubUnavailable(
                        ErrorKind.UNREACHABLE,
                        f"{_connect_cause(exc)} at {self.endpoint} after {connect_failures} tries",
                    ) from None
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                if time.monotonic() >= deadline:
                    raise RequestFailed(ErrorKind.TIMEOUT, self._timed_out(tries)) from None
                if tries > self.max_retries:
                    raise RequestFailed(
                        ErrorKind.NETWORK, f"{type(exc).__name__} after {tries} tries"
                    ) from None
            self._sleep(min(backoff, max(0.0, deadline - time.monotonic())))
            backoff = min(self.max_backoff, backoff * 2)

    def _read(
        self,
        response: httpx.Response,
        limit: int,
        deadline: float,
        *,
        truncate: bool = False,
        sink: BinaryIO | None = None,
    ) -> bytearray:
        """The body, against the deadline (overall, not per read) and a byte cap (`truncate`:
        keep the first `limit` bytes instead of failing). With a `sink`, every chunk is written
        there instead of being kept (the bytearray returned stays empty)."""
        data = bytearray()
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                if truncate:
                    data += chunk[: limit - len(data)]
                    return data
                raise RequestFailed(ErrorKind.TOO_LARGE, _too_large(size, limit))
            if sink is None:
                data += chunk
            else:
                sink.write(chunk)
            if time.monotonic() >= deadline:
                raise RequestFailed(
                    ErrorKind.TIMEOUT,
                    f"the body was not complete within {self.request_deadline:g} s "
                    f"({size:,} bytes read)",
                )
            self._check_cancelled()
        return data

    # -- helpers --------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return build_hf_headers(token=self.token)

    def _timeouts(self, deadline: float) -> httpx.Timeout:
        left = max(0.001, deadline - time.monotonic())
        return httpx.Timeout(min(self.timeout, left), connect=min(10.0, self.timeout, left))

    def _sleep(self, seconds: float) -> None:
        if self._cancelled.wait(max(0.0, seconds)):
            raise Cancelled

    def _check_cancelled(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled

    def _secrets(self) -> tuple[str, ...]:
        return (self.token,) if isinstance(self.token, str) and self.token else ()

    def redact(self, exc: BaseException | str) -> str:
        """One line of server-sent text, redacted, at most MESSAGE_CHARS characters."""
        return redact(" ".join(str(exc).split()), self._secrets())[:MESSAGE_CHARS]

    def _clean_header(self, value: str | None, strip: str = "") -> str | None:
        cleaned = self.redact(value.strip(strip)) if value else ""
        return cleaned or None

    def _failure(self, exc: HfHubHTTPError, note: str = "") -> RequestFailed:
        status = exc.response.status_code if exc.response is not None else 0
        message = self.redact(f"{exc} ({note})" if note else exc)
        return RequestFailed(_kind_of(exc, status), message)

    def _timed_out(self, tries: int) -> str:
        return f"no complete answer within {self.request_deadline:g} s ({tries} tries)"

    def _wait_refused(self, asked: float) -> str:
        return (
            f"the Hub at {self.endpoint} asks to wait {asked:,.0f} s before the next request, "
            f"more than the {self.max_rate_wait:,.0f} s allowed (--max-rate-wait)"
        )


def invalid_id(model_id: object) -> str | None:
    """Why `model_id` cannot become a URL (huggingface_hub's own rules), or None when it can."""
    try:
        validate_repo_id(model_id)  # type: ignore[arg-type]
    except HFValidationError as exc:
        return " ".join(str(exc).split())[:MESSAGE_CHARS]
    if not isinstance(model_id, str) or not model_id:
        return "the id is empty"
    return None


def _kind_of(exc: HfHubHTTPError, status: int) -> ErrorKind:
    if isinstance(exc, DisabledRepoError):
        return ErrorKind.DISABLED
    if status in (401, 403):
        return ErrorKind.FORBIDDEN
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status >= 500:
        return ErrorKind.SERVER_ERROR
    return ErrorKind.CLIENT_ERROR


def _asked_wait(headers: httpx.Headers) -> float | None:
    """Seconds the server asks to wait: `RateLimit` (when used up), else `Retry-After`."""
    info = parse_ratelimit_headers(headers)
    if info is not None and info.remaining == 0:
        return float(info.reset_in_seconds)
    retry_after = (headers.get("retry-after") or "").strip()
    return float(retry_after) if retry_after.isdigit() else None


def _connect_cause(exc: BaseException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "host not found"
    return f"cannot connect ({' '.join(str(exc).split())[:200]})"


def _too_large(size: int, limit: int) -> str:
    return f"the body is over {limit:,} bytes (at least {size:,})"


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
