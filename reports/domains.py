"""The Domain column. Domains are the analysis layer's: `hubcarbon analyze` maps each
reporter's tags to a domain (analysis.vocabulary's tag-to-domain map, its tie-break order) and
lists the result in findings.json as the `reporters` table. The site reads that table; without
it (or when it belongs to another crawl run) the column is empty and the site says why."""

from __future__ import annotations

from reports.documents import ANALYZE, Findings, reporter_domains
from reports.inputs import Missing

WHAT = "Domain column"


def domain_mapping(findings: Findings | Missing, run_id: int) -> dict[str, str | None] | Missing:
    """model id -> domain for the run the site shows, or a Missing that the pages show."""
    if isinstance(findings, Missing):
        return Missing(WHAT, ANALYZE)
    if findings.run_id != run_id:
        return Missing(WHAT, ANALYZE, f"findings.json is from crawl run {findings.run_id}")
    domains = reporter_domains(findings)
    if isinstance(domains, str):
        return Missing(WHAT, ANALYZE, domains)
    return domains
