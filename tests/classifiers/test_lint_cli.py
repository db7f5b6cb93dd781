"""`hubcarbon lint` and `hubcarbon rules` end to end: exit codes, inputs, config, Hub cards."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from support import FIXTURES, embedded_snapshot

from hubcarbon.cli import main

CLEAN = FIXTURES / "lint_cases" / "clean.md"
NEGATIVE = FIXTURES / "lint_cases" / "HC102_negative.md"  # one error
BLOOM = FIXTURES / "cards" / "popular_cards" / "bigscience__bloom.md"
NO_CO2 = FIXTURES / "cards" / "ok_no_co2" / "29thDay__ppo-LunarLander-v2.md"  # warnings only


@pytest.fixture(autouse=True)
def _workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory (no pyproject.toml above it that configures the linter)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "pyproject.toml").write_text("[tool.hubcarbon.lint]\n")
    monkeypatch.chdir(work)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return work


def _copy(source: Path, target: str) -> Path:
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)
    return path


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    return json.loads(capsys.readouterr().out)


def test_exit_codes_follow_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(CLEAN)]) == 0
    assert main(["lint", str(NEGATIVE)]) == 1
    assert main(["lint", str(NO_CO2)]) == 0  # warnings do not fail by default
    assert main(["lint", "--fail-on", "warning", str(NO_CO2)]) == 1
    assert main(["lint", "--fail-on", "info", str(CLEAN)]) == 0
    assert main(["lint", "--exit-zero", str(NEGATIVE)]) == 0
    assert main(["lint", "--ignore", "HC102", str(NEGATIVE)]) == 0
    assert main(["lint", "--select", "HC1", "--ignore", "co2-non-positive", str(NEGATIVE)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["lint"], "nothing to lint"),
        (["lint", "missing/README.md"], "no such file or directory: missing/README.md"),
        (["lint", "--select", "HC999", "x.md"], "unknown rule selector 'HC999'"),
        (["lint", "--format", "xml", "x.md"], "xml"),
        (["lint", "--config", "nowhere.toml", "x.md"], "configuration file not found"),
        (["rules", "HC999"], "unknown rule 'HC999'"),
    ],
)
def test_usage_errors_exit_2_in_one_line(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("x.md").write_text("---\nlicense: mit\n---\n")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err


def test_exit_zero_still_exits_2_on_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--exit-zero", "missing.md"]) == 2
    capsys.readouterr()


def test_unknown_config_keys_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    Path("pyproject.toml").write_text(
        '[tool.hubcarbon.lint]\nselect = ["ALL"]\nfail_on = "warning"\nextend-ignore = []\n'
    )
    assert main(["lint", str(CLEAN)]) == 2
    err = capsys.readouterr().err
    assert "'extend-ignore', 'fail_on'" in err and "known keys" in err


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ('select = "HC1"\nignore = 3', "'ignore' should be a list"),
        ('fail-on = "fatal"', "'fail-on' should be one of error, warning, info"),
        ('severity = { HC777 = "error" }', "unknown rule 'HC777'"),
        ('severity = { HC100 = "loud" }', "'severity.HC100' should be one of"),
        ('per-file-ignores = { "a/**" = ["nope"] }', "unknown rule selector 'nope'"),
        ("select = [", "not valid TOML"),
    ],
)
def test_bad_configuration_exits_2(
    table: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("pyproject.toml").write_text(f"[tool.hubcarbon.lint]\n{table}\n")
    assert main(["lint", str(CLEAN)]) == 2
    assert needle in capsys.readouterr().err


def test_configuration_selects_overrides_and_per_file_ignores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _copy(NEGATIVE, "models/a/README.md")
    _copy(NO_CO2, "examples/b/README.md")
    Path("pyproject.toml").write_text(
        "[tool.hubcarbon.lint]\n"
        'ignore = ["HC104"]\n'
        'per-file-ignores = { "models/**/README.md" = ["co2-non-positive"] }\n'
        'severity = { HC100 = "error" }\n'
        'fail-on = "error"\n'
    )
    assert main(["lint", "--format", "json", "."]) == 1
    document = _json(capsys)
    files = {f["path"]: f["findings"] for f in document["files"]}  # type: ignore[index]
    assert set(files) == {"examples/b/README.md", "models/a/README.md"}
    assert files["models/a/README.md"] == []
    codes = {f["code"]: f["severity"] for f in files["examples/b/README.md"]}
    assert codes == {"HC100": "error", "HC200": "warning"}
    # a config file named explicitly wins over discovery; flags win over the file
    other = Path("other.toml")
    other.write_text('[tool.hubcarbon.lint]\nselect = ["HC2"]\n')
    assert main(["lint", "--config", str(other), "--format", "json", "examples"]) == 0
    (only,) = _json(capsys)["files"]  # type: ignore[misc]
    assert [f["code"] for f in only["findings"]] == ["HC200"]


def test_configuration_is_found_in_a_parent_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("pyproject.toml").write_text('[tool.hubcarbon.lint]\nfail-on = "warning"\n')
    card = _copy(NO_CO2, "deep/er/README.md")
    assert main(["lint", str(card)]) == 1
    monkeypatch.chdir("deep/er")
    assert main(["lint", "README.md"]) == 1
    capsys.readouterr()


def test_inline_suppression(capsys: pytest.CaptureFixture[str]) -> None:
    text = NEGATIVE.read_text() + "\n<!-- hubcarbon: disable=HC102 -->\n"
    Path("README.md").write_text(text)
    assert main(["lint", "README.md"]) == 0
    Path("README.md").write_text(NEGATIVE.read_text() + "<!-- hubcarbon: disable -->\n")
    assert main(["lint", "--fail-on", "info", "README.md"]) == 0
    Path("README.md").write_text(
        NO_CO2.read_text() + "\n<!-- hubcarbon: disable=co2-missing, HC2, HC999 -->\n"
    )
    capsys.readouterr()
    assert main(["lint", "--format", "json", "README.md"]) == 0
    (only,) = _json(capsys)["files"]  # type: ignore[misc]
    assert [(f["code"], "'HC999'" in f["message"]) for f in only["findings"]] == [("HC010", True)]


def test_directory_stdin_and_output_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy(CLEAN, "m/one/README.md")
    _copy(NEGATIVE, "m/two/README.md")
    _copy(NEGATIVE, "m/.hidden/README.md")
    _copy(NEGATIVE, "m/two/NOTES.md")
    assert main(["lint", "--format", "concise", "m"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("m/two/README.md:4:14: HC102 [error] ")
    assert ".hidden" not in out and "NOTES" not in out
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(NEGATIVE.read_bytes())))
    assert main(["lint", "-", "--stdin-filename", "cards/README.md", "-o", "out.json",
                 "--format", "json"]) == 1  # fmt: skip
    assert capsys.readouterr().out == ""
    document = json.loads(Path("out.json").read_text())
    assert document["files"][0]["path"] == "cards/README.md"
    assert document["summary"] == {"files": 1, "errors": 1, "warnings": 0, "infos": 0}


def test_github_format_is_automatic_in_actions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy(NEGATIVE, "README.md")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["lint", "README.md"]) == 1
    out = capsys.readouterr().out
    assert "::error title=hubcarbon HC102 (co2-non-positive),file=README.md,line=4,col=14::" in out
    assert main(["lint", "--format", "concise", "README.md"]) == 1
    assert capsys.readouterr().out.startswith("README.md:4:14: HC102")
    summary = Path("summary.md")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["lint", "README.md"]) == 1
    assert "| HC102 `co2-non-positive` | error | 1 | 1 |" in summary.read_text()


def test_fix_rewrites_only_what_it_fixes(capsys: pytest.CaptureFixture[str]) -> None:
    card = _copy(FIXTURES / "lint_cases" / "HC101_quoted_number_crlf.md", "README.md")
    before = card.read_bytes()
    assert main(["lint", "--fix", "--fail-on", "info", "README.md"]) == 0
    after = card.read_bytes()
    assert after == before.replace(b'"41.1"', b"41.1").replace(
        b"datasets: squad", b'datasets: ["squad"]'
    )
    assert "fixed 2 finding(s)" in capsys.readouterr().err
    assert main(["lint", "--fix", "-"]) == 2
    assert "--fix" in capsys.readouterr().err


def test_lint_a_hub_card_through_the_crawler_client(
    capsys: pytest.CaptureFixture[str], mirror_url: str
) -> None:
    argv = ["lint", "--hub", "bigscience/bloom", "--endpoint", mirror_url, "--format", "json"]
    code = main(argv)
    document = _json(capsys)
    (only,) = document["files"]  # type: ignore[misc]
    assert only["path"] == "bigscience/bloom/README.md"
    assert code == (1 if document["summary"]["errors"] else 0)  # type: ignore[index]
    assert main(["lint", "--hub", "nobody/no-such-model", "--endpoint", mirror_url]) == 2
    assert "cannot fetch the card of nobody/no-such-model" in capsys.readouterr().err


@pytest.fixture(scope="module")
def mirror_url() -> object:
    from mining.mirror.server import serve_snapshot

    with serve_snapshot(embedded_snapshot()) as url:
        yield url


def test_rules_lists_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 27 and listing[0].startswith("HC000  internal-error")
    assert main(["rules", "co2-not-numeric"]) == 0
    explained = capsys.readouterr().out
    assert explained.startswith("HC101 co2-not-numeric (default severity: error, fix: safe)")
    assert "## Fix safety" in explained
    assert main(["rules", "hc109", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "template-placeholder"


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("lint", "rules"):
        assert main([command, "--help"]) == 0
        assert "Examples:" in capsys.readouterr().out
