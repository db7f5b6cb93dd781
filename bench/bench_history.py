"""`hubcarbon diff` of two crawls of the embedded snapshot (nothing changed: the diff is empty).

Two real crawls of the embedded snapshot through the loopback mirror into one database (by
default `--cards co2`: every model listed, 2 x 87,305 rows in `models`, the cards of the models
tagged co2_eq_emissions), then, each measured as the median of REPEATS:
- baseline: DuckDB scanning both runs' rows of the `model_history` view (every column hashed),
  in process;
- `diff_runs(con)` in process (the views, the full outer join, the classification);
- `python -m hubcarbon diff --db DB --format json` in a fresh child process, interpreter
  start-up and imports included.

Goal: the command takes under 5 s and prints an empty diff; the ratio of the in-process diff to
the scan is printed.

Run: `python bench/bench_history.py [--db FILE]` (two crawls first, a few minutes; `--db` keeps
them for the next run), or `--models co2` for the 1,418 tagged models only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mining import store
from mining.store.history import diff_runs

GOAL_SECONDS = 5.0
REPEATS = 5
SCAN_SQL = """
SELECT count(*), sum(hash(h)) FROM model_history h WHERE run_id IN (
    SELECT run_id FROM runs WHERE status = 'finished' ORDER BY run_id DESC LIMIT 2)
"""


def crawl(db: Path, flags: list[str]) -> None:
    command = [sys.executable, "-m", "hubcarbon", "crawl", "--db", str(db), "--no-progress"]
    subprocess.run([*command, *flags], check=True, stdout=subprocess.DEVNULL)


def finished_runs(db: Path) -> int:
    if not db.exists():
        return 0
    con = store.connect(db, read_only=True)
    try:
        return int(
            con.execute("SELECT count(*) FROM runs WHERE status = 'finished'").fetchall()[0][0]
        )
    finally:
        con.close()


def median_seconds(action: object, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", choices=["all", "co2"], default="all")
    parser.add_argument(
        "--db", type=Path, help="keep the crawls in this database (reused when it has two runs)"
    )
    args = parser.parse_args(argv)
    flags = ["--cards", "co2"] if args.models == "all" else ["--models", "co2"]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "history.duckdb"
        started = time.perf_counter()
        while finished_runs(db) < 2:
            crawl(db, flags)
        print(f"two crawls ({' '.join(flags)}): {time.perf_counter() - started:.1f} s")
        con = store.connect(db, read_only=True)
        try:
            rows = con.execute(SCAN_SQL).fetchall()[0][0]
            scan = median_seconds(lambda: con.execute(SCAN_SQL).fetchall())
            diff = diff_runs(con)
            in_process = median_seconds(lambda: diff_runs(con))
        finally:
            con.close()
        command = [sys.executable, "-m", "hubcarbon", "diff", "--db", str(db), "--format", "json"]
        outputs: list[str] = []

        def run_cli() -> None:
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            outputs.append(done.stdout)

        cli = median_seconds(run_cli)
    document = json.loads(outputs[-1])
    empty = diff.empty and not any(v for v in document.values() if isinstance(v, list))
    print(f"model_history rows of the two runs: {rows:,}")
    print(f"baseline, scan of both runs' model_history rows: {scan * 1000:.0f} ms")
    print(f"diff_runs in process: {in_process * 1000:.0f} ms ({in_process / scan:.1f}x the scan)")
    print(f"hubcarbon diff --format json (child process): {cli:.2f} s (goal < {GOAL_SECONDS} s)")
    print(f"diff empty: {empty}")
    return 0 if empty and cli < GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
