"""docs/replication.md is generated from the registered procedures and the quirk list."""

from __future__ import annotations

from support import REPO_ROOT

from analysis.replication import PROCEDURES, QUIRKS
from analysis.replication.methods import methods_markdown


def test_docs_are_up_to_date() -> None:
    committed = (REPO_ROOT / "docs" / "replication.md").read_text("utf-8")
    assert committed == methods_markdown(), (
        "regenerate: python -m analysis.replication.methods > docs/replication.md"
    )


def test_docs_print_every_method_text_and_every_fix() -> None:
    text = methods_markdown()
    for unit in PROCEDURES:
        assert f"`{unit.id}`" in text
        assert " ".join((unit.__doc__ or "").split()[:12]) in " ".join(text.split())
    for quirk in QUIRKS:
        assert quirk.analyze_fix in text
