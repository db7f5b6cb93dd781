"""Small helpers for writing to the store: one transaction, one batched Arrow insert."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything inside commits together or not at all (Ctrl-C and SIGKILL included)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Insert an Arrow batch whose columns are a subset of the table's, by name."""
    if rows.num_rows == 0:
        return
    con.register("batch_rows", rows)
    try:
        columns = ", ".join(f'"{name}"' for name in rows.column_names)
        con.execute(f"INSERT OR IGNORE INTO {table} ({columns}) SELECT {columns} FROM batch_rows")
    finally:
        con.unregister("batch_rows")
