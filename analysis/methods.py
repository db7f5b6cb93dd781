"""docs/analysis.md, generated from the registered statistics' method texts, the shared
definitions and the quirk fixes, so the documentation cannot drift from the code.

Regenerate with `python -m analysis.methods > docs/analysis.md`.
"""

from __future__ import annotations

import sys

from analysis import inference, population, run
from analysis.fixes import FIXES
from analysis.replication.quirks import QUIRKS
from analysis.statistics import STATISTICS
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
 "holm": {"method": "...", "members": 40},
 "statistics": [{"id": "rq2.pearson_log_size", "population": "human", "question": "RQ2",
   "title": "...", "test": "Pearson r of ln CO2 and ln size", "status": "ok", "note": null,
   "n": 164, "statistic": 0.28, "statistic_name": "r", "p": 0.0003, "p_holm": 0.009,
   "effect_size": {"name": "Pearson r", "value": 0.28}, "ci": [0.13, 0.41],
   "details": {...}, "method": "<the method text below>",
   "table": "analysis/rq2.pearson_log_size.csv", "figure": "analysis/rq2.pearson_log_size.png"},
   ...],
 "tables": {"rq2.pearson_log_size": {"csv": "...", "parquet": "...", "rows": 2596,
   "columns": [...]}, ...}}
```

- A finding is identified by (`id`, `population`). `population` is `all` (every reporter),
  `autotrain` (models tagged `autotrain` or `autonlp`) or `human` (the others): AutoTrain
  dominates the reporters and would hide what people report by hand, so every statistic is
  given for each.
- `status` is `ok` or `insufficient_data`. An insufficient finding has its `n`, a `note` saying
  why (too few observations, no variation, data the crawl does not hold) and null `statistic`,
  `p`, `p_holm`, `effect_size` and `ci`: a null is never a result.
- `statistic` is named by `statistic_name` (r, rho, U of the first group, a slope per month, a
  regression coefficient, or a percentage for descriptive findings, whose `test` is
  `descriptive` and whose `p` is null).
- `p` is two-sided; `p_holm` is set on the members of the Holm family (below) and null
  elsewhere. Read significance from `p_holm`.
- `ci` is the 95 % interval of the effect size (correlations) or of the estimate (slopes,
  regression coefficients); null where none is meaningful (Mann-Whitney U, descriptive).
- `details` holds the numbers behind the headline (group sizes and medians, dropped rows, the
  series window, fit parameters).
"""

HOLM = f"""\
## The Holm family

{run.HOLM_METHOD} Descriptive findings and insufficient ones are not members.
"""


def _definitions() -> list[str]:
    return [
        "## Definitions shared by the statistics",
        "",
        "### The population",
        "",
        documentation(population),
        "",
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
    for question in ("RQ1", "RQ2"):
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
                documentation(unit),
                "",
            ]
    return lines


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
        "- The share series' window is derived from the crawl (first month with 100 models, last",
        "  complete month before the listing behind the denominator ends) instead of the paper's",
        "  fixed `.iloc[34:-1]`; the median series keeps months with at least 5 reporters instead",
        "  of starting at 2021-11.",
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
    parts = [INTRO, HOLM, *_definitions(), *_statistics(), *_fixes()]
    return "\n".join(parts).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(methods_markdown())
