"""Damaged, empty and foreign database files: every stage after the crawl refuses them in one
line with exit 2, writes nothing, and leaves the file byte for byte as it was.

The damaged files are made from a real crawl of the embedded snapshot (truncated, or with bytes
flipped in its middle); the others are an empty file, a text file, a DuckDB database of someone
else's table and a DuckDB database without any table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from hubcarbon.cli import main
from hubcarbon.core.errors import StoreError
from mining import store


def _empty(path: Path, _crawl: bytes) -> None:
    path.write_bytes(b"")


def _text(path: Path, _crawl: bytes) -> None:
    path.write_text("model_id,co2\nbert-base,12\n" * 500, encoding="utf-8")


def _truncated(path: Path, crawl: bytes) -> None:
    path.write_bytes(crawl[: len(crawl) // 2])


def _truncated_early(path: Path, crawl: bytes) -> None:
    path.write_bytes(crawl[:20_000])


def _flipped(path: Path, crawl: bytes) -> None:
    damaged = bytearray(crawl)
    for position in range(len(damaged) // 3, 2 * len(damaged) // 3, 512):
        damaged[position] ^= 0xFF
    path.write_bytes(bytes(damaged))


def _foreign(path: Path, _crawl: bytes) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER, total DOUBLE)")
    con.execute("INSERT INTO invoices VALUES (1, 9.5)")
    con.close()


def _no_tables(path: Path, _crawl: bytes) -> None:
    duckdb.connect(str(path)).close()


DAMAGE: dict[str, Callable[[Path, bytes], None]] = {
    "empty file": _empty,
    "text file": _text,
    "truncated to half": _truncated,
    "truncated to 20 kB": _truncated_early,
    "bytes flipped": _flipped,
    "foreign DuckDB": _foreign,
    "DuckDB without tables": _no_tables,
}

COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "analyze": lambda db, out: ["analyze", "--db", str(db), "--out", str(out)],
    "classify": lambda db, _out: ["classify", "--db", str(db)],
    "report": lambda db, out: [
        *("report", "--db", str(db), "--out", str(out / "site")),
        *("--findings", str(out / "findings.json"), "--replication", str(out / "r.json")),
    ],
}


@pytest.fixture(scope="module")
def crawl_bytes(co2_crawl_db: Path) -> bytes:
    return co2_crawl_db.read_bytes()


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_refused_in_one_line_and_left_untouched(
    command: str,
    damage: str,
    crawl_bytes: bytes,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "hubcarbon.duckdb"
    DAMAGE[damage](db, crawl_bytes)
    before = db.read_bytes()
    out = tmp_path / "out"
    code = main([*COMMANDS[command](db, out), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("hubcarbon: error: ") and str(db) in lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hubcarbon.duckdb"]  # no out, no WAL


def test_the_messages_say_what_is_wrong(crawl_bytes: bytes, tmp_path: Path) -> None:
    """At connect time (the file cut in half opens: its damage shows at the first query that
    reads a lost block, and the commands above report it the same way)."""
    expected = {
        "empty file": "is an empty file, not a DuckDB database",
        "text file": "is not a DuckDB database",
        "truncated to 20 kB": "is damaged or truncated",
        "foreign DuckDB": "without the crawl tables (runs, models, cards, emissions missing)",
        "DuckDB without tables": "holds no crawl yet: run `hubcarbon crawl",
    }
    for damage, words in expected.items():
        db = tmp_path / f"{damage.replace(' ', '_')}.duckdb"
        DAMAGE[damage](db, crawl_bytes)
        with pytest.raises(StoreError, match=re.escape(words)):
            store.connect(db, read_only=True)


def test_a_crawl_may_start_in_an_empty_duckdb_but_not_in_a_foreign_one(tmp_path: Path) -> None:
    blank = tmp_path / "blank.duckdb"
    _no_tables(blank, b"")
    store.connect(blank).close()  # a new store: the crawl tables are created
    con = duckdb.connect(str(blank), read_only=True)
    tables = {
        name
        for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    con.close()
    assert tables.issuperset(store.CRAWL_TABLES)

    foreign = tmp_path / "foreign.duckdb"
    _foreign(foreign, b"")
    before = foreign.read_bytes()
    with pytest.raises(StoreError, match="without the crawl tables"):
        store.connect(foreign)
    assert foreign.read_bytes() == before


def test_a_missing_database_is_not_created_by_the_stages_after_the_crawl(tmp_path: Path) -> None:
    for read_only, require_crawl in ((True, False), (False, True)):
        with pytest.raises(StoreError, match="no database at"):
            store.connect(
                tmp_path / "none.duckdb", read_only=read_only, require_crawl=require_crawl
            )
    assert list(tmp_path.iterdir()) == []
