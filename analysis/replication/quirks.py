"""Quirks of the original code that the replication reproduces, each with the fix `analyze` owes.

The replication must reproduce the published numbers, so it keeps these behaviours; the
project's own analysis (`hubcarbon analyze`) must not. `docs/replication.md` prints this list.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Quirk:
    """A behaviour of the original code kept by the replication, and its fix in `analyze`."""

    id: str
    behaviour: str
    reproduced: str
    analyze_fix: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


QUIRKS = (
    Quirk(
        "domain-tie-break",
        "A model whose tags map to several domains (and no feature-extraction or Multimodal "
        "rule applies) gets the 'most common' domain of a set: every candidate counts once, so "
        "the result follows set iteration order and may change between Python processes.",
        "The stored `domain` column of HFStreamlit is used as is, never recomputed "
        "(NLP 1,160, Computer Vision 188).",
        "Deterministic domain: count matching tags per domain and break ties by the fixed "
        "order NLP, Computer Vision, Audio, Multimodal, Reinforcement Learning; keep the "
        "feature-extraction and Multimodal rules; store every candidate domain.",
    ),
    Quirk(
        "owner-stripped-ids",
        "Preprocessing strips the owner from `modelId`; the HFClean merge joins on the bare "
        "name, so `distilgpt2` and `biomedical-ner-all` are duplicated and cross-filled "
        "(HFCO2: 1,419 rows, 1,415 names).",
        "HFCO2 is used as shipped (AutoTrain Spearman tests); both `biomedical-ner-all` rows "
        "stay in the 48-row HFClean tests; the model count is taken from HFStreamlit (1,417).",
        "Key every model by the full `owner/name`; never join on a bare name.",
    ),
    Quirk(
        "hfco2-source-truthiness",
        "HFCO2's `source` is 'AutoTrain' whenever the `auto` string is truthy, so 'False' "
        "counts too: 1,339 AutoTrain rows instead of 1,291.",
        "Not relied on, as in the paper: the AutoTrain share uses HFStreamlit's boolean "
        "`auto`; the AutoTrain tests select `auto == 'True'`. The buggy count is reported as "
        "`hfco2_source_autotrain`.",
        "Derive AutoTrain from the model's tags (`autotrain`, `autonlp`) as a boolean, and the "
        "source from the `co2_eq_emissions.source` field of the card.",
    ),
    Quirk(
        "auto-as-string",
        "HFCO2 stores `auto` as the strings 'True', 'False' and '1'; the six '1' rows are "
        "curated models that are not AutoTrain.",
        "The AutoTrain Spearman tests select `auto == 'True'` by string comparison (1,291 rows).",
        "Store `auto` as a boolean column.",
    ),
    Quirk(
        "log-constant-keeps-zero",
        "Logs are taken of value + 1e-6, so the curated model with CO2 = 0 becomes "
        "log(1e-6) ≈ -13.8 and stays in the size correlation as a strong leverage point.",
        "log(x + 1e-6) everywhere; the CO2 = 0 row is kept in the 48-row Pearson test.",
        "Take logs of strictly positive values only; drop non-positive values before a log "
        "and report how many were dropped.",
    ),
    Quirk(
        "zero-co2-removed-from-crawl",
        "Preprocessing removed every model with CO2 exactly 0 from the whole dataset (so a "
        "zero report counts as 'not reporting'), while HFClean keeps one zero.",
        "The shipped files are used as they are (HFStreamlit has no zero).",
        "Keep zero reports as reports, flagged as implausible, and exclude them only from "
        "log-scale statistics.",
    ),
    Quirk(
        "co2-leading-number",
        "CO2 strings are cut to their leading number and units (kg, t) are not converted; "
        "values parsed from card prose ('Carbon Emitted:') count as reported.",
        "The stored `co2_eq_emissions` values are used unchanged in every test and trend.",
        "Parse CO2 with its unit into grams and record whether it came from the metadata or "
        "the card text; run statistics on grams, optionally on metadata-only reports.",
    ),
    Quirk(
        "mixed-metric-scales",
        "HFCO2's `performance_metrics` mixes normalised crawled values with raw curated ones "
        "(ROUGE on 0-100), and `performance_score` is not recomputed after the merge.",
        "The AutoTrain Spearman tests read the dict as stored; the curated tests read HFClean's "
        "raw columns.",
        "Normalise every metric to [0, 1] in one place before any test or score.",
    ),
    Quirk(
        "mixed-training-type",
        "'pretraining + fine-tuning' is a separate value in HFClean (left out of the "
        "Mann-Whitney test) but becomes fine-tuning in HFCO2.",
        "The test compares HFClean's 'pretraining' and 'fine-tuning' rows only (20 vs 24).",
        "One training-type mapping with an explicit 'both' value, used everywhere.",
    ),
    Quirk(
        "holm-hand-typed",
        "The notebook typed the 14 printed p-values into a list by hand before the Holm "
        "correction; the reporting-share p-value needs the full crawl.",
        "Members 2-14 are computed; member 1 is the published constant 0.0642, marked "
        "`computed: false`.",
        "Compute all 14 p-values from the crawl (the reporting share uses every crawled model "
        "as denominator) and pass them to the correction directly.",
    ),
    Quirk(
        "ols-on-train-split",
        "The size-controlled OLS reports R² and coefficients of a fit on an 80 % training "
        "split (seed 42, file row order), not on all rows.",
        "statsmodels OLS on the 1,038 training rows of train_test_split(test_size=0.2, "
        "random_state=42); the full-data fit is an extra field.",
        "Fit on all rows with heteroskedasticity-robust (HC3) standard errors; report "
        "out-of-sample scores separately.",
    ),
    Quirk(
        "creation-month-first-commit",
        "The creation month is the date of the repository's first commit; rows without one "
        "are left out of the monthly series.",
        "The stored `year_month` column is used (49 reporters have none).",
        "Use the API's `createdAt` and count models without a date explicitly.",
    ),
)
"""The reproduced quirks, in the order docs/replication.md lists them."""
