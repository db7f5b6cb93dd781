"""Seeded fault injection and the Hub's rate buckets, for the loopback mirror.

A `FaultPlan` decides, for every request, whether the mirror answers normally or fails. The
decision is a pure function of the seed, the request (method and URL) and how many times that
same request was seen before, so a run is reproducible whatever the thread interleaving, and a
client that retries the same URL gets a fresh draw on each attempt. Faults only ever produce
failures, never wrong data: a truncated body announces its full `Content-Length` and the
connection closes early, so the client can always detect it.

`RateBuckets` emulates the Hub's fixed 5-minute windows (hub-api §5.1): one quota for `/api/...`
and one for `/resolve/` URLs; past the quota a request gets a 429 carrying `RateLimit`,
`RateLimit-Policy` and `Retry-After`, as the Hub sends them.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

BUCKET_API = "api"
BUCKET_RESOLVERS = "resolvers"


class Fault(Enum):
    """What the mirror does to one request instead of (or on top of) answering it."""

    NONE = "none"
    RATE_LIMITED = "429"
    SERVER_ERROR = "5xx"
    DROP = "drop"
    TRUNCATE = "truncate"


@dataclass(frozen=True)
class FaultPlan:
    """Fractions of requests that fail, and how; deterministic given `seed`.

    Fractions are drawn in this order from one uniform number per attempt: 429 (with
    `Retry-After: retry_after` and `RateLimit` headers), 5xx (one of `server_statuses`),
    dropped connection (closed without a reply), truncated body (headers promise the full
    length, half the body is sent, then the connection closes). `latency_ms` is added to every
    reply. `buckets` limits which request classes (`api`, `resolvers`) can fail.
    `max_failures`, when set, lets the same request fail at most that many times in all, so
    a client with enough retries always gets through (`fault_429=1.0, max_failures=1`: every
    request is refused once, then served).
    """

    fault_429: float = 0.0
    fault_5xx: float = 0.0
    drop: float = 0.0
    truncate: float = 0.0
    latency_ms: int = 0
    seed: int = 0
    retry_after: int = 1
    server_statuses: tuple[int, ...] = (500, 502, 503, 504)
    buckets: frozenset[str] = frozenset({BUCKET_API, BUCKET_RESOLVERS})
    max_failures: int | None = None

    def __post_init__(self) -> None:
        fractions = (self.fault_429, self.fault_5xx, self.drop, self.truncate)
        if any(not 0.0 <= f <= 1.0 for f in fractions) or sum(fractions) > 1.0 + 1e-9:
            raise ValueError("fault fractions must lie in [0, 1] and sum to at most 1")
        if self.max_failures is not None and self.max_failures < 0:
            raise ValueError("max_failures must be non-negative")
        if self.latency_ms < 0 or self.retry_after < 0:
            raise ValueError("latency_ms and retry_after must be non-negative")
        if not self.server_statuses or any(not 500 <= s <= 599 for s in self.server_statuses):
            raise ValueError("server_statuses must be 5xx codes")

    @property
    def active(self) -> bool:
        return (
            self.latency_ms > 0 or (self.fault_429 + self.fault_5xx + self.drop + self.truncate) > 0
        )

    def draw(self, key: str, attempt: int) -> float:
        """The uniform number in [0, 1) that decides the `attempt`-th occurrence of `key`."""
        digest = hashlib.sha256(f"{self.seed}\0{attempt}\0{key}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def decide(self, key: str, attempt: int, bucket: str) -> tuple[Fault, int]:
        """(fault, status) for the `attempt`-th (0-based) occurrence of request `key`."""
        if bucket not in self.buckets:
            return Fault.NONE, 0
        if self.max_failures is not None and attempt >= self.max_failures:
            return Fault.NONE, 0
        u = self.draw(key, attempt)
        edge = self.fault_429
        if u < edge:
            return Fault.RATE_LIMITED, 429
        edge += self.fault_5xx
        if u < edge:
            pick = int(self.draw(key + "\0status", attempt) * len(self.server_statuses))
            return Fault.SERVER_ERROR, self.server_statuses[pick]
        edge += self.drop
        if u < edge:
            return Fault.DROP, 0
        edge += self.truncate
        if u < edge:
            return Fault.TRUNCATE, 0
        return Fault.NONE, 0


@dataclass
class FaultInjector:
    """Applies a FaultPlan: counts attempts per request key and records what it injected."""

    plan: FaultPlan
    injected: Counter[str] = field(default_factory=Counter)
    _attempts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_fault(self, key: str, bucket: str) -> tuple[Fault, int]:
        with self._lock:
            attempt = self._attempts[key]
            self._attempts[key] += 1
        fault, status = self.plan.decide(key, attempt, bucket)
        if fault is not Fault.NONE:
            with self._lock:
                self.injected[fault.value] += 1
        return fault, status


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one request against its bucket."""

    allowed: bool
    bucket: str
    remaining: int
    quota: int
    reset_seconds: int
    window_seconds: int

    def headers(self) -> dict[str, str]:
        """The Hub's rate-limit headers (sent on every reply, acted upon by clients on a 429)."""
        out = {
            "RateLimit": f'"{self.bucket}";r={self.remaining};t={self.reset_seconds}',
            "RateLimit-Policy": (
                f'"fixed window";"{self.bucket}";q={self.quota};w={self.window_seconds}'
            ),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.reset_seconds)
        return out


class RateBuckets:
    """Fixed-window request quotas per bucket (`api`, `resolvers`); None means unlimited."""

    def __init__(
        self,
        quotas: dict[str, int | None],
        window_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if window_seconds <= 0:
            raise ValueError("window_seconds must be positive")
        self.quotas = dict(quotas)
        self.window_seconds = window_seconds
        self._clock = clock
        self._origin = clock()
        self._counts: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()

    def hit(self, bucket: str) -> RateDecision | None:
        """Count one request; None when the bucket has no quota."""
        quota = self.quotas.get(bucket)
        if quota is None:
            return None
        elapsed = self._clock() - self._origin
        window = int(elapsed // self.window_seconds)
        reset = max(1, math.ceil((window + 1) * self.window_seconds - elapsed))
        with self._lock:
            used = self._counts[(bucket, window)]
            allowed = used < quota
            if allowed:
                self._counts[(bucket, window)] = used + 1
                used += 1
        return RateDecision(
            allowed=allowed,
            bucket=bucket,
            remaining=max(0, quota - used),
            quota=quota,
            reset_seconds=reset,
            window_seconds=max(1, math.ceil(self.window_seconds)),
        )


# --- hostile READMEs: a Hub that misbehaves for chosen repositories ---------------------------
# (kept in one block: listing-side hostile behaviours live in their own block)

DISABLED_MESSAGE = "Access to this resource is disabled."


class Hostility(Enum):
    """What the mirror does to the README download of one chosen repository."""

    DISABLED = "disabled"  # 403 with the Hub's "Access to this resource is disabled."
    FAILING = "failing"  # 500 on every attempt
    SLOW = "slow"  # the body at `slow_bytes_per_second` (0: headers, then nothing)
    OVERSIZED = "oversized"  # a body of `oversized_bytes` bytes, length not announced
    RATE_LIMITED = "rate_limited"  # 429 with `Retry-After: rate_limit_wait`


@dataclass(frozen=True)
class HostileReadmes:
    """README downloads (`/{id}/resolve/{rev}/README.md`) that misbehave, per repository id,
    and error replies that quote the request's `Authorization` header (`echo_authorization`),
    as a careless server would: the crawl must survive them and store no token."""

    disabled: frozenset[str] = frozenset()
    failing: frozenset[str] = frozenset()
    slow: frozenset[str] = frozenset()
    oversized: frozenset[str] = frozenset()
    rate_limited: frozenset[str] = frozenset()
    slow_bytes_per_second: float = 1.0
    oversized_bytes: int = 64 << 20
    rate_limit_wait: int = 100_000
    echo_authorization: bool = False

    def __post_init__(self) -> None:
        if self.slow_bytes_per_second < 0 or self.oversized_bytes < 1 or self.rate_limit_wait < 0:
            raise ValueError(
                "slow_bytes_per_second and rate_limit_wait must be non-negative, "
                "oversized_bytes positive"
            )

    def for_readme(self, model_id: str) -> Hostility | None:
        """The misbehaviour chosen for this repository's README, if any."""
        for hostility, ids in (
            (Hostility.DISABLED, self.disabled),
            (Hostility.FAILING, self.failing),
            (Hostility.SLOW, self.slow),
            (Hostility.OVERSIZED, self.oversized),
            (Hostility.RATE_LIMITED, self.rate_limited),
        ):
            if model_id in ids:
                return hostility
        return None


# --- hostile listings: repeated cursors, foreign-host Links, invalid ids, over-limit pages -----

HOSTILE_IDS: tuple[object, ...] = (
    "",
    12345,
    "nul\x00byte/model",
    "../../../../etc/passwd",
    "x" * 10_000,
    None,  # an item without an id
)
"""Ids the mirror slips into listing pages with `ListingFaults(invalid_ids=True)`: none passes
huggingface_hub's `validate_repo_id`."""


@dataclass(frozen=True)
class ListingFaults:
    """A listing route that misbehaves, deterministically (no draw, no state):

    - `repeat_cursor`: a page reached through a cursor links to itself again, so a client that
      follows `next` blindly loops forever;
    - `foreign_link_host`: every `next` Link points at this host (`evil.example:8443`) instead
      of the mirror, which would carry the client's token elsewhere;
    - `invalid_ids`: every page starts with one item per `HOSTILE_IDS` entry, then as many
      real models as still fit in the `limit`;
    - `over_limit`: every page holds this many items more than the `limit` asked for (the
      `next` cursor still follows the first `limit` items, so nothing is skipped);
    - `repeated_model`: every page after the first starts with the listing's first model
      again (a model listed twice, as a listing whose order shifts while it is read gives);
    - `ill_typed`: the first model of every page gives its `tags` as a string, not a list.
    """

    repeat_cursor: bool = False
    foreign_link_host: str | None = None
    invalid_ids: bool = False
    over_limit: int = 0
    repeated_model: bool = False
    ill_typed: bool = False

    def __post_init__(self) -> None:
        if self.over_limit < 0:
            raise ValueError("over_limit must be non-negative")
        host = self.foreign_link_host
        if host is not None and (not host or any(c in host for c in "/?#@ \t\r\n")):
            raise ValueError(f"foreign_link_host must be a host[:port], got {host!r}")

    @property
    def active(self) -> bool:
        return self != ListingFaults()
