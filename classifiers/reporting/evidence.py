"""Evidence of efficiency work (level 5) and of a measurement by a tracking tool (level 6).

A term found in the card text is evidence only in a sentence that says the work was done:

- not negated: none of `not`, `no`, `never`, `without`, `non-`, `...n't` among the three words
  before it in its sentence ("Not optimized for FID scores" is no evidence);
- not part of a file name, path or URL (`v1-5-pruned-emaonly.ckpt`,
  `github.com/facebookresearch/bitsandbytes`);
- a bare library name (bitsandbytes, GPTQ, AWQ, GGUF, PEFT) is weak evidence: in the text it
  counts only in a sentence that also names the work (quantized, 8-bit, LoRA, ...); as a tag of
  the model it counts (the tag describes the model's own format).

The stored evidence is the sentence that earned it, with its line in the card.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MAX_TEXT = 1_000_000  # card text is untrusted: search at most this many characters
MAX_SENTENCE = 300  # characters kept on each side of a match when cutting out its sentence
NEGATION_WINDOW = 3  # words before a term searched for a negation


@dataclass(frozen=True)
class Term:
    """One kind of efficiency work: a pattern that names it, and library names that hint at it
    (weak evidence). Patterns are linear (no nested quantifiers) and case-insensitive."""

    name: str
    strong: re.Pattern[str]
    weak: re.Pattern[str] | None = None


OPTIMISATION_TERMS: tuple[Term, ...] = (
    Term("distillation", re.compile(r"\bdistil\w*", re.IGNORECASE)),
    Term("pruning", re.compile(r"\bprun(?:e|ed|es|ing)\b", re.IGNORECASE)),
    Term(
        "quantization",
        re.compile(r"\bquanti[sz]\w*|\b(?:int4|int8|4-?bit|8-?bit)\b", re.IGNORECASE),
        re.compile(r"\b(?:gptq|awq|gguf|bitsandbytes)\b", re.IGNORECASE),
    ),
    Term("sparsity", re.compile(r"\bsparsi(?:ty|fied|fication)\b", re.IGNORECASE)),
    Term("lora/peft", re.compile(r"\bq?lora\b", re.IGNORECASE), re.compile(r"\bpeft\b", re.I)),
    Term("optimized", re.compile(r"\boptimi[sz]ed\b", re.IGNORECASE)),
)

# Tools that measure energy or emissions while training (not calculators that estimate them).
TRACKING_TOOL = re.compile(
    r"code\s*carbon|carbon\s*tracker|experiment[-_ ]?impact[-_ ]?tracker|eco2ai|"
    r"\bzeus\b|pyjoules",
    re.IGNORECASE,
)
_NEGATIONS = frozenset({"not", "no", "never", "without", "nor", "cannot"})
_WORDS = re.compile(r"[a-z']+")
_TOKEN_STOP = tuple(" \t\r\n()[]<>\"'`|")
_FILE_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,15}$")
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


def optimisation_evidence(
    tags: object, text: object, first_line: int = 1
) -> list[dict[str, str | int]]:
    """Evidence per term, tags first: [{"term", "where" (tags|text), "match"}, plus for text
    "sentence" (the sentence that earned it) and "line" (its line; the text starts at
    `first_line`)]. The first valid match per term and place."""
    found: list[dict[str, str | int]] = []
    tag_list = [t for t in as_list(tags) if isinstance(t, str)]
    body = text[:MAX_TEXT] if isinstance(text, str) else ""
    for term in OPTIMISATION_TERMS:
        patterns = [term.strong] if term.weak is None else [term.strong, term.weak]
        tag = next((t for t in tag_list if any(p.search(t) for p in patterns)), None)
        if tag is not None:
            found.append({"term": term.name, "where": "tags", "match": tag})
        hit = next(_text_hits(term, body), None)
        if hit is not None:
            start, match, sentence = hit
            line = first_line + body.count("\n", 0, start)
            found.append(
                {"term": term.name, "where": "text", "match": match, "sentence": sentence,
                 "line": line}
            )  # fmt: skip
    return found


def _text_hits(term: Term, body: str) -> Iterator[tuple[int, str, str]]:
    """(offset, match, sentence) of the matches that count, in order of appearance."""
    for pattern, weak in ((term.strong, False), (term.weak, True)):
        if pattern is None:
            continue
        for match in pattern.finditer(body):
            start, end = match.span()
            if _in_file_name(body, start, end) or _negated(body, start):
                continue
            sentence = _sentence(body, start, end)
            if weak and not _names_the_work(sentence):
                continue
            yield start, match.group(0), sentence


def _names_the_work(sentence: str) -> bool:
    return any(t.strong.search(sentence) for t in OPTIMISATION_TERMS if t.name != "optimized")


def _in_file_name(body: str, start: int, end: int) -> bool:
    """The match sits in a token that is a file name, a path or a URL."""
    floor, ceiling = max(0, start - MAX_SENTENCE), min(len(body), end + MAX_SENTENCE)
    left = max(body.rfind(stop, floor, start) for stop in _TOKEN_STOP) + 1
    rights = [at for stop in _TOKEN_STOP if (at := body.find(stop, end, ceiling)) >= 0]
    token = body[max(left, floor) : min(rights, default=ceiling)].rstrip(".,;:!?")
    return "/" in token or "\\" in token or _FILE_SUFFIX.search(token) is not None


def _negated(body: str, start: int) -> bool:
    before = body[max(0, start - 60) : start]
    cut = max(before.rfind("\n"), before.rfind(". "))
    before = before[cut + 1 :].lower()
    if before.endswith(("non-", "non ", "un-")):
        return True
    words = _WORDS.findall(before)[-NEGATION_WINDOW:]
    return any(w in _NEGATIONS or w.endswith("n't") for w in words)


def _sentence(body: str, start: int, end: int) -> str:
    """The sentence (or list item, or line) around body[start:end], at most MAX_SENTENCE
    characters each side, whitespace collapsed."""
    window_start = max(0, start - MAX_SENTENCE)
    before = body[window_start:start]
    ends = [m.end() for m in _SENTENCE_END.finditer(before)]
    left = window_start + (ends[-1] if ends else 0)
    after = body[end : end + MAX_SENTENCE]
    stop = _SENTENCE_END.search(after)
    right = end + (stop.end() if stop else len(after))
    return " ".join(body[left:right].split())


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
