"""Evidence of efficiency work (level 5) and of a measurement by a tracking tool (level 6)."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_TEXT = 1_000_000  # card text is untrusted: search at most this many characters

# Canonical term -> pattern. Patterns are linear (no nested quantifiers) and case-insensitive.
OPTIMISATION_TERMS: dict[str, re.Pattern[str]] = {
    "distillation": re.compile(r"\bdistil\w*", re.IGNORECASE),
    "pruning": re.compile(r"\bprun(?:e|ed|es|ing)\b", re.IGNORECASE),
    "quantization": re.compile(
        r"\bquanti[sz]\w*|\b(?:int4|int8|4-?bit|8-?bit|gptq|awq|gguf|bitsandbytes)\b",
        re.IGNORECASE,
    ),
    "sparsity": re.compile(r"\bsparsi(?:ty|fied|fication)\b", re.IGNORECASE),
    "lora/peft": re.compile(r"\b(?:q?lora|peft)\b", re.IGNORECASE),
    "optimized": re.compile(r"\boptimi[sz]ed\b", re.IGNORECASE),
}

# Tools that measure energy or emissions while training (not calculators that estimate them).
TRACKING_TOOL = re.compile(
    r"code\s*carbon|carbon\s*tracker|experiment[-_ ]?impact[-_ ]?tracker|eco2ai|"
    r"\bzeus\b|pyjoules",
    re.IGNORECASE,
)


def optimisation_evidence(tags: object, text: object) -> list[dict[str, str]]:
    """Matched terms with where they were found: [{"term", "where" (tags|text), "match"}],
    the first match per term and place, tags first."""
    found: list[dict[str, str]] = []
    tag_list = [t for t in as_list(tags) if isinstance(t, str)]
    body = text[:MAX_TEXT] if isinstance(text, str) else ""
    for term, pattern in OPTIMISATION_TERMS.items():
        for tag in tag_list:
            match = pattern.search(tag)
            if match:
                found.append({"term": term, "where": "tags", "match": tag})
                break
        match = pattern.search(body)
        if match:
            found.append({"term": term, "where": "text", "match": match.group(0)})
    return found


def measured_by_tool(source: object) -> bool:
    """True when the emissions source names a tracking tool (CodeCarbon, carbontracker,
    experiment-impact-tracker, eco2AI, Zeus, pyJoules)."""
    return isinstance(source, str) and TRACKING_TOOL.search(source[:10_000]) is not None


def as_list(value: object) -> list[object]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, bytes | dict):
        return list(value)
    return []
