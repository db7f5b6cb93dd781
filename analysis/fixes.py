"""How `hubcarbon analyze` fixes each quirk of the original code that the replication keeps.

The replication (`analysis.replication.quirks.QUIRKS`) lists every quirk with "the fix analyze
owes"; this mapping says where and how the analysis implements it. docs/analysis.md prints it,
and a test checks that every quirk has an entry.
"""

from __future__ import annotations

FIXES: dict[str, str] = {
    "domain-tie-break": (
        "Done. The domain is computed in DuckDB by counting the matching tags per domain; ties "
        "go to the first domain in the order NLP, Computer Vision, Audio, Multimodal, "
        "Reinforcement Learning. The feature-extraction and Multimodal rules are kept, and every "
        "candidate domain is stored with the reporter (`domain_candidates` in "
        "analysis/reporters.csv). See rq1.reporters_by_domain."
    ),
    "owner-stripped-ids": (
        "Done. Every row is keyed by the full Hub id (`owner/name`, or a legacy bare id exactly "
        "as the Hub lists it) and joined on (run_id, model_id); no name is ever shortened."
    ),
    "hfco2-source-truthiness": (
        "Done. `autotrain` is a boolean from the model's tags (`autotrain`, `autonlp`); the "
        "source class of non-AutoTrain reporters comes from the card's `co2_eq_emissions.source` "
        "(rq1.reporters_by_source)."
    ),
    "auto-as-string": "Done. `autotrain` is a BOOLEAN column computed in SQL.",
    "log-constant-keeps-zero": (
        "Done. No constant is added: logs are taken of strictly positive values only, and each "
        "log-scale finding counts the rows dropped for a non-positive value "
        "(`details.non_positive_*`)."
    ),
    "zero-co2-removed-from-crawl": (
        "Done. A zero amount is a report: it counts in every share and in the rank tests, is "
        "flagged implausible (rq1.field_completeness: `co2 amount > 0`, "
        "`details.implausible_co2`), and is excluded only from log-scale statistics."
    ),
    "co2-leading-number": (
        "Done. The crawl parses amounts with their unit into grams (`emissions.co2_g`) and "
        "records where they came from (`provenance`: metadata or prose); every statistic runs "
        "on grams and rq1.metadata_vs_prose compares the two. A metadata-only rerun is a filter "
        "on `provenance` in analysis/reporters.parquet; it is not a separate finding."
    ),
    "mixed-metric-scales": (
        "Done. `mining.cards.metrics` normalises every metric to [0, 1] in one place (values in "
        "(1, 100] read as percentages) before any test."
    ),
    "mixed-training-type": (
        "Done. One mapping (rq1.reporters_by_training_type) with an explicit `both` value, used "
        "by the breakdown and by the Mann-Whitney test alike."
    ),
    "holm-hand-typed": (
        "Done. The p-values are passed to `multipletests` as computed; the reporting-share "
        "trend is computed from the crawl's own denominators (every crawled model). The family "
        "is every computed p-value of findings.json, for every population."
    ),
    "ols-on-train-split": (
        "Done. rq2.ols_domain_size_controlled fits on all rows with HC3 standard errors; the "
        "out-of-sample fit is a separate 5-fold cross-validated R²."
    ),
    "creation-month-first-commit": (
        "Done. Months come from the API's `createdAt` (the mirror serves the real creation "
        "time); models without one are counted in `details.undated_models` and in the "
        "`undated` row of rq1.share_by_year."
    ),
}
"""Quirk id → how the analysis fixes it."""
