"""The values the paper publishes, and the side-by-side comparison with ours.

Only values the methods document states are listed with a number; every other statistic is
compared by an independent check, so its published column reads "checked independently".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WITHHELD = "checked independently"
CONSTANT = "constant: the published value, not recomputed"
NOT_COMPUTABLE = "not computable: needs the full crawl"

CONSTANTS = frozenset({("reporting_share_trend", "p")})
"""Paths whose value is the published number taken as a documented constant, so "ours" equals
it by construction (Holm member 1)."""

NOT_COMPUTABLE_LEVELS = {"Unknown Energy Efficiency": 168_851, "Context Reporting": 194}
"""Reporting levels 1 and 2 with their published counts: they count models without a CO2 value,
which only the full crawl of 170,462 models holds, so the replication's 0 is not a result."""


@dataclass(frozen=True)
class Check:
    """One quantity of the comparison table: its label, its JSON path, its published value."""

    label: str
    path: tuple[str, ...]
    published: int | float | None = None

    def ours(self, results: Mapping[str, Any]) -> Any:
        """Our value at `path`, or None when the section is absent."""
        value: Any = results
        for part in self.path:
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
        return value

    def matches(self, results: Mapping[str, Any]) -> bool | None:
        """Exact equality with the published value; None when nothing is published or computed."""
        ours = self.ours(results)
        if self.published is None or ours is None:
            return None
        return bool(ours == self.published)


PUBLISHED = (
    Check("models with a CO2 value", ("n_models_co2", "count"), 1417),
    Check("AutoTrain reporters", ("autotrain_share", "count"), 1291),
    Check("reporters (AutoTrain share denominator)", ("autotrain_share", "total"), 1417),
    Check("reporters in NLP", ("domain_counts", "NLP"), 1160),
    Check("reporters in Computer Vision", ("domain_counts", "Computer Vision"), 188),
    Check("reporters in Multimodal", ("domain_counts", "Multimodal"), 11),
    Check("reporters in Audio", ("domain_counts", "Audio"), 1),
    Check("reporters without a domain", ("domain_counts", "Not Specified"), 57),
    Check("efficiency label A (final weights)", ("efficiency_labels_paper", "A"), 37),
    Check("efficiency label B (final weights)", ("efficiency_labels_paper", "B"), 486),
    Check("efficiency label C (final weights)", ("efficiency_labels_paper", "C"), 826),
    Check("efficiency label D (final weights)", ("efficiency_labels_paper", "D"), 55),
    Check("efficiency label E (final weights)", ("efficiency_labels_paper", "E"), 15),
)
"""Values stated by the paper's abstract and data files, compared exactly."""

INDEPENDENT = (
    Check("median CO2 trend: slope", ("median_co2_trend", "slope")),
    Check("median CO2 trend: p", ("median_co2_trend", "p")),
    Check("median CO2 trend: Holm p", ("median_co2_trend", "p_holm")),
    Check("median CO2: max of monthly medians", ("median_co2_trend", "max")),
    Check("median CO2: mean of monthly medians", ("median_co2_trend", "mean")),
    Check("median CO2: last month", ("median_co2_trend", "last")),
    Check("median CO2: median of monthly medians", ("median_co2_trend", "median")),
    Check("reporting share trend: p (published constant)", ("reporting_share_trend", "p")),
    Check("reporting share trend: Holm p", ("reporting_share_trend", "p_holm")),
    *(
        Check(f"Spearman {metric}, {group}: {field}", (f"spearman_{metric}_{group}", field))
        for group in ("autotrain", "curated")
        for metric in ("accuracy", "f1", "rouge1", "rougeL")
        for field in ("rho", "p", "p_holm", "n")
    ),
    Check("MWU pre-training vs fine-tuning: U", ("mwu_pretraining_vs_finetuning", "U")),
    Check("MWU pre-training vs fine-tuning: p", ("mwu_pretraining_vs_finetuning", "p")),
    Check("MWU pre-training vs fine-tuning: Holm p", ("mwu_pretraining_vs_finetuning", "p_holm")),
    Check("Pearson log size: r", ("pearson_log_size", "r")),
    Check("Pearson log size: p", ("pearson_log_size", "p")),
    Check("Pearson log size: Holm p", ("pearson_log_size", "p_holm")),
    Check("Pearson log dataset size: r", ("pearson_log_dataset_size", "r")),
    Check("Pearson log dataset size: p", ("pearson_log_dataset_size", "p")),
    Check("Pearson log dataset size: Holm p", ("pearson_log_dataset_size", "p_holm")),
    Check("MWU CV vs NLP: U", ("mwu_cv_vs_nlp", "U")),
    Check("MWU CV vs NLP: p", ("mwu_cv_vs_nlp", "p")),
    Check("MWU CV vs NLP: Holm p", ("mwu_cv_vs_nlp", "p_holm")),
    Check("OLS domain, size-controlled: R²", ("ols_domain_size_controlled", "r2")),
    Check("OLS domain, size-controlled: log size", ("ols_domain_size_controlled", "coef_log_size")),
    Check("PyTorch share of reporters", ("framework_shares", "pytorch")),
    Check("transformers share of reporters", ("framework_shares", "transformers")),
)
"""Statistics whose published values are compared by a separate check: ours only."""


@dataclass(frozen=True)
class ComparisonRow:
    """One line of the "published vs ours" table."""

    quantity: str
    published: str
    ours: str
    match: str  # yes | NO | n/a | "" (checked independently) | CONSTANT | NOT_COMPUTABLE


def comparison(results: Mapping[str, Any], *, missing: str = "n/a") -> list[ComparisonRow]:
    """The published values first (with whether ours match exactly), then the independently
    checked ones, then the reporting levels found in `results`."""
    rows: list[ComparisonRow] = []
    for check in PUBLISHED:
        match = check.matches(results)
        verdict = "n/a" if match is None else ("yes" if match else "NO")
        ours = show(check.ours(results), missing)
        rows.append(ComparisonRow(check.label, show(check.published, missing), ours, verdict))
    for check in (*INDEPENDENT, *_reporting_level_checks(results)):
        ours = show(check.ours(results), missing)
        level = check.path[-1] if check.path[0] == "reporting_levels" else None
        if level in NOT_COMPUTABLE_LEVELS:
            published = show(NOT_COMPUTABLE_LEVELS[level], missing)
            rows.append(ComparisonRow(check.label, published, missing, NOT_COMPUTABLE))
        elif check.path in CONSTANTS:
            rows.append(ComparisonRow(check.label, ours, ours, CONSTANT))
        else:
            rows.append(ComparisonRow(check.label, WITHHELD, ours, ""))
    return rows


def mismatches(results: Mapping[str, Any]) -> list[str]:
    """Labels of published quantities that we computed and that differ."""
    return [check.label for check in PUBLISHED if check.matches(results) is False]


def show(value: Any, missing: str = "n/a") -> str:
    """A number as the tables print it: integers grouped, floats to 6 significant digits."""
    if value is None:
        return missing
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _reporting_level_checks(results: Mapping[str, Any]) -> list[Check]:
    levels = results.get("reporting_levels")
    if not isinstance(levels, Mapping):
        return [Check("reporting levels", ("reporting_levels",))]
    checks = [
        Check(f"reporting level: {name}", ("reporting_levels", str(name)))
        for name, value in levels.items()
        if isinstance(value, int) and not isinstance(value, bool)
    ]
    return sorted(checks, key=lambda check: check.label)
