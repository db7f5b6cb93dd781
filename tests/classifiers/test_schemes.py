"""The scheme registries, their method texts, and the replication sections."""

from __future__ import annotations

from classifiers import replication_sections
from classifiers.efficiency import LABEL_SCHEMES
from classifiers.reporting import REPORTING_SCHEMES
from hubcarbon.core.registry import documentation


def test_label_scheme_ids_and_method_texts() -> None:
    assert LABEL_SCHEMES.ids() == ["paper2023", "hubcarbon-v1"]
    paper = documentation(LABEL_SCHEMES["paper2023"])
    assert paper.startswith("paper2023:")
    for phrase in ("0.35", "distilgpt2", "sqrt", "60/85/94/96", "half to even", "C 826"):
        assert phrase in paper, phrase
    v1 = documentation(LABEL_SCHEMES["hubcarbon-v1"])
    assert v1.startswith("hubcarbon-v1:")
    for phrase in (
        "paper2023-reporters-dedup",
        "Downloads are dropped",
        "inherited_from",
        "AutoTrain",
        "no sqrt",
        "worse class",
    ):
        assert phrase in v1, phrase


def test_reporting_scheme_ids_and_method_texts() -> None:
    assert REPORTING_SCHEMES.ids() == ["paper2023", "hubcarbon-v1"]
    paper = documentation(REPORTING_SCHEMES["paper2023"])
    assert "Hardware Type:" in paper and "Not Specified" in paper and "1,338" in paper
    v1 = documentation(REPORTING_SCHEMES["hubcarbon-v1"])
    for phrase in ("Certified Energy Efficiency", "HC103", "HC108", "CodeCarbon", "evidence"):
        assert phrase in v1, phrase


def test_replication_sections_for_the_replicate_command() -> None:
    sections = replication_sections()
    assert sections["efficiency_labels_paper"] == {"A": 37, "B": 486, "C": 826, "D": 55, "E": 15}
    levels = sections["reporting_levels"]
    counts = {name: n for name, n in levels.items() if isinstance(n, int)}
    assert counts == {
        "Unknown Energy Efficiency": 0,
        "Context Reporting": 0,
        "Basic Energy Reporting": 1338,
        "Energy Awareness": 79,
        "Energy Optimization": 0,
        "Certified Energy Efficiency": 0,
    }
    by_auto = levels["by_auto"]
    assert sum(by_auto["True"].values()) == 1291 and sum(by_auto["False"].values()) == 126


def test_docs_embed_the_current_method_texts() -> None:
    from support import REPO_ROOT

    from classifiers.methods import embed, methods_markdown

    committed = (REPO_ROOT / "docs" / "classifications.md").read_text("utf-8")
    assert embed(committed) == committed, (
        "regenerate: python -m classifiers.methods docs/classifications.md"
    )
    assert methods_markdown().count("### ") == 4
