"""The site built from a real crawl of the snapshot's CO2 reporters, read back with an HTML
parser, DuckDB and the csv module."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest

from reports import formats
from reports.leaderboard import COLUMNS, ENCODING, decode
from reports.pages import PAGES
from reports.site import MARKER, build_site

DATA = re.compile(
    r'<script type="application/json" id="leaderboard-data">(.*?)</script>', re.DOTALL
)


class Elements(HTMLParser):
    """Start tags with their attributes, and the text of the document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text("utf-8"))
    parser.close()
    return parser


def embedded(site: Path) -> dict[str, Any]:
    match = DATA.search((site / "index.html").read_text("utf-8"))
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def db_reporters(db: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT model_id, co2_g, provenance FROM latest_emissions ORDER BY model_id"
        ).fetchall()


def test_pages_are_registered_units_with_documentation() -> None:
    assert PAGES.ids() == ["assets", "badges", "changes", "downloads", "index", "model", "report"]
    for unit in PAGES:
        assert unit.__doc__ and len(unit.__doc__) > 80, unit.id


def test_the_leaderboard_embeds_every_reporter_of_the_crawl(site: Path, co2_db: Path) -> None:
    data = embedded(site)
    reporters = db_reporters(co2_db)
    assert len(reporters) == 1418  # every co2-tagged model of the snapshot states a value
    assert sorted(data["cols"]) == sorted(key for key, _, _ in ENCODING)
    rows = decode(data)
    embedded_figures = [  # to 12 significant digits, the stated precision
        (model_id, None if co2 is None else formats.significant(co2), provenance)
        for model_id, co2, provenance in reporters
    ]
    assert [(r["id"], r["co2_g"], r["provenance"]) for r in rows] == embedded_figures
    for row in rows:
        assert row["page"].startswith("models/") and (site / row["page"]).is_file()
        assert row["hub"] is None or row["hub"] == f"https://huggingface.co/{row['id']}"
    autotrain = sum(1 for r in rows if r["autotrain"])
    assert 1200 < autotrain < len(rows)  # AutoTrain dominates the reporters, as in the paper


def test_the_table_is_semantic_with_keyboard_operable_sort_headers(site: Path) -> None:
    doc = parse(site / "index.html")
    headers = [attrs for tag, attrs in doc.tags if tag == "th" and "data-key" in attrs]
    assert [h["data-key"] for h in headers] == [c.key for c in COLUMNS]
    assert all(h["scope"] == "col" and h["aria-sort"] == "none" for h in headers)
    buttons = [a for t, a in doc.tags if t == "button" and a.get("type") == "button"]
    assert len(buttons) >= len(COLUMNS)
    assert any(t == "caption" for t, _ in doc.tags)
    row_headers = [a for t, a in doc.tags if t == "th" and a.get("scope") == "row"]
    assert len(row_headers) == 50  # the first page is in the HTML for readers without JS
    scripts = [a for t, a in doc.tags if t == "script"]
    assert scripts == [
        {"type": "application/json", "id": "leaderboard-data"},
        {"src": "static/leaderboard.js"},
    ]


def test_no_page_requests_anything_from_another_host(site: Path) -> None:
    for page in site.rglob("*.html"):
        for tag, attrs in parse(page).tags:
            for name in ("src", "href"):
                value = attrs.get(name)
                if value is None or (tag == "a" and name == "href"):
                    continue
                assert "://" not in value and not value.startswith("//"), (page, tag, value)
            if tag == "a" and attrs.get("href") and "://" in str(attrs["href"]):
                assert str(attrs["href"]).startswith("https://huggingface.co/"), (page, attrs)


def test_a_model_page_shows_its_fields_with_provenance(site: Path, co2_db: Path) -> None:
    with duckdb.connect(str(co2_db), read_only=True) as con:
        model_id, raw, hardware = con.execute(
            "SELECT model_id, raw_value, hardware_used FROM latest_emissions"
            " WHERE hardware_used IS NOT NULL ORDER BY model_id LIMIT 1"
        ).fetchone()  # type: ignore[misc]
    rows = decode(embedded(site))
    row = next(r for r in rows if r["id"] == model_id)
    text = " ".join(parse(site / row["page"]).text)
    assert model_id in text and raw in text and hardware in text
    assert "card metadata (co2_eq_emissions)" in text
    assert formats.grams(row["co2_g"]) in text
    assert "HEAD of pytorch_model.bin" in text
    assert len(list((site / "models").iterdir())) == len(rows)


def test_badges_are_shields_endpoints_and_svg(site: Path) -> None:
    documents = sorted((site / "badges").glob("*.json"))
    assert len(documents) == 1418
    for path in documents[:50]:
        badge = json.loads(path.read_text("utf-8"))
        assert badge["schemaVersion"] == 1
        assert set(badge) == {"schemaVersion", "label", "message", "color"}
        assert "CO₂" in badge["message"]
        svg = ET.parse(path.with_suffix(".svg")).getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert svg.get("role") == "img" and svg.get("aria-label")


def test_downloads_hold_the_same_rows_in_three_formats(site: Path, co2_db: Path) -> None:
    reporters = db_reporters(co2_db)
    with (site / "data" / "leaderboard.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [r["model_id"] for r in table] == [r[0] for r in reporters]
    records = json.loads((site / "data" / "leaderboard.json").read_text("utf-8"))
    assert records["schema_version"] == 1
    assert [(r["model_id"], r["co2_g"]) for r in records["records"]] == [
        (r[0], r[1]) for r in reporters
    ]
    with duckdb.connect() as con:
        parquet = str(site / "data" / "leaderboard.parquet")
        count, total = con.execute(
            "SELECT count(*), sum(co2_g) FROM read_parquet(?)", [parquet]
        ).fetchone()  # type: ignore[misc]
    assert count == len(reporters)
    assert total == pytest.approx(sum(r[1] for r in reporters if r[1] is not None))


def test_missing_inputs_are_shown_and_the_site_still_builds(bare_site: Path) -> None:
    index = " ".join(parse(bare_site / "index.html").text)
    for table in ("reporting_grades", "efficiency_labels", "alternatives", "lint_findings"):
        assert f"table {table}: not computed: run `hubcarbon classify`" in index
    assert "Domain column" not in index  # the analysis layer's mapping needs only the crawl
    rows = decode(embedded(bare_site))
    assert {"NLP", "Computer Vision"} <= {r["domain"] for r in rows}
    report = " ".join(parse(bare_site / "report.html").text)
    assert "not computed: run `hubcarbon analyze`" in report
    assert "not computed: run `hubcarbon replicate`" in report
    assert "lint statistics over the crawled cards: not computed" in report
    assert len(rows) == 1418
    assert sorted(p.name for p in (bare_site / "data").iterdir()) == [
        "SHA256SUMS",
        "leaderboard.csv",
        "leaderboard.json",
        "leaderboard.parquet",
    ]


def test_grades_and_labels_come_from_the_classifiers_tables(
    site: Path, pipeline: tuple[Path, Path]
) -> None:
    db, _ = pipeline
    with duckdb.connect(str(db), read_only=True) as con:
        expected = con.execute(
            "SELECT e.model_id, g.level_name, l.letter FROM latest_emissions e"
            " LEFT JOIN reporting_grades g ON g.run_id = e.run_id AND g.model_id = e.model_id"
            "  AND g.scheme = 'hubcarbon-v1'"
            " LEFT JOIN efficiency_labels l ON l.run_id = e.run_id AND l.model_id = e.model_id"
            "  AND l.scheme = 'hubcarbon-v1' ORDER BY e.model_id"
        ).fetchall()
    shown = [(r["id"], r["grade"], r["label"]) for r in decode(embedded(site))]
    assert shown == expected
    assert {grade for _, grade, _ in shown} >= {"Basic Energy Reporting", "Energy Awareness"}
    # None: a reporter whose figure the audit withholds (implausible, conflict) has no label
    assert {label for _, _, label in shown} == {*"ABCDE", None}


def test_domains_are_the_analysis_layers(site: Path, pipeline: tuple[Path, Path]) -> None:
    _, findings = pipeline
    with duckdb.connect() as con:
        expected = dict(
            con.execute(
                "SELECT model_id, domain FROM read_parquet(?)",
                [str(findings.parent / "analysis" / "reporters.parquet")],
            ).fetchall()
        )
    shown = {r["id"]: r["domain"] for r in decode(embedded(site))}
    assert shown == expected
    assert {"NLP", "Computer Vision"} <= set(shown.values())


def test_the_report_shows_every_finding_with_figure_and_method(
    site: Path, pipeline: tuple[Path, Path]
) -> None:
    _, findings_path = pipeline
    findings = json.loads(findings_path.read_text("utf-8"))
    doc = parse(site / "report.html")
    text = " ".join(doc.text)
    sections = {a.get("id") for t, a in doc.tags if t == "section"}
    for stat in findings["statistics"]:
        assert f"stat-{stat['id']}" in sections
        assert stat["title"] in text
        if stat["figure"]:
            copied = site / stat["figure"]
            assert copied.read_bytes() == (findings_path.parent / stat["figure"]).read_bytes()
    images = [a for t, a in doc.tags if t == "img"]
    assert len(images) == len({s["figure"] for s in findings["statistics"] if s["figure"]})
    assert all(a.get("alt", "").startswith("Figure: ") for a in images)
    first_method = findings["statistics"][0]["method"].split("\n")[0]
    assert first_method.split("`")[0] in text
    assert "hubcarbon-v1" in text and "paper2023" in text  # classification methods


def test_the_report_tables_replication_and_lint_statistics(
    site: Path, pipeline: tuple[Path, Path]
) -> None:
    db, _ = pipeline
    report = " ".join(parse(site / "report.html").text)
    assert "models with a CO2 value" in report and "1,417" in report
    assert "reporters in Computer Vision" in report
    with duckdb.connect(str(db), read_only=True) as con:
        rules = con.execute("SELECT code, name FROM lint_summary ORDER BY code").fetchall()
    assert rules
    for code, name in rules:
        assert code in report and name in report
    assert "hub_snapshot.parquet" in report  # data provenance
    assert "April 2023" in report  # the snapshot's source dates


def test_a_model_page_lists_lint_findings_labels_and_alternatives(
    site: Path, pipeline: tuple[Path, Path]
) -> None:
    db, _ = pipeline
    with duckdb.connect(str(db), read_only=True) as con:
        model_id, findings = con.execute(
            "SELECT a.model_id, (SELECT count(*) FROM lint_findings f WHERE f.model_id ="
            " a.model_id) FROM alternatives a ORDER BY 2 DESC, 1 LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        alternatives = [
            r[0]
            for r in con.execute(
                "SELECT alternative_id FROM alternatives WHERE model_id = ? ORDER BY rank",
                [model_id],
            ).fetchall()
        ]
    row = next(r for r in decode(embedded(site)) if r["id"] == model_id)
    doc = parse(site / row["page"])
    captions = " ".join(doc.text)
    html = (site / row["page"]).read_text("utf-8")
    for scheme in ("hubcarbon-v1", "paper2023"):
        assert f'<a href="../report.html#method-efficiency.{scheme}">{scheme}</a>: ' in html
    for alternative in alternatives:
        assert alternative in captions
    links = [a["href"] for t, a in doc.tags if t == "a" and a.get("href")]
    assert any(link.endswith(".html") and "/" not in link for link in links)  # sibling pages
    lint_section = html.split('<ul id="lint-findings">', 1)[1].split("</ul>", 1)[0]
    assert findings > 0 and lint_section.count("<li>") == findings


def test_findings_downloads_match_findings_json(site: Path, pipeline: tuple[Path, Path]) -> None:
    _, findings_path = pipeline
    statistics = json.loads(findings_path.read_text("utf-8"))["statistics"]
    records = json.loads((site / "data" / "findings.json").read_text("utf-8"))["records"]
    assert [(r["id"], r["population"], r["p"]) for r in records] == [
        (s["id"], s["population"], s["p"]) for s in statistics
    ]
    with duckdb.connect() as con:
        count = con.execute(
            "SELECT count(*) FROM read_parquet(?)", [str(site / "data" / "findings.parquet")]
        ).fetchone()
    assert count == (len(statistics),)


def test_the_same_database_gives_the_same_bytes(
    site: Path, pipeline: tuple[Path, Path], replication_json: Path, tmp_path: Path
) -> None:
    db, findings = pipeline
    again = tmp_path / "again"
    build_site(db, again, findings, replication_json)
    first = {p.relative_to(site): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_a_rebuild_replaces_the_previous_site_but_no_other_directory(
    co2_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build_site(co2_db, out, tmp_path / "f.json", tmp_path / "r.json")
    stale = out / "models" / "stale.html"
    stale.write_text("old", encoding="utf-8")
    build_site(co2_db, out, tmp_path / "f.json", tmp_path / "r.json")
    assert not stale.exists() and (out / MARKER).is_file()
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    from hubcarbon.core.errors import ConfigError

    with pytest.raises(ConfigError, match="not empty"):
        build_site(co2_db, foreign, tmp_path / "f.json", tmp_path / "r.json")
    assert (foreign / "keep.txt").read_text("utf-8") == "mine"


def test_csv_cells_cannot_start_a_spreadsheet_formula() -> None:
    from reports.tables import Field, to_csv

    text = to_csv([Field("a", "string", "")], [{"a": "=HYPERLINK(1)"}, {"a": "ok"}]).decode()
    assert list(csv.reader(io.StringIO(text))) == [["a"], ["'=HYPERLINK(1)"], ["ok"]]


def test_model_pages_link_to_methods_and_rules_that_exist(
    site: Path, pipeline: tuple[Path, Path]
) -> None:
    db, _ = pipeline
    with duckdb.connect(str(db), read_only=True) as con:
        model_id = con.execute(
            "SELECT model_id FROM lint_findings JOIN alternatives USING (run_id, model_id)"
            " ORDER BY model_id LIMIT 1"
        ).fetchone()[0]  # type: ignore[index]
    anchors = {a["id"] for _, a in parse(site / "report.html").tags if a.get("id")}
    row = next(r for r in decode(embedded(site)) if r["id"] == model_id)
    targets = [
        str(a["href"]).split("#", 1)[1]
        for t, a in parse(site / row["page"]).tags
        if t == "a" and str(a.get("href", "")).startswith("../report.html#")
    ]
    assert {t.split("-", 1)[0] for t in targets} == {"method", "rule"}
    assert [t for t in targets if t not in anchors] == []


def test_the_corpus_lint_counts_are_shown_when_committed(site: Path) -> None:
    from reports.lintcounts import CorpusCounts, corpus_counts

    report = " ".join(parse(site / "report.html").text)
    counts = corpus_counts()
    if isinstance(counts, CorpusCounts):
        assert f"over {counts.cards:,} cards" in report
        assert counts.rules and all(str(r["code"]) in report for r in counts.rules)
    else:
        assert counts.message in report
