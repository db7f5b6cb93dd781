"""`hubcarbon mirror`: serve a Hub snapshot on loopback for the crawler and for experiments."""

from __future__ import annotations

from pathlib import Path

import click

from hubcarbon.core.errors import ConfigError
from mining.mirror.faults import FaultPlan, HostileReadmes, ListingFaults
from mining.mirror.routes import MAX_PAGE_SIZE
from mining.mirror.server import MirrorConfig, MirrorServer, is_loopback
from mining.snapshot.reader import open_snapshot

SERVE_EPILOG = """\b
Examples:
  hubcarbon mirror serve                          # embedded snapshot on a free loopback port
  hubcarbon mirror serve --port 8765 --page-size 100
  hubcarbon mirror serve --snapshot my_snapshot.parquet
  hubcarbon mirror serve --fault-429 0.05 --fault-5xx 0.02 --latency-ms 50 --seed 7
  hubcarbon mirror serve --rate-api 500 --rate-resolvers 3000   # the Hub's anonymous quotas
  hubcarbon mirror serve --readme-disabled bigscience/bloom --readme-slow gpt2 \\
      --slow-bytes-per-second 1 --echo-authorization             # a hostile Hub
  hubcarbon mirror serve --repeat-cursor --invalid-ids --over-limit 5   # a hostile listing
\b
Then point a client at the printed URL:
  HF_ENDPOINT=http://127.0.0.1:8765 hubcarbon crawl --endpoint http://127.0.0.1:8765
"""


@click.group("mirror")
def command() -> None:
    """A loopback Hugging Face Hub serving a snapshot (the embedded one by default)."""


@command.command("serve", epilog=SERVE_EPILOG)
@click.option(
    "--snapshot",
    "snapshot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Snapshot file to serve (default: the one shipped with hubcarbon).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=0, show_default=True, help="Port; 0 picks a free one.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a non-loopback --host (the mirror has no authentication).",
)
@click.option(
    "--page-size",
    default=MAX_PAGE_SIZE,
    show_default=True,
    type=click.IntRange(1, MAX_PAGE_SIZE),
    help="Most models per listing page.",
)
@click.option(
    "--fault-429", default=0.0, type=click.FloatRange(0, 1), help="Fraction answered 429."
)
@click.option(
    "--fault-5xx", default=0.0, type=click.FloatRange(0, 1), help="Fraction answered 5xx."
)
@click.option(
    "--drop", default=0.0, type=click.FloatRange(0, 1), help="Fraction of connections dropped."
)
@click.option(
    "--truncate", default=0.0, type=click.FloatRange(0, 1), help="Fraction of bodies cut short."
)
@click.option("--latency-ms", default=0, type=click.IntRange(0), help="Delay added to every reply.")
@click.option(
    "--retry-after", default=1, type=click.IntRange(0), help="Retry-After of injected 429s."
)
@click.option("--seed", default=0, show_default=True, help="Seed of the fault draws.")
@click.option("--rate-api", type=click.IntRange(1), help="API requests allowed per window.")
@click.option("--rate-resolvers", type=click.IntRange(1), help="/resolve/ requests per window.")
@click.option(
    "--rate-window",
    default=300.0,
    show_default=True,
    type=click.FloatRange(min=0.001),
    help="Seconds.",
)
@click.option(
    "--repeat-cursor", is_flag=True, help="Listing pages reached by a cursor link to themselves."
)
@click.option(
    "--foreign-link",
    metavar="HOST[:PORT]",
    help="Listing `next` Links point at this host instead of the mirror.",
)
@click.option("--invalid-ids", is_flag=True, help="Listing pages also hold items with invalid ids.")
@click.option(
    "--over-limit",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Items per listing page beyond the limit asked for.",
)
@click.option("--gated", multiple=True, help="Model id whose files need a token (repeatable).")
@click.option("--grant", multiple=True, help="Bearer token allowed into gated models (repeatable).")
@click.option(
    "--readme-disabled",
    multiple=True,
    metavar="ID",
    help='README answered 403 "Access to this resource is disabled." (repeatable).',
)
@click.option("--readme-failing", multiple=True, metavar="ID", help="README answered 500, always.")
@click.option("--readme-slow", multiple=True, metavar="ID", help="README sent slowly (see below).")
@click.option(
    "--slow-bytes-per-second",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Speed of --readme-slow bodies; 0 stalls after the headers.",
)
@click.option(
    "--readme-oversized", multiple=True, metavar="ID", help="README of --oversized-bytes bytes."
)
@click.option(
    "--oversized-bytes",
    default=64 << 20,
    show_default=True,
    type=click.IntRange(min=1),
    help="Size of --readme-oversized bodies (length not announced).",
)
@click.option(
    "--readme-rate-limited",
    multiple=True,
    metavar="ID",
    help="README answered 429 with Retry-After --rate-limit-wait.",
)
@click.option(
    "--rate-limit-wait",
    default=100_000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Seconds asked by --readme-rate-limited replies.",
)
@click.option(
    "--echo-authorization",
    is_flag=True,
    help="Error replies quote the request's Authorization header, as a careless server does.",
)
def serve(
    snapshot_path: Path | None,
    host: str,
    port: int,
    allow_remote: bool,
    page_size: int,
    fault_429: float,
    fault_5xx: float,
    drop: float,
    truncate: float,
    latency_ms: int,
    retry_after: int,
    seed: int,
    rate_api: int | None,
    rate_resolvers: int | None,
    rate_window: float,
    repeat_cursor: bool,
    foreign_link: str | None,
    invalid_ids: bool,
    over_limit: int,
    gated: tuple[str, ...],
    grant: tuple[str, ...],
    readme_disabled: tuple[str, ...],
    readme_failing: tuple[str, ...],
    readme_slow: tuple[str, ...],
    slow_bytes_per_second: float,
    readme_oversized: tuple[str, ...],
    oversized_bytes: int,
    readme_rate_limited: tuple[str, ...],
    rate_limit_wait: int,
    echo_authorization: bool,
) -> None:
    """Serve the Hub API subset the crawler uses until Ctrl-C: listing with cursors, model info,
    README downloads, file trees, with optional seeded faults, rate-limit buckets, hostile
    READMEs and a hostile listing."""
    try:
        plan = FaultPlan(
            fault_429=fault_429,
            fault_5xx=fault_5xx,
            drop=drop,
            truncate=truncate,
            latency_ms=latency_ms,
            retry_after=retry_after,
            seed=seed,
        )
        listing_faults = ListingFaults(
            repeat_cursor=repeat_cursor,
            foreign_link_host=foreign_link,
            invalid_ids=invalid_ids,
            over_limit=over_limit,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    if not allow_remote and not is_loopback(host):
        raise ConfigError(f"refusing to serve on non-loopback host {host!r} (see --allow-remote)")
    snapshot = open_snapshot(snapshot_path)
    config = MirrorConfig(
        page_size=page_size,
        faults=plan,
        rate_api=rate_api,
        rate_resolvers=rate_resolvers,
        rate_window=rate_window,
        gated=frozenset(gated),
        grants=frozenset(grant),
        hostile=HostileReadmes(
            disabled=frozenset(readme_disabled),
            failing=frozenset(readme_failing),
            slow=frozenset(readme_slow),
            oversized=frozenset(readme_oversized),
            rate_limited=frozenset(readme_rate_limited),
            slow_bytes_per_second=slow_bytes_per_second,
            oversized_bytes=oversized_bytes,
            rate_limit_wait=rate_limit_wait,
            echo_authorization=echo_authorization,
        ),
        listing_faults=listing_faults,
    )
    server = MirrorServer(snapshot, config, host=host, port=port, allow_remote=allow_remote)
    click.echo(f"Serving {len(snapshot):,} models from {snapshot.label}", err=True)
    click.echo(server.url)
    click.echo("Press Ctrl-C to stop.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopping the mirror.", err=True)
    finally:
        server.stop()
