"""RQ2 main tests (HFEmissionsAnalysis.ipynb): the 12 computed members of the Holm family."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.replication.conventions import DOMAIN_CV, DOMAIN_NLP, METRICS, paper_log
from analysis.replication.procedure import Frames, Procedure, Section, procedure


def reporters(streamlit: pd.DataFrame) -> pd.DataFrame:
    """The reporting models of HFStreamlit (`co2_reported == 1`; all 1,417 rows)."""
    return streamlit[streamlit["co2_reported"] == 1]


def parse_metrics(text: object) -> dict[str, Any]:
    """HFCO2's `performance_metrics` cell as the notebook reads it: `nan` replaced by `None`,
    then `ast.literal_eval`. A cell that is not a dict literal gives an empty dict."""
    if not isinstance(text, str):
        return {}
    try:
        value = ast.literal_eval(text.replace("nan", "None"))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def spearman(x: pd.Series, y: pd.Series) -> Section:
    """`scipy.stats.spearmanr(x, y)` with defaults (two-sided)."""
    result = stats.spearmanr(x.astype(float), y.astype(float))
    return {"rho": float(result.statistic), "p": float(result.pvalue), "n": len(x)}


def pearson(x: pd.Series, y: pd.Series) -> Section:
    """`scipy.stats.pearsonr(x, y)` with defaults (two-sided)."""
    result = stats.pearsonr(x.astype(float), y.astype(float))
    return {"r": float(result.statistic), "p": float(result.pvalue), "n": len(x)}


def mann_whitney(first: pd.Series, second: pd.Series, **options: Any) -> Section:
    """`scipy.stats.mannwhitneyu(first, second, **options)`; U is the statistic of `first`."""
    result = stats.mannwhitneyu(first.astype(float), second.astype(float), **options)
    return {"U": float(result.statistic), "p": float(result.pvalue)}


def autotrain_metric(co2: pd.DataFrame, metric: str) -> pd.DataFrame:
    """HFCO2 rows with `auto == 'True'` (string comparison) whose parsed metric is present:
    columns `co2_eq_emissions` and `metric`."""
    autotrain = co2[co2["auto"].astype(str) == "True"]
    values = autotrain["performance_metrics"].map(lambda text: parse_metrics(text).get(metric))
    frame = pd.DataFrame(
        {"co2_eq_emissions": autotrain["co2_eq_emissions"], metric: values.astype(float)}
    )
    return frame[frame[metric].notna()]


def _spearman_autotrain(metric: str) -> Procedure:
    def compute(frames: Frames) -> Section:
        rows = autotrain_metric(frames.co2, metric)
        return spearman(rows["co2_eq_emissions"], rows[metric])

    compute.__doc__ = f"""Performance vs CO2 among AutoTrain models, metric `{metric}`:
    `scipy.stats.spearmanr` with defaults between the raw `co2_eq_emissions` and the `{metric}`
    value of the `performance_metrics` dict, over the HFCO2 rows with `auto == 'True'` (a string
    comparison: HFCO2 stores 'True', 'False' and '1'), the dict parsed with `ast.literal_eval`
    after replacing `nan` by `None`, keeping only rows where `{metric}` is present. HFCO2 is used
    as shipped (owner-less names, metric values not re-normalised after the merge)."""
    return procedure(f"paper.spearman_{metric}_autotrain", f"spearman_{metric}_autotrain")(compute)


def _spearman_curated(metric: str) -> Procedure:
    def compute(frames: Frames) -> Section:
        rows = frames.clean[frames.clean[metric].notna()]
        return spearman(rows["co2_eq_emissions"], rows[metric])

    compute.__doc__ = f"""Performance vs CO2 among the curated models, metric `{metric}`:
    `scipy.stats.spearmanr` with defaults between HFClean's raw `co2_eq_emissions` and its raw
    `{metric}` column (not normalised; ROUGE sometimes on a 0-100 scale), over the HFClean rows
    where `{metric}` is not null."""
    return procedure(f"paper.spearman_{metric}_curated", f"spearman_{metric}_curated")(compute)


SPEARMAN_AUTOTRAIN = tuple(_spearman_autotrain(metric) for metric in METRICS)
SPEARMAN_CURATED = tuple(_spearman_curated(metric) for metric in METRICS)


@procedure("paper.mwu_pretraining_vs_finetuning", "mwu_pretraining_vs_finetuning")
def mwu_pretraining_vs_finetuning(frames: Frames) -> Section:
    """Pre-training vs fine-tuning: HFClean after dropping rows with missing
    `co2_eq_emissions` or `training_type`; groups `training_type == 'pretraining'` and
    `== 'fine-tuning'` (the 2 "pretraining + fine-tuning" rows are left out of the test);
    `scipy.stats.mannwhitneyu(pretraining, fine_tuning)` with scipy defaults (two-sided,
    asymptotic with continuity correction at these sizes) on the raw CO2. Group means and
    medians are given for every training type, the 2-row mixed group included."""
    clean = frames.clean.dropna(subset=["co2_eq_emissions", "training_type"])
    co2 = clean["co2_eq_emissions"]
    pretraining = co2[clean["training_type"] == "pretraining"]
    fine_tuning = co2[clean["training_type"] == "fine-tuning"]
    groups = clean.groupby("training_type")["co2_eq_emissions"].agg(["mean", "median", "count"])
    return {
        **mann_whitney(pretraining, fine_tuning),
        "median_pretraining": float(pretraining.median()),
        "median_finetuning": float(fine_tuning.median()),
        "n": len(pretraining) + len(fine_tuning),
        "n_pretraining": len(pretraining),
        "n_finetuning": len(fine_tuning),
        "groups": _group_table(groups),
    }


@procedure("paper.pearson_log_size", "pearson_log_size")
def pearson_log_size(frames: Frames) -> Section:
    """Model size vs CO2: `scipy.stats.pearsonr` between log(co2 + 1e-6) and log(size + 1e-6)
    (natural logs) over all 48 HFClean rows, nothing dropped. The row with CO2 = 0
    (`xlmindic-base-multiscript-soham`) becomes log(1e-6) and stays in, as in the notebook; the
    two `biomedical-ner-all` rows both stay. `size` is the byte size of `pytorch_model.bin` or
    the curated size."""
    clean = frames.clean
    return pearson(paper_log(clean["co2_eq_emissions"]), paper_log(clean["size"]))


def dataset_size_rows(clean: pd.DataFrame) -> pd.DataFrame:
    """HFClean with ±inf replaced by NaN, then rows missing CO2 or `datasets_size` dropped."""
    finite = clean.replace([np.inf, -np.inf], np.nan)
    return finite.dropna(subset=["co2_eq_emissions", "datasets_size"])


@procedure("paper.pearson_log_dataset_size", "pearson_log_dataset_size")
def pearson_log_dataset_size(frames: Frames) -> Section:
    """Dataset size vs CO2: HFClean with ±inf replaced by NaN, rows with missing
    `co2_eq_emissions` or `datasets_size` dropped (47 rows); `scipy.stats.pearsonr` between
    log(co2 + 1e-6) and log(datasets_size + 1e-6). Both `biomedical-ner-all` rows stay (they
    differ in dataset size)."""
    rows = dataset_size_rows(frames.clean)
    return pearson(paper_log(rows["co2_eq_emissions"]), paper_log(rows["datasets_size"]))


@procedure("paper.spearman_log_dataset_size_side", "spearman_log_dataset_size_side")
def spearman_log_dataset_size_side(frames: Frames) -> Section:
    """Side correlation printed next to the dataset-size test, not in the Holm family:
    `scipy.stats.spearmanr` between log(co2 + 1e-6) and log(datasets_size + 1e-6) over the
    HFClean rows (±inf as NaN) that have CO2, `datasets_size` and `size`."""
    rows = dataset_size_rows(frames.clean).dropna(subset=["size"])
    return spearman(paper_log(rows["co2_eq_emissions"]), paper_log(rows["datasets_size"]))


@procedure("paper.mwu_cv_vs_nlp", "mwu_cv_vs_nlp")
def mwu_cv_vs_nlp(frames: Frames) -> Section:
    """Domain, CV vs NLP: reporting models of HFStreamlit (`co2_reported` true in
    HFTotalProcessed); groups by the stored `domain` column (`'Computer Vision'`: 188,
    `'NLP'`: 1,160; Multimodal, Audio and no domain ignored);
    `scipy.stats.mannwhitneyu(cv, nlp, alternative='two-sided')` on the raw CO2, U being the
    statistic of the CV sample. The stored domain keeps the original arbitrary tie-break for
    multi-domain models. Mean, median and standard deviation (ddof 1) per domain are given."""
    rows = reporters(frames.streamlit)
    cv = rows.loc[rows["domain"] == DOMAIN_CV, "co2_eq_emissions"]
    nlp = rows.loc[rows["domain"] == DOMAIN_NLP, "co2_eq_emissions"]
    groups = rows.groupby("domain")["co2_eq_emissions"].agg(["mean", "median", "std", "count"])
    return {
        **mann_whitney(cv, nlp, alternative="two-sided"),
        "median_cv": float(cv.median()),
        "median_nlp": float(nlp.median()),
        "n_cv": len(cv),
        "n_nlp": len(nlp),
        "groups": _group_table(groups),
    }


def _group_table(groups: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {
        str(name): {str(column): float(value) for column, value in row.items()}
        for name, row in groups.iterrows()
    }
