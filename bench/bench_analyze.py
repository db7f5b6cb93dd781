"""`hubcarbon analyze` on a synthetic population of 3,000,000 models with 30,000 CO2 reporters.

The population is drawn from a real crawl of the embedded snapshot (`hubcarbon crawl --cards
co2`: every model listed, the cards of the models tagged co2_eq_emissions): a seeded generator
samples whole model rows with replacement (so creation time, tags, pipeline tag, downloads and
size keep their joint distribution), 2,970,000 from the non-reporters and 30,000 from the
reporters, each reporter bringing its real card and emissions row (CO2 amount, provenance,
context fields) and the facts of its README (metrics), and every model its own facts
(AutoTrain, domain).
Every row gets a new unique id; the synthetic copies of one real reporter
share its training run (`emissions.training_run`: the source's run, or its model id on a source
crawled before the audit), so the `independent` population is analysed too. It is written
straight into a DuckDB file in the crawl schema through Arrow, in chunks. As in a `--cards co2`
crawl, only reporters have a card and the listing's `card_data` is empty.

Measured, each in a fresh child process (wall time and peak RSS from `os.wait4`):
- baseline: DuckDB merely scanning the crawl tables (every column of every row hashed);
- `python -m hubcarbon analyze --db DB --out OUT --no-progress`, interpreter start-up,
  imports, figures and writing included.

Goal: analyze in at most 20 s and 2 GB peak memory on a 2-core machine; the ratio to the scan
is printed.

Run: `python bench/bench_analyze.py` (crawls the snapshot first, about 40 s), or
`python bench/bench_analyze.py --source-db out/hubcarbon.duckdb` to sample an existing crawl.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from mining import store
from mining.store.cards import append_cards

MODELS = 3_000_000
REPORTERS = 30_000
SEED = 20230405
CHUNK = 500_000
GOAL_SECONDS = 20.0
GOAL_PEAK_MB = 2048.0
SCANNED = (
    "runs", "models", "run_cards", "card_fetches", "card_texts", "emissions", "model_facts",
    "text_facts",
)  # fmt: skip


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, run: int) -> pa.Table:
    return con.sql(sql, params={"run": run}).to_arrow_table()


def synthesize(source: Path, target: Path, *, models: int, reporters: int, seed: int) -> None:
    """Write the synthetic population into `target` (a new database in the crawl schema)."""
    src = duckdb.connect(str(source), read_only=True)
    try:
        run = store.latest_run_id(src.cursor())
        where = "run_id = $run AND model_id IN (SELECT model_id FROM emissions WHERE run_id = $run)"
        pool = _fetch(
            src,
            "SELECT m.*, e.model_id IS NOT NULL AS reporter FROM models m LEFT JOIN "
            "(SELECT model_id FROM emissions WHERE run_id = $run) e USING (model_id) "
            "WHERE m.run_id = $run ORDER BY m.model_id",
            run,
        )
        emissions = _fetch(
            src, "SELECT * FROM emissions WHERE run_id = $run ORDER BY model_id", run
        )
        cards = _fetch(src, f"SELECT * FROM cards WHERE {where} ORDER BY model_id", run)
        texts = _fetch(
            src,
            "SELECT * FROM card_texts WHERE text_sha256 IN "
            f"(SELECT text_sha256 FROM cards WHERE {where})",
            run,
        )
        facts = _fetch(
            src,
            "SELECT f.* FROM models m JOIN model_facts f ON f.run_id = m.run_id "
            "AND f.model_id = m.model_id WHERE m.run_id = $run ORDER BY m.model_id",
            run,
        )
        text_facts = _fetch(
            src,
            "SELECT * FROM text_facts WHERE text_sha256 IN "
            f"(SELECT text_sha256 FROM cards WHERE {where})",
            run,
        )
    finally:
        src.close()
    is_reporter = pool.column("reporter").to_numpy(zero_copy_only=False)
    non_reporters = pool.filter(pa.array(~is_reporter)).drop_columns(["reporter"])
    reporter_rows = pool.filter(pa.array(is_reporter)).drop_columns(["reporter"])
    if emissions.column("model_id").to_pylist() != reporter_rows.column("model_id").to_pylist():
        raise RuntimeError("every emissions row needs its model row in the source crawl")
    if facts.num_rows != pool.num_rows:
        raise RuntimeError("every model needs its model_facts row: crawl the source again")
    facts_non = facts.filter(pa.array(~is_reporter))
    facts_rep = facts.filter(pa.array(is_reporter))
    card_of = {model_id: i for i, model_id in enumerate(cards.column("model_id").to_pylist())}

    rng = np.random.default_rng(seed)
    ids = rng.permutation(models)
    picks_non = rng.integers(0, non_reporters.num_rows, size=models - reporters)
    picks_rep = rng.integers(0, reporter_rows.num_rows, size=reporters)

    con = store.connect(target)
    try:
        con.execute(
            "INSERT INTO runs (run_id, started_at, finished_at, status, endpoint, snapshot, "
            "options, listing_done) VALUES (1, TIMESTAMP '2023-04-05 00:00:00', "
            "TIMESTAMP '2023-04-05 01:00:00', 'finished', 'synthetic', ?, ?, true)",
            [f"synthetic from {source.name}, seed {seed}", '{"synthetic": true}'],
        )
        position = 0
        for start in range(0, len(picks_non), CHUNK):
            chunk = non_reporters.take(pa.array(picks_non[start : start + CHUNK]))
            chunk_ids = ids[position : position + chunk.num_rows]
            _insert(con, "models", _renamed(chunk, chunk_ids, card_data=False))
            chunk_facts = facts_non.take(pa.array(picks_non[start : start + CHUNK]))
            _insert(con, "model_facts", _renamed(chunk_facts, chunk_ids))
            position += chunk.num_rows
        reporter_ids = ids[position:]
        _insert(con, "models", _renamed(reporter_rows.take(pa.array(picks_rep)), reporter_ids))
        _insert(con, "model_facts", _renamed(facts_rep.take(pa.array(picks_rep)), reporter_ids))
        copies = _renamed(emissions.take(pa.array(picks_rep)), reporter_ids)
        source_runs = "training_run" if "training_run" in emissions.column_names else "model_id"
        runs = emissions.column(source_runs).take(pa.array(picks_rep))
        if "training_run" in copies.column_names:
            copies = copies.drop_columns(["training_run"])
        else:
            con.execute("ALTER TABLE emissions ADD COLUMN training_run VARCHAR")
        _insert(con, "emissions", copies.append_column("training_run", runs))
        source_ids = reporter_rows.column("model_id").to_pylist()
        with_card = [i for i, pick in enumerate(picks_rep) if source_ids[pick] in card_of]
        card_rows = cards.take(pa.array([card_of[source_ids[picks_rep[i]]] for i in with_card]))
        append_cards(con, 1, _renamed(card_rows, reporter_ids[with_card]))
        _insert(con, "card_texts", texts)
        _insert(con, "text_facts", text_facts)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _renamed(table: pa.Table, numbers: np.ndarray, *, card_data: bool = True) -> pa.Table:
    ids = pa.array([f"synthetic/model-{n:07d}" for n in numbers.tolist()], pa.string())
    table = table.set_column(table.schema.get_field_index("model_id"), "model_id", ids)
    table = table.set_column(
        table.schema.get_field_index("run_id"), "run_id", pa.array(np.ones(len(ids), np.int32))
    )
    if not card_data and "card_data" in table.column_names:
        index = table.schema.get_field_index("card_data")
        table = table.set_column(
            index, "card_data", pa.nulls(len(ids), table.schema.field(index).type)
        )
    return table


def _insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register("chunk", table)
    try:
        con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM chunk")
    finally:
        con.unregister("chunk")


def scan(db: Path) -> None:
    """The baseline: hash every column of every row of the crawl tables."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in SCANNED:
            con.execute(f"SELECT max(hash(COLUMNS(*))) FROM {table}").fetchall()
    finally:
        con.close()


def measure(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child process running `argv`."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


def _source(work: Path, given: Path | None) -> Path:
    if given is not None:
        return given
    db = work / "source.duckdb"
    subprocess.run(
        [sys.executable, "-m", "hubcarbon", "crawl", "--db", str(db), "--cards", "co2",
         "--no-progress"],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-db", type=Path, help="a crawl to sample (default: crawl one)")
    parser.add_argument("--models", type=int, default=MODELS)
    parser.add_argument("--reporters", type=int, default=REPORTERS)
    parser.add_argument("--scan", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scan is not None:
        scan(args.scan)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        source = _source(work, args.source_db)
        db = work / "synthetic.duckdb"
        started = time.perf_counter()
        synthesize(source, db, models=args.models, reporters=args.reporters, seed=SEED)
        print(
            f"synthetic population: {args.models:,} models, {args.reporters:,} reporters "
            f"(seed {SEED}), generated in {time.perf_counter() - started:.1f} s, "
            f"{db.stat().st_size / 2**20:.0f} MB"
        )
        scan_argv = [sys.executable, __file__, "--scan", str(db)]
        measure(scan_argv)  # warm the page cache
        scans = [measure(scan_argv) for _ in range(3)]
        scan_seconds = statistics.median(seconds for seconds, _ in scans)
        analyze_argv = [sys.executable, "-m", "hubcarbon", "analyze", "--db", str(db),
                        "--out", str(work / "out"), "--no-progress"]  # fmt: skip
        seconds, peak = measure(analyze_argv)
    verdict = "met" if seconds <= GOAL_SECONDS and peak <= GOAL_PEAK_MB else "MISSED"
    print(f"scan baseline (DuckDB hashing every column of {', '.join(SCANNED)}): "
          f"{scan_seconds:.2f} s")  # fmt: skip
    print(
        f"hubcarbon analyze: {seconds:.2f} s, peak RSS {peak:.0f} MB "
        f"(goal <= {GOAL_SECONDS:.0f} s and <= {GOAL_PEAK_MB:.0f} MB: {verdict}), "
        f"ratio to the scan {seconds / scan_seconds:.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
