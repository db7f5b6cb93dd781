"""Label scheme hubcarbon-v1: frozen boundaries, stability, inherited emissions, AutoTrain."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from support import FIXTURES, REPO_ROOT

from analysis import paperdata
from classifiers.efficiency import efficiency_labels, paper_inputs
from classifiers.efficiency.reference import (
    compute_frozen,
    own_performance_score,
    reference_population,
)
from classifiers.efficiency.v1 import frozen
from hubcarbon.core.errors import InputError

LABEL_COLUMNS = [
    "letter",
    "rating",
    "compound",
    "status",
    "inherited_from",
    "autotrain",
    *(
        f"{m}_{k}"
        for m in ("co2", "size_efficiency", "dataset_size_efficiency", "performance")
        for k in ("index", "rating")
    ),
]


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return reference_population()


def sincro_inputs() -> pd.DataFrame:
    """The 14 real 2024 rows of the GAISSA label app sync, keyed by full id."""
    raw = pd.read_csv(FIXTURES / "classifiers" / "hf_sincro.csv")
    return pd.DataFrame(
        {
            "model_id": raw["modelAuthor"] + "/" + raw["modelName"],
            "co2_g": raw["co2_eq_emissions"],
            "size_bytes": raw["size"],
            "dataset_bytes": raw["datasets_size"],
            "downloads": raw["downloads"],
            "performance_score": raw["performance_score"],
            "created_at": raw["created_at"],
        }
    )


def hundred_new_models(population: pd.DataFrame) -> pd.DataFrame:
    """100 models not in the population: the 48 curated HFClean models (under their own owner
    prefix), the 14 real 2024 sync rows, and 38 real reporters with CO2 perturbed x0.1-x10."""
    clean = paperdata.hfclean()
    copy_no = clean.groupby("modelId").cumcount().astype(str)  # biomedical-ner-all twice
    curated = pd.DataFrame(
        {
            "model_id": "curated" + copy_no + "/" + clean["modelId"].astype(str),
            "co2_g": clean["co2_eq_emissions"],
            "size_bytes": clean["size"],
            "dataset_bytes": clean["datasets_size"],
            "downloads": clean["downloads"],
            "performance_score": own_performance_score(clean),
        }
    )
    rng = np.random.default_rng(20230405)
    picked = population.sample(n=38, random_state=7).copy()
    picked["model_id"] = "perturbed/" + picked["model_id"]
    picked["co2_g"] = picked["co2_g"] * 10 ** rng.uniform(-1, 1, size=len(picked))
    new = pd.concat([curated, sincro_inputs(), picked], ignore_index=True)
    assert len(new) == 100 and not new["model_id"].isin(population["model_id"]).any()
    return new


def test_shipped_boundaries_are_the_recomputed_freeze(population: pd.DataFrame) -> None:
    shipped = dict(frozen())
    frozen_on = shipped.pop("frozen_on")
    assert len(frozen_on) == 10
    assert shipped == json.loads(json.dumps(compute_frozen(population)))
    described = shipped["reference_population"]
    assert described["name"] == "paper2023-reporters-dedup"
    assert described["rows"] == 1415 and described["autotrain_rows"] == 1291
    source = resources.files("analysis.paperdata").joinpath("HFStreamlit.csv").read_bytes()
    assert hashlib.md5(source).hexdigest() in described["source"]


def test_boundaries_and_comparison_share_one_scale(population: pd.DataFrame) -> None:
    labels = efficiency_labels(population, "hubcarbon-v1")
    counts = labels["co2_rating"].value_counts().sort_index().tolist()
    assert counts == [283, 283, 283, 283, 283]  # quintiles, unlike paper2023's pile-up in A
    assert labels["downloads_rating"].isna().all()
    assert set(labels["status"]) == {"labelled"}


def test_stability_when_100_models_are_added(population: pd.DataFrame) -> None:
    before = efficiency_labels(population, "hubcarbon-v1")
    crawl = pd.concat([population, hundred_new_models(population)], ignore_index=True)
    after = efficiency_labels(crawl, "hubcarbon-v1").iloc[: len(population)]
    pd.testing.assert_frame_equal(
        before[["model_id", *LABEL_COLUMNS]].reset_index(drop=True),
        after[["model_id", *LABEL_COLUMNS]].reset_index(drop=True),
    )
    # the same addition does move labels under the population-relative paper2023 scheme
    paper_before = efficiency_labels(population, "paper2023")["letter"]
    paper_after = efficiency_labels(crawl, "paper2023")["letter"].iloc[: len(population)]
    assert (paper_before.to_numpy() != paper_after.to_numpy()).any()


def test_gguf_reuploads_inherit_distilgpt2s_figure() -> None:
    base = pd.DataFrame(
        {"model_id": ["distilbert/distilgpt2"], "co2_g": [149200.0], "size_bytes": [352833716.0]}
    )
    labels = efficiency_labels(pd.concat([sincro_inputs(), base], ignore_index=True))
    inherited = labels.set_index("model_id")["inherited_from"].dropna().to_dict()
    assert inherited == {
        "fareshzm/distilgpt2-Q4_K_M-GGUF": "distilbert/distilgpt2",
        "tensorblock/distilgpt2-GGUF": "distilbert/distilgpt2",
    }
    marked = labels[labels["status"] == "inherited"]
    assert marked["letter"].notna().all()  # the letter stays, computed from own values
    alone = efficiency_labels(sincro_inputs())  # base absent: named by its stem
    assert set(alone["inherited_from"].dropna()) == {"distilgpt2"}
    assert alone.loc[alone["model_id"] == "eci-io/climategpt-7b", "status"].item() == "labelled"


def test_same_name_copy_created_later_inherits() -> None:
    frame = pd.DataFrame(
        {
            "model_id": ["d4data/biomedical-ner-all", "someone/biomedical-ner-all"],
            "co2_g": [0.02794, 0.02794],
            "created_at": ["2022-06-19", "2022-11-02"],
        }
    )
    got = efficiency_labels(frame)["inherited_from"].tolist()
    assert got == [None, "d4data/biomedical-ner-all"]


def test_base_model_with_the_same_figure() -> None:
    frame = pd.DataFrame(
        {
            "model_id": ["eci-io/climategpt-7b", "me/climate-chat", "me/other"],
            "co2_g": [2900.0, 2900.0, 2900.0],
            "base_model": [None, "eci-io/climategpt-7b", ["unrelated/x"]],
        }
    )
    got = efficiency_labels(frame)["inherited_from"].tolist()
    assert got == [None, "eci-io/climategpt-7b", None]


def test_no_label_without_a_positive_co2_figure() -> None:
    frame = pd.DataFrame(
        {
            "model_id": ["a/zero", "a/none", "a/ok"],
            "co2_g": [0.0, np.nan, 10.0],
            "size_bytes": [1e8, 1e8, 1e8],
        }
    )
    labels = efficiency_labels(frame)
    assert labels["status"].tolist() == ["no-co2", "no-co2", "labelled"]
    assert labels["letter"].isna().tolist() == [True, True, False]


def test_duplicate_ids_are_refused() -> None:
    frame = pd.DataFrame({"model_id": ["a/x", "a/x"], "co2_g": [1.0, 2.0]})
    with pytest.raises(InputError, match="a/x"):
        efficiency_labels(frame, "hubcarbon-v1")


def test_autotrain_flag_from_flags_and_tags() -> None:
    frame = pd.DataFrame(
        {
            "model_id": ["a/1", "a/2", "a/3", "a/4"],
            "co2_g": [1.0, 1.0, 1.0, 1.0],
            "autotrain": ["True", "False", None, "1"],
            "tags": [[], ["AutoNLP"], ["text-classification"], None],
        }
    )
    assert efficiency_labels(frame)["autotrain"].tolist() == [True, True, False, True]
    paper = efficiency_labels(paper_inputs(paperdata.hfco2()), "paper2023")
    assert int(paper["autotrain"].sum()) == 1291


def test_own_performance_score_is_a_harmonic_mean() -> None:
    metrics = pd.DataFrame(
        {"accuracy": [0.973, 97.3, np.nan, 0.5], "f1": [0.950, np.nan, np.nan, 0.0]}
    )
    got = own_performance_score(metrics).tolist()
    assert got[0] == pytest.approx(2 / (1 / 0.973 + 1 / 0.950))
    assert got[1] == pytest.approx(0.973)
    assert np.isnan(got[2]) and got[3] == 0.0


def test_freeze_tool_refuses_to_overwrite() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "tools" / "freeze_boundaries.py")],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 1 and "--force" in result.stderr


def test_a_copy_whose_own_figure_is_withheld_takes_its_origins_label() -> None:
    """Made-up rows: the origin's unit-suspect figure is audited (27.94 g) but its re-upload
    lost the text that shows the unit, so the audit withholds the copy's 0.0279 g: the copy is
    still the origin's run, labelled as the origin, marked inherited. A copy of a model without
    a label keeps its own letter, marked too."""
    frame = pd.DataFrame(
        {
            "model_id": ["d4data/biomedical-ner-all", "x/biomedical-ner-all", "a/none", "b/copy"],
            "co2_g": [27.94, np.nan, np.nan, 12.0],
            "size_bytes": [4.3e8, 4.3e8, 1e8, 1e8],
            "copied_from": [None, "d4data/biomedical-ner-all", None, "a/none"],
        }
    )
    labels = efficiency_labels(frame).set_index("model_id")
    origin, copy = labels.loc["d4data/biomedical-ner-all"], labels.loc["x/biomedical-ner-all"]
    assert (copy["status"], copy["inherited_from"]) == ("inherited", "d4data/biomedical-ner-all")
    assert (copy["letter"], copy["rating"]) == (origin["letter"], origin["rating"])
    assert isinstance(origin["letter"], str)
    assert labels.loc["a/none", "status"] == "no-co2"
    assert labels.loc["b/copy", "status"] == "inherited"
    assert isinstance(labels.loc["b/copy", "letter"], str)
