"""Sensitivity: the headline results again under each variant of the data, in one table and one
figure.

A variant changes the data, never the method: it drops rows (reconstructed cards, copies,
flagged figures), keeps one row per training run, or swaps the share window for the paper's.
A variant the crawl cannot form (a column it lacks, a snapshot it did not read) is a row with
status `insufficient_data` and its reason, so the table keeps its shape when the columns come.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from analysis.figure_specs import drawn
from analysis.findings import OK, Result, insufficient
from analysis.population import Population, PopulationName, Units
from analysis.statistics import rq1, rq2
from analysis.statistics.unit import Statistic, statistic

Applied = tuple[Population, PopulationName] | str


@dataclass(frozen=True)
class Variant:
    """A way to re-form the data: id, label and what it does (a population and its name, or
    why this crawl cannot form it)."""

    id: str
    label: str
    apply: Callable[[Population, PopulationName], Applied]


def without(population: Population, drop: pd.Series) -> Population:
    """`population` without the reporters where `drop` is true, removed from the monthly model
    counts as well (they leave the crawl, not just the numerator)."""
    reporters = population.reporters
    dropped = drop.fillna(False).astype(bool).to_numpy()
    gone = reporters[dropped]
    if gone.empty:
        return population
    kinds = gone["autotrain"].map({True: "autotrain", False: "human"})
    parts = [gone.assign(population="all"), gone.assign(population=kinds)]
    removed = (
        pd.concat(parts)
        .groupby(["population", "month"], dropna=False)
        .agg(gone_models=("model_id", "size"), gone_with_co2=("co2_g", "count"))
        .reset_index()
    )
    monthly = population.monthly.merge(removed, on=["population", "month"], how="left")
    monthly[["gone_models", "gone_with_co2"]] = monthly[["gone_models", "gone_with_co2"]].fillna(0)
    monthly["models"] -= monthly["gone_models"].astype("int64")
    monthly["reporters"] -= monthly["gone_models"].astype("int64")
    monthly["reporters_with_co2"] -= monthly["gone_with_co2"].astype("int64")
    monthly = monthly.drop(columns=["gone_models", "gone_with_co2"])
    kept = reporters[~dropped].reset_index(drop=True)  # one row per model: the rest
    return replace(population, reporters=kept, monthly=monthly)


def _as_analysed(population: Population, name: PopulationName) -> Applied:
    return population, name


def _paper_window(population: Population, name: PopulationName) -> Applied:
    window = rq1.paper_window(population)
    if window is None:
        return "the crawl has fewer than 36 creation months"
    return replace(population, window=window), name


def _without_reconstructed(population: Population, name: PopulationName) -> Applied:
    flags = population.reporters["reconstructed"]
    if flags.isna().all() and len(flags):
        return "the crawl did not read the embedded snapshot, which marks rebuilt cards"
    return without(population, flags), name


def _needs(column: str, note: str) -> str:
    return f"not available in this crawl (no emissions.{column}); {note}"


def _independent(population: Population, name: PopulationName) -> Applied:
    reason = population.unavailable("independent")
    return reason if reason is not None else (population, "independent")


def _without_copies(population: Population, name: PopulationName) -> Applied:
    if "copied_from" not in population.columns:
        return _needs("copied_from", "copies cannot be told from originals")
    return without(population, population.reporters["copied_from"].notna()), name


def _without_flagged(population: Population, name: PopulationName) -> Applied:
    if "flags" not in population.columns:
        return _needs("flags", "flagged figures cannot be told apart")
    flagged = population.reporters["flags"].map(lambda flags: flags is not None and len(flags) > 0)
    return without(population, flagged), name


VARIANTS: tuple[Variant, ...] = (
    Variant("as_analysed", "as analysed", _as_analysed),
    Variant("paper_window", "paper's share window", _paper_window),
    Variant("without_reconstructed", "without reconstructed cards", _without_reconstructed),
    Variant("independent", "one row per training run", _independent),
    Variant("without_copies", "without copies", _without_copies),
    Variant("without_flagged", "without flagged figures", _without_flagged),
)

HEADLINES: tuple[tuple[Statistic, PopulationName], ...] = (
    (rq1.share_by_month, "autotrain"),
    (rq1.share_by_month, "human"),
    (rq1.median_co2_by_month, "all"),
    (rq2.SIZE_STATISTICS[0], "all"),
    (rq2.partial_spearman_downloads_age, "all"),
    (rq2.ols_domain_size_controlled, "all"),
    (rq2.mwu_cv_vs_nlp, "all"),
    (rq2.mwu_pretraining_vs_finetuning, "all"),
)
"""The results whose robustness the table shows: a statistic and its base population."""

WINDOWED = {rq1.share_by_month.id}
"""Statistics the share window affects: the only ones the paper's window re-computes."""


def _row(unit: Statistic, base: str, variant: Variant, result: Result | str) -> dict[str, Any]:
    row: dict[str, Any] = {"statistic": unit.id, "base_population": base, "variant": variant.id}
    row["variant_label"] = variant.label
    if isinstance(result, str):
        return row | {"status": "insufficient_data", "note": result}
    units = result.units
    effect = result.effect_size
    ok = result.status == OK
    return row | {
        "status": result.status,
        "note": result.note,
        "n": result.n,
        "rows": units.rows if units else None,
        "training_runs": units.training_runs if units else None,
        "authors": units.authors if units else None,
        "effect_name": effect.name if effect and ok else None,
        "effect": effect.value if effect and ok else None,
        "ci_low": result.ci[0] if result.ci and ok else None,
        "ci_high": result.ci[1] if result.ci and ok else None,
        "p": result.p if ok else None,
    }


@statistic(
    "sensitivity.variants",
    title="Sensitivity of the headline results to how the data is formed",
    question="Sensitivity",
    test="descriptive",
    populations=("all",),
    figure=drawn("sensitivity"),
)
def variants(population: Population, name: PopulationName) -> Result:
    """The headline results (the share trends of AutoTrain and human models; on all reporters
    the median-CO2 trend, CO2 vs size, CO2 vs downloads given age, the domain regression and
    the two Mann-Whitney tests) recomputed, same method, under each variant: as analysed; the
    paper's share window (its `.iloc[34:-1]` of the month groups: the first 34 and the last
    dropped; share trends only, the other statistics do not use a window); without reconstructed
    cards (the embedded snapshot's `card_origin` reconstructed_from_paper: front matter rebuilt
    from the paper's extracted fields, removed from numerator and denominator); one row per
    training run (the `independent` population); without copies (`emissions.copied_from` set);
    without flagged figures (`emissions.flags` not empty). One row per statistic and variant
    with its n, rows, training runs, authors, effect size, interval and raw p; a variant this
    crawl cannot form is a row saying why; a run without reporters gives an empty table.
    Statistic: the number of rows computed. These are robustness checks, not further tests:
    none joins the Holm family."""
    del name
    rows = []
    formed: dict[tuple[str, PopulationName], Applied] = {}
    for unit, base in HEADLINES:
        for variant in VARIANTS:
            if variant.id == "paper_window" and unit.id not in WINDOWED:
                rows.append(_row(unit, base, variant, "the statistic uses no window"))
                continue
            if (variant.id, base) not in formed:  # one population per variant and base
                formed[variant.id, base] = variant.apply(population, base)
            applied = formed[variant.id, base]
            if isinstance(applied, str):
                rows.append(_row(unit, base, variant, applied))
                continue
            varied, varied_name = applied
            result = unit(varied, varied_name) if varied_name in unit.populations else None
            rows.append(_row(unit, base, variant, result or "not defined on this population"))
    table = pd.DataFrame(rows)
    if population.reporters.empty:
        return insufficient(0, "no reporters in this run", table=table.iloc[0:0])
    computed = int((table["status"] == OK).sum())
    if computed == 0:
        return insufficient(0, "no headline result could be computed", table=table)
    return Result(
        n=len(table),
        statistic=float(computed),
        statistic_name="rows computed",
        details={"rows": len(table), "computed": computed},
        table=table,
        units=Units(rows=len(table), training_runs=None, authors=None),
    )
