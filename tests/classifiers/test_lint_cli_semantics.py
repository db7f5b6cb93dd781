"""`hubcarbon lint` behaves as ruff users expect: command-line selection overrides the
configuration, fixes only with --fix, --diff, --statistics, --quiet, colour, --help defaults,
and configuration found per linted file with include/exclude."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import FIXTURES

from hubcarbon.cli import main

NEGATIVE = FIXTURES / "lint_cases" / "HC102_negative.md"  # one error, HC102
CRLF = FIXTURES / "lint_cases" / "HC101_quoted_number_crlf.md"  # safe fixes (HC101, HC202)
NO_CO2 = FIXTURES / "cards" / "ok_no_co2" / "29thDay__ppo-LunarLander-v2.md"  # HC100, HC200
PROSE_ONLY = FIXTURES / "cards" / "co2_prose_only" / "CompVis__stable-diffusion-v1-1.md"  # HC107


@pytest.fixture(autouse=True)
def _workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "pyproject.toml").write_text("[tool.hubcarbon.lint]\n")
    monkeypatch.chdir(work)
    for name in ("GITHUB_ACTIONS", "NO_COLOR", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    return work


def _copy(source: Path, target: str) -> Path:
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)
    return path


def _codes(capsys: pytest.CaptureFixture[str]) -> set[str]:
    document = json.loads(capsys.readouterr().out)
    return {f["code"] for file in document["files"] for f in file["findings"]}


def test_command_line_select_reenables_what_the_configuration_ignores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    card = _copy(NO_CO2, "README.md")
    Path("pyproject.toml").write_text('[tool.hubcarbon.lint]\nignore = ["HC100", "HC200"]\n')
    assert main(["lint", "--format", "json", str(card)]) == 0
    assert _codes(capsys) == set()
    assert main(["lint", "--format", "json", "--select", "HC100", str(card)]) == 0
    assert _codes(capsys) == {"HC100"}
    # comma-separated and repeated forms
    assert main(["lint", "--format", "json", "--select", "HC100,HC2", str(card)]) == 0
    assert _codes(capsys) == {"HC100", "HC200"}
    assert main(["lint", "--format", "json", "--select", "HC100", "--select", "license-missing",
                 str(card)]) == 0  # fmt: skip
    assert _codes(capsys) == {"HC100", "HC200"}
    # --extend-select adds to the configuration's selection; --ignore removes
    assert main(["lint", "--format", "json", "--extend-select", "HC200", str(card)]) == 0
    assert _codes(capsys) == {"HC200"}
    Path("pyproject.toml").write_text('[tool.hubcarbon.lint]\nselect = ["HC1"]\n')
    assert main(["lint", "--format", "json", "--extend-select", "HC2", str(card)]) == 0
    assert _codes(capsys) == {"HC100", "HC200"}
    assert main(["lint", "--format", "json", "--ignore", "HC100", str(card)]) == 0
    assert _codes(capsys) == set()
    assert main(["lint", "--extend-select", "HC9", str(card)]) == 2
    assert "command line: unknown rule selector 'HC9'" in capsys.readouterr().err


def test_unsafe_fixes_alone_writes_nothing_and_fix_writes_atomically(
    capsys: pytest.CaptureFixture[str],
) -> None:
    card = _copy(PROSE_ONLY, "README.md")  # an unsafe fix only (HC107: the prose's figure)
    before = card.read_bytes()
    assert main(["lint", "--unsafe-fixes", str(card)]) == 0
    out = capsys.readouterr().out
    assert card.read_bytes() == before
    assert "1 fixable with --fix --unsafe-fixes" in out
    assert main(["lint", "--fix", str(card)]) == 0  # safe fixes only: none here
    assert card.read_bytes() == before
    assert main(["lint", "--fix", "--unsafe-fixes", str(card)]) == 0
    assert card.read_bytes() != before
    assert "co2_eq_emissions" in card.read_text()
    capsys.readouterr()
    crlf = _copy(CRLF, "crlf/README.md")
    assert main(["lint", "--fix", "--show-fixes", str(crlf)]) == 0
    err = capsys.readouterr().err
    assert "Fixed 2 finding(s):" in err and "crlf/README.md: HC101 co2-not-numeric (1)" in err
    assert crlf.read_bytes() != CRLF.read_bytes()
    assert not list(Path("crlf").glob(".*.tmp"))


def test_diff_prints_the_fixes_and_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    card = _copy(CRLF, "README.md")
    assert main(["lint", "--diff", str(card)]) == 1
    captured = capsys.readouterr()
    assert card.read_bytes() == CRLF.read_bytes()
    assert captured.out.startswith("--- a/README.md\n+++ b/README.md\n@@ ")
    assert '-  emissions: "41.1"\r\n' in captured.out and "+  emissions: 41.1\r\n" in captured.out
    assert "would fix 2 finding(s)" in captured.err
    clean = _copy(FIXTURES / "lint_cases" / "clean.md", "clean/README.md")
    assert main(["lint", "--diff", str(clean)]) == 0
    assert capsys.readouterr().out == ""


def test_statistics_count_per_rule_most_frequent_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _copy(NO_CO2, "m/a/README.md")
    _copy(NO_CO2, "m/b/README.md")
    _copy(NEGATIVE, "m/c/README.md")
    assert main(["lint", "--statistics", "m"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "2  HC100  co2-missing [warning]",
        "2  HC200  license-missing [warning]",
        "1  HC102  co2-non-positive [error]",
    ]


def test_quiet_prints_findings_only(capsys: pytest.CaptureFixture[str]) -> None:
    card = _copy(NEGATIVE, "README.md")
    assert main(["lint", "--quiet", str(card)]) == 1
    captured = capsys.readouterr()
    assert "Found" not in captured.out and "HC102" in captured.out
    assert main(["lint", "-q", "--fix", str(_copy(CRLF, "x/README.md"))]) == 0
    assert capsys.readouterr().err == ""


def test_colour_always_never_auto_and_no_color(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    card = _copy(NEGATIVE, "README.md")
    assert main(["lint", "--color", "always", str(card)]) == 1
    coloured = capsys.readouterr().out
    assert "\x1b[31m" in coloured and "\x1b[1m" in coloured  # red bold code, bold location
    assert main(["lint", "--color", "never", str(card)]) == 1
    plain = capsys.readouterr().out
    assert "\x1b[" not in plain
    assert main(["lint", str(card)]) == 1  # auto: captured output is not a terminal
    assert "\x1b[" not in capsys.readouterr().out
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["lint", str(card)]) == 1
    assert "\x1b[" not in capsys.readouterr().out
    assert main(["lint", "--color", "always", str(card)]) == 1  # an explicit choice wins
    assert "\x1b[" in capsys.readouterr().out


def test_help_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "[default: (text; github when GITHUB_ACTIONS=true)]" in text
    assert "[default: (error, or fail-on of the configuration)]" in text
    assert "[default: auto]" in text
    for flag in ("--extend-select", "--diff", "--show-fixes", "--statistics", "--quiet"):
        assert flag in text


def test_configuration_is_found_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    _copy(NO_CO2, "a/README.md")
    _copy(NO_CO2, "b/sub/README.md")
    Path("b/hubcarbon.toml").write_text('[lint]\nignore = ["HC100"]\n')
    Path("a/pyproject.toml").write_text('[project]\nname = "x"\n')  # no lint table: skipped
    assert main(["lint", "--format", "json", "a", "b"]) == 0
    document = json.loads(capsys.readouterr().out)
    found = {f["path"]: {x["code"] for x in f["findings"]} for f in document["files"]}
    assert found == {"a/README.md": {"HC100", "HC200"}, "b/sub/README.md": {"HC200"}}
    # hubcarbon.toml wins over a pyproject.toml in the same directory
    Path("b/pyproject.toml").write_text('[tool.hubcarbon.lint]\nignore = ["HC200"]\n')
    assert main(["lint", "--format", "json", "b"]) == 0
    assert _codes(capsys) == {"HC200"}
    # --config names one file for every input
    assert main(["lint", "--format", "json", "--config", "b/pyproject.toml", "a"]) == 0
    assert _codes(capsys) == {"HC100"}
    Path("b/hubcarbon.toml").write_text('[lint]\nignor = ["HC100"]\n')
    assert main(["lint", "b"]) == 2
    assert "hubcarbon.toml [lint]: unknown key(s) 'ignor'" in capsys.readouterr().err


def test_include_and_exclude_globs(capsys: pytest.CaptureFixture[str]) -> None:
    _copy(NEGATIVE, "README.md")  # the repository's own README, not a model card
    _copy(NO_CO2, "models/a/README.md")
    _copy(NO_CO2, "models/b/card.md")
    Path("pyproject.toml").write_text(
        "[tool.hubcarbon.lint]\n"
        'include = ["models/**/README.md", "models/**/card.md"]\n'
        'exclude = ["models/b/**"]\n'
    )
    assert main(["lint", "--format", "concise", "."]) == 0
    paths = {line.split(":")[0] for line in capsys.readouterr().out.splitlines()}
    assert paths == {"models/a/README.md"}
    # exclude applies to files named on the command line (as pre-commit names them); a leading
    # '/' anchors the pattern to the configuration's directory: only the root README
    Path("pyproject.toml").write_text('[tool.hubcarbon.lint]\nexclude = ["/README.md"]\n')
    assert main(["lint", "--format", "concise", "README.md", "models/a/README.md"]) == 0
    paths = {line.split(":")[0] for line in capsys.readouterr().out.splitlines()}
    assert paths == {"models/a/README.md"}
    Path("pyproject.toml").write_text('[tool.hubcarbon.lint]\nexclude = ["README.md"]\n')
    assert main(["lint", "README.md", "models/a/README.md"]) == 0  # any directory's
    captured = capsys.readouterr()
    assert "All checks passed (0 files)." in captured.out
    assert "no cards found" in captured.err
    Path("pyproject.toml").write_text("[tool.hubcarbon.lint]\nexclude = 3\n")
    assert main(["lint", "."]) == 2
    assert "'exclude' should be a list of glob patterns" in capsys.readouterr().err
