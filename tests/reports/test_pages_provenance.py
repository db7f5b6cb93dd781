"""Honest provenance: every page's header says when the data was collected and from where, never
with a loopback or private address; legacy ids without an owner are marked on their pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reports.database import RunInfo
from reports.safety import is_legacy_id
from reports.snapshot import LOCAL_MIRROR, collected, public_endpoint, public_source

LOCAL = re.compile(rb"127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0")
EMBEDDED = "hub_snapshot.parquet sha256:506220bc0c97832d"  # the README's digest, 16 hex


def run(endpoint: str, snapshot: str | None) -> RunInfo:
    return RunInfo(
        run_id=3,
        started_at="2025-02-03 04:05:06",
        finished_at="2025-02-03 05:00:00",
        status="finished",
        endpoint=endpoint,
        snapshot=snapshot,
        options={},
        models=10,
    )


def test_the_embedded_snapshot_is_dated_by_its_readme() -> None:
    where = collected(run("http://127.0.0.1:33345", EMBEDDED))
    assert where.sentence == (
        "Hub data as of April 2023, crawled on 2025-02-03 from the embedded snapshot."
    )


def test_a_renamed_other_file_is_not_the_embedded_snapshot() -> None:
    where = collected(run("http://127.0.0.1:4000", "hub_snapshot.parquet sha256:0123456789abcdef"))
    assert where.source == "the snapshot file hub_snapshot.parquet"
    assert "April 2023" not in where.sentence


def test_a_live_hub_is_named_by_its_public_url_and_dated_by_the_crawl() -> None:
    where = collected(run("https://huggingface.co", None))
    assert where.sentence == (
        "Hub data as of 2025-02-03, crawled on 2025-02-03 from https://huggingface.co."
    )


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:33345",
        "http://localhost:8080/",
        "http://[::1]:9000",
        "http://10.1.2.3",
        "http://192.168.0.10:80/hub",
        "http://169.254.1.1",
        "http://0.0.0.0:1",
        "http://mirror.localhost",
        "ftp://example.org",
        "http://[not-an-ip",
    ],
)
def test_local_and_private_endpoints_are_never_printed(endpoint: str) -> None:
    assert public_endpoint(endpoint) == LOCAL_MIRROR
    assert public_source(endpoint) == LOCAL_MIRROR
    assert collected(run(endpoint, None)).source == LOCAL_MIRROR


def test_public_endpoints_are_kept_without_credentials() -> None:
    assert public_endpoint("https://hf-mirror.example.org/") == "https://hf-mirror.example.org"
    assert public_endpoint("https://user:pw@hub.example.org/x") == "https://hub.example.org/x"
    assert public_source(f"snapshot {EMBEDDED}") == f"snapshot {EMBEDDED}"


def test_legacy_ids_are_the_well_formed_ids_without_an_owner() -> None:
    assert is_legacy_id("gpt2") and is_legacy_id("bert-base-uncased")
    assert not is_legacy_id("openai/gpt2")
    assert not is_legacy_id("../evil")


def test_no_page_or_file_of_the_built_site_holds_a_local_address(site: Path) -> None:
    offenders = [
        str(path.relative_to(site))
        for path in sorted(site.rglob("*"))
        if path.is_file() and LOCAL.search(path.read_bytes())
    ]
    assert offenders == []


def test_every_page_header_states_when_and_where(site: Path) -> None:
    pages = [site / "index.html", site / "report.html", site / "downloads.html"]
    pages += [site / "changes.html", next((site / "models").glob("*.html"))]
    for path in pages:
        text = path.read_text("utf-8")
        assert re.search(
            r'<p class="run">Hub data as of April 2023, crawled on '
            r"\d{4}-\d{2}-\d{2} from the embedded snapshot\. Crawl run \d+ \(finished\)\.</p>",
            text,
        ), path


def test_legacy_ids_are_marked_on_their_pages(site: Path) -> None:
    pages = sorted((site / "models").glob("*.html"))
    heading = re.compile(r"<h1>(.*?)</h1>", re.S)
    bare = {p for p in pages if "/" not in heading.findall(p.read_text("utf-8"))[0]}
    marked = {p for p in pages if 'id="legacy-id"' in p.read_text("utf-8")}
    assert bare, "the crawl has ids without an owner"
    assert marked == bare
