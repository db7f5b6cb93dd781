"""A crawled database from Python: `hubcarbon.open_db(path)` and its readers.

with hubcarbon.open_db("out/hubcarbon.duckdb") as db:
    db.reporters()       # one row per CO2 reporter of the latest run (a DataFrame)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from hubcarbon.core.errors import InputError, StoreError
from mining import store

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["Database", "open_db"]


@dataclass
class Database:
    """A hubcarbon database opened read-only; every reader returns the latest run's rows (or
    run `run_id`'s, when given) as a pandas DataFrame."""

    con: duckdb.DuckDBPyConnection
    run_id: int

    def models(self) -> pd.DataFrame:
        """Every listed model: the `models` table's columns (docs/schema.md)."""
        return self._rows("SELECT * FROM models WHERE run_id = ? ORDER BY model_id")

    def reporters(self) -> pd.DataFrame:
        """Every model whose card states CO2: its `emissions` row beside its listing fields."""
        return self._rows(
            "SELECT e.*, m.author, m.created_at, m.downloads, m.likes, m.pipeline_tag, "
            "m.library_name, m.tags FROM emissions e JOIN models m USING (run_id, model_id) "
            "WHERE e.run_id = ? ORDER BY e.model_id"
        )

    def errors(self) -> pd.DataFrame:
        """What the crawl recorded instead of stopping (`crawl_errors`)."""
        return self._rows("SELECT * FROM crawl_errors WHERE run_id = ? ORDER BY ALL")

    def lint_findings(self) -> pd.DataFrame:
        """The linter's findings per reporter, written by `hubcarbon classify`."""
        tables = {row[0] for row in self.con.execute("SHOW TABLES").fetchall()}
        if "lint_findings" not in tables:
            raise InputError("no lint findings in the database: run `hubcarbon classify` first")
        return self._rows("SELECT * FROM lint_findings WHERE run_id = ? ORDER BY ALL")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _rows(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql, [self.run_id]).df()


def open_db(path: Path | str = store.DEFAULT_DB, run_id: int | None = None) -> Database:
    """Open a database written by `hubcarbon crawl` read-only, at its latest run by default."""
    con = store.connect(path, read_only=True)
    try:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if "runs" not in tables:
            raise StoreError(f"{path} holds no crawl: run `hubcarbon crawl` first")
        return Database(con, store.latest_run_id(con) if run_id is None else run_id)
    except BaseException:
        con.close()
        raise
