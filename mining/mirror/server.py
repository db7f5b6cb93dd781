"""The loopback Hub mirror: serves a snapshot over HTTP/1.1 so the unmodified `huggingface_hub`
client (`HfApi(endpoint=url)`, `list_models`, `model_info`, `hf_hub_download`) works against it.

    with serve_snapshot() as url:                       # the embedded snapshot, ephemeral port
        HfApi(endpoint=url).model_info("bigscience/bloom")

    with serve_snapshot(path, faults=FaultPlan(fault_429=0.2, seed=7), page_size=50) as url: ...

`MirrorServer` is the same thing without the context manager (`start()`/`stop()`), used by the
`hubcarbon mirror serve` command. Replies always carry `Content-Length` and `X-Request-Id`; the
routes themselves live in `mining.mirror.routes`, the fault machinery in `mining.mirror.faults`.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import socket
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from hubcarbon.core.errors import ConfigError
from mining.mirror.datasets import DatasetRoutes
from mining.mirror.faults import (
    BUCKET_API,
    BUCKET_RESOLVERS,
    DISABLED_MESSAGE,
    Fault,
    FaultInjector,
    FaultPlan,
    HostileReadmes,
    Hostility,
    ListingFaults,
    RateBuckets,
)
from mining.mirror.index import ModelIndex
from mining.mirror.routes import MAX_PAGE_SIZE, Reply, Request, Routes, parse_query
from mining.snapshot.datasets import DatasetPart, open_datasets
from mining.snapshot.reader import Snapshot, open_snapshot

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
REQUEST_LOG_SIZE = 100_000
STOP_POLL_SECONDS = 0.05  # how often the serving loop looks for stop()


@dataclass(frozen=True)
class MirrorConfig:
    """How the mirror behaves. `rate_api`/`rate_resolvers` are requests per `rate_window`
    seconds (None: unlimited); `gated` ids refuse downloads unless the request carries a bearer
    token from `grants`; `renames` maps old ids to new ones (answered with 307); `hostile`
    chooses READMEs that misbehave (403, 500, slow, oversized, huge Retry-After) and error
    replies that echo the Authorization header; `listing_faults` makes the listing route
    hostile (see `ListingFaults`); a dataset chosen in `hostile` as `datasets/<id>`
    misbehaves on its API info too. `gated_datasets` refuse README downloads like `gated`."""

    page_size: int = MAX_PAGE_SIZE
    faults: FaultPlan = field(default_factory=FaultPlan)
    rate_api: int | None = None
    rate_resolvers: int | None = None
    rate_window: float = 300.0
    gated: frozenset[str] = frozenset()
    grants: frozenset[str] = frozenset()
    renames: Mapping[str, str] = field(default_factory=dict)
    hostile: HostileReadmes = field(default_factory=HostileReadmes)
    listing_faults: ListingFaults = field(default_factory=ListingFaults)
    gated_datasets: frozenset[str] = frozenset()


def bucket_of(raw_path: str) -> str | None:
    """The Hub rate bucket of a path: `api` for /api/..., `resolvers` for /resolve/ URLs."""
    if raw_path.startswith("/api/"):
        return BUCKET_API
    if "/resolve/" in raw_path:
        return BUCKET_RESOLVERS
    return None


class MirrorServer:
    """A snapshot served on `host:port` (port 0 picks a free one) in a background thread,
    with a datasets part (the embedded one unless given)."""

    def __init__(
        self,
        snapshot: Snapshot | None = None,
        config: MirrorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        allow_remote: bool = False,
        datasets: DatasetPart | None = None,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ConfigError(f"refusing to serve on non-loopback host {host!r}")
        self.config = config or MirrorConfig()
        self.snapshot = snapshot if snapshot is not None else open_snapshot()
        self.index = ModelIndex(self.snapshot, gated=self.config.gated)
        try:
            self.routes = Routes(
                self.index,
                page_size=self.config.page_size,
                grants=self.config.grants,
                renames=self.config.renames,
                listing_faults=self.config.listing_faults,
            )
            self.routes.datasets = DatasetRoutes(
                datasets if datasets is not None else open_datasets(),
                gated=self.config.gated_datasets,
                granted=self.routes.token_granted,
                page_size=self.config.page_size,
            )
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        self.injector = FaultInjector(self.config.faults)
        self.buckets = RateBuckets(
            {BUCKET_API: self.config.rate_api, BUCKET_RESOLVERS: self.config.rate_resolvers},
            window_seconds=self.config.rate_window,
        )
        self.requests: Counter[str] = Counter()
        self.request_log: deque[str] = deque(maxlen=REQUEST_LOG_SIZE)  # "GET /path?query"
        self._request_no = 0
        self._lock = threading.Lock()
        try:
            self._httpd = _HTTPServer((host, port), _Handler, self)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        self._thread: threading.Thread | None = None

    def load(self, snapshot: Snapshot) -> None:
        """Serve `snapshot` from now on, at the same URL: the Hub as it is later. Serving
        snapshots in sequence lets crawls of one endpoint build a history offline (requests in
        flight finish against the snapshot they started with)."""
        index = ModelIndex(snapshot, gated=self.config.gated)
        try:
            routes = Routes(index, page_size=self.config.page_size, grants=self.config.grants,
                            renames=self.config.renames)  # fmt: skip
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        with self._lock:
            self.snapshot, self.index, self.routes = snapshot, index, routes

    @property
    def url(self) -> str:
        address, port = self._httpd.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else str(address)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> str:
        """Serve in a daemon thread; returns the base URL."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.serve_forever, name="hubcarbon-mirror", daemon=True
            )
            self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        """Serve in the calling thread until `stop()` (or KeyboardInterrupt), which takes at
        most STOP_POLL_SECONDS to act."""
        self._httpd.serve_forever(poll_interval=STOP_POLL_SECONDS)

    def stop(self) -> None:
        """Stop accepting, then hang up every open connection: a client's pooled keep-alive
        connection must not go on being answered by a stopped server's handler thread."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.hang_up_open_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> MirrorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- per request -------------------------------------------------------------------------

    def next_request_id(self, key: str, bucket: str) -> str:
        """Count a request under its bucket (`requests`) and return its `X-Request-Id`."""
        with self._lock:
            self._request_no += 1
            number = self._request_no
            self.requests[bucket] += 1
            self.request_log.append(key)
        digest = hashlib.sha1(f"{number}\0{key}".encode(), usedforsecurity=False).hexdigest()
        return f"Root=1-{number:08x}-{digest[:24]}"


@contextlib.contextmanager
def serve_snapshot(
    snapshot: Snapshot | Path | str | None = None,
    *,
    faults: FaultPlan | None = None,
    page_size: int = MAX_PAGE_SIZE,
    host: str = "127.0.0.1",
    port: int = 0,
    datasets: DatasetPart | None = None,
    **options: Any,
) -> Iterator[str]:
    """Serve a snapshot (the embedded one by default, or a Snapshot, or a file path) and a
    datasets part (the embedded one by default) on loopback and yield its base URL; stop the
    server on exit. Extra keyword options go to MirrorConfig."""
    loaded = snapshot if isinstance(snapshot, Snapshot) else open_snapshot(snapshot)
    config = MirrorConfig(page_size=page_size, faults=faults or FaultPlan(), **options)
    with MirrorServer(loaded, config, host=host, port=port, datasets=datasets) as server:
        yield server.url


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], handler: type, mirror: MirrorServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.mirror = mirror
        self._open_connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._open_connections.discard(request)
        super().shutdown_request(request)

    def hang_up_open_connections(self) -> None:
        with self._connections_lock:
            connections, self._open_connections = self._open_connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (a capped or abandoned download) is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hubcarbon-mirror"
    sys_version = ""
    disable_nagle_algorithm = True  # one write per reply, no 40 ms delayed-ACK stalls
    wbufsize = 1 << 16
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST", self._read_body())

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the mirror counts requests instead of printing them."""

    def _read_body(self) -> bytes:
        """A POST body (paths-info forms are small): at most MAX_POST_BYTES are kept."""
        declared = self.headers.get("Content-Length") or "0"
        length = int(declared) if declared.isdigit() else 0
        body = self.rfile.read(min(length, MAX_POST_BYTES)) if length > 0 else b""
        if length > MAX_POST_BYTES:
            self.close_connection = True  # the rest is never read
        return body

    def _serve(self, method: str, body: bytes = b"") -> None:
        mirror = self.server.mirror
        parts = urlsplit(self.path)
        raw_path = parts.path or "/"
        bucket = bucket_of(raw_path)
        key = f"{method} {self.path}"
        request_id = mirror.next_request_id(key, bucket or "other")
        plan = mirror.config.faults
        if plan.latency_ms:
            time.sleep(plan.latency_ms / 1000)
        extra = {"X-Request-Id": request_id}
        decision = mirror.buckets.hit(bucket) if bucket else None
        if decision is not None:
            extra.update(decision.headers())
            if not decision.allowed:
                self._send(
                    method,
                    _rate_limited(
                        decision.bucket,
                        decision.quota,
                        decision.reset_seconds,
                        decision.window_seconds,
                    ),
                    extra,
                )
                return
        fault, status = mirror.injector.next_fault(key, bucket) if bucket else (Fault.NONE, 0)
        if fault is Fault.DROP or (fault is Fault.TRUNCATE and method == "HEAD"):
            self.close_connection = True
            return
        if fault is Fault.RATE_LIMITED:
            wait = plan.retry_after
            window = max(1, int(mirror.config.rate_window))
            self._send(method, _rate_limited(bucket or BUCKET_API, 0, wait, window), extra)
            return
        if fault is Fault.SERVER_ERROR:
            reply = Reply.error(status, "ServerError", "Injected server error")
            self._send(method, reply, extra)
            return
        if _misbehave(self, method, raw_path, extra):
            return
        request = Request(
            method=method,
            raw_path=raw_path,
            query=parse_query(parts.query),
            host=self.headers.get("Host") or mirror.url.removeprefix("http://"),
            authorization=self.headers.get("Authorization"),
            range=self.headers.get("Range"),
            body=body,
        )
        reply = mirror.routes.handle(request)
        self._send(method, reply, extra, truncate=fault is Fault.TRUNCATE)

    def _send(
        self, method: str, reply: Reply, extra: Mapping[str, str], *, truncate: bool = False
    ) -> None:
        if truncate and len(reply.body) < 2:
            self.close_connection = True
            return
        if reply.status >= 400 and self.server.mirror.config.hostile.echo_authorization:
            reply = _echoing(reply, self.headers.get("Authorization"))
        self.send_response(reply.status)
        for name, value in _merge(reply.headers, extra):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(reply.body[: len(reply.body) // 2] if truncate else reply.body)
        self.wfile.flush()
        if truncate:
            self.close_connection = True


# --- hostile READMEs (see mining.mirror.faults.HostileReadmes) -------------------------------

MAX_POST_BYTES = 1 << 20
SLOW_TICK_SECONDS = 0.1
STALL_SECONDS = 600.0  # a stalled reply gives up after this long (the thread is a daemon)
_FILLER = b"#" * (1 << 16)


def _misbehave(handler: _Handler, method: str, raw_path: str, extra: Mapping[str, str]) -> bool:
    """Answer a chosen README download with its misbehaviour; False for any other request."""
    mirror = handler.server.mirror
    hostile = mirror.config.hostile
    repository = _readme_repository(raw_path) or _dataset_info_repository(raw_path)
    hostility = hostile.for_readme(repository) if repository else None
    if hostility is None:
        return False
    if hostility is Hostility.DISABLED:
        headers = {"X-Error-Message": DISABLED_MESSAGE}
        handler._send(method, Reply.json({"error": DISABLED_MESSAGE}, 403, headers), extra)
    elif hostility is Hostility.FAILING:
        handler._send(method, Reply.error(500, "ServerError", "Internal Error"), extra)
    elif hostility is Hostility.RATE_LIMITED:
        wait, window = hostile.rate_limit_wait, max(1, int(mirror.config.rate_window))
        handler._send(method, _rate_limited(BUCKET_RESOLVERS, 0, wait, window), extra)
    elif method == "HEAD":
        return False
    elif hostility is Hostility.SLOW:
        _trickle(handler, raw_path, hostile.slow_bytes_per_second, extra)
    else:
        _flood(handler, hostile.oversized_bytes, extra)
    return True


def _trickle(handler: _Handler, raw_path: str, per_second: float, extra: Mapping[str, str]) -> None:
    """The real README, announced in full, then sent at `per_second` bytes a second (0: never)."""
    mirror = handler.server.mirror
    reply = mirror.routes.handle(Request("GET", raw_path, [], host=mirror.url))
    handler.close_connection = True
    _start(handler, reply.status, {**reply.headers, **extra,
                                   "Content-Length": str(len(reply.body))})  # fmt: skip
    step = max(1, int(per_second * SLOW_TICK_SECONDS))
    started = time.monotonic()
    with contextlib.suppress(OSError):
        sent = 0
        while sent < len(reply.body) and time.monotonic() - started < STALL_SECONDS:
            if per_second > 0:
                handler.wfile.write(reply.body[sent : sent + step])
                handler.wfile.flush()
                sent += step
            time.sleep(SLOW_TICK_SECONDS)


def _flood(handler: _Handler, size: int, extra: Mapping[str, str]) -> None:
    """`size` bytes of README, the length never announced (the connection's end marks it)."""
    handler.close_connection = True
    _start(handler, 200, {**extra, "Content-Type": "text/plain; charset=utf-8",
                          "Connection": "close"})  # fmt: skip
    with contextlib.suppress(OSError):
        left = size
        while left > 0:
            chunk = _FILLER[: min(left, len(_FILLER))]
            handler.wfile.write(chunk)
            left -= len(chunk)
        handler.wfile.flush()


def _start(handler: _Handler, status: int, headers: Mapping[str, str]) -> None:
    handler.send_response(status)
    for name, value in sorted(headers.items()):
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.flush()


def _readme_repository(raw_path: str) -> str | None:
    """The repository id of a README download path, else None."""
    raw_repo, found, tail = raw_path.lstrip("/").partition("/resolve/")
    if not found or unquote(tail.partition("/")[2]) != "README.md":
        return None
    return unquote(raw_repo)


def _dataset_info_repository(raw_path: str) -> str | None:
    """`datasets/<id>` of a dataset info path (`/api/datasets/<id>[/revision/<rev>]`), else None."""
    if not raw_path.startswith("/api/datasets/"):
        return None
    raw_id = raw_path[len("/api/datasets/") :].split("/revision/", 1)[0].strip("/")
    return f"datasets/{unquote(raw_id)}" if raw_id else None


def _echoing(reply: Reply, authorization: str | None) -> Reply:
    """The error reply of a careless server: its body's message quotes the Authorization
    header (`X-Error-Message`, which clients match on, stays as it was)."""
    message = f"{reply.headers.get('X-Error-Message', 'Error')} (request sent {authorization})"
    return Reply.json({"error": message}, reply.status, reply.headers)


def _merge(first: Mapping[str, str], second: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    merged = {**second, **first}
    return sorted(merged.items())


def _rate_limited(bucket: str, quota: int, reset: int, window: int) -> Reply:
    message = (
        f"You have exceeded our hourly quotas for action: {bucket}. We invite you to retry later."
    )
    headers = {
        "RateLimit": f'"{bucket}";r=0;t={reset}',
        "RateLimit-Policy": f'"fixed window";"{bucket}";q={quota};w={window}',
        "Retry-After": str(reset),
    }
    return Reply.error(429, "RateLimited", message, headers)
