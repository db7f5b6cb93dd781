"""Per-model badges: shields.io endpoint JSON and a self-rendered SVG."""

from __future__ import annotations

from typing import Any

from reports.context import SiteContext
from reports.pages.base import Files, page
from reports.render import render
from reports.safety import stable_json

# shields.io named colours and the hex the SVG uses for them
COLORS = {
    "A": ("brightgreen", "#1a7f37"),
    "B": ("green", "#3f7f22"),
    "C": ("yellow", "#9a6700"),
    "D": ("orange", "#bc4c00"),
    "E": ("red", "#cf222e"),
}
NO_LABEL = ("lightgrey", "#6e7781")
CHAR_WIDTH = 7  # px per character of 11px Verdana, enough for an estimate
PADDING = 10


def badge(row: dict[str, Any]) -> dict[str, Any]:
    """The shields.io endpoint document of one leaderboard row: the hubcarbon-v1 label and the
    stated CO2 (`C · 12.30 g CO₂eq`), coloured by the label; grey without a label."""
    co2 = f"{row['co2_text']} g CO₂eq" if row["co2_g"] is not None else "CO₂ unreadable"
    letter = row["label"]
    if isinstance(letter, str) and letter in COLORS:
        return {
            "schemaVersion": 1,
            "label": "carbon label",
            "message": f"{letter} · {co2}",
            "color": COLORS[letter][0],
        }
    return {"schemaVersion": 1, "label": "carbon", "message": co2, "color": NO_LABEL[0]}


def widths(document: dict[str, Any]) -> tuple[int, int]:
    """(label, message) widths in px of the badge of `document`; their sum is the SVG's width."""
    return (
        len(str(document["label"])) * CHAR_WIDTH + PADDING,
        len(str(document["message"])) * CHAR_WIDTH + PADDING,
    )


def svg(document: dict[str, Any], model_id: str) -> bytes:
    """The badge as a standalone SVG (text escaped by the template)."""
    label, message = str(document["label"]), str(document["message"])
    hex_color = next((h for name, h in COLORS.values() if name == document["color"]), NO_LABEL[1])
    label_width, message_width = widths(document)
    return render(
        "badge.svg.j2",
        model_id=model_id,
        label=label,
        message=message,
        color=hex_color,
        label_width=label_width,
        message_width=message_width,
    )


@page("badges")
def badges(context: SiteContext) -> Files:
    """Badges per model: `badges/<slug>.json`, a shields.io endpoint document (schemaVersion 1,
    label, message, color) for `https://img.shields.io/endpoint?url=<site>/badges/<slug>.json`,
    and `badges/<slug>.svg`, the same badge rendered here for use without any third party."""
    files: Files = {}
    for row in context.rows:
        slug = context.slugs[row["id"]]
        document = badge(row)
        files[f"badges/{slug}.json"] = (stable_json(document, indent=2) + "\n").encode("utf-8")
        files[f"badges/{slug}.svg"] = svg(document, row["id"])
    return files
