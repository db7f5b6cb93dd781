"""The Holm correction over the paper's 14 main p-values (HFGeneralAnalysis.ipynb)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statsmodels.stats.multitest import multipletests

from analysis.replication.procedure import PROCEDURES, Frames, Section, procedure

HOLM_FAMILY = (
    "reporting_share_trend",
    "median_co2_trend",
    "spearman_accuracy_autotrain",
    "spearman_f1_autotrain",
    "spearman_rouge1_autotrain",
    "spearman_rougeL_autotrain",
    "spearman_accuracy_curated",
    "spearman_f1_curated",
    "spearman_rouge1_curated",
    "spearman_rougeL_curated",
    "mwu_pretraining_vs_finetuning",
    "pearson_log_size",
    "pearson_log_dataset_size",
    "mwu_cv_vs_nlp",
)
"""The 14 members, in the order the notebook lists them (JSON keys of their sections)."""


def holm_adjust(sections: Mapping[str, Mapping[str, Any]]) -> list[Section]:
    """Holm-adjust the raw `p` of each family member found in `sections` (all 14 required)."""
    missing = [key for key in HOLM_FAMILY if key not in sections]
    if missing:
        raise KeyError(f"Holm family members missing: {', '.join(missing)}")
    raw = [float(sections[key]["p"]) for key in HOLM_FAMILY]
    reject, adjusted, _, _ = multipletests(raw, alpha=0.05, method="holm")
    return [
        {
            "rank": rank,
            "key": key,
            "p": p,
            "p_holm": float(p_holm),
            "reject_at_0_05": bool(rejected),
            "computed": bool(sections[key].get("computed", True)),
        }
        for rank, (key, p, p_holm, rejected) in enumerate(
            zip(HOLM_FAMILY, raw, adjusted, reject, strict=True), start=1
        )
    ]


@procedure("paper.holm_family", "holm_family")
def holm_family(frames: Frames) -> Section:
    """Holm correction: `statsmodels.stats.multitest.multipletests(pvalues, method='holm')`
    over exactly 14 p-values, in this order: (1) slope of the monthly reporting percentage;
    (2) slope of the monthly median CO2; (3-6) Spearman, AutoTrain: accuracy, F1, ROUGE-1,
    ROUGE-L; (7-10) Spearman, curated: accuracy, F1, ROUGE-1, ROUGE-L; (11) Mann-Whitney,
    pre-training vs fine-tuning; (12) Pearson, log CO2 vs log model size; (13) Pearson, log CO2
    vs log dataset size; (14) Mann-Whitney, CV vs NLP. The notebook typed the printed p-values
    by hand; here members 2-14 are the computed values, and member 1, which needs the
    unavailable full crawl, is the published constant 0.0642."""
    by_key = {unit.key: unit for unit in PROCEDURES}
    return {"members": holm_adjust({key: by_key[key](frames) for key in HOLM_FAMILY})}
