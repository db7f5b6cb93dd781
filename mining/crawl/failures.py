"""What can go wrong while talking to a Hub: the `crawl_errors` kinds and the exceptions behind
them.

A failure that concerns one repository (`RequestFailed`, an invalid id, a card that does not
parse) becomes a `crawl_errors` row and the crawl goes on. A failure of the Hub itself
(`HubUnavailable`: no connection, a listing that keeps failing, a rate-limit wait beyond the cap)
stops the crawl with its checkpoint saved, so the same command resumes it later.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """The `kind` column of `crawl_errors` (see `KIND_MEANINGS`)."""

    DISABLED = "disabled"
    FORBIDDEN = "forbidden"
    CLIENT_ERROR = "client_error"
    SERVER_ERROR = "server_error"
    RATE_LIMITED = "rate_limited"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    NETWORK = "network"
    UNREACHABLE = "unreachable"
    INVALID_ID = "invalid_id"
    OVER_LIMIT_PAGE = "over_limit_page"
    REPEATED_CURSOR = "repeated_cursor"
    FOREIGN_LINK = "foreign_link"
    BAD_RESPONSE = "bad_response"
    UNPARSEABLE_METADATA = "unparseable_metadata"
    PARSE_FAILED = "parse_failed"


KIND_MEANINGS: dict[ErrorKind, str] = {
    ErrorKind.DISABLED: "403 `Access to this resource is disabled.`: the repository was disabled",
    ErrorKind.FORBIDDEN: "any other 401/403 that is not a gated repository",
    ErrorKind.CLIENT_ERROR: "any other 4xx (400, 410, 451, ...)",
    ErrorKind.SERVER_ERROR: "a 5xx still answered after every retry",
    ErrorKind.RATE_LIMITED: "a 429, or a wait the Hub asked for beyond `--max-rate-wait`",
    ErrorKind.TIMEOUT: "no complete answer within `--request-deadline` (stalled or slow body)",
    ErrorKind.TOO_LARGE: (
        "a body over its byte cap (`--max-card-bytes` for a README; a listing page over its cap "
        "is refused and the listing stops there)"
    ),
    ErrorKind.NETWORK: "connections dropped or bodies cut short on every retry",
    ErrorKind.UNREACHABLE: "no connection to the endpoint at all (fatal)",
    ErrorKind.INVALID_ID: (
        "a listed id `huggingface_hub.utils.validate_repo_id` refuses (or no id at all): "
        "not stored, no request made"
    ),
    ErrorKind.OVER_LIMIT_PAGE: (
        "a listing page with more items than the limit asked: the items past it are not read"
    ),
    ErrorKind.REPEATED_CURSOR: (
        "a next-page Link to a page already fetched in this run: the listing stops there"
    ),
    ErrorKind.FOREIGN_LINK: (
        "a next-page Link to another host than the endpoint: not followed (the token stays "
        "home), the listing stops there"
    ),
    ErrorKind.BAD_RESPONSE: "an answer that is not what the endpoint promises (e.g. not JSON)",
    ErrorKind.UNPARSEABLE_METADATA: "the README's front matter is not usable YAML metadata",
    ErrorKind.PARSE_FAILED: "the card parser itself failed on the README",
}


class HubFailure(Exception):
    """A request that failed for good; `kind` is its `crawl_errors` kind. The message is already
    redacted and fits on one line."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class RequestFailed(HubFailure):
    """One request failed for good (after its retries, or at once for a 4xx)."""


class HubUnavailable(HubFailure):
    """The Hub itself cannot be used now: no connection, or it asks for a wait beyond the cap.
    Never recorded as one repository's failure: the crawl stops and resumes later."""


class Cancelled(BaseException):
    """The crawl was interrupted: in-flight requests stop instead of retrying. A BaseException,
    so that no `except Exception` records it as a repository's failure."""
