"""docs/analysis.md, generated from the registered statistics' method texts, the shared
definitions and the quirk fixes, so the documentation cannot drift from the code.

Regenerate with `python -m analysis.methods > docs/analysis.md`.
"""

from __future__ import annotations

import sys

from analysis import inference, population, run
from analysis.fixes import FIXES
from analysis.population import SUBSETS
from analysis.replication.quirks import QUIRKS
from analysis.statistics import STATISTICS, family, sensitivity
from hubcarbon.core.registry import documentation
from mining.cards import metrics

INTRO = """\
# Analysis: RQ1 and RQ2 on a crawl

`hubcarbon analyze` runs every statistic below on the latest crawl run of the database and
writes the results as data:

```
hubcarbon analyze [--db out/hubcarbon.duckdb] [--out out] [--no-progress]
```

- `OUT/findings.json`: every statistic, for every population, with its test, n, statistic,
  p-value, Holm-adjusted p-value, effect size, confidence interval and method text;
- `OUT/analysis/<id>.csv` and `.parquet`: the rows behind each statistic (all populations, with a
  `population` column), plus `reporters.csv|.parquet`, one row per CO2 reporter with every
  derived field;
- `OUT/analysis/<id>.png` and `.svg`: the figure of a statistic, when it has one.

The same database gives the same bytes. The database is opened read-only; nothing is written to
it. In Python: `analysis.run.analyze(db, out) -> Summary`, `analysis.population.load(con) ->
Population`, `analysis.population.model_domains(con, run_id)` (the domain of every model, by
the rule below), `analysis.statistics.STATISTICS` (the registry of the statistics below).

This file is generated from the code: `python -m analysis.methods > docs/analysis.md`.

## Reading findings.json

```json
{"version": 1, "run_id": 2, "generated_from": {"run_id": 2, "endpoint": "...", "snapshot": "...",
  "models": 87305, "cards": 87305, "emissions": 1467, ...},
 "holm": {"method": "...", "family": [{"id": "rq1.share_by_month", "population": "human"}, ...],
          "members": 2, "not_computed": [{"id": "...", "population": "independent", ...}]},
 "statistics": [{"id": "rq2.pearson_log_size", "population": "human", "question": "RQ2",
   "title": "...", "test": "Pearson r of ln CO2 and ln size", "status": "ok", "note": null,
   "n": 164, "units": {"rows": 164, "training_runs": null, "authors": 29},
   "inference": "exploratory", "statistic": 0.28, "statistic_name": "r", "p": 0.0003,
   "p_holm": null,
   "effect_size": {"name": "Pearson r", "value": 0.28}, "ci": [0.13, 0.41],
   "details": {...}, "method": "<the method text below>",
   "table": "analysis/rq2.pearson_log_size.csv", "figure": "analysis/rq2.pearson_log_size.png"},
   ...],
 "tables": {"rq2.pearson_log_size": {"csv": "...", "parquet": "...", "rows": 2596,
   "columns": [...]}, ...}}
```

- A finding is identified by (`id`, `population`). `population` is one of the registered
  populations below (`all`, `autotrain`, `human`, `independent`): AutoTrain dominates the
  reporters and would hide what people report by hand, and copies of one figure would count
  one training run many times, so every reporter statistic is given for each (the shares of
  crawled models have no `independent`).
- `units` counts what the statistic rests on: its `rows`, the `training_runs` behind them
  (null when the crawl has no training runs, or for statistics over crawled models) and their
  distinct `authors`. `n` is the statistic's own sample size (pairs, models, months).
- `inference` is `confirmatory` (a declared member of the Holm family), `exploratory` (a test
  whose raw `p` is reported without correction: read it as a lead, not a finding) or
  `descriptive` (no test).
- `status` is `ok` or `insufficient_data`. An insufficient finding has its `n`, a `note` saying
  why (too few observations, no variation, data the crawl does not hold) and null `statistic`,
  `p`, `p_holm`, `effect_size` and `ci`: a null is never a result.
- `statistic` is named by `statistic_name` (r, rho, U of the first group, a slope per month, a
  regression coefficient, or a percentage for descriptive findings, whose `test` is
  `descriptive` and whose `p` is null).
- `p` is two-sided; `p_holm` is set on the computed members of the declared Holm family
  (below) and null elsewhere. Read confirmatory significance from `p_holm`.
- `ci` is the 95 % interval of the effect size, on the effect size's own scale: a ratio's
  interval for a ratio (exp of the coefficient's interval), a bootstrap interval for a
  rank-biserial r; the test statistic's own interval, where it differs, is
  `details.statistic_ci` or `details.slope_ci`. Null for descriptive findings.
- `details` holds the numbers behind the headline (group sizes and medians, dropped rows, the
  series window and the snapshot caveat, fit parameters, robustness checks) and, for each
  correlation and two-group test, `no_relation`: the smallest effect detectable with 80 %
  power, the equivalence test against the stated bound, and the `verdict` the report words
  ("relation", "no relation (equivalent within the bound)" or "inconclusive").
"""


def _holm() -> list[str]:
    lines = ["## The Holm family", "", documentation(family), "", run.HOLM_METHOD, ""]
    lines += ["| statistic | population | hypothesis |", "|---|---|---|"]
    lines += [
        f"| `{member.id}` | {member.population} | {member.hypothesis} |" for member in family.FAMILY
    ]
    return [*lines, ""]


def _populations() -> list[str]:
    lines = ["### The populations", ""]
    lines += [f"- `{unit.id}`: {documentation(unit)}" for unit in SUBSETS]
    return [*lines, ""]


def _definitions() -> list[str]:
    return [
        "## Definitions shared by the statistics",
        "",
        "### The population",
        "",
        documentation(population),
        "",
        f"The CO2 figure: {documentation(population.co2_figure)}",
        "",
        *_populations(),
        "### Tests, effect sizes and intervals",
        "",
        documentation(inference),
        "",
        "### Performance metrics",
        "",
        documentation(metrics),
        "",
    ]


def _statistics() -> list[str]:
    lines = ["## Statistics", ""]
    for question in ("RQ1", "RQ2", "Sensitivity"):
        lines += [f"### {question}", ""]
        for unit in STATISTICS:
            if unit.question != question:
                continue
            populations = ", ".join(unit.populations)
            lines += [
                f"#### `{unit.id}`: {unit.title}",
                "",
                f"Test: {unit.test}. Populations: {populations}.",
                "",
                f"Confirmatory on: {_confirmatory(unit.id)}.",
                "",
                documentation(unit),
                "",
            ]
    return lines


def _confirmatory(unit_id: str) -> str:
    members = [member.population for member in family.FAMILY if member.id == unit_id]
    return ", ".join(members) if members else "none (exploratory or descriptive)"


def _variants() -> list[str]:
    lines = ["### Sensitivity variants", "", documentation(sensitivity), ""]
    lines += [f"- `{variant.id}`: {variant.label}" for variant in sensitivity.VARIANTS]
    return [*lines, ""]


def _fixes() -> list[str]:
    lines = [
        "## Fixes relative to the paper",
        "",
        "The replication (docs/replication.md) reproduces these quirks of the original code to",
        "match the published numbers; the analysis fixes each of them as follows.",
        "",
    ]
    for quirk in QUIRKS:
        lines += [
            f"### `{quirk.id}`",
            "",
            f"- **Original behaviour.** {quirk.behaviour}",
            f"- **Fix owed.** {quirk.analyze_fix}",
            f"- **In `analyze`.** {FIXES[quirk.id]}",
            "",
        ]
    lines += [
        "### Other departures from the paper's procedures",
        "",
        "- Monthly series use the month index with gaps (months since the first month of the",
        "  series), not the position in the list of non-empty months.",
        "- The share series' window is derived from the listing's coverage (the months in which",
        "  the crawl holds at least 100 models that do not report) instead of the paper's fixed",
        "  `.iloc[34:-1]` (kept as a sensitivity variant); the snapshot's listing ends in 2022, so",
        "  later models are in the crawl only because they report, which the statistics and the",
        "  report state. The median series keeps months with at least 5 reporters instead of",
        "  starting at 2021-11.",
        "- The share trend is a binomial GLM (logit) at model level, AutoTrain and human models",
        "  apart, not OLS on monthly percentages (which weighs a month of 20 models like one of",
        "  7,000 and can fit shares below 0 %); the median trend is a median regression of ln CO2",
        "  at model level, not OLS in grams on monthly medians (amounts span eight orders of",
        "  magnitude, and the OLS fit went below 0 g), with Theil-Sen, Mann-Kendall and HAC",
        "  checks on the monthly series.",
        "- Regressions cluster their errors by author and control for model age; a",
        "  multivariable model stands beside the paper's two-variable one; downloads are also",
        "  correlated with CO2 at equal age (older models collect more downloads).",
        "- The Holm family is declared in code (the confirmatory tests), not every p-value of the",
        "  document; a population with the same rows as another is not tested twice.",
        "- Dataset size is one measure per reporter: a curated training-data size where the",
        "  snapshot has one, else the sum of `dataset_info.dataset_size` over every dataset the",
        "  card names (all of them sized; the paper counted a failure as 0), else a sum stated",
        "  on the model; the measure and provenance of each row are in the details.",
        "- Model size is given both as pytorch_model.bin bytes (the paper's measure) and as the",
        "  safetensors parameter count, each with Pearson (log-log) and Spearman.",
        "- The size-controlled OLS compares Computer Vision with NLP directly (other domains",
        "  left out) so that it answers the question of the Mann-Whitney test.",
        "",
    ]
    return lines


def methods_markdown() -> str:
    """The whole of docs/analysis.md."""
    parts = [INTRO, *_holm(), *_definitions(), *_statistics(), *_variants(), *_fixes()]
    return "\n".join(parts).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(methods_markdown())
