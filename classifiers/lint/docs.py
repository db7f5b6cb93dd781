"""The rules' pages: docs/rules/HCnnn.md, generated from the registry (`hubcarbon rules --docs
docs/rules`), and the addresses SARIF points at (`helpUri`, the driver's `informationUri`).

The repository address is the package's `Repository` project URL (pyproject.toml), so a fork
that changes it there gets its own links.
"""

from __future__ import annotations

from importlib import metadata

from classifiers.lint.registry import RULES, Rule

REPOSITORY = "https://github.com/hubcarbon/hubcarbon"
"""The address when the package metadata is not available (a checkout that is not installed);
pyproject.toml's [project.urls] Repository says the same (a test checks it)."""
DOCS_DIR = "docs/rules"
BRANCH = "main"


def repository_url() -> str:
    try:
        urls = metadata.metadata("hubcarbon").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return REPOSITORY
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository" and url.strip().startswith("https://"):
            return url.strip().rstrip("/")
    return REPOSITORY


def help_uri(code: str) -> str:
    """Where the rule's page is read on the forge: `<repository>/blob/main/docs/rules/HCnnn.md`."""
    return f"{repository_url()}/blob/{BRANCH}/{DOCS_DIR}/{code}.md"


def rule_page(unit: Rule) -> str:
    """The Markdown page of one rule: title, metadata line, then its docstring."""
    fix = f"fix: {unit.fixable}" if unit.fixable else "fixed by hand"
    return (
        f"# {unit.code} `{unit.name}`\n\n"
        f"Default severity: **{unit.severity}**; {fix}. "
        f"Select it as `{unit.code}`, `{unit.code[:3]}` or `{unit.name}`.\n\n"
        f"{unit.summary}\n\n{_sections(unit.doc)}"
        f"\n---\nGenerated from the rule's docstring by `hubcarbon rules --docs {DOCS_DIR}`.\n"
    )


def _sections(doc: str) -> str:
    body = doc.split("\n", 1)[1].strip("\n") if "\n" in doc else ""
    return body + "\n" if body else ""


def index_page() -> str:
    lines = [
        "# hubcarbon lint rules",
        "",
        "Generated from the registry by `hubcarbon rules --docs docs/rules`; "
        "`hubcarbon rules CODE` prints the same text.",
        "",
        "| code | name | severity | fix | summary |",
        "|---|---|---|---|---|",
    ]
    for unit in sorted(RULES, key=lambda r: r.code):
        fix = str(unit.fixable) if unit.fixable else "-"
        summary = unit.summary.replace("|", "\\|")
        lines.append(
            f"| [{unit.code}]({unit.code}.md) | `{unit.name}` | {unit.severity} | {fix} | "
            f"{summary} |"
        )
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """File name -> content of every page of docs/rules/."""
    found = {f"{unit.code}.md": rule_page(unit) for unit in sorted(RULES, key=lambda r: r.code)}
    found["README.md"] = index_page()
    return found
