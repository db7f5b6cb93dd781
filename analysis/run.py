"""`hubcarbon analyze` in Python: every registered statistic on every population of the latest
crawl, the Holm correction, and the outputs (findings.json, tables, figures).

Outputs, all under the chosen OUT directory and byte-stable for the same database:
- `findings.json`: {"version": 1, "run_id", "generated_from", "holm", "statistics": [...],
  "tables": {...}} with sorted keys; statistics in registry order, populations all, autotrain,
  human;
- `analysis/<statistic id>.csv|.parquet`: the rows behind each statistic, all populations with a
  `population` column; `analysis/reporters.csv|.parquet`: one row per reporter with its derived
  fields;
- `analysis/<statistic id>.png|.svg`: its figure, when it has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from analysis import FIGURE_MODULES, figure_specs
from analysis.figure_specs import FORMATS, Job, Rendered
from analysis.findings import Finding, Result
from analysis.jsonio import dumps
from analysis.population import Population, load
from analysis.statistics import STATISTICS, Statistic, family
from hubcarbon.core import pool
from hubcarbon.core.atomic import Staged
from hubcarbon.core.errors import InputError
from hubcarbon.core.registry import documentation
from mining import store

VERSION = 1
ANALYSIS_DIR = "analysis"
HOLM_METHOD = family.HOLM_METHOD


@dataclass(frozen=True)
class Analysis:
    """The computed findings with the tables and figures they point to."""

    population: Population
    findings: list[Finding]
    tables: dict[str, pd.DataFrame]
    results: dict[str, dict[str, Result]]


Computed = Callable[[Statistic, pd.DataFrame, dict[str, Result]], None]
"""Told of each statistic as soon as it is computed: the unit, its table, its results."""


def compute(
    population: Population, *, progress: bool | None = False, on_table: Computed | None = None
) -> Analysis:
    """Every statistic on every one of its populations, then the Holm correction (`progress`
    None: a progress bar only on a terminal); `on_table` sees each statistic with a table as
    soon as it is computed."""
    findings: list[Finding] = []
    tables: dict[str, pd.DataFrame] = {}
    results: dict[str, dict[str, Result]] = {}
    for unit in tqdm(
        list(STATISTICS),
        desc="statistics",
        unit="stat",
        disable=None if progress is None else not progress,
    ):
        by_population = {name: unit(population, name) for name in unit.populations}
        results[unit.id] = by_population
        table = _combined_table(by_population)
        if table is not None:
            tables[unit.id] = table
            if on_table is not None:
                on_table(unit, table, by_population)
        findings += [
            _finding(unit, name, result, table is not None)
            for name, result in by_population.items()
        ]
    tables["reporters"] = reporters_table(population)
    return Analysis(population, family.classify(findings), tables, results)


def _finding(unit: Statistic, population: str, result: Result, has_table: bool) -> Finding:
    return Finding(
        id=unit.id,
        title=unit.title,
        question=unit.question,
        population=population,
        test=unit.test,
        result=result,
        method=documentation(unit),
        table=f"{ANALYSIS_DIR}/{unit.id}.csv" if has_table else None,
        figure=None,
    )


def _combined_table(by_population: dict[str, Result]) -> pd.DataFrame | None:
    parts = [
        result.table.assign(population=name)
        for name, result in by_population.items()
        if result.table is not None
    ]
    if not parts:
        return None
    combined = pd.concat(parts, ignore_index=True)
    return combined[["population", *[c for c in combined.columns if c != "population"]]]


def reporters_table(population: Population) -> pd.DataFrame:
    """One row per reporter with its derived fields (lists joined with '|' in the CSV)."""
    return population.reporters.reset_index(drop=True)


FIGURE_WORKERS = 2
"""Figures are drawn in this many worker processes (at most one per CPU) while the statistics
go on, at a lower priority: the statistics, one after the other, are the longest path, and the
figures fill the CPU time they leave."""


class Drawing:
    """The figures of the statistics, each handed to a worker as soon as its table is computed
    (`add`, a `compute` callback), collected in registry order by `write`."""

    def __init__(self, submit: Callable[[Job], Callable[[], Rendered]]) -> None:
        self._submit = submit
        self._pending: list[tuple[str, Callable[[], Rendered]]] = []

    def add(self, unit: Statistic, table: pd.DataFrame, results: dict[str, Result]) -> None:
        if unit.figure is not None and not table.empty:
            self._pending.append((unit.id, self._submit((unit.figure, table, results))))

    def write(self, out: Path, staged: Staged, *, progress: bool | None = False) -> dict[str, str]:
        """Write each figure into OUT/analysis (through `staged`) as it is ready; returns
        statistic id → PNG path."""
        drawn: dict[str, str] = {}
        for unit_id, result in tqdm(
            self._pending,
            desc="figures",
            unit="fig",
            disable=None if progress is None else not progress,
        ):
            rendered = result()
            if rendered is None:
                continue
            for suffix, data in zip(FORMATS, rendered, strict=True):
                staged.write(out / ANALYSIS_DIR / f"{unit_id}.{suffix}", data)
            drawn[unit_id] = f"{ANALYSIS_DIR}/{unit_id}.png"
        return drawn


def write_tables(
    tables: dict[str, pd.DataFrame], out: Path, staged: Staged
) -> dict[str, dict[str, Any]]:
    """CSV and Parquet of every table (through Arrow and `staged`); returns the `tables` section
    of findings.json. In the CSV, list cells are joined with '|'."""
    index: dict[str, dict[str, Any]] = {}
    directory = out / ANALYSIS_DIR
    for name, table in sorted(tables.items()):
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        pq.write_table(arrow, staged.path(directory / f"{name}.parquet"))
        pa_csv.write_csv(_csv_ready(arrow), staged.path(directory / f"{name}.csv"))
        index[name] = {
            "csv": f"{ANALYSIS_DIR}/{name}.csv",
            "parquet": f"{ANALYSIS_DIR}/{name}.parquet",
            "rows": len(table),
            "columns": [str(column) for column in table.columns],
        }
    return index


def _csv_ready(table: pa.Table) -> pa.Table:
    """List columns joined with '|' (CSV has no lists)."""
    for position, field in enumerate(table.schema):
        if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
            texts = table.column(position).cast(pa.list_(pa.string()))  # list<null> included
            joined = pc.binary_join(texts, "|")
            table = table.set_column(position, field.name, joined)
    return table


def document(analysis: Analysis, tables: dict[str, Any], figures: dict[str, str]) -> dict[str, Any]:
    """The findings.json document."""
    statistics = [
        replace(finding, figure=figures.get(finding.id)).as_dict() for finding in analysis.findings
    ]
    return {
        "version": VERSION,
        "run_id": analysis.population.run["run_id"],
        "generated_from": analysis.population.run,
        "holm": family.section(analysis.findings),
        "statistics": statistics,
        "tables": tables,
    }


@dataclass(frozen=True)
class Summary:
    """What `hubcarbon analyze` reports when it is done."""

    run_id: int
    models: int
    reporters: int
    findings: int
    computed: int
    insufficient: int
    significant_holm: int
    tables: int
    figures: int
    findings_path: Path
    training_runs: int | None = None
    emissions_rows: int = 0
    flagged: int = 0
    flag_counts: tuple[tuple[str, int], ...] = ()

    def lines(self) -> list[str]:
        empty = [f"no models in run {self.run_id}: every statistic is insufficient_data"]
        return [
            *(empty if not self.models else []),
            f"run {self.run_id}: {self.models:,} models, {self.reporters:,} CO2 reporters",
            f"findings: {self.findings} ({self.computed} computed, {self.insufficient} with "
            f"insufficient data); {self.significant_holm} significant after Holm (p < 0.05)",
            f"tables: {self.tables}, figures: {self.figures} in {self.findings_path.parent}/"
            f"{ANALYSIS_DIR}",
            self.audit_line(),
            f"wrote {self.findings_path}",
        ]

    def audit_line(self) -> str:
        """The training runs behind the reporters and the figures the audit flagged."""
        runs = "unknown" if self.training_runs is None else f"{self.training_runs:,}"
        detail = ", ".join(f"{flag} {count:,}" for flag, count in self.flag_counts)
        return (
            f"training runs: {runs}; flagged figures: {self.flagged:,} of {self.emissions_rows:,} "
            "emissions rows" + (f" ({detail}; see docs/classifications.md)" if detail else "")
        )


def analyze(
    db: Path, out: Path, *, progress: bool | None = False, echo: Callable[[str], None] | None = None
) -> Summary:
    """Load the latest crawl of `db`, compute every finding and write OUT/findings.json, the
    tables and the figures.

    Every output is staged in a temporary file and all are moved into place together at the
    end (hubcarbon.core.atomic): an interrupted or failing run leaves the previous outputs as
    they were."""
    processes = pool.workers(FIGURE_WORKERS)
    with (
        pool.submitting(
            figure_specs.draw, processes=processes, preload=FIGURE_MODULES, background=True
        ) as submit,
        threadpool_limits(limits=1 if processes > 1 else None),  # the CPUs are the workers'
    ):
        con = store.connect(db, read_only=True)
        try:
            if echo:
                echo(f"loading the latest crawl from {db}")
            with store.reading(db):
                population = load(con)
                rows, flagged, flag_counts = store.flagged_figures(con)
        finally:
            con.close()
        drawing = Drawing(submit)
        analysis = compute(population, progress=progress, on_table=drawing.add)
        findings_path = out / "findings.json"
        try:
            (out / ANALYSIS_DIR).mkdir(parents=True, exist_ok=True)
            with Staged() as staged:
                tables = write_tables(analysis.tables, out, staged)
                drawn = drawing.write(out, staged, progress=progress)
                staged.write(findings_path, dumps(document(analysis, tables, drawn)))
        except OSError as exc:
            raise InputError(f"cannot write into {out}: {exc.strerror or exc}") from exc
    summary = _summary(analysis, len(tables), len(drawn), findings_path)
    return replace(
        summary, emissions_rows=rows, flagged=flagged, flag_counts=tuple(flag_counts.items())
    )


def _summary(analysis: Analysis, tables: int, figures: int, path: Path) -> Summary:
    results = [finding.result for finding in analysis.findings]
    population = analysis.population
    return Summary(
        run_id=int(analysis.population.run["run_id"]),
        models=int(analysis.population.run["models"]),
        reporters=len(analysis.population.reporters),
        findings=len(results),
        computed=sum(1 for result in results if result.status == "ok"),
        insufficient=sum(1 for result in results if result.status != "ok"),
        significant_holm=_count(f.p_holm for f in analysis.findings),
        tables=tables,
        figures=figures,
        findings_path=path,
        training_runs=population.units(population.reporters).training_runs,
    )


def _count(values: Iterable[float | None]) -> int:
    return sum(1 for value in values if value is not None and value < 0.05)
