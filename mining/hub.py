"""Where a crawl's Hub comes from: the live Hub (an endpoint URL) or a snapshot file served on
loopback by the mirror. Past `open_hub` the two differ only in the URL, so the crawler never
knows which one it talks to."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hubcarbon.core.errors import ConfigError
from mining.mirror.server import serve_snapshot
from mining.snapshot.reader import embedded_snapshot_file


@dataclass(frozen=True)
class HubSource:
    """A Hub to crawl: its URL, and for a served snapshot the snapshot's identity (runs over a
    snapshot are matched by it, since the mirror's port changes between invocations)."""

    url: str
    snapshot: str | None = None

    @property
    def remote(self) -> bool:
        return self.snapshot is None


@contextlib.contextmanager
def open_hub(endpoint: str | None = None, snapshot: Path | None = None) -> Iterator[HubSource]:
    """The live Hub at `endpoint`, else `snapshot` (the embedded one when None) served on
    loopback for as long as the context lasts."""
    if endpoint is not None and snapshot is not None:
        raise ConfigError("--endpoint and --snapshot exclude each other")
    if endpoint is not None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"--endpoint must be an http(s) URL, got {endpoint!r}")
        if parts.username or parts.password:
            raise ConfigError("--endpoint must not carry credentials; use --token or HF_TOKEN")
        yield HubSource(endpoint.rstrip("/"))
        return
    if snapshot is not None and not snapshot.is_file():
        raise ConfigError(f"--snapshot: no such file: {snapshot}")
    with serve_snapshot(snapshot) as url:
        yield HubSource(url, snapshot_identity(snapshot))


def snapshot_identity(path: Path | None) -> str:
    """A snapshot's name and the hash of its bytes (the embedded snapshot when None)."""
    source = embedded_snapshot_file() if path is None else path
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return f"{source.name} sha256:{digest.hexdigest()[:16]}"
