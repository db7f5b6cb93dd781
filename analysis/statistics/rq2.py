"""RQ2, what relates to emissions: size, data, popularity, domain, training type, performance.

CO2 is the reporter's amount in grams after unit conversion (`emissions.co2_g`). Log-scale
statistics use natural logs of strictly positive values only: zero or negative amounts (and
sizes) are dropped from them and counted in the finding's details. Rank statistics use every
readable amount, zero included.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS

from analysis.figure_specs import drawn
from analysis.findings import EffectSize, Result, insufficient
from analysis.inference import (
    MIN_GROUP,
    clustered_ols,
    correlation,
    cross_validated_r2,
    mann_whitney,
    partial_spearman,
    positive,
)
from analysis.population import Population, PopulationName
from analysis.statistics.unit import Statistic, statistic
from mining.cards.metrics import METRICS

SIZES = {
    "size": ("pytorch_model_bytes", "size_bytes", "model size (bytes of pytorch_model.bin)"),
    "parameters": ("parameters", "parameters", "parameter count (safetensors metadata)"),
}
"""Size variables: crawled column, table column, label."""

CV, NLP = "Computer Vision", "NLP"
OLS_FOLDS = 5
OLS_SEED = 0


def _pairs(population: Population, name: PopulationName, column: str, label: str) -> pd.DataFrame:
    reporters = population.subset(name)
    rows = reporters[["model_id", "co2_g", column]].dropna(subset=["co2_g", column])
    return rows.rename(columns={column: label}).astype({label: "float64"})


def _log_pairs(
    population: Population, name: PopulationName, column: str, label: str
) -> tuple[pd.DataFrame, dict[str, int]]:
    return positive(_pairs(population, name, column, label), ["co2_g", label])


def _size_statistic(kind: str, method: str) -> Statistic:
    column, label, text = SIZES[kind]
    log = method == "pearson"

    def compute(population: Population, name: PopulationName) -> Result:
        rows, dropped = _log_pairs(population, name, column, label)
        x = np.log(rows[label]) if log else rows[label]
        y = np.log(rows["co2_g"]) if log else rows["co2_g"]
        result = correlation(x, y, method=method, table=rows.reset_index(drop=True))
        return replace(result, details={**result.details, **dropped})

    test = "Pearson r of ln CO2 and ln size" if log else "Spearman rho of CO2 and size"
    compute.__doc__ = (
        f"CO2 versus {text}: reporters with a CO2 amount and a {label.replace('_', ' ')}, both "
        "strictly positive (non-positive values dropped and counted). "
        + (
            "`scipy.stats.pearsonr` between the natural logs of both, two-sided, with a 95 % "
            "Fisher-z interval of r."
            if log
            else "`scipy.stats.spearmanr` between the raw values (the same pairs as the Pearson "
            "test), two-sided, with a 95 % Fisher-z interval (Bonett-Wright variance)."
        )
        + (
            " The size is the byte size of the repository's pytorch_model.bin (a file size, "
            "not a parameter count), known for the reporters whose repository has that file."
            if kind == "size"
            else " The parameter count is the safetensors metadata total, known only for "
            "repositories with safetensors weights."
        )
    )
    unit_id = f"rq2.{'pearson_log' if log else 'spearman'}_{kind}"
    title = f"CO2 vs {text} ({'Pearson, log-log' if log else 'Spearman'})"
    figure = drawn(
        "scatter",
        x=label,
        y="co2_g",
        xlabel=text,
        ylabel="CO2 (g)",
        logx=True,
        logy=True,
    )
    return statistic(
        unit_id, title=title, question="RQ2", test=test, figure=figure if log else None
    )(compute)


SIZE_STATISTICS = tuple(
    _size_statistic(kind, method) for kind in SIZES for method in ("pearson", "spearman")
)


DATASET_SIZE_MEASURES = {
    "curated": "training-data size curated by hand (the paper's HFClean)",
    "datasets_sum": "sum of dataset_info.dataset_size over every dataset the card names",
    "stated_sum": "the paper's sum over the datasets named, stated on the model",
}
"""The dataset-size measures of `model_dataset_size` (mining/store/schema.py), in its order of
preference."""


def _dataset_size_statistic(method: str) -> Statistic:
    log = method == "pearson"

    def compute(population: Population, name: PopulationName) -> Result:
        reporters = population.subset(name)
        columns = ["model_id", "co2_g", "dataset_bytes", "dataset_size_measure",
                   "dataset_size_provenance"]  # fmt: skip
        rows = reporters[columns].dropna(subset=["co2_g", "dataset_bytes"])
        rows, dropped = positive(
            rows.astype({"dataset_bytes": "float64"}), ["co2_g", "dataset_bytes"]
        )
        table = rows.reset_index(drop=True)
        x = np.log(table["dataset_bytes"]) if log else table["dataset_bytes"]
        y = np.log(table["co2_g"]) if log else table["co2_g"]
        result = correlation(x, y, method=method, table=table)
        details = {
            **result.details,
            **dropped,
            "measures": _counts(table["dataset_size_measure"]),
            "provenance": _counts(table["dataset_size_provenance"]),
            "reporters_naming_datasets": int((reporters["n_datasets"] > 0).sum()),
        }
        return replace(result, details=details)

    test = (
        "Pearson r of ln CO2 and ln dataset size" if log else "Spearman rho of CO2 and dataset size"
    )
    measures = "; ".join(f"`{key}`: {text}" for key, text in DATASET_SIZE_MEASURES.items())
    compute.__doc__ = (
        "CO2 versus dataset size: reporters with a CO2 amount and a dataset size in bytes, both "
        "strictly positive (non-positive values dropped and counted). The size is one measure "
        f"per model, the first known of: {measures}. The counts of measures and of provenances "
        "(`card`: the dataset's card on the Hub; `paper`, `paper_curated`, `gaissalabel`: the "
        "snapshot's sources) are in the details. "
        + (
            "`scipy.stats.pearsonr` between the natural logs of both, two-sided, with a 95 % "
            "Fisher-z interval of r (the paper's test, on its 47 curated models)."
            if log
            else "`scipy.stats.spearmanr` between the raw values (the same pairs as the Pearson "
            "test), two-sided, with a 95 % Fisher-z interval (Bonett-Wright variance)."
        )
    )
    figure = drawn(
        "scatter",
        x="dataset_bytes",
        y="co2_g",
        xlabel="dataset size (bytes)",
        ylabel="CO2 (g)",
        logx=True,
        logy=True,
    )
    return statistic(
        f"rq2.{'pearson_log' if log else 'spearman'}_dataset_size",
        title=f"CO2 vs dataset size ({'Pearson, log-log' if log else 'Spearman'})",
        question="RQ2",
        test=test,
        figure=figure if log else None,
    )(compute)


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.value_counts(dropna=False).sort_index().items()}


DATASET_SIZE_STATISTICS = tuple(_dataset_size_statistic(m) for m in ("pearson", "spearman"))


@statistic(
    "rq2.spearman_downloads",
    title="CO2 vs downloads (Spearman)",
    question="RQ2",
    test="Spearman rho of CO2 and downloads",
    figure=drawn(
        "scatter",
        x="downloads",
        y="co2_g",
        xlabel="downloads",
        ylabel="CO2 (g)",
        logx=True,
        logy=True,
    ),
)
def spearman_downloads(population: Population, name: PopulationName) -> Result:
    """CO2 versus downloads: reporters with a CO2 amount and a download count (zero included);
    `scipy.stats.spearmanr`, two-sided, with a 95 % Fisher-z interval (Bonett-Wright variance).
    Downloads are the Hub's counter at crawl time (the last 30 days on the live Hub)."""
    rows = _pairs(population, name, "downloads", "downloads").reset_index(drop=True)
    return correlation(rows["downloads"], rows["co2_g"], method="spearman", table=rows)


@statistic(
    "rq2.partial_spearman_downloads_age",
    title="CO2 vs downloads given model age (partial Spearman)",
    question="RQ2",
    test="partial Spearman rho of CO2 and downloads given age",
)
def partial_spearman_downloads_age(population: Population, name: PopulationName) -> Result:
    """CO2 versus downloads with model age held fixed: older models have had longer to collect
    downloads and were trained under other conditions, so age confounds the plain correlation
    (rq2.spearman_downloads). Reporters with a CO2 amount, a download count (zero included) and
    a creation date; the partial Spearman rho of CO2 and downloads given age (days before the
    crawl's newest creation time), t-test with n − 3 degrees of freedom and a Fisher interval,
    with its power and equivalence test."""
    reporters = population.subset(name)
    rows = reporters[["model_id", "co2_g", "downloads", "created_at"]].dropna()
    table = rows.reset_index(drop=True)
    table["age_days"] = age_days(population, table["created_at"])
    undated = int(reporters[["co2_g", "downloads"]].notna().all(axis=1).sum()) - len(table)
    result = partial_spearman(table["co2_g"], table["downloads"], table["age_days"], table=table)
    return replace(result, details={**result.details, "undated": undated})


def _groups(reporters: pd.DataFrame, column: str, labels: dict[str, str]) -> pd.DataFrame:
    rows = reporters[reporters[column].isin(labels) & reporters["co2_g"].notna()]
    table = rows[["model_id", column, "co2_g"]].rename(columns={column: "group"})
    table["group"] = table["group"].map(labels)
    return table.reset_index(drop=True)


@statistic(
    "rq2.mwu_cv_vs_nlp",
    title="CO2 of Computer Vision vs NLP reporters (Mann-Whitney U)",
    question="RQ2",
    test="Mann-Whitney U, two-sided",
    figure=drawn("boxes", group="group", value="co2_g", label="CO2 (g)"),
)
def mwu_cv_vs_nlp(population: Population, name: PopulationName) -> Result:
    """Domain: CO2 of Computer Vision reporters against NLP reporters (domains as in
    rq1.reporters_by_domain, with the deterministic tie-break; Multimodal, Audio, Reinforcement
    Learning and no domain left out). `scipy.stats.mannwhitneyu(cv, nlp,
    alternative='two-sided')` on the amounts in grams (zero included); effect size: the
    rank-biserial correlation of the CV sample (positive: CV reporters emit more). Group medians
    in the details."""
    table = _groups(population.subset(name), "domain", {CV: "cv", NLP: "nlp"})
    cv = table.loc[table["group"] == "cv", "co2_g"]
    nlp = table.loc[table["group"] == "nlp", "co2_g"]
    return mann_whitney(cv, nlp, ("cv", "nlp"), table=table)


@statistic(
    "rq2.mwu_pretraining_vs_finetuning",
    title="CO2 of pre-training vs fine-tuning (Mann-Whitney U)",
    question="RQ2",
    test="Mann-Whitney U, two-sided",
    figure=drawn("boxes", group="group", value="co2_g", label="CO2 (g)"),
)
def mwu_pretraining_vs_finetuning(population: Population, name: PopulationName) -> Result:
    """Training type: CO2 of reporters whose training type maps to pre-training against those
    mapping to fine-tuning (the mapping of rq1.reporters_by_training_type; "both", "other" and
    unspecified left out, their counts in the table of that statistic).
    `scipy.stats.mannwhitneyu(pretraining, fine_tuning, alternative='two-sided')` on the amounts
    in grams; effect size: the rank-biserial correlation of the pre-training sample."""
    labels = {"pre-training": "pretraining", "fine-tuning": "finetuning"}
    table = _groups(population.subset(name), "training_class", labels)
    pre = table.loc[table["group"] == "pretraining", "co2_g"]
    fine = table.loc[table["group"] == "finetuning", "co2_g"]
    return mann_whitney(pre, fine, ("pretraining", "finetuning"), table=table)


def age_days(population: Population, created: pd.Series) -> pd.Series:
    """Days between each creation time and the newest creation time of the crawl (the model's
    age when the listing was taken)."""
    newest = population.newest_created
    if newest is None:
        return pd.Series(np.nan, index=created.index)
    return (newest - pd.to_datetime(created)).dt.total_seconds() / 86400


def _clusters(table: pd.DataFrame) -> pd.Series:
    """The author of each row; a row without one is a cluster of its own."""
    return table["author"].fillna("model:" + table["model_id"])


def _ratio_effect(fit: Any, term: str, label: str) -> tuple[EffectSize, tuple[float, float]]:
    low, high = (float(value) for value in fit.conf_int(0.05).loc[term])
    return EffectSize(label, float(np.exp(fit.params[term]))), (
        float(np.exp(low)),
        float(np.exp(high)),
    )


def _coefficients(fit: Any) -> dict[str, dict[str, Any]]:
    """Every coefficient of ln CO2 with its p, its interval, and as a ratio with the ratio's
    interval."""
    intervals = fit.conf_int(0.05)
    return {
        str(term): {
            "coefficient": float(fit.params[term]),
            "p": float(fit.pvalues[term]),
            "ci": [float(intervals.loc[term, 0]), float(intervals.loc[term, 1])],
            "ratio": float(np.exp(fit.params[term])),
            "ratio_ci": [
                float(np.exp(intervals.loc[term, 0])),
                float(np.exp(intervals.loc[term, 1])),
            ],
        }
        for term in fit.params.index
    }


@statistic(
    "rq2.ols_domain_size_controlled",
    title="Domain effect on CO2 controlling for model size and age (OLS, author-clustered)",
    question="RQ2",
    test="OLS of ln CO2 on is_cv, ln size and age, errors clustered by author",
    figure=drawn("domain_ols"),
)
def ols_domain_size_controlled(population: Population, name: PopulationName) -> Result:
    """Domain effect controlling for model size and age: Computer Vision and NLP reporters with
    a CO2 amount and a pytorch_model.bin size, both strictly positive, and a creation date;
    statsmodels OLS of ln CO2 on a constant, `is_cv` (1 for Computer Vision, 0 for NLP), ln size
    and age (years before the crawl's newest creation time), with standard errors clustered by
    author (one author's models share settings and often one figure, so they are not
    independent). Statistic: the `is_cv` coefficient, its clustered p-value (two-sided);
    effect size: exp(coefficient), the CV/NLP ratio of CO2 at equal size and age, with the
    ratio's 95 % interval. The paper's specification (no age, HC3 errors) is kept beside it in
    `details.paper_specification`. Out-of-sample fit reported separately: the mean R² of 5-fold
    cross-validation of the same least-squares model (folds from a permutation by
    `numpy.random.default_rng(0)`). Other domains are left out so that the contrast is the one
    the Mann-Whitney test makes; rq2.ols_multivariable adjusts for everything at once."""
    reporters = population.subset(name)
    rows = reporters[reporters["domain"].isin([CV, NLP])]
    rows = rows[["model_id", "author", "domain", "co2_g", "pytorch_model_bytes", "created_at"]]
    rows = rows.rename(columns={"pytorch_model_bytes": "size_bytes"})
    rows, dropped = positive(rows.astype({"size_bytes": "float64"}), ["co2_g", "size_bytes"])
    undated = int(rows["created_at"].isna().sum())
    table = rows.dropna(subset=["created_at"]).reset_index(drop=True)
    table["age_years"] = age_days(population, table["created_at"]) / 365.25
    n_cv = int((table["domain"] == CV).sum())
    counts = {"n_cv": n_cv, "n_nlp": len(table) - n_cv, "undated": undated, **dropped}
    if min(n_cv, len(table) - n_cv) < MIN_GROUP:
        return insufficient(
            len(table), f"fewer than {MIN_GROUP} models in a domain", table=table, **counts
        )
    design = pd.DataFrame(
        {
            "const": 1.0,
            "is_cv": (table["domain"] == CV).astype("float64"),
            "log_size": np.log(table["size_bytes"]),
            "age_years": table["age_years"].astype("float64"),
        }
    )
    if design["log_size"].nunique() < 2:
        return insufficient(len(table), "no variation in model size", table=table, **counts)
    target = np.log(table["co2_g"])
    clusters = _clusters(table)
    if clusters.nunique() < 2:
        return insufficient(len(table), "fewer than 2 authors", table=table, **counts)
    fit = clustered_ols(target, design, clusters)
    paper = OLS(target, design[["const", "is_cv", "log_size"]]).fit(cov_type="HC3")
    effect, ratio_ci = _ratio_effect(fit, "is_cv", "CO2 ratio CV/NLP at equal size and age")
    paper_effect, paper_ci = _ratio_effect(paper, "is_cv", "ratio")
    coefficient = float(fit.params["is_cv"])
    low, high = (float(value) for value in fit.conf_int(0.05).loc["is_cv"])
    cv_r2 = cross_validated_r2(design.to_numpy(), target.to_numpy(), folds=OLS_FOLDS, seed=OLS_SEED)
    return Result(
        n=len(table),
        statistic=coefficient,
        statistic_name="coefficient of is_cv (ln CO2)",
        p=float(fit.pvalues["is_cv"]),
        effect_size=effect,
        ci=ratio_ci,
        details={
            **counts,
            "statistic_ci": [low, high],
            "authors": int(clusters.nunique()),
            "coefficients": {str(k): float(v) for k, v in fit.params.items()},
            "p_values": {str(k): float(v) for k, v in fit.pvalues.items()},
            "terms": _coefficients(fit),
            "r2": float(fit.rsquared),
            "r2_adj": float(fit.rsquared_adj),
            "cross_validated_r2": cv_r2,
            "paper_specification": {
                "model": "ln CO2 ~ is_cv + ln size, HC3 errors",
                "coefficient": float(paper.params["is_cv"]),
                "p": float(paper.pvalues["is_cv"]),
                "ratio": paper_effect.value,
                "ratio_ci": list(paper_ci),
            },
        },
        table=table,
    )


MULTIVARIABLE_COLUMNS = (
    "model_id", "author", "co2_g", "pytorch_model_bytes", "created_at", "domain",
    "training_class", "autotrain", "pipeline_tag",
)  # fmt: skip
MIN_LEVEL_ROWS = 5
"""A category enters the multivariable model as its own dummy with at least this many rows;
rarer ones are pooled into "other"."""


def _dummies(values: pd.Series, prefix: str, reference: str) -> pd.DataFrame:
    codes, levels = pd.factorize(values.to_numpy(dtype=object))
    counts = np.bincount(codes, minlength=len(levels))
    names = np.where(counts >= MIN_LEVEL_ROWS, levels.astype(object), "other")[codes]
    kept = sorted(set(names) - {reference})
    return pd.DataFrame(
        {f"{prefix}[{level}]": (names == level).astype("float64") for level in kept},
        index=values.index,
    )


def _full_rank(design: pd.DataFrame) -> pd.DataFrame:
    """The columns of `design`, in order, that add rank (a dummy implied by others is dropped):
    a column is kept when its part not explained by the kept ones (a least-squares residual on
    the scaled Gram matrix) keeps more than 1e-10 of its length."""
    values = design.to_numpy(dtype="float64")
    scaled = values / np.maximum(np.sqrt((values**2).mean(axis=0)), 1e-300)
    gram = scaled.T @ scaled / len(values)
    kept: list[int] = []
    for column in range(values.shape[1]):
        explained = 0.0
        if kept:
            cross = gram[kept, column]
            explained = float(
                cross @ np.linalg.lstsq(gram[np.ix_(kept, kept)], cross, rcond=None)[0]
            )
        if gram[column, column] - explained > 1e-10 * gram[column, column]:
            kept.append(column)
    return design.iloc[:, kept]


@statistic(
    "rq2.ols_multivariable",
    title="What goes with CO2 when everything is adjusted at once (OLS, author-clustered)",
    question="RQ2",
    test="OLS of ln CO2 on size, domain, training type, AutoTrain, age and task, "
    "errors clustered by author",
)
def ols_multivariable(population: Population, name: PopulationName) -> Result:
    """A multivariable model beside the paper's two-variable one: reporters with a CO2 amount
    and a pytorch_model.bin size, both strictly positive, and a creation date; statsmodels OLS
    of ln CO2 on a constant, ln size, domain (dummies against NLP; no domain is its own level),
    training type (dummies against fine-tuning), AutoTrain (0/1), age (years before the crawl's
    newest creation time) and task (the pipeline tag, dummies against the most frequent one).
    Categories with fewer than 5 rows are pooled into "other"; a dummy implied by the others
    (for example AutoTrain within one population) is dropped, so the model is of full rank.
    Standard errors clustered by author. Statistic: the Computer Vision coefficient (is_cv of
    rq2.ols_domain_size_controlled, adjusted for the rest) with its clustered p; effect size
    exp(coefficient) with the ratio interval. Every term, as a coefficient and as a ratio with
    its interval, is in `details.terms`."""
    reporters = population.subset(name)
    rows = reporters[list(MULTIVARIABLE_COLUMNS)].rename(
        columns={"pytorch_model_bytes": "size_bytes"}
    )
    rows, dropped = positive(rows.astype({"size_bytes": "float64"}), ["co2_g", "size_bytes"])
    undated = int(rows["created_at"].isna().sum())
    table = rows.dropna(subset=["created_at"]).reset_index(drop=True)
    counts = {"undated": undated, **dropped}
    if len(table) < 4 * MIN_GROUP:
        return insufficient(len(table), f"fewer than {4 * MIN_GROUP} rows", table=table, **counts)
    table["age_years"] = age_days(population, table["created_at"]) / 365.25
    tasks = table["pipeline_tag"].fillna("none")
    design = pd.concat(
        [
            pd.DataFrame(
                {
                    "const": 1.0,
                    "log_size": np.log(table["size_bytes"]),
                    "autotrain": table["autotrain"].astype("float64"),
                    "age_years": table["age_years"].astype("float64"),
                },
                index=table.index,
            ),
            _dummies(table["domain"].fillna("none"), "domain", NLP),
            _dummies(table["training_class"], "training", "fine-tuning"),
            _dummies(tasks, "task", str(tasks.value_counts().idxmax())),
        ],
        axis=1,
    )
    design = _full_rank(design)
    term = f"domain[{CV}]"
    clusters = _clusters(table)
    if term not in design or clusters.nunique() < 2 or len(table) <= design.shape[1] + 1:
        return insufficient(
            len(table),
            "Computer Vision is not separable from the other terms",
            table=table,
            **counts,
        )
    fit = clustered_ols(np.log(table["co2_g"]), design, clusters)
    effect, ratio_ci = _ratio_effect(fit, term, "CO2 ratio CV/NLP, all else equal")
    low, high = (float(value) for value in fit.conf_int(0.05).loc[term])
    return Result(
        n=len(table),
        statistic=float(fit.params[term]),
        statistic_name=f"coefficient of {term} (ln CO2)",
        p=float(fit.pvalues[term]),
        effect_size=effect,
        ci=ratio_ci,
        details={
            **counts,
            "statistic_ci": [low, high],
            "authors": int(clusters.nunique()),
            "terms": _coefficients(fit),
            "r2": float(fit.rsquared),
            "r2_adj": float(fit.rsquared_adj),
        },
        table=table,
    )


def _metric_statistic(metric: str) -> Statistic:
    def compute(population: Population, name: PopulationName) -> Result:
        rows = _pairs(population, name, metric, metric).reset_index(drop=True)
        return correlation(rows[metric], rows["co2_g"], method="spearman", table=rows)

    compute.__doc__ = (
        f"CO2 versus performance, metric `{metric}`: reporters with a CO2 amount and a "
        f"`{metric}` value. The value comes from the card's model-index (first result stating "
        'it) or, failing that, from the card\'s "Validation Metrics" section (AutoTrain cards; '
        "`Macro F1` stands in for a missing `F1`), normalised to [0, 1] by `mining.cards.metrics` "
        "(values in (1, 100] read as percentages). `scipy.stats.spearmanr` between the amount "
        "in grams and the metric, two-sided, with a 95 % Fisher-z interval (Bonett-Wright "
        "variance)."
    )
    figure = drawn(
        "scatter",
        x=metric,
        y="co2_g",
        xlabel=f"{metric} (0-1)",
        ylabel="CO2 (g)",
        logx=False,
        logy=True,
    )
    return statistic(
        f"rq2.spearman_{metric}",
        title=f"CO2 vs {metric} (Spearman)",
        question="RQ2",
        test=f"Spearman rho of CO2 and {metric}",
        figure=figure,
    )(compute)


METRIC_STATISTICS = tuple(_metric_statistic(metric) for metric in METRICS)

__all__ = ["DATASET_SIZE_STATISTICS", "METRIC_STATISTICS", "SIZE_STATISTICS"]
