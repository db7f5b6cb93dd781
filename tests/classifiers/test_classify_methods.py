"""The method texts the report prints, as structured data; the replicate hook's sections."""

from __future__ import annotations

from classifiers import REPLICATION_SECTIONS, replication_sections
from classifiers.alternatives import greener_alternatives
from classifiers.efficiency import LABEL_SCHEMES
from classifiers.methods import ALTERNATIVES_ID, methods
from classifiers.reporting import REPORTING_SCHEMES
from hubcarbon.core.registry import documentation


def test_methods_cover_both_schemes_of_both_classifications_and_the_alternatives() -> None:
    found = {m.id: m for m in methods()}
    assert list(found) == [
        "reporting.paper2023",
        "reporting.hubcarbon-v1",
        "efficiency.paper2023",
        "efficiency.hubcarbon-v1",
        ALTERNATIVES_ID,
    ]
    assert found["reporting.hubcarbon-v1"].text == documentation(REPORTING_SCHEMES["hubcarbon-v1"])
    assert found["efficiency.paper2023"].text == documentation(LABEL_SCHEMES["paper2023"])
    assert found["efficiency.paper2023"].title == "Carbon-efficiency label: paper2023"
    assert found[ALTERNATIVES_ID].text == documentation(greener_alternatives)
    assert all(m.text and m.title for m in found.values())


def test_replicate_still_gets_both_classifier_sections() -> None:
    sections = replication_sections()
    assert set(REPLICATION_SECTIONS) <= set(sections)
    assert sections["efficiency_labels_paper"] == {"A": 37, "B": 486, "C": 826, "D": 55, "E": 15}
    levels = sections["reporting_levels"]
    assert levels["Basic Energy Reporting"] == 1338 and levels["Energy Awareness"] == 79
