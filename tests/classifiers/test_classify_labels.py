"""Label rows of the grading stage for reporters outside a scheme's population."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from classifiers.stage.run import _labels


def test_a_zero_figure_gets_an_unlabelled_row_in_both_schemes_and_is_never_proposed() -> None:
    inputs = pd.DataFrame(
        {
            "model_id": ["zero", "ten", "distilgpt2"],
            "co2_g": [0.0, 10.0, 149200.0],
            "size_bytes": [1e8, np.nan, 352833716.0],
            "dataset_bytes": np.nan,
            "downloads": [1.0, 2.0, 3.0],
            "tags": [["autotrain"], [], []],
            "base_model": None,
            "created_at": pd.NaT,
            "task": ["x", "x", None],
            "accuracy": [0.9, 0.8, np.nan],
            "f1": np.nan,
            "rouge1": np.nan,
            "rougeL": np.nan,
        }
    )
    labels, pool = _labels(inputs)
    zero = labels[labels["model_id"] == "zero"].set_index("scheme")
    assert set(zero.index) == {"hubcarbon-v1", "paper2023"}
    assert zero["letter"].isna().all() and (zero["status"] == "no-co2").all()
    assert zero["autotrain"].all()
    # the paper2023 population leaves the zero row out: distilgpt2 is its own reference
    paper = labels[labels["scheme"] == "paper2023"].set_index("model_id")
    assert json.loads(paper.loc["distilgpt2", "metrics"])["co2"]["index"] == 1.0
    assert pool.set_index("model_id")["candidate"].to_dict() == {
        "zero": False,
        "ten": True,
        "distilgpt2": True,
    }
