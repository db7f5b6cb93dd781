"""Ctrl-C during `hubcarbon analyze` and `hubcarbon replicate` (real commands in a subprocess,
SIGINT to their process group): exit 130, one line, the previous outputs byte for byte.

The previous outputs are made up for the purpose (every file name analyze writes, holding
"previous ..." bytes), so that a file the interrupted run replaced could not go unnoticed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from interrupting import (
    after_ready,
    assert_interrupted,
    exists,
    paused_prelude,
    ready_prelude,
    run_and_interrupt,
    tree_bytes,
    when,
)

from analysis.statistics import STATISTICS

ANALYZE = "hubcarbon.commands.analyze"
REPLICATE = "analysis.replication"  # looked up by classifiers.replication_document at call


def _previous_outputs(out: Path) -> dict[str, bytes]:
    analysis = out / "analysis"
    analysis.mkdir(parents=True)
    (out / "findings.json").write_bytes(b'{"previous": true}\n')
    for name in [unit.id for unit in STATISTICS] + ["reporters"]:
        for suffix in (".csv", ".parquet", ".png", ".svg"):
            (analysis / f"{name}{suffix}").write_bytes(f"previous {name}{suffix}".encode())
    return tree_bytes(out)


def _staged(directory: Path, suffix: str) -> bool:
    return directory.is_dir() and any(f"{suffix}.tmp-" in p.name for p in directory.iterdir())


@pytest.mark.parametrize("moment", ["importing", "computing", "figures", "tables"])
def test_interrupted_analyze_leaves_the_previous_outputs(
    moment: str, co2_crawl_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    before = _previous_outputs(out)
    ready = tmp_path / "ready"
    trigger = {
        "importing": after_ready(ready, 0.3),  # the command's modules, inside the CLI
        "computing": after_ready(ready, 1.0),
        "figures": when(lambda: _staged(out / "analysis", ".png")),
        "tables": when(lambda: _staged(out / "analysis", ".parquet")),
    }[moment]
    outcome = run_and_interrupt(
        ["analyze", "--db", str(co2_crawl_db), "--out", str(out), "--no-progress"],
        trigger,
        python_prelude=ready_prelude(ready, *([] if moment == "importing" else [ANALYZE])),
    )
    assert_interrupted(outcome)
    assert tree_bytes(out) == before  # no file replaced, none added, no temporary left


@pytest.mark.parametrize("moment", ["importing", "computing"])
@pytest.mark.slow
def test_interrupted_replicate_leaves_the_previous_json(moment: str, tmp_path: Path) -> None:
    target = tmp_path / "replication.json"
    target.write_bytes(b'{"previous": true}\n')
    ready = tmp_path / "ready"
    if moment == "importing":
        trigger, prelude = after_ready(ready, 0.3), ready_prelude(ready)
    else:  # inside the computation, however fast the machine computes
        trigger, prelude = exists(ready), paused_prelude(ready, REPLICATE, "run_replication")
    outcome = run_and_interrupt(
        ["replicate", "--out", str(target)], trigger, python_prelude=prelude
    )
    assert_interrupted(outcome)
    assert tree_bytes(tmp_path) == {"ready": b"", "replication.json": b'{"previous": true}\n'}
