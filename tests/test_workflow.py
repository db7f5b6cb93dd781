"""The published-leaderboard workflow (.github/workflows/leaderboard.yml): valid against
SchemaStore's GitHub-workflow schema (vendored in tests/vendor), scheduled monthly and on demand,
crawling the live Hub with the token from the repository's secrets, keeping the database between
runs, building the site with the project's real commands and deploying it to GitHub Pages."""

from __future__ import annotations

import copy
import hashlib
import re
import shlex
from typing import Any

import click
import jsonschema
import pytest
import yaml
from support import REPO_ROOT

from hubcarbon.cli import cli

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "leaderboard.yml"
VENDOR = REPO_ROOT / "tests" / "vendor"
SCHEMA = VENDOR / "github-workflow.schema.json"


def load_workflow(text: str) -> dict[str, Any]:
    """The workflow as GitHub reads it: YAML 1.1 loaders read the key `on` as True."""
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    if True in document:
        document["on"] = document.pop(True)
    return document


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return load_workflow(WORKFLOW.read_text("utf-8"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = yaml.safe_load(SCHEMA.read_text("utf-8"))  # JSON is YAML
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_the_vendored_files_are_the_ones_the_readme_names() -> None:
    readme = (VENDOR / "README.md").read_text("utf-8")
    lines = re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.M)
    listed = {name: digest for digest, name in lines}
    assert set(listed) == {"axe.min.js", "github-workflow.schema.json"}
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert (VENDOR / "LICENSE.schemastore").read_text("utf-8").strip().startswith("Apache License")
    schema = yaml.safe_load(SCHEMA.read_text("utf-8"))
    assert schema["$id"] == "https://json.schemastore.org/github-workflow.json"


def test_the_workflow_is_valid_against_schemastores_schema(
    workflow: dict[str, Any], validator: jsonschema.Draft7Validator
) -> None:
    errors = sorted(validator.iter_errors(workflow), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]


@pytest.mark.parametrize(
    "damage",
    [
        lambda w: w["jobs"]["build"].pop("runs-on"),
        lambda w: w["on"]["schedule"][0].update(cron=17),
        lambda w: w["jobs"]["deploy"].update(needs={"build": True}),
        lambda w: w.update(permisions={"contents": "read"}),
    ],
    ids=["no-runs-on", "cron-not-a-string", "needs-a-mapping", "misspelt-key"],
)
def test_the_schema_rejects_a_broken_workflow(
    workflow: dict[str, Any], validator: jsonschema.Draft7Validator, damage: Any
) -> None:
    broken = copy.deepcopy(workflow)
    damage(broken)
    assert list(validator.iter_errors(broken)), "the schema accepted a broken workflow"


def test_it_runs_monthly_and_on_demand(workflow: dict[str, Any]) -> None:
    triggers = workflow["on"]
    assert "workflow_dispatch" in triggers
    (schedule,) = triggers["schedule"]
    _minute, _hour, day, month, weekday = schedule["cron"].split()
    assert day.isdigit() and 1 <= int(day) <= 28, "one fixed day that every month has"
    assert (month, weekday) == ("*", "*")
    assert workflow["concurrency"]["cancel-in-progress"] is False  # never two crawls at once


def test_third_party_actions_are_pinned_by_commit(workflow: dict[str, Any]) -> None:
    uses = [step["uses"] for step in steps(workflow) if "uses" in step]
    assert {u.split("@")[0] for u in uses} >= {
        "actions/checkout",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    }
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_the_crawl_reads_the_live_hub_with_the_secret_token(workflow: dict[str, Any]) -> None:
    (crawl,) = [s for s in steps(workflow) if "hubcarbon crawl" in s.get("run", "")]
    assert crawl["env"]["HF_TOKEN"] == "${{ secrets.HF_TOKEN }}"
    assert "--endpoint https://huggingface.co" in crawl["run"]
    assert "--token" not in crawl["run"]  # read from the environment, never on a command line
    text = WORKFLOW.read_text("utf-8")
    assert text.count("secrets.") == 1, "the token reaches only the crawl step"


def test_the_database_is_kept_between_runs(workflow: dict[str, Any]) -> None:
    named = {s.get("name", ""): s for s in steps(workflow)}
    fetch = named["Fetch the database of the earlier crawls"]
    keep = named["Keep the database for the next crawl"]
    assert 'gh release download "$DB_RELEASE"' in fetch["run"]
    assert 'gh release upload "$DB_RELEASE"' in keep["run"]
    assert keep["if"].startswith("${{ always()"), "an interrupted crawl is kept, to resume"
    order = [s.get("name", "") for s in steps(workflow)]
    crawl = order.index("Crawl the live Hub")
    assert order.index(fetch["name"]) < crawl < order.index(keep["name"])
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "write"}


def test_the_site_is_built_and_deployed_to_pages(workflow: dict[str, Any]) -> None:
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages"))
    report = next(line for line in commands(workflow) if line[:2] == ["hubcarbon", "report"])
    assert upload["with"]["path"] == report[report.index("--out") + 1]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert workflow["permissions"] == {"contents": "read"}  # the default for every other job


def commands(workflow: dict[str, Any]) -> list[list[str]]:
    """Every `hubcarbon ...` command of the run steps, split as the shell would, with the
    workflow's env variables expanded."""
    env = {key: str(value) for key, value in workflow["env"].items()}
    env["MODELS"] = "co2"  # the expression's default when the schedule starts the run
    found = []
    for step in steps(workflow):
        script = step.get("run", "").replace("\\\n", " ")
        for line in script.splitlines():
            words = shlex.split(line, comments=True)
            for stop in ("||", "&&", ";", "|"):
                if stop in words:
                    words = words[: words.index(stop)]
            if words[:1] == ["hubcarbon"]:
                found.append([re.sub(r"\$(\w+)", lambda m: env[m.group(1)], w) for w in words])
    return found


def test_every_hubcarbon_command_parses_with_the_real_cli(workflow: dict[str, Any]) -> None:
    found = commands(workflow)
    assert [c[1] for c in found] == ["crawl", "analyze", "replicate", "classify", "report"]
    for words in found:
        group = cli.make_context("hubcarbon", words[1:2])
        command = cli.get_command(group, words[1])
        assert isinstance(command, click.Command), words
        command.make_context(words[1], words[2:], parent=group)  # raises on a bad option


def test_a_misspelt_option_fails_the_parse() -> None:
    group = cli.make_context("hubcarbon", ["crawl"])
    command = cli.get_command(group, "crawl")
    assert command is not None
    with pytest.raises(click.UsageError):
        command.make_context("crawl", ["--endpont", "https://huggingface.co"], parent=group)
