"""The replication's method text as Markdown, generated from the registered procedures and the
quirk list, so `docs/replication.md` cannot drift from the code.

Regenerate with `python -m analysis.replication.methods > docs/replication.md`.
"""

from __future__ import annotations

import sys

from analysis.replication.holm import HOLM_FAMILY
from analysis.replication.procedure import PROCEDURES, Procedure
from analysis.replication.published import PUBLISHED, WITHHELD
from analysis.replication.quirks import QUIRKS
from hubcarbon.core.registry import documentation

INTRO = """\
# Replication of Castaño et al. (ESEM 2023)

`hubcarbon replicate` recomputes the statistics of "Exploring the Carbon Footprint of Hugging
Face's ML Models: A Repository Mining Study" (ESEM 2023, arXiv:2305.11164) from the paper's own
data files, shipped with their provenance in `analysis/paperdata/` (HFStreamlit, HFCO2, HFClean).
It follows the original notebooks to the letter: the same subsets, the natural log of value + 1e-6,
scipy's defaults, the same 14-member Holm family, the same monthly windows, OLS on a month index,
and the same 80 % split with seed 42 for the size-controlled OLS.

```
hubcarbon replicate [--out out/replication.json] [--format table|json]
```

It prints a table "quantity | published | ours | match" and writes the JSON document (sorted
keys, full-precision floats, NaN as null). The exit status is 1 when a published value is not
reproduced exactly. Published values that the paper's methods withhold are shown as "ours" only,
with "checked independently" in the published column.

In Python: `analysis.replication.run_replication() -> dict` returns the analysis sections;
`PROCEDURES` is the registry of the statistics below (ids `paper.*`).

This file is generated from the code: `python -m analysis.replication.methods >
docs/replication.md`.
"""

CLASSIFIER_HOOK = """\
## Sections from the classifiers layer

`reporting_levels` (counts per reporting level) and `efficiency_labels_paper` (counts per letter
of the `paper2023` label over the 1,419 rows of HFCO2) are computed by the classifiers layer,
which `analysis` may not import. `classifiers.replication_document()` (what `hubcarbon
replicate` writes) merges them in from `classifiers.replication_sections()`, which counts the
`paper2023` letters through `classifiers.efficiency` and the `paper2023` reporting levels of the
1,417 reporters (with the `auto` × level table) through `classifiers.reporting`. Levels 1 and 2
need the full crawl, so only the two reporting levels can be non-zero here. Sections still
missing are listed under `sections_pending`.
"""


def _published_table() -> list[str]:
    lines = ["## Published values compared exactly", "", "| quantity | published |", "|---|---|"]
    lines += [f"| {check.label} | {check.published:,} |" for check in PUBLISHED]
    lines += ["", f"Every other statistic is {WITHHELD}: the table shows our value only.", ""]
    return lines


def _holm() -> list[str]:
    lines = ["## The Holm family", "", "In this order (JSON keys):", ""]
    lines += [f"{rank}. `{key}`" for rank, key in enumerate(HOLM_FAMILY, start=1)]
    lines += [
        "",
        "Each member's section gets `p_holm`; `holm_family.members` lists rank, key, raw and",
        "adjusted p-value, and whether the value was computed (member 1 is a constant).",
        "",
    ]
    return lines


MODULE_ORDER = ("rq1", "rq2", "side", "ols", "holm")
"""Sections of the document: RQ1, RQ2 main tests, side tests, the OLS, the Holm correction."""


def _position(unit: Procedure) -> int:
    module = unit.compute.__module__.rsplit(".", 1)[-1]
    return MODULE_ORDER.index(module) if module in MODULE_ORDER else len(MODULE_ORDER)


def _procedures() -> list[str]:
    lines = ["## Procedures", ""]
    for unit in sorted(PROCEDURES, key=_position):
        lines += [f"### `{unit.id}` (JSON key `{unit.key}`)", "", documentation(unit), ""]
    return lines


def _quirks() -> list[str]:
    lines = [
        "## Quirks reproduced, and the fixes `analyze` owes",
        "",
        "The replication keeps these behaviours of the original code so that it reproduces the",
        "published numbers (they are listed in the JSON under `quirks_reproduced`). The project's",
        "own analysis, `hubcarbon analyze`, must implement the fix given for each: this list is",
        "its contract.",
        "",
    ]
    for quirk in QUIRKS:
        lines += [
            f"### `{quirk.id}`",
            "",
            f"- **Original behaviour.** {quirk.behaviour}",
            f"- **Reproduced here.** {quirk.reproduced}",
            f"- **Fix in `analyze`.** {quirk.analyze_fix}",
            "",
        ]
    return lines


def methods_markdown() -> str:
    """The whole of docs/replication.md."""
    parts = [INTRO, *_published_table(), *_holm(), *_procedures(), *_quirks(), CLASSIFIER_HOOK]
    return "\n".join(parts).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(methods_markdown())
