"""The linter as contributors run it, whole process, against baselines timed in the same run.

1. One card (pre-commit's and the Action's case): `hubcarbon lint README.md` against yamllint
   on the same card's front matter. Goals: at most 2.5x yamllint's time, at most 100 MiB peak.
2. The corpus: `hubcarbon lint DIR` over the 25,109 real 2023 cards of the embedded snapshot,
   written out as README.md files, against huggingface_hub's `ModelCard.load` of the same files
   in one process. The corpus is linted by `--jobs` worker processes (one per CPU by default),
   so its measure is the wall-clock time of the whole process, what a user waits for; the CPU
   time of the process and its workers, and the CPU-time rate, are printed beside it, and the
   one-process run (`--jobs 1`) too. Goals, on the wall-clock time: at least 3,500 cards/s, at
   most 0.6x the baseline's time; memory is bounded by streaming (the peak is printed).

Run: `python bench/bench_lint.py` (or `make bench`).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mining.snapshot.reader import open_snapshot

BIN = Path(sys.executable).parent
CARD_GOAL_RATIO = 2.5
CARD_GOAL_MIB = 100
CORPUS_GOAL_RATE = 3500.0
CORPUS_GOAL_RATIO = 0.6
REPEAT = 7
WALL: list[float] = []
ONE_CARD = (
    Path(__file__).resolve().parent.parent
    / "tests/fixtures/cards/popular_cards/bigscience__bloom.md"
)
PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
    "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
BASELINE = """
import logging, sys
from pathlib import Path
from huggingface_hub import ModelCard
logging.getLogger("huggingface_hub").setLevel(logging.CRITICAL)
for path in sorted(Path(sys.argv[1]).rglob("README.md")):
    try:
        ModelCard.load(path, ignore_metadata_errors=True)
    except Exception:
        pass
"""


def timed(argv: list[str]) -> float:
    """The child's CPU seconds (user + system, its workers included); its wall time is appended
    to WALL."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    WALL.append(time.perf_counter() - started)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def peak_mib(argv: list[str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *argv], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip()) / 1024


def median_seconds(argv: list[str]) -> float:
    timed(argv)  # warm the file cache
    return statistics.median(timed(argv) for _ in range(REPEAT))


def write_corpus(directory: Path) -> int:
    snapshot = open_snapshot()
    count = 0
    for record in snapshot:
        if record.card_origin == "hf_modelcards_2023":
            text = snapshot.readme(record)
            if text is not None:
                card = directory / record.id.replace("/", "__") / "README.md"
                card.parent.mkdir(parents=True)
                card.write_text(text, encoding="utf-8", newline="")
                count += 1
    return count


def verdict(met: bool) -> str:
    return "met" if met else "not met"


def one_card(work: Path, card: Path) -> None:
    text = card.read_text(encoding="utf-8")
    front = text.split("---", 2)[1]
    yaml_file = work / "front_matter.yaml"
    yaml_file.write_text(front.lstrip("\n"), encoding="utf-8")
    lint = [str(BIN / "hubcarbon"), "lint", "--exit-zero", str(card)]
    yamllint = [str(BIN / "yamllint"), "-d", "relaxed", str(yaml_file)]
    ours, base = median_seconds(lint), median_seconds(yamllint)
    mib = peak_mib(lint)
    ratio = ours / base
    print(f"one card ({card.name}, {len(text):,} characters), CPU time, median of {REPEAT}:")
    print(f"  yamllint (front matter): {base * 1000:.0f} ms")
    print(f"  hubcarbon lint:          {ours * 1000:.0f} ms, peak {mib:.0f} MiB")
    print(
        f"  ratio {ratio:.2f}x yamllint (goal <= {CARD_GOAL_RATIO}x: "
        f"{verdict(ratio <= CARD_GOAL_RATIO)}); peak {mib:.0f} MiB (goal <= {CARD_GOAL_MIB}: "
        f"{verdict(mib <= CARD_GOAL_MIB)})"
    )


def corpus(work: Path, directory: Path, cards: int) -> None:
    lint = [str(BIN / "hubcarbon"), "lint", "--exit-zero", "--format", "concise",
            "-o", str(work / "findings.txt"), str(directory)]  # fmt: skip
    baseline = [sys.executable, "-c", BASELINE, str(directory)]
    timed(lint)  # warm the file cache
    base_cpu = timed(baseline)
    base = WALL[-1]
    ours_cpu = timed(lint)
    ours = WALL[-1]
    one_cpu = timed([*lint, "--jobs", "1"])
    one = WALL[-1]
    mib = peak_mib(lint)
    findings = sum(1 for _ in (work / "findings.txt").open(encoding="utf-8"))
    rate, ratio = cards / ours, ours / base
    jobs = os.cpu_count() or 1
    load = os.getloadavg()[0]
    print(
        f"corpus: {cards:,} cards, whole process, wall clock (CPU time), load average {load:.1f}:"
    )
    print(f"  huggingface_hub ModelCard.load: {base:.2f} s ({base_cpu:.2f} s CPU), "
          f"{cards / base:,.0f} cards/s")  # fmt: skip
    print(f"  hubcarbon lint, {jobs} workers:   {ours:.2f} s ({ours_cpu:.2f} s CPU), {rate:,.0f} "
          f"cards/s ({cards / ours_cpu:,.0f} cards/s of CPU), {findings:,} findings, "
          f"peak {mib:.0f} MiB")  # fmt: skip
    print(f"  hubcarbon lint --jobs 1:        {one:.2f} s ({one_cpu:.2f} s CPU), "
          f"{cards / one:,.0f} cards/s ({cards / one_cpu:,.0f} cards/s of CPU)")  # fmt: skip
    print(
        f"  {rate:,.0f} cards/s (goal >= {CORPUS_GOAL_RATE:,.0f}: "
        f"{verdict(rate >= CORPUS_GOAL_RATE)}); {ratio:.2f}x the baseline's time "
        f"(goal <= {CORPUS_GOAL_RATIO}x: {verdict(ratio <= CORPUS_GOAL_RATIO)})"
    )


def main() -> int:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()  # no options: --help describes the benchmark
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.pop("GITHUB_ACTIONS", None)
    with tempfile.TemporaryDirectory(prefix="bench-lint-") as tmp:
        work = Path(tmp)
        directory = work / "cards"
        cards = write_corpus(directory)
        one_card(work, ONE_CARD)
        corpus(work, directory, cards)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
