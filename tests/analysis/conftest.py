"""Real crawl databases for the analysis tests, built once per session by crawling the embedded
snapshot through the loopback mirror with the real huggingface_hub client.

- `co2_db`: `--models co2`, the 1,418 models tagged co2_eq_emissions (every one a reporter);
- `sample_db`: every model, newest first, `--limit 5000` (the denominators of RQ1);
- `listing_db`: every model listed, cards of the tagged ones only (`--cards co2`): the only
  database long enough in time for the monthly share trend (slow tests only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from support import copy_db

from analysis.population import Population, co2_figure, load
from hubcarbon.cli import main


@dataclass(frozen=True)
class Crawled:
    """A crawled database, its population, its raw tables and `hubcarbon analyze` output."""

    db: Path
    out: Path
    population: Population
    findings: dict[str, Any]
    models: pd.DataFrame
    emissions: pd.DataFrame
    cards: pd.DataFrame

    def finding(self, unit_id: str, population: str = "all") -> dict[str, Any]:
        matches = [
            item
            for item in self.findings["statistics"]
            if item["id"] == unit_id and item["population"] == population
        ]
        assert len(matches) == 1, (unit_id, population)
        return matches[0]


def _crawl_and_analyze(root: Path, *flags: str, crawled: Path | None = None) -> Crawled:
    if crawled is None:
        db = root / "hubcarbon.duckdb"
        assert main(["crawl", "--db", str(db), "--no-progress", *flags]) == 0
    else:
        db = copy_db(crawled, root)
    out = root / "out"
    assert main(["analyze", "--db", str(db), "--out", str(out), "--no-progress"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        population = load(con)
        models = con.execute("SELECT * FROM latest_models").df()
        emissions = _as_analysed(con.execute("SELECT * FROM latest_emissions").df())
        cards = con.execute("SELECT * FROM latest_cards").df()
    finally:
        con.close()
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return Crawled(db, out, population, findings, models, emissions, cards)


def _as_analysed(emissions: pd.DataFrame) -> pd.DataFrame:
    """The emissions rows with `co2_g` the figure the statistics use (the audited one when the
    crawl has it, analysis.population.co2_figure) and the figure as stated in `co2_g_stated`."""
    figure = co2_figure(set(emissions.columns))
    return emissions.assign(co2_g_stated=emissions["co2_g"], co2_g=emissions[figure])


@pytest.fixture(scope="session")
def co2_crawl(
    tmp_path_factory: pytest.TempPathFactory, _session_hf_home: None, co2_crawl_db: Path
) -> Crawled:
    return _crawl_and_analyze(tmp_path_factory.mktemp("co2"), crawled=co2_crawl_db)


@pytest.fixture(scope="session")
def sample_crawl(tmp_path_factory: pytest.TempPathFactory, _session_hf_home: None) -> Crawled:
    return _crawl_and_analyze(tmp_path_factory.mktemp("sample"), "--limit", "5000")


@pytest.fixture(scope="session")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory, _session_hf_home: None) -> Crawled:
    return _crawl_and_analyze(tmp_path_factory.mktemp("listing"), "--cards", "co2")
