"""The declared Holm family: the confirmatory tests, fixed in code before any data is seen.

One member per research question's hypothesis and per population that is not a subset or a
duplicate of another member's population for the same test: the RQ1 share trend on AutoTrain
and on human models (disjoint; the pooled series mixes AutoTrain's arrival into the trend), and
every other hypothesis on `independent` (one row per training run), because copies of one
figure would otherwise count as evidence many times. Every other test is exploratory: its raw
p is reported, `p_holm` stays null and the finding says `"inference": "exploratory"`. A
declared member that cannot be computed on a crawl (too few rows, or `independent` on a crawl
without training runs) stays declared, is listed with its note, and leaves the correction to
the computed members.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from statsmodels.stats.multitest import multipletests

from analysis.findings import Finding
from analysis.population import PopulationName

HOLM_METHOD = (
    "statsmodels.stats.multitest.multipletests(method='holm') over the declared family "
    "(holm.family: the confirmatory tests, fixed in code), among its members computed on this "
    "crawl; every other test is exploratory and reports its raw p only."
)


@dataclass(frozen=True)
class Member:
    """A confirmatory test: a statistic on one population, and the hypothesis it decides."""

    id: str
    population: PopulationName
    hypothesis: str

    def key(self) -> tuple[str, str]:
        return (self.id, self.population)


FAMILY: tuple[Member, ...] = (
    Member("rq1.share_by_month", "autotrain", "the share of AutoTrain models reporting changes"),
    Member("rq1.share_by_month", "human", "the share of other models reporting changes"),
    Member("rq1.median_co2_by_month", "independent", "the median reported CO2 changes"),
    Member("rq2.pearson_log_size", "independent", "CO2 grows with model size"),
    Member(
        "rq2.partial_spearman_downloads_age",
        "independent",
        "CO2 relates to downloads at equal age",
    ),
    Member(
        "rq2.ols_domain_size_controlled",
        "independent",
        "Computer Vision and NLP models differ in CO2 at equal size and age",
    ),
    Member(
        "rq2.mwu_pretraining_vs_finetuning",
        "independent",
        "pre-training and fine-tuning differ in CO2",
    ),
)
"""The confirmatory tests, in the order findings.json lists them."""

DISJOINT: frozenset[frozenset[str]] = frozenset({frozenset({"autotrain", "human"})})
"""Population pairs with no reporter in common: the only ones one test may be declared on twice."""


def check(family: Iterable[Member]) -> None:
    """Refuse a family with a repeated member or one test declared on overlapping populations."""
    members = list(family)
    keys = [member.key() for member in members]
    if len(set(keys)) != len(keys):
        raise ValueError("a Holm family member is declared twice")
    by_test: dict[str, list[str]] = {}
    for member in members:
        by_test.setdefault(member.id, []).append(member.population)
    for unit_id, populations in by_test.items():
        pairs = {frozenset({a, b}) for i, a in enumerate(populations) for b in populations[i + 1 :]}
        if any(pair not in DISJOINT for pair in pairs):
            raise ValueError(f"{unit_id} is declared on overlapping populations {populations}")


check(FAMILY)
DECLARED = {member.key(): member for member in FAMILY}


def classify(findings: list[Finding]) -> list[Finding]:
    """`findings` with their role (confirmatory, exploratory, descriptive) and `p_holm` on the
    computed members of the family."""
    marked = []
    for finding in findings:
        if (finding.id, finding.population) in DECLARED:
            role = "confirmatory"
        elif finding.result.inferential:
            role = "exploratory"
        else:
            role = "descriptive"
        marked.append(replace(finding, inference=role))  # type: ignore[arg-type]
    members = [
        index
        for index, finding in enumerate(marked)
        if finding.inference == "confirmatory" and finding.result.inferential
    ]
    if not members:
        return marked
    raw = [marked[index].result.p for index in members]
    adjusted = multipletests(raw, method="holm")[1]
    for index, p_holm in zip(members, adjusted, strict=True):
        marked[index] = replace(marked[index], p_holm=float(p_holm))
    return marked


def section(findings: list[Finding]) -> dict[str, Any]:
    """The `holm` section of findings.json."""
    by_key = {(finding.id, finding.population): finding for finding in findings}
    not_computed = []
    for member in FAMILY:
        finding = by_key.get(member.key())
        if finding is None or not finding.result.inferential:
            note = finding.result.note if finding is not None else "not run"
            not_computed.append({"id": member.id, "population": member.population, "note": note})
    return {
        "method": HOLM_METHOD,
        "family": [{"id": member.id, "population": member.population} for member in FAMILY],
        "members": sum(1 for finding in findings if finding.p_holm is not None),
        "not_computed": not_computed,
    }
