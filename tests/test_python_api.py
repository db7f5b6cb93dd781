"""The README's Python API example runs as written, and the API gives what the CLI gives."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO_ROOT

import hubcarbon


def readme_example() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert match is not None, "the Python API section has no python block"
    return match.group(1)


@pytest.mark.slow
def test_the_readme_example_runs(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\n---\n# A card\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", readme_example()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "100 models, 100 CO2 reporters" in result.stdout
    assert "README.md" in result.stdout
    assert (tmp_path / "api-demo.duckdb").is_file()


def test_open_db_reads_the_crawl_the_cli_wrote(co2_crawl_db: Path) -> None:
    with hubcarbon.open_db(co2_crawl_db) as db:
        reporters = db.reporters()
        models = db.models()
    assert len(models) == 1418
    assert len(reporters) >= 1418
    assert set(reporters["model_id"]) <= set(models["model_id"])
    assert (reporters["co2_g"] > 0).all()


def test_open_db_on_a_missing_crawl_is_one_clear_error(tmp_path: Path) -> None:
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(Exception, match="crawl"):
        hubcarbon.open_db(empty)


def test_lint_paths_streams_the_reports_lint_text_gives(tmp_path: Path) -> None:
    fixtures = REPO_ROOT / "tests" / "fixtures" / "cards" / "popular_cards"
    cards = sorted(fixtures.glob("*.md"))[:3]
    for card in cards:
        folder = tmp_path / card.stem
        folder.mkdir()
        (folder / "README.md").write_bytes(card.read_bytes())
    reports = list(hubcarbon.lint_paths([tmp_path]))
    assert len(reports) == len(cards)
    for report, card in zip(reports, cards, strict=True):
        expected = hubcarbon.lint_text(card.read_text(encoding="utf-8"), report.path)
        assert [f.code for f in report.findings] == [f.code for f in expected]


def test_import_hubcarbon_is_light() -> None:
    code = (
        "import sys, hubcarbon; hubcarbon.lint_text('---\\nlicense: mit\\n---\\n');"
        "heavy = {'pandas', 'duckdb', 'scipy', 'matplotlib'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError):
        _ = hubcarbon.no_such_function  # type: ignore[attr-defined]
