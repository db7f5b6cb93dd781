"""Fixtures of the report tests: a real crawl of the embedded snapshot's CO2 reporters, a built
site, a snapshot of crafted malicious cards, and headless Debian chromium through Playwright."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from support import copy_db

from hubcarbon.cli import main as hubcarbon
from mining.snapshot.reader import embedded_snapshot_file

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def run_cli(*args: str) -> None:
    code = hubcarbon(list(args))
    assert code == 0, f"hubcarbon {' '.join(args)} exited {code}"


@pytest.fixture(scope="session")
def co2_db(tmp_path_factory: pytest.TempPathFactory, co2_crawl_db: Path) -> Path:
    """A real crawl (through the loopback mirror) of the snapshot's co2-tagged models."""
    return copy_db(co2_crawl_db, tmp_path_factory.mktemp("crawl"), "co2.duckdb")


@pytest.fixture(scope="session")
def replication_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """out/replication.json as `hubcarbon replicate` writes it."""
    path = tmp_path_factory.mktemp("replication") / "replication.json"
    with contextlib.redirect_stdout(None):
        code = hubcarbon(["replicate", "--out", str(path), "--format", "json"])
    assert code in (0, 1), code  # 1 = a published value differs; the file is written anyway
    return path


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory, co2_db: Path) -> tuple[Path, Path]:
    """The crawl, analysed and classified as `make analyze` does: (database, findings.json)."""
    root = tmp_path_factory.mktemp("pipeline")
    db = root / "hubcarbon.duckdb"
    shutil.copyfile(co2_db, db)
    run_cli("analyze", "--db", str(db), "--out", str(root), "--no-progress")
    run_cli("classify", "--db", str(db), "--no-progress")
    return db, root / "findings.json"


@pytest.fixture(scope="session")
def site(
    tmp_path_factory: pytest.TempPathFactory, pipeline: tuple[Path, Path], replication_json: Path
) -> Path:
    """The site built from every input: crawl, analyze, classify, replicate."""
    db, findings = pipeline
    out = tmp_path_factory.mktemp("built") / "site"
    run_cli(
        "report",
        *("--db", str(db), "--out", str(out)),
        *("--findings", str(findings), "--replication", str(replication_json)),
        "--quiet",
    )
    return out


@pytest.fixture(scope="session")
def bare_site(tmp_path_factory: pytest.TempPathFactory, co2_db: Path) -> Path:
    """The site built from the crawl alone: every other input is missing."""
    root = tmp_path_factory.mktemp("bare")
    out = root / "site"
    run_cli(
        "report",
        *("--db", str(co2_db), "--out", str(out)),
        *("--findings", str(root / "findings.json")),
        *("--replication", str(root / "replication.json")),
        "--quiet",
    )
    return out


# --- malicious cards ------------------------------------------------------------------------

MARK = "window.__pwned=(window.__pwned||0)+1"
PAYLOADS = (
    f"<script>{MARK};alert(1)</script>",
    f'"><img src=x onerror="{MARK};alert(2)">',
    f"'><svg onload={MARK};alert(3)>",
    f"</script><script>{MARK};alert(4)</script>",
    f"javascript:{MARK};alert(5)",
    f"<!--<script>{MARK}</script>",
    f"\u2028\u2029</SCRIPT ><iframe srcdoc='<script>parent.{MARK}</script>'>",
    f'<a href="javascript:{MARK}">x</a>',
)
TRAVERSAL_IDS = (
    "../../../../evil-traversal",
    "%2e%2e/%2e%2e/evil-encoded",
    "..\\..\\evil-backslash",
    "/tmp/evil-absolute",
    "evil/nul\x00byte",
    "C:\\evil-drive",
    f"evil/<script>{MARK}</script>",
    f"javascript:{MARK}",
)


def malicious_readme(index: int, prose: bool) -> tuple[str, dict[str, Any]]:
    """A card with a payload in every field (and in the body), stating 12.5 g of CO2."""
    payload = PAYLOADS[index % len(PAYLOADS)]
    others = [PAYLOADS[(index + k) % len(PAYLOADS)] for k in range(1, 8)]
    metadata: dict[str, Any] = {
        "license": payload,
        "library_name": others[0],
        "pipeline_tag": others[1],
        "tags": [payload, *others[:3]],
        "datasets": [others[2]],
        "language": [others[3]],
        "model-index": [{"name": payload, "results": []}],
    }
    if not prose:
        metadata["co2_eq_emissions"] = {
            "emissions": 12.5 + index,
            "source": payload,
            "training_type": others[4],
            "geographical_location": others[5],
            "hardware_used": others[6],
        }
    body = (
        f"# {payload}\n\n[click me]({PAYLOADS[4]})\n\n<script>{MARK}</script>\n\n"
        f"## Environmental Impact\n\n- **Hardware Type:** {others[6]}\n"
        f"- **Carbon Emitted:** {40 + index} kg CO2eq {payload}\n"
    )
    front = yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{body}", metadata


def build_malicious_snapshot(path: Path) -> list[str]:
    """A snapshot Parquet (the embedded snapshot's schema) of crafted cards; returns the ids."""
    schema = pq.read_schema(embedded_snapshot_file())
    ids = [f"evil/card-{i}" for i in range(len(PAYLOADS))] + ["evil/prose-only"]
    ids += list(TRAVERSAL_IDS)
    records = []
    for index, model_id in enumerate(sorted(ids)):
        readme, metadata = malicious_readme(index, prose=model_id == "evil/prose-only")
        payload = PAYLOADS[index % len(PAYLOADS)]
        records.append(
            {
                "id": model_id,
                "author": payload,
                "created_at": f"2023-01-0{1 + index % 9}T00:00:00.000Z",
                "last_modified": payload,
                "downloads": index,
                "likes": index,
                "pipeline_tag": PAYLOADS[(index + 2) % len(PAYLOADS)],
                "library_name": PAYLOADS[(index + 1) % len(PAYLOADS)],
                "tags": ["co2_eq_emissions", "autotrain", *PAYLOADS],
                "siblings": [
                    {"rfilename": "README.md", "size": len(readme.encode())},
                    {"rfilename": "pytorch_model.bin", "size": 1000 + index},
                    {"rfilename": payload, "size": None},
                ],
                "sha": hashlib.sha1(model_id.encode(), usedforsecurity=False).hexdigest(),
                "readme": readme,
                "card_data": json.dumps(metadata, sort_keys=True, ensure_ascii=False),
                "card_status": "ok",
                "card_origin": None,
                "paper_name": None,
                "paper_row": None,
                "paper_co2": None,
                "owner_resolution": None,
                "provenance": json.dumps({"readme": payload}),
            }
        )
    table = pa.Table.from_pylist(records, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return sorted(ids)


@pytest.fixture(scope="session")
def hostile(
    tmp_path_factory: pytest.TempPathFactory,
    malicious_snapshot: tuple[Path, list[str]],
    replication_json: Path,
) -> tuple[Path, Path, list[str]]:
    """(work directory, site, ids): the malicious snapshot through crawl, analyze, classify and
    report, everything written under the work directory."""
    snapshot, ids = malicious_snapshot
    work = tmp_path_factory.mktemp("hostile")
    db = work / "hubcarbon.duckdb"
    run_cli("crawl", "--snapshot", str(snapshot), "--db", str(db), "--no-progress")
    run_cli("analyze", "--db", str(db), "--out", str(work), "--no-progress")
    run_cli("classify", "--db", str(db), "--no-progress")
    site = work / "site"
    run_cli(
        "report",
        *("--db", str(db), "--out", str(site)),
        *("--findings", str(work / "findings.json"), "--replication", str(replication_json)),
        "--quiet",
    )
    return work, site, ids


@pytest.fixture(scope="session")
def hostile_payloads() -> tuple[str, tuple[str, ...]]:
    """(the mark every payload's script would set on window, the traversal ids)."""
    return MARK, TRAVERSAL_IDS


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian chromium (skipped, with the reason, when it is not installed)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Page:
    """A fresh browser page that records console errors, page errors, dialogs and requests."""

    def __init__(self, browser: Any, *, bypass_csp: bool = False) -> None:
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 900}, bypass_csp=bypass_csp
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []  # URLs answered with an HTTP error
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: self.failed.append(r.url) if r.status >= 400 else None)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    recorded = Page(browser)
    try:
        yield recorded
    finally:
        recorded.close()


@pytest.fixture
def unprotected_page(browser: Any) -> Iterator[Page]:
    """A page whose context ignores the site's Content-Security-Policy, so that a test shows
    that escaping alone keeps hostile text inert."""
    recorded = Page(browser, bypass_csp=True)
    try:
        yield recorded
    finally:
        recorded.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """A static HTTP server for `directory` on a free loopback port, closed on exit."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def static_server() -> Any:
    """`with static_server(directory) as url:` serves a directory over loopback HTTP."""
    return serve


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/artifacts/ (gitignored): screenshots kept for review."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def malicious_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The crafted snapshot file and its model ids."""
    path = tmp_path_factory.mktemp("malicious") / "malicious_snapshot.parquet"
    return path, build_malicious_snapshot(path)
