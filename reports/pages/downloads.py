"""The downloads page and the data files behind it (`data/`)."""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from typing import Any

from reports.context import SiteContext
from reports.documents import Findings
from reports.inputs import Missing
from reports.pages.base import Files, page
from reports.pages.changes import CHANGES_FIELDS, changes_files
from reports.render import render
from reports.snapshot import collected, snapshot_licences
from reports.tables import Field, to_csv, to_json, to_parquet

LEADERBOARD_FIELDS: tuple[Field, ...] = (
    Field("model_id", "string", "Hub model id"),
    Field("hub_url", "string", "https URL of the model on the Hub (empty for malformed ids)"),
    Field("author", "string", "owner, from the Hub listing"),
    Field("pipeline_tag", "string", "task, from the Hub listing"),
    Field("domain", "string", "domain from the tags (the crawl's rule, mining.facts)"),
    Field("library_name", "string", "library, from the Hub listing"),
    Field("co2_g", "float64", "stated emissions in grams CO2-eq after unit normalisation"),
    Field("co2_g_audited", "float64", "the audited figure the study uses (empty: none)"),
    Field("flags", "string", "why the figure needs care, space-separated (the audit's flags)"),
    Field("training_run", "string", "model id of the training run the figure belongs to"),
    Field("copied_from", "string", "the model whose figure this one copies, on a copy"),
    Field("provenance", "string", "where the card states them: metadata or prose"),
    Field("raw_value", "string", "the value exactly as written"),
    Field("unit", "string", "the unit recognised"),
    Field("source", "string", "co2_eq_emissions.source as written"),
    Field("training_type", "string", "co2_eq_emissions.training_type as written"),
    Field("parameters", "int64", "parameter count from safetensors metadata"),
    Field("pytorch_model_bytes", "int64", "size of pytorch_model.bin in bytes"),
    Field("downloads", "int64", "downloads, from the Hub listing"),
    Field("likes", "int64", "likes, from the Hub listing"),
    Field("reporting_grade_level", "int64", "reporting-quality level, hubcarbon-v1 (1-6)"),
    Field("reporting_grade", "string", "reporting-quality level name, hubcarbon-v1"),
    Field("efficiency_label", "string", "carbon-efficiency label A-E, hubcarbon-v1"),
    Field("autotrain", "bool", "made with AutoTrain/AutoNLP (autotrain or autonlp tag)"),
    Field("created_at", "string", "creation time"),
)

FINDINGS_FIELDS: tuple[Field, ...] = (
    Field("id", "string", "stable id of the statistic"),
    Field("title", "string", "what it measures"),
    Field("question", "string", "RQ1 or RQ2"),
    Field("population", "string", "all, autotrain or human"),
    Field("status", "string", "ok, or why it could not be computed"),
    Field("note", "string", "the reason, when not computed"),
    Field("test", "string", "the test or estimator"),
    Field("n", "float64", "sample size"),
    Field("statistic_name", "string", "what the statistic is"),
    Field("statistic", "float64", "the test statistic"),
    Field("p", "float64", "p-value"),
    Field("p_holm", "float64", "Holm-adjusted p-value"),
    Field("effect_name", "string", "effect size measure"),
    Field("effect_value", "float64", "effect size"),
    Field("ci_low", "float64", "confidence interval, lower bound"),
    Field("ci_high", "float64", "confidence interval, upper bound"),
    Field("table", "string", "the table behind it (site path)"),
    Field("figure", "string", "its figure (site path)"),
)


def leaderboard_records(context: SiteContext) -> list[dict[str, Any]]:
    """One record per leaderboard row, in row order."""
    records = []
    for reporter, row in zip(context.reporters, context.rows, strict=True):
        records.append(
            {
                "model_id": row["id"],
                "hub_url": row["hub"],
                "author": row["author"],
                "pipeline_tag": row["task"],
                "domain": row["domain"],
                "library_name": row["library"],
                "co2_g": row["co2_g"],
                "co2_g_audited": reporter["co2_g_audited"],
                "flags": " ".join(reporter["flags"]),
                "training_run": reporter["training_run"],
                "copied_from": reporter["copied_from"],
                "provenance": row["provenance"],
                "raw_value": reporter["raw_value"],
                "unit": reporter["unit"],
                "source": reporter["source"],
                "training_type": reporter["training_type"],
                "parameters": row["params"],
                "pytorch_model_bytes": row["size_bytes"],
                "downloads": row["downloads"],
                "likes": row["likes"],
                "reporting_grade_level": row["grade_level"],
                "reporting_grade": row["grade"],
                "efficiency_label": row["label"],
                "autotrain": row["autotrain"],
                "created_at": reporter["created_at"],
            }
        )
    return records


def findings_records(findings: Findings) -> list[dict[str, Any]]:
    """One record per statistic and population of findings.json, in its order (values that are
    not numbers left empty)."""
    return [
        {
            "id": s.id,
            "title": s.title,
            "question": s.question,
            "population": s.population,
            "status": s.status,
            "note": s.note,
            "test": s.test,
            "n": _number(s.n),
            "statistic_name": s.statistic_name,
            "statistic": _number(s.statistic),
            "p": _number(s.p),
            "p_holm": _number(s.p_holm),
            "effect_name": s.effect_name,
            "effect_value": _number(s.effect_value),
            "ci_low": _number(s.ci[0]) if s.ci else None,
            "ci_high": _number(s.ci[1]) if s.ci else None,
            "table": s.table,
            "figure": s.figure,
        }
        for s in findings.statistics
    ]


@page("downloads")
def downloads(context: SiteContext) -> Files:
    """Downloads (`downloads.html`): the leaderboard and the findings as CSV, JSON and Parquet
    under `data/` (schema version 1, field list with types and meanings on the page). The
    findings files exist only when findings.json does; the page says how to compute it."""
    meta = {"run_id": context.run.run_id}
    records = leaderboard_records(context)
    files: Files = {
        "data/leaderboard.csv": to_csv(LEADERBOARD_FIELDS, records),
        "data/leaderboard.json": to_json(LEADERBOARD_FIELDS, records, **meta),
        "data/leaderboard.parquet": to_parquet(LEADERBOARD_FIELDS, records),
    }
    findings = context.findings
    if not isinstance(findings, Missing):
        stats = findings_records(findings)
        files["data/findings.csv"] = to_csv(FINDINGS_FIELDS, stats)
        files["data/findings.json"] = to_json(FINDINGS_FIELDS, stats, **meta)
        files["data/findings.parquet"] = to_parquet(FINDINGS_FIELDS, stats)
    files.update(changes_files(context))
    sizes = {name: len(content) for name, content in files.items()}
    digests = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    sums = (f"{digests[name]}  {name.removeprefix('data/')}\n" for name in sorted(files))
    files[SUMS] = "".join(sums).encode()
    files["downloads.html"] = render(
        "downloads.html.j2",
        root="",
        current="downloads",
        run=context.run,
        notices=context.notices,
        sizes=sizes,
        leaderboard_fields=LEADERBOARD_FIELDS,
        findings_fields=FINDINGS_FIELDS,
        changes_fields=CHANGES_FIELDS,
        findings_missing=findings.message if isinstance(findings, Missing) else "",
        models=len(records),
        digests=digests,
        sums=SUMS,
        citation=citation(context),
        licences=snapshot_licences(context.run.snapshot),
    )
    return files


SUMS = "data/SHA256SUMS"
PAPER = """@inproceedings{castano2023carbon,
  author = {Casta{\\~n}o, Joel and Mart{\\'\\i}nez-Fern{\\'a}ndez, Silverio and Franch, Xavier and
            Bogner, Justus},
  title = {Exploring the Carbon Footprint of Hugging Face's {ML} Models: A Repository Mining Study},
  booktitle = {2023 ACM/IEEE International Symposium on Empirical Software Engineering and
               Measurement (ESEM)},
  year = {2023},
  doi = {10.1109/ESEM56168.2023.10304801},
  eprint = {2305.11164},
  archivePrefix = {arXiv}
}"""


def citation(context: SiteContext) -> str:
    """BibTeX for this data set (hubcarbon's version, the crawl run, when and where it was
    collected) and for the study whose methods it re-implements."""
    where = collected(context.run)
    year = context.run.started_at[:4] or "n.d."
    release = f"hubcarbon {version('hubcarbon')}, crawl run {context.run.run_id}"
    own = (
        "@misc{hubcarbon_leaderboard,\n"
        "  title = {hubcarbon: carbon-emissions reporting on the Hugging Face Hub},\n"
        "  howpublished = {\\url{https://github.com/hubcarbon/hubcarbon}},\n"
        f"  note = {{{release}; {where.sentence}}},\n"
        f"  year = {{{year}}}\n"
        "}"
    )
    return f"{own}\n\n{PAPER}\n"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
