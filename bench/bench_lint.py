"""Lint throughput on the 25,109 real 2023 cards of the embedded snapshot, against the baseline
of huggingface_hub reading the same cards with `ModelCard(text)` (its front-matter regex, PyYAML
safe_load and ModelCardData), timed in the same run.

Goals: at least 2,000 cards/s, and at most 1.5x the baseline's time. `lint_text` parses each
card once (front matter with positions, Markdown body for the prose rules) and runs every rule.

Run: `python bench/bench_lint.py` (or `make bench`).
"""

from __future__ import annotations

import logging
import os
import time

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from huggingface_hub import ModelCard

from classifiers.lint import lint_text
from mining.snapshot.reader import open_snapshot

GOAL_RATE = 2000.0
GOAL_RATIO = 1.5


def corpus() -> list[str]:
    snapshot = open_snapshot()
    texts = []
    for record in snapshot:
        if record.card_origin == "hf_modelcards_2023":
            text = snapshot.readme(record)
            if text is not None:
                texts.append(text)
    return texts


def baseline_seconds(texts: list[str]) -> tuple[float, int]:
    """huggingface_hub's own parse; cards it refuses (invalid YAML, non-mapping) still count."""
    logging.getLogger("huggingface_hub").setLevel(logging.CRITICAL)
    refused = 0
    started = time.perf_counter()
    for text in texts:
        try:
            ModelCard(text, ignore_metadata_errors=True)
        except Exception:
            refused += 1
    return time.perf_counter() - started, refused


def lint_seconds(texts: list[str]) -> tuple[float, int]:
    findings = 0
    started = time.perf_counter()
    for text in texts:
        findings += len(lint_text(text))
    return time.perf_counter() - started, findings


def main() -> int:
    texts = corpus()
    lint_text(texts[0])  # import and compile everything before timing
    base, refused = baseline_seconds(texts)
    lint, findings = lint_seconds(texts)
    n = len(texts)
    rate, base_rate, ratio = n / lint, n / base, lint / base
    print(f"cards: {n:,} ({sum(map(len, texts)) / 1e6:.1f} M characters)")
    print(f"baseline ModelCard(text): {base:.2f} s, {base_rate:,.0f} cards/s ({refused} refused)")
    print(f"hubcarbon lint_text:      {lint:.2f} s, {rate:,.0f} cards/s ({findings:,} findings)")
    print(
        f"lint: {rate:,.0f} cards/s (goal >= {GOAL_RATE:,.0f}: "
        f"{'met' if rate >= GOAL_RATE else 'not met'}); ratio {ratio:.2f}x the baseline's time "
        f"(goal <= {GOAL_RATIO}x: {'met' if ratio <= GOAL_RATIO else 'not met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
