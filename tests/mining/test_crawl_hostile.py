"""The crawler against a hostile Hub (the mirror's hostile options), through the real
huggingface_hub client over real HTTP: every scenario ends in bounded time, without a
traceback, with its failures recorded by kind, the other cards saved and no token stored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from huggingface_hub.utils import get_session
from support import REPO_ROOT, embedded_snapshot, unbudgeted

from hubcarbon.cli import main
from hubcarbon.core.redact import REDACTED, redact
from mining import store
from mining.crawl.cards import CardStage
from mining.crawl.failures import KIND_MEANINGS, ErrorKind
from mining.crawl.hubclient import HubClient, ListingQuery
from mining.mirror.faults import FaultPlan, HostileReadmes
from mining.mirror.server import MirrorConfig, MirrorServer
from mining.snapshot.reader import Snapshot

AUTHOR = "flair"  # 26 models in the embedded snapshot, every one with a README
TOKEN = "hf_HostileTestTokenQwErTy0123456789"  # made up: the mirror accepts any token


@pytest.fixture(scope="module")
def flair_ids(snapshot: Snapshot) -> list[str]:
    ids = sorted(r.id for r in snapshot if r.id.startswith(f"{AUTHOR}/"))
    assert len(ids) == 26
    return ids


def crawl_argv(url: str, db: Path, *extra: str) -> list[str]:
    return ["crawl", "--endpoint", url, "--db", str(db), "--author", AUTHOR, "--no-progress",
            *extra]  # fmt: skip


def warm_up(url: str) -> None:
    """Have the mirror build its createdAt order before a crawl with a short deadline."""
    get_session().get(url + ListingQuery(author=AUTHOR).first_page_path(), timeout=120)


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def token_hits(db: Path, needle: str) -> list[str]:
    """Every table.column of the database whose text holds `needle`."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type IN ('VARCHAR', 'JSON', 'VARCHAR[]')"
        ).fetchall()
        hits = []
        for table, column in columns:
            found = con.execute(
                f'SELECT count(*) FROM "{table}" WHERE contains("{column}"::VARCHAR, ?)', [needle]
            ).fetchall()
            if found[0][0]:
                hits.append(f"{table}.{column}")
        return hits
    finally:
        con.close()


@pytest.mark.timeout(180)
@pytest.mark.slow
def test_failing_readmes_are_rows_and_the_crawl_goes_on(
    tmp_path: Path,
    snapshot: Snapshot,
    flair_ids: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    disabled, failing, slow, oversized = flair_ids[:4]
    hostile = HostileReadmes(
        disabled=frozenset({disabled}),
        failing=frozenset({failing}),
        slow=frozenset({slow}),
        oversized=frozenset({oversized}),
        slow_bytes_per_second=1,
        oversized_bytes=1 << 20,
        echo_authorization=True,
    )
    db = tmp_path / "hostile.duckdb"
    with MirrorServer(embedded_snapshot(), MirrorConfig(hostile=hostile)) as server:
        warm_up(server.url)
        started = time.monotonic()
        code = main(crawl_argv(server.url, db, "--token", TOKEN, "--request-deadline", "8",
                               "--max-card-bytes", "100000"))  # fmt: skip
        elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == 0, err
    assert elapsed < 45
    assert "Traceback" not in out + err, err
    errors = {
        str(model_id): str(kind)
        for model_id, kind in query(
            db, "SELECT model_id, kind FROM crawl_errors WHERE stage = 'card'"
        )
    }
    assert errors == {
        disabled: "disabled",
        failing: "server_error",
        slow: "timeout",
        oversized: "too_large",
    }
    assert "errors recorded: 4: disabled 1, server_error 1, timeout 1, too_large 1" in out
    # every other card saved, byte for byte
    cards = {
        str(m): t
        for m, t in query(
            db, "SELECT model_id, raw_text FROM cards_with_text WHERE fetch_status = 'ok'"
        )
    }
    assert set(cards) == set(flair_ids) - set(errors)
    for model_id, text in cards.items():
        record = snapshot.get(model_id)
        assert record is not None and text == snapshot.readme(record)
    assert query(db, "SELECT status FROM runs") == [("finished",)]
    # the server echoed the Authorization header into its errors: the token is nowhere
    assert token_hits(db, TOKEN) == [] and token_hits(db, TOKEN[3:20]) == []
    assert TOKEN[3:20] not in out + err
    messages = [str(m) for (m,) in query(db, "SELECT message FROM crawl_errors")]
    assert any(REDACTED in m for m in messages)
    assert any("Access to this resource is disabled." in m for m in messages)


@pytest.mark.timeout(60)
@pytest.mark.slow
def test_a_stalled_readme_ends_at_the_deadline(tmp_path: Path, flair_ids: list[str]) -> None:
    stalled = flair_ids[0]
    hostile = HostileReadmes(slow=frozenset({stalled}), slow_bytes_per_second=0)
    with MirrorServer(embedded_snapshot(), MirrorConfig(hostile=hostile)) as server:
        client = HubClient(endpoint=server.url, **unbudgeted(), request_deadline=2, base_wait=0.1)
        started = time.monotonic()
        fetch = client.fetch_readme(stalled, None)
        elapsed = time.monotonic() - started
        assert client.fetch_readme(flair_ids[1], None).status == "ok"
    assert fetch.status == "error" and fetch.kind == "timeout"
    assert 1.5 < elapsed < 6


@pytest.mark.timeout(180)
@pytest.mark.slow
def test_a_huge_retry_after_stops_the_crawl_resumably(
    tmp_path: Path, flair_ids: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "wait.duckdb"
    hostile = HostileReadmes(rate_limited=frozenset({flair_ids[5]}), rate_limit_wait=100_000)
    with MirrorServer(embedded_snapshot(), MirrorConfig(hostile=hostile)) as server:
        started = time.monotonic()
        code = main(crawl_argv(server.url, db))
        assert time.monotonic() - started < 40
        port = server.port
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "asks to wait 100,000 s" in err and "--max-rate-wait" in err
    assert "run the same command again to resume" in err
    assert query(db, "SELECT status, listing_done FROM runs") == [("failed", True)]
    assert query(db, "SELECT stage, kind FROM crawl_errors") == [("card", "rate_limited")]

    with MirrorServer(embedded_snapshot(), port=port) as server:  # the same Hub, behaving again
        assert main(crawl_argv(server.url, db)) == 0
    assert "run 1 (resumed)" in capsys.readouterr().out
    assert query(db, "SELECT run_id, status FROM runs") == [(1, "finished")]
    assert query(db, "SELECT count(*) FROM cards WHERE fetch_status = 'ok'") == [(26,)]


@pytest.mark.timeout(30)
def test_no_endpoint_fails_fast_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nothing.duckdb"
    started = time.monotonic()
    code = main(["crawl", "--endpoint", "http://127.0.0.1:9", "--db", str(db), "--no-progress"])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 3 and elapsed < 10
    assert err == (
        "hubcarbon: error: connection refused at http://127.0.0.1:9 after 3 tries; "
        "the crawl is saved: run the same command again to resume\n"
    )
    assert query(db, "SELECT status, pages_done FROM runs") == [("failed", 0)]
    assert query(db, "SELECT stage, kind FROM crawl_errors") == [("listing", "unreachable")]


@pytest.mark.timeout(60)
@pytest.mark.slow
def test_invalid_ids_never_become_requests(tmp_path: Path, flair_ids: list[str]) -> None:
    hostile_ids = ["../../../../etc/passwd", "", "a" * 10_000, "x\0y", "org/name/extra", "a--b"]
    with MirrorServer(embedded_snapshot()) as server:
        client = HubClient(endpoint=server.url, **unbudgeted())
        for model_id in hostile_ids:
            fetch = client.fetch_readme(model_id, None)
            assert (fetch.status, fetch.kind) == ("error", "invalid_id"), model_id
            assert client.card_data(model_id) is None
            assert client.file_size(model_id, "pytorch_model.bin", None) is None
        assert sum(server.requests.values()) == 0

        # the card stage records them as errors, beside the valid ones it fetches
        con = store.connect(tmp_path / "ids.duckdb")
        run = con.execute(
            "INSERT INTO runs (started_at, status, endpoint, options) "
            "VALUES (now(), 'running', ?, '{}') RETURNING run_id",
            [server.url],
        ).fetchall()[0][0]
        for model_id in [hostile_ids[0], hostile_ids[3], flair_ids[0]]:
            con.execute("INSERT INTO models (run_id, model_id) VALUES (?, ?)", [run, model_id])
        CardStage(con, client, run, progress=False).download()
        rows = con.execute("SELECT model_id, kind FROM crawl_errors ORDER BY model_id").fetchall()
        fetched = con.execute("SELECT model_id FROM cards WHERE fetch_status = 'ok'").fetchall()
        con.close()
        assert server.requests["resolvers"] == 1
    assert rows == sorted([(hostile_ids[0], "invalid_id"), (hostile_ids[3], "invalid_id")])
    assert fetched == [(flair_ids[0],)]


def test_redaction_removes_the_token_and_credential_shapes() -> None:
    text = (
        f"401: bad header 'Authorization: Bearer {TOKEN}', also hf_abcdefGHIJ12 and "
        "api_org_ABCDEF123456 and Bearer abc.def-ghi; my-secret-value"
    )
    cleaned = redact(text, ["my-secret-value"])
    assert TOKEN not in cleaned and "HostileTestToken" not in cleaned
    assert "hf_abcdefGHIJ12" not in cleaned and "api_org_ABCDEF123456" not in cleaned
    assert "abc.def-ghi" not in cleaned and "my-secret-value" not in cleaned
    assert cleaned.startswith("401: bad header 'Authorization: ")
    assert redact("a plain message about hf_hub and bearers", []) == (
        "a plain message about hf_hub and bearers"
    )


def test_redaction_takes_linear_time() -> None:
    def cost(n: int) -> float:
        texts = ["Bearer " + " " * n + "x", "hf_" * n, "bearer\t" * n, "hf_a" + "a" * n + "_"]
        started = time.perf_counter()
        for _ in range(5):
            for text in texts:
                redact(text, [])
        return time.perf_counter() - started

    small, large = cost(20_000), cost(80_000)
    assert large / small < 8  # linear: about 4; quadratic would be about 16


def _spawn_crawl(url: str, db: Path, *extra: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "hubcarbon", *crawl_argv(url, db, *extra)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


@pytest.mark.timeout(240)
@pytest.mark.slow
def test_ctrl_c_while_requests_hang_exits_130_at_once_and_resumes(
    tmp_path: Path, flair_ids: list[str]
) -> None:
    db = tmp_path / "ctrl_c.duckdb"
    stalled = frozenset(flair_ids[:8])  # every card thread blocked in a read when Ctrl-C comes
    hostile = HostileReadmes(slow=stalled, slow_bytes_per_second=0)
    with MirrorServer(embedded_snapshot(), MirrorConfig(hostile=hostile)) as server:
        child = _spawn_crawl(server.url, db, "--request-deadline", "120")
        port = server.port
        deadline = time.monotonic() + 60
        while server.requests["resolvers"] < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        assert child.poll() is None
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = child.communicate(timeout=30)
        took = time.monotonic() - sent
    assert child.returncode == 130, err
    assert took < 8  # not waiting for the blocked reads (30 s read timeout, 120 s deadline)
    assert err == "hubcarbon: interrupted; run the same command again to resume\n"
    assert "Traceback" not in out
    assert query(db, "SELECT status, listing_done FROM runs") == [("running", True)]

    with MirrorServer(embedded_snapshot(), port=port) as server:
        child = _spawn_crawl(server.url, db)
        out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "run 1 (resumed)" in out
    assert query(db, "SELECT count(*) FROM cards WHERE fetch_status = 'ok'") == [(26,)]


@pytest.mark.timeout(240)
@pytest.mark.slow
def test_ctrl_c_during_the_listing_exits_130_and_resumes(tmp_path: Path) -> None:
    db = tmp_path / "listing.duckdb"
    config = MirrorConfig(faults=FaultPlan(latency_ms=200))  # 26 pages of one model: ~5 s
    with MirrorServer(embedded_snapshot(), config) as server:
        port = server.port
        child = _spawn_crawl(server.url, db, "--page-size", "1", "--cards", "none")
        deadline = time.monotonic() + 60
        # pages are committed a batch at a time (up to LISTING_BATCH_WAIT after the first of
        # a batch arrives): by the 12th request of 26, some are committed, most are not
        while server.requests["api"] < 12 and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _out, err = child.communicate(timeout=30)
        took = time.monotonic() - sent
    assert child.returncode == 130, err
    assert took < 8  # the listing's request in flight is not waited for
    assert err == "hubcarbon: interrupted; run the same command again to resume\n"
    assert 0 < query(db, "SELECT pages_done FROM runs")[0][0] < 26  # type: ignore[operator]
    with MirrorServer(embedded_snapshot(), port=port) as server:
        assert main(crawl_argv(server.url, db, "--page-size", "1", "--cards", "none")) == 0
    assert query(db, "SELECT count(*), count(DISTINCT model_id) FROM models") == [(26, 26)]
    assert query(db, "SELECT run_id, status FROM runs") == [(1, "finished")]


@pytest.mark.slow
def test_progress_bars_only_on_a_terminal_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with MirrorServer(embedded_snapshot()) as server:
        argv = ["crawl", "--endpoint", server.url, "--author", AUTHOR, "--cards", "none"]
        assert main([*argv, "--db", str(tmp_path / "a.duckdb")]) == 0
        assert "listing models" not in capsys.readouterr().err  # stderr is not a terminal
        assert main([*argv, "--db", str(tmp_path / "b.duckdb"), "--progress"]) == 0
        assert "listing models" in capsys.readouterr().err


def test_the_readme_kinds_table_is_the_one_vocabulary_of_error_kinds() -> None:
    """README's `crawl_errors.kind` table lists every `ErrorKind` once, with its meaning."""
    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| `crawl_errors.kind` | meaning |") + 2
    table = {}
    for line in lines[start:]:
        if not line.startswith("| `"):
            break
        kind, meaning = line.removeprefix("| `").removesuffix(" |").split("` | ", 1)
        table[kind] = meaning
    assert table == {str(kind): meaning for kind, meaning in KIND_MEANINGS.items()}
    assert set(table) == {str(kind) for kind in ErrorKind}
