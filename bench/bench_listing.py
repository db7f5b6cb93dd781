"""Listing ingest at the Hub's scale: `hubcarbon crawl --cards none` over 2,700,000 models.

The listing is synthetic (about the size of today's Hub; no real model is behind it): a
loopback server in its own process generates every page on the fly, deterministically from the
page's position, in the shape the live Hub gives for the crawler's `expand=` query (id, author,
createdAt, downloads, gated, lastModified, library_name, likes, pipeline_tag, safetensors, sha,
siblings, tags, cardData), 1,000 models a page behind an opaque cursor in the `Link` header.
1 % of the models state `co2_eq_emissions` in their cardData, 20 % carry safetensors parameter
counts (per dtype and total), 1 in 500 has a bare legacy id (no namespace). The datasets the
reporters' cardData names exist (`/api/datasets/{id}` answers with a card stating no size).

Measured in the same run, against the same server:
- baseline: the bare download of every page through the same cursor (huggingface_hub's
  session, bytes only, nothing parsed or stored);
- `hubcarbon crawl --cards none` (`Crawl(..., CrawlOptions(cards="none"))` into a new DuckDB
  file, no request budget: the server is on loopback), in a child process so that its peak RSS
  is its own; the ratio is its listing stage's, and the whole crawl (the audit, facts and
  dataset stages after the listing) is shown beside it;
- the store alone, the floor of the listing stage: the same pages, written to local files,
  stored as the crawl stores them (`mining.crawl.listing`) in a child process, once the server
  is stopped (so it has both cores), no network.

Goal: at most 1.5x the bare download, at most 2 GiB peak RSS, every model and every CO2
reporter stored, every parameter count kept. Run: `python bench/bench_listing.py` (a few
minutes; `--models N` for a smaller listing, `--repeat K` to measure K times).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from serving import served

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

MODELS = 2_700_000
PAGE_SIZE = 1_000
GOAL_RATIO = 1.5
GOAL_PEAK_MB = 2048.0
PIPELINES = ("text-classification", "text-generation", "token-classification",
             "automatic-speech-recognition", "image-classification", "fill-mask")  # fmt: skip
LIBRARIES = ("transformers", "diffusers", "sentence-transformers", "peft", "timm")
GATED = ("false", '"auto"', '"manual"')


# -- the synthetic Hub ---------------------------------------------------------------------------


def _mix(k: int) -> int:
    """A cheap deterministic scramble of a model's place in its page."""
    return (k * 2_654_435_761 + 97) % 4_294_967_291


def is_reporter(i: int) -> bool:
    return i % 100 == 7


def has_parameters(i: int) -> bool:
    return i % 5 == 2


def parameters_of(i: int) -> tuple[int, int]:
    """(BF16, F32) parameter counts of a model with safetensors weights."""
    return 1_000_000 + i, (i % PAGE_SIZE) * 1_000


def _template(k: int) -> str:
    """The JSON of the models at positions i = k (mod PAGE_SIZE), with `%(i)d` where i goes:
    every field but the id, the commit and the parameter counts follows from k alone, so a page
    costs one string substitution per model."""
    h = _mix(k)
    pipeline = PIPELINES[h % len(PIPELINES)]
    library = LIBRARIES[(h >> 4) % len(LIBRARIES)]
    legacy = k % 500 == 3
    mid = "model-%(i)07d" if legacy else f"org{h % 40_000:05d}/model-%(i)07d"
    author = "legacy" if legacy else f"org{h % 40_000:05d}"
    created = f"2023-{1 + k % 12:02d}-{1 + k % 28:02d}T{h % 24:02d}:{h % 60:02d}:00.000Z"
    names = (".gitattributes", "README.md", "config.json", "model.safetensors")[: 2 + h % 3]
    siblings = ",".join(f'{{"rfilename":"{name}"}}' for name in names)
    extra = ""
    if has_parameters(k):
        extra = ',"safetensors":{"parameters":{"BF16":%(bf16)d,"F32":%(f32)d},"total":%(total)d}'
    card = f'"license":"apache-2.0","tags":["generated_from_trainer"],"datasets":["ds{h % 900}"]'
    tags = f'"{library}","pytorch","{pipeline}","license:apache-2.0","region:us"'
    if is_reporter(k):
        card += (
            f',"co2_eq_emissions":{{"emissions":{h % 100_000 / 10},"source":"codecarbon",'
            '"training_type":"fine-tuning","geographical_location":"Quebec, Canada",'
            '"hardware_used":"1 x A100"}'
        )
        tags += ',"co2_eq_emissions"'
    item = (
        f'{{"_id":"{h:016x}%(i)08x","id":"{mid}","author":"{author}",'
        f'"gated":{GATED[h % 3]},"lastModified":"{created}","likes":{h % 50},'
        f'"downloads":{h % 100_000},"library_name":"{library}","pipeline_tag":"{pipeline}",'
        f'"tags":[{tags}],"sha":"{h:032x}%(i)08x","createdAt":"{created}",'
        f'"siblings":[{siblings}]{extra},"cardData":{{{card}}}}}'
    )
    return item.replace("%", "%%").replace("%%(", "%(")


TEMPLATES = tuple(_template(k) for k in range(PAGE_SIZE))


def dataset_body(dataset_id: str) -> bytes:
    """What `/api/datasets/{id}` answers for a synthetic dataset: a card that states no size."""
    return json.dumps({"id": dataset_id, "sha": "0" * 40, "cardData": {}}).encode()


def page_body(start: int, end: int) -> bytes:
    """The JSON array of models start..end-1."""
    items = []
    for i in range(start, end):
        bf16, f32 = parameters_of(i)
        values = {"i": i, "bf16": bf16, "f32": f32, "total": bf16 + f32}
        items.append(TEMPLATES[i % PAGE_SIZE] % values)
    return ("[" + ",".join(items) + "]").encode()


class _SyntheticHub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    models = MODELS

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path.startswith("/api/datasets/"):
            self._send(dataset_body(parts.path.removeprefix("/api/datasets/")), None)
            return
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "cursor"]
        params = dict(parse_qsl(parts.query))
        start = int(base64.urlsafe_b64decode(params["cursor"])) if "cursor" in params else 0
        size = min(int(params.get("limit", PAGE_SIZE)), PAGE_SIZE)
        end = min(start + size, self.models)
        link = None
        if end < self.models:
            cursor = base64.urlsafe_b64encode(str(end).encode()).decode()
            next_query = urlencode([*query, ("cursor", cursor)])
            link = f"http://{self.headers['Host']}{parts.path}?{next_query}"
        self._send(page_body(start, end), link)

    def _send(self, body: bytes, next_link: str | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if next_link is not None:
            self.send_header("Link", f'<{next_link}>; rel="next"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silent."""


def serve(models: int) -> None:
    """Serve the synthetic listing on a free loopback port; print the URL, serve until killed."""
    _SyntheticHub.models = models
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SyntheticHub)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


@contextmanager
def synthetic_hub(models: int) -> Iterator[str]:
    argv = [sys.executable, __file__, "--serve", "--models", str(models)]
    with served(argv, "synthetic hub") as url:
        yield url


# -- measurements --------------------------------------------------------------------------------


def bare_download(url: str, spool: Path | None = None) -> tuple[float, int, int]:
    """Seconds, pages and bytes of downloading every page through the cursor, nothing parsed;
    with `spool`, each page is also written to a file there (as the crawl's feed does)."""
    from huggingface_hub.utils import get_session

    from mining.crawl.hubclient import ListingQuery

    session = get_session()
    next_url: str | None = url + ListingQuery(page_size=PAGE_SIZE, card_data=True).first_page_path()
    pages = size = 0
    started = time.perf_counter()
    while next_url:
        response = session.get(next_url)
        response.raise_for_status()
        size += len(response.content)
        pages += 1
        if spool is not None:
            (spool / f"page-{pages:07d}.json").write_bytes(response.content)
        next_url = response.links.get("next", {}).get("url")
    return time.perf_counter() - started, pages, size


def store_child(spool: Path, db: Path) -> None:
    """The crawl's store alone: the spooled pages stored as the crawl stores them (batches of
    LISTING_BATCH_MOST pages scanned, then inserted with their reporters in one transaction,
    the same checkpoint threshold), into a new DuckDB file, with no network and no server
    running; prints its seconds."""
    from hubcarbon.core.db import transaction
    from mining import store
    from mining.crawl import listing
    from mining.crawl.crawler import LISTING_BATCH_MOST, LISTING_CHECKPOINT

    files = sorted(spool.glob("page-*.json"))
    con = store.connect(db)
    try:
        started = time.perf_counter()
        con.execute(f"SET checkpoint_threshold = '{LISTING_CHECKPOINT}'")
        for first in range(0, len(files), LISTING_BATCH_MOST):
            batch = files[first : first + LISTING_BATCH_MOST]
            if not listing.scan_batch(con, batch) or listing.careful_pages(con, PAGE_SIZE):
                raise RuntimeError("a synthetic page needs the careful path")
            with transaction(con):
                listing.insert_pages(con, 1, [str(f) for f in batch], new_ids=True)
                listing.batch_emissions(con, 1, [], new_ids=True)
        con.execute("CHECKPOINT")
        print(time.perf_counter() - started, flush=True)
    finally:
        con.close()


def store_alone(spool: Path, db: Path) -> tuple[float, float]:
    """(seconds, CPU seconds) of `store_child` in its own process."""
    argv = [sys.executable, __file__, "--store", str(spool), "--db", str(db)]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise RuntimeError("storing the spooled pages failed")
    return float(out.decode().split()[-1]), usage.ru_utime + usage.ru_stime


def crawl_child(url: str, db: Path) -> None:
    """`hubcarbon crawl --cards none`; prints the seconds of its listing stage and its own."""
    from mining import store
    from mining.crawl.budget import RequestBudget
    from mining.crawl.crawler import Crawl, CrawlOptions
    from mining.crawl.hubclient import HubClient

    client = HubClient(
        endpoint=url, api_budget=RequestBudget(None), resolver_budget=RequestBudget(None)
    )
    con = store.connect(db)
    try:
        summary = Crawl(con, client, CrawlOptions(cards="none"), progress=False).run()
        print(summary.listing_seconds, summary.seconds, flush=True)
    finally:
        con.close()


def crawl(url: str, db: Path) -> tuple[float, float, float, float]:
    """(listing seconds, crawl seconds, CPU seconds, peak RSS in MiB) of the crawl in its own
    process."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--crawl", url, "--db", str(db)], stdout=subprocess.PIPE
    )
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise RuntimeError("the crawl failed")
    listing, whole = (float(word) for word in out.decode().split()[-2:])
    return listing, whole, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def check(db: Path, models: int) -> str:
    """Every model, reporter and parameter count stored, or a RuntimeError."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        stored, with_parameters, dtype_sum = con.execute(
            "SELECT count(*), count(parameters), "
            "sum(parameters_by_dtype['BF16'] + parameters_by_dtype['F32']) FROM models"
        ).fetchall()[0]
        reporters = con.execute("SELECT count(*) FROM emissions WHERE co2_g IS NOT NULL").fetchall()
        errors = con.execute("SELECT count(*) FROM crawl_errors").fetchall()[0][0]
    finally:
        con.close()
    want_parameters = [i for i in range(models) if has_parameters(i)]
    expected = {
        "models": models,
        "reporters": sum(1 for i in range(models) if is_reporter(i)),
        "parameters": len(want_parameters),
        "parameter total": sum(sum(parameters_of(i)) for i in want_parameters),
        "errors": 0,
    }
    found = {
        "models": stored,
        "reporters": reporters[0][0],
        "parameters": with_parameters,
        "parameter total": dtype_sum,
        "errors": errors,
    }
    if found != expected:
        raise RuntimeError(f"stored {found}, expected {expected}")
    return (
        f"{stored:,} models, {found['reporters']:,} reporters and {with_parameters:,} "
        "parameter counts stored"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--models", type=int, default=MODELS, help=f"default {MODELS:,}")
    parser.add_argument("--repeat", type=int, default=1, help="measurements (default 1)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--crawl", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.models)
        return 0
    if args.crawl:
        crawl_child(args.crawl, args.db)
        return 0
    if args.store:
        store_child(args.store, args.db)
        return 0
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory() as scratch:
        with synthetic_hub(args.models) as url:
            runs = []
            for attempt in range(args.repeat):
                cpu = time.process_time()
                floor, pages, size = bare_download(url)
                floor_cpu = time.process_time() - cpu
                db = Path(scratch) / f"listing{attempt}.duckdb"
                seconds, whole, crawl_cpu, peak = crawl(url, db)
                stored = check(db, args.models)
                db.unlink()
                runs.append((floor, floor_cpu, seconds, whole, crawl_cpu, peak, stored))
            spool = Path(scratch) / "pages"
            spool.mkdir()
            bare_download(url, spool)
        # the server is stopped: the store has both cores
        db = Path(scratch) / "store.duckdb"
        store_seconds, store_cpu = store_alone(spool, db)
        check(db, args.models)
        for floor, floor_cpu, seconds, whole, crawl_cpu, peak, stored in runs:
            print(
                f"listing of {args.models:,} synthetic models: {pages:,} pages, "
                f"{size / 2**20:,.0f} MiB; bare download {floor:.1f} s ({floor_cpu:.1f} s CPU "
                f"here); crawl listing stage {seconds:.1f} s, ratio {seconds / floor:.2f}x "
                f"(goal <= {GOAL_RATIO}x); whole crawl {whole:.1f} s ({whole / floor:.2f}x, "
                f"{crawl_cpu:.1f} s CPU); peak RSS {peak:,.0f} MiB (goal <= "
                f"{GOAL_PEAK_MB:,.0f}); {stored}; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        print(
            f"the store alone (the same pages from local files, no network, no server): "
            f"{store_seconds:.1f} s ({store_cpu:.1f} s CPU), {store_seconds / runs[0][0]:.2f}x "
            "the first bare download: the listing stage cannot be faster than this",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
