"""`hubcarbon crawl`: the embedded snapshot through the loopback mirror by default, any Hub with
`--endpoint`."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click

from mining import store
from mining.crawl.budget import DEFAULT_API_BUDGET, DEFAULT_RESOLVER_BUDGET
from mining.crawl.hubclient import (
    DEFAULT_MAX_CARD_BYTES,
    DEFAULT_MAX_RATE_WAIT,
    DEFAULT_REQUEST_DEADLINE,
)
from mining.crawl.run import crawl

EPILOG = """\b
Examples:
  hubcarbon crawl                                   # the embedded snapshot, every model and card
  hubcarbon crawl --models co2 --cards co2          # only models tagged co2_eq_emissions
  hubcarbon crawl --endpoint https://huggingface.co --models co2 --token "$HF_TOKEN"
  hubcarbon crawl --snapshot my_snapshot.parquet --db out/other.duckdb

\b
An interrupted crawl (Ctrl-C, kill, lost network) resumes when the same command runs again.
On the live Hub, requests stay under a budget per 5-minute window (--budget-api,
--budget-resolvers), below the Hub's anonymous limits by default. A repository that fails
(403, persistent 5xx, stalled or oversized README, unusable metadata) is a row in crawl_errors
and the crawl goes on; only the Hub itself failing stops it.

\b
Exit codes:
  0    finished (per-repository failures are in the table crawl_errors)
  2    bad usage or configuration
  3    the Hub failed (unreachable, listing failing, wait too long): saved, run again to resume
  130  interrupted (Ctrl-C): saved, run again to resume
"""


@click.command("crawl", epilog=EPILOG)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Crawl this Hub (e.g. https://huggingface.co) instead of the embedded snapshot.",
)
@click.option(
    "--snapshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Serve and crawl this snapshot file instead of the embedded one.",
)
@click.option(
    "--token",
    envvar="HF_TOKEN",
    show_envvar=True,
    help="Hub token (used in memory only, never stored).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=store.DEFAULT_DB,
    show_default=True,
    help="DuckDB database to write.",
)
@click.option(
    "--models",
    type=click.Choice(["all", "co2"]),
    default="all",
    show_default=True,
    help="Which models to list: all, or those tagged co2_eq_emissions.",
)
@click.option(
    "--cards",
    type=click.Choice(["all", "co2", "none"]),
    default="all",
    show_default=True,
    help="Which README cards to download and parse.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Stop after this many models.")
@click.option("--author", help="Only models of this user or organisation.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Parallel card downloads.",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=1000,
    show_default=True,
    help="Models per listing page.",
)
@click.option(
    "--budget-api",
    type=click.IntRange(min=1),
    help=f"API requests per 5 minutes [default: {DEFAULT_API_BUDGET} on a remote Hub, "
    "unlimited on the snapshot].",
)
@click.option(
    "--budget-resolvers",
    type=click.IntRange(min=1),
    help=f"File downloads per 5 minutes [default: {DEFAULT_RESOLVER_BUDGET} on a remote Hub, "
    "unlimited on the snapshot].",
)
@click.option(
    "--request-deadline",
    type=click.FloatRange(min=1, max=3600),
    default=DEFAULT_REQUEST_DEADLINE,
    show_default=True,
    help="Seconds one request may take in all, retries and body included.",
)
@click.option(
    "--max-rate-wait",
    type=click.FloatRange(min=0),
    default=DEFAULT_MAX_RATE_WAIT,
    show_default=True,
    help="Longest rate-limit wait (Retry-After, RateLimit) honoured; a longer one stops the "
    "crawl, resumable.",
)
@click.option(
    "--max-card-bytes",
    type=click.IntRange(min=1024),
    default=DEFAULT_MAX_CARD_BYTES,
    show_default=True,
    help="Largest README read; a larger one is recorded as too_large.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Force progress bars on or off [default: on a terminal only].",
)
def command(
    endpoint: str | None,
    snapshot: Path | None,
    token: str | None,
    db: Path,
    models: str,
    cards: str,
    limit: int | None,
    author: str | None,
    concurrency: int,
    page_size: int,
    budget_api: int | None,
    budget_resolvers: int | None,
    request_deadline: float,
    max_rate_wait: float,
    max_card_bytes: int,
    progress: bool | None,
) -> None:
    """Crawl model metadata and model cards into DuckDB (resumable)."""
    ctrl_c = _CtrlC()
    try:
        with ctrl_c:
            summary = crawl(
                db,
                endpoint=endpoint,
                snapshot=snapshot,
                token=token,
                models=models,  # type: ignore[arg-type]
                cards=cards,  # type: ignore[arg-type]
                limit=limit,
                author=author,
                concurrency=concurrency,
                page_size=page_size,
                budget_api=budget_api,
                budget_resolvers=budget_resolvers,
                request_deadline=request_deadline,
                max_rate_wait=max_rate_wait,
                max_card_bytes=max_card_bytes,
                progress=progress,
            )
    except (KeyboardInterrupt, Exception):  # after Ctrl-C, whatever escapes is its echo
        if not ctrl_c.pressed:
            raise
        click.echo("hubcarbon: interrupted; run the same command again to resume", err=True)
        raise click.exceptions.Exit(130) from None
    for line in summary.lines():
        click.echo(line)
    click.echo(f"database: {db}")


class _CtrlC:
    """Notes whether Ctrl-C was pressed while the crawl ran, so that an interrupt is reported as
    one whatever it surfaced as (DuckDB turns one inside a statement into its own error, or a
    RuntimeError "Query interrupted")."""

    def __init__(self) -> None:
        self.pressed = False
        self._previous: Any = None

    def __enter__(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._interrupt)

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        self.pressed = True
        raise KeyboardInterrupt
