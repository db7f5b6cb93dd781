"""Reading findings.json and replication.json defensively: absent, malformed, from another run,
or naming files outside its analysis directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from analysis.replication.published import CONSTANT, NOT_COMPUTABLE
from reports.documents import Findings, comparison, load_findings, load_replication
from reports.inputs import Missing
from reports.site import build_site


def test_absent_and_malformed_documents_become_visible_notes(tmp_path: Path) -> None:
    absent = load_findings(tmp_path / "findings.json")
    assert isinstance(absent, Missing)
    assert absent.message == (
        "findings (findings.json): not computed: run `hubcarbon analyze`"
        " (findings.json does not exist)"
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert "is not valid JSON" in load_findings(broken).message  # type: ignore[union-attr]
    assert "run `hubcarbon replicate`" in load_replication(broken).message  # type: ignore[union-attr]
    shapeless = tmp_path / "list.json"
    shapeless.write_text("[1, 2]", encoding="utf-8")
    assert isinstance(load_findings(shapeless), Missing)
    assert isinstance(load_replication(shapeless), Missing)


def test_only_plain_files_under_analysis_are_copied(tmp_path: Path) -> None:
    (tmp_path / "analysis").mkdir()
    (tmp_path / "analysis" / "fig.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"secret")
    document = {
        "version": 1,
        "run_id": 1,
        "statistics": [
            {"id": "a", "population": "all", "question": "RQ1", "figure": "analysis/fig.png"},
            {"id": "b", "population": "all", "figure": "analysis/../secret.png"},
            {"id": "c", "population": "all", "figure": "/etc/passwd"},
            {"id": "d", "population": "all", "table": "analysis/sub/x.csv"},
            {"id": "e", "population": "all", "figure": "javascript:alert(1)"},
            {"id": "a", "population": "all"},
            "not an object",
        ],
        "tables": {"t": {"csv": "../../x.csv", "parquet": "analysis/missing.parquet"}},
    }
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    findings = load_findings(path)
    assert isinstance(findings, Findings)
    assert [s.id for s in findings.statistics] == ["a", "b", "c", "d", "e"]
    assert findings.assets == {"analysis/fig.png": tmp_path / "analysis" / "fig.png"}
    assert [s.figure for s in findings.statistics] == ["analysis/fig.png", None, None, None, None]
    assert len(findings.problems) == 3  # the repeat, the non-object, the missing parquet


def test_a_stale_findings_file_is_flagged_on_the_report(
    pipeline: tuple[Path, Path], tmp_path: Path
) -> None:
    db, findings = pipeline
    shutil.copytree(findings.parent / "analysis", tmp_path / "analysis")
    document = json.loads(findings.read_text("utf-8"))
    document["run_id"] = 99
    stale = tmp_path / "findings.json"
    stale.write_text(json.dumps(document), encoding="utf-8")
    build_site(db, tmp_path / "site", stale, tmp_path / "none.json")
    report = (tmp_path / "site" / "report.html").read_text("utf-8")
    assert "findings.json was computed from crawl run 99" in report


def test_the_comparison_lists_published_values_first(replication_json: Path) -> None:
    results = load_replication(replication_json)
    assert isinstance(results, dict)
    rows = comparison(results)
    assert rows[0].quantity == "models with a CO2 value"
    assert (rows[0].published, rows[0].ours, rows[0].match) == ("1,417", "1,417", "yes")
    assert all(row.match in ("yes", "", CONSTANT, NOT_COMPUTABLE) for row in rows)
    marked = {row.quantity: row.match for row in rows if row.match in (CONSTANT, NOT_COMPUTABLE)}
    assert marked["reporting share trend: p (published constant)"] == CONSTANT
    assert any(row.quantity.startswith("reporting level: ") for row in rows)
