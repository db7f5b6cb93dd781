"""Small helpers for the store: one transaction, one batched Arrow insert, and relations
registered with DuckDB for the length of a block."""

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
    columns = ", ".join(f'"{name}"' for name in rows.column_names)
    with registered(con, batch_rows=rows):
        con.execute(f"INSERT OR IGNORE INTO {table} ({columns}) SELECT {columns} FROM batch_rows")


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **relations: object) -> Iterator[None]:
    """Register Arrow tables or DataFrames as DuckDB views named by the keywords, for the
    duration of a block (unregistered after it, whatever happens)."""
    done: list[str] = []
    try:
        for name, relation in relations.items():
            con.register(name, relation)
            done.append(name)
        yield
    finally:
        for name in done:
            con.unregister(name)
