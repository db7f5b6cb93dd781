"""The templates and static files ship as package data (a wheel without them builds no site)."""

from __future__ import annotations

import tomllib
from importlib import resources

from support import REPO_ROOT

from reports.pages.assets import STATIC
from reports.render import environment

TEMPLATES = {
    "badge.svg.j2",
    "base.html.j2",
    "downloads.html.j2",
    "fields.html.j2",
    "index.html.j2",
    "model.html.j2",
    "report.html.j2",
    "row.html.j2",
}


def test_templates_and_static_files_are_package_resources() -> None:
    package = resources.files("reports")
    assert {t.name for t in package.joinpath("templates").iterdir()} >= TEMPLATES
    assert set(environment().list_templates()) >= TEMPLATES
    for name in (*STATIC, "favicon.ico"):
        assert package.joinpath("static", name).is_file(), name


def test_the_wheel_includes_the_reports_package() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))
    packages = config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert "reports" in packages  # hatchling ships every file under it, templates included
    excluded = config["tool"]["hatch"]["build"]["targets"]["wheel"].get("exclude", [])
    assert not [e for e in excluded if "reports" in e]
