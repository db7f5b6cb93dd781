"""Lint the 25,109 real 2023 cards of the embedded snapshot and write the per-rule counts to
classifiers/data/lint_corpus_counts.json (the report shows them).

Run from the repository root (a development tool, not part of the package):

    .venv/bin/python tools/lint_corpus.py            # write the counts
    .venv/bin/python tools/lint_corpus.py --check    # exit 1 when the committed file is stale

Exits 1 when any card gives an HC000 (a rule crashed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tqdm import tqdm

from classifiers.lint.corpus import COUNTS_FILE, counts_json, lint_corpus, snapshot_cards
from mining.snapshot.reader import EMBEDDED_NAME

TARGET = Path(__file__).resolve().parent.parent / "classifiers" / "data" / COUNTS_FILE
SOURCE = f"embedded snapshot {EMBEDDED_NAME}, cards with card_origin hf_modelcards_2023"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file")
    args = parser.parse_args()
    cards = list(snapshot_cards())
    started = time.perf_counter()
    counts = lint_corpus(tqdm(cards, desc="lint", unit="card", disable=None))
    seconds = time.perf_counter() - started
    text = json.dumps(counts_json(counts, len(cards), SOURCE), indent=2) + "\n"
    print(f"{len(cards):,} cards linted in {seconds:.1f} s ({len(cards) / seconds:,.0f} cards/s)")
    for count in counts.values():
        print(f"  {count.code} {count.name:<26} {count.cards:>6} cards {count.findings:>7} found")
    if counts["HC000"].findings:
        print("HC000: a rule crashed on the corpus")
        return 1
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.is_file() else ""
        if current != text:
            print(f"{TARGET.name} is stale: run tools/lint_corpus.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(TARGET.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
