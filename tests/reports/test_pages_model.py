"""Model pages on the site built from the real crawl: small (at most 5 KB on average), the
stated and the audited figure, every flag explained, what the card says quoted with its line,
the grade's evidence quoted, the label broken down per metric in words."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import duckdb
import pytest

from mining.cards.emission_record import Flag
from reports.flags import explain, flag_meanings
from reports.site import model_file

MAX_AVERAGE_BYTES = 5_000


def page_text(site: Path, model_id: str) -> str:
    return html.unescape(model_file(site, model_id).read_text("utf-8"))


def test_model_pages_are_at_most_5_kb_on_average(site: Path) -> None:
    sizes = [p.stat().st_size for p in (site / "models").glob("*.html")]
    assert len(sizes) == 1418
    assert sum(sizes) / len(sizes) <= MAX_AVERAGE_BYTES, sum(sizes) / len(sizes)


def test_every_flag_is_documented() -> None:
    assert set(flag_meanings()) == {str(flag) for flag in Flag}
    assert all(len(meaning) > 20 for meaning in flag_meanings().values())
    assert explain("not-a-flag").startswith("a flag this version")


def test_a_conflicting_card_shows_stated_audited_flags_and_quotes(site: Path) -> None:
    text = page_text(site, "dalle-mini/dalle-mega")
    stated = "Stated: <strong>450 kg</strong> CO₂eq (450,300 g), in the card metadata"
    assert f"{stated} (co2_eq_emissions)." in text
    assert "Audited: none: the study leaves this figure out." in text
    assert '<span class="flag">conflict</span> two training figures' in text
    assert "<q>18013.47 kg CO2 eq.</q> line 144, a labelled line" in text
    assert "<q>450300.0</q> line 6, metadata <code>co2_eq_emissions.emissions</code>" in text


def test_every_flagged_figure_is_explained_on_its_page(site: Path, co2_db: Path) -> None:
    with duckdb.connect(str(co2_db), read_only=True) as con:
        flagged = con.execute(
            "SELECT model_id, flags FROM latest_emissions WHERE len(flags) > 0 ORDER BY model_id"
        ).fetchall()
    assert len(flagged) > 50
    for model_id, flags in flagged:
        text = page_text(site, model_id)
        section = text.split('<ul id="flags" class="flags">', 1)[1].split("</ul>", 1)[0]
        for flag in flags:
            assert f'<span class="flag">{flag}</span> {explain(flag).replace("`", "")}' in section


def test_audited_figures_and_copies_are_shown(site: Path, co2_db: Path) -> None:
    with duckdb.connect(str(co2_db), read_only=True) as con:
        audited = con.execute(
            "SELECT model_id FROM latest_emissions WHERE co2_g_audited IS NOT NULL"
            " AND co2_g_audited <> co2_g ORDER BY model_id LIMIT 5"
        ).fetchall()
        copies = con.execute(
            "SELECT model_id, copied_from FROM latest_emissions WHERE copied_from IS NOT NULL"
            " ORDER BY model_id"
        ).fetchall()
    assert audited and copies
    for (model_id,) in audited:
        assert re.search(
            r'<p id="audited">Audited: <strong>[0-9.,]+ (g|kg|t)</strong> \(',
            (page_text(site, model_id)),
        )
    for model_id, origin in copies:
        assert f'A copy of <a href="{model_file(site, origin).name}">{origin}</a>' in (
            page_text(site, model_id)
        ) or f"A copy of {origin}" in page_text(site, model_id)


def test_grade_evidence_is_the_quoted_sentence_with_its_line(
    site: Path, pipeline: tuple[Path, Path]
) -> None:
    db, _ = pipeline
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT model_id, evidence FROM reporting_grades WHERE scheme = 'hubcarbon-v1'"
            " AND evidence LIKE '%\"sentence\"%' ORDER BY model_id LIMIT 5"
        ).fetchall()
    assert rows
    for model_id, evidence in rows:
        text = page_text(site, model_id)
        for item in json.loads(evidence):
            if item["where"] == "text":
                assert f"“{item['sentence']}” (line {item['line']}; {item['term']})" in text


def test_the_label_is_broken_down_per_metric_in_words(
    site: Path, pipeline: tuple[Path, Path]
) -> None:
    db, _ = pipeline
    with duckdb.connect(str(db), read_only=True) as con:
        model_id, letter, metrics = con.execute(
            "SELECT model_id, letter, metrics FROM efficiency_labels WHERE scheme = 'paper2023'"
            " AND letter IS NOT NULL ORDER BY model_id LIMIT 1"
        ).fetchone()  # type: ignore[misc]
    text = page_text(site, model_id)
    section = text.split('<h2 id="label">', 1)[1].split('<h2 id="lint">', 1)[0]
    assert f'>paper2023</a>: <span class="label label-{letter}">{letter}</span></h3>' in section
    assert "rated 0 (A, best) to 4 (E, worst)" in section
    for name, entry in json.loads(metrics).items():
        if entry.get("rating") is not None:
            assert re.search(rf"<li>[^<]*: [^<]*, index [^<]*, rating {entry['rating']:g}", section)
        else:
            assert "Unknown: " in section, name


@pytest.mark.parametrize("kind", ["stated", "audited"])
def test_figures_are_in_readable_units(site: Path, kind: str) -> None:
    pages = sorted((site / "models").glob("*.html"))[:200]
    pattern = re.compile(rf'<p id="{kind}">[^<]*<strong>([^<]+)</strong>')
    units = {m.group(1).rsplit(" ", 1)[1] for p in pages if (m := pattern.search(p.read_text()))}
    assert units and units <= {"g", "kg", "t"}
