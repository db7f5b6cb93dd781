"""The size-controlled domain regression of RQ2 (§5.2 of the methods): a side analysis."""

from __future__ import annotations

import pandas as pd
import statsmodels.api as sm
from scipy import stats
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

from analysis.replication.conventions import DOMAIN_CV, DOMAIN_NLP, paper_log
from analysis.replication.procedure import Frames, Section, procedure
from analysis.replication.rq2 import reporters

TEST_SIZE = 0.2
SEED = 42
PREDICTORS = ("is_nlp", "is_cv", "log_size")


def design(streamlit: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Reporters with both `size` and `co2_eq_emissions`, in file order: predictors `is_nlp`,
    `is_cv` (0/1 dummies of the stored domain) and log(size + 1e-6); target log(co2 + 1e-6)."""
    rows = reporters(streamlit).dropna(subset=["size", "co2_eq_emissions"])
    predictors = pd.DataFrame(
        {
            "is_nlp": (rows["domain"] == DOMAIN_NLP).astype(int),
            "is_cv": (rows["domain"] == DOMAIN_CV).astype(int),
            "log_size": paper_log(rows["size"]),
        },
        index=rows.index,
    )
    return predictors, paper_log(rows["co2_eq_emissions"])


def _statsmodels_fit(predictors: pd.DataFrame, target: pd.Series) -> Section:
    fit = sm.OLS(target.astype(float), sm.add_constant(predictors.astype(float))).fit()
    return {
        "r2": float(fit.rsquared),
        "r2_adj": float(fit.rsquared_adj),
        "coef": {str(name): float(value) for name, value in fit.params.items()},
        "p": {str(name): float(value) for name, value in fit.pvalues.items()},
        "n": int(fit.nobs),
    }


@procedure("paper.ols_domain_size_controlled", "ols_domain_size_controlled")
def ols_domain_size_controlled(frames: Frames) -> Section:
    """Domain effect controlling for model size: HFStreamlit reporters (the notebook ran on the
    reporters of HFTotalProcessed, the same rows in the same order) with both `size` and
    `co2_eq_emissions` present (1,298 rows; HFCO2 would give 1,306, its merge having filled in
    curated sizes); dummies `is_nlp` (domain == 'NLP') and `is_cv` (domain == 'Computer
    Vision'), every other domain being the baseline, and log(size + 1e-6) as predictors;
    log(co2 + 1e-6) as target. Split with
    `sklearn.model_selection.train_test_split(test_size=0.2, random_state=42)` (1,038 training
    rows); statsmodels OLS with a constant fitted on the training rows (R², coefficients,
    p-values). Extra fields: sklearn `LinearRegression` fitted on the training rows and scored
    on the test rows (MSE, R²); the same OLS on all 1,298 rows as a sensitivity check; and
    `scipy.stats.spearmanr(is_nlp, size)` on the 1,298 rows."""
    predictors, target = design(frames.streamlit)
    x_train, x_test, y_train, y_test = train_test_split(
        predictors, target, test_size=TEST_SIZE, random_state=SEED
    )
    train = _statsmodels_fit(x_train, y_train)
    model = LinearRegression().fit(x_train, y_train)
    predicted = model.predict(x_test)
    sizes = reporters(frames.streamlit).loc[predictors.index, "size"]
    side = stats.spearmanr(predictors["is_nlp"], sizes)
    return {
        "r2": train["r2"],
        "coef_log_size": train["coef"]["log_size"],
        "train": train,
        "n": len(predictors),
        "n_train": len(x_train),
        "n_test": len(x_test),
        "sklearn_test_mse": float(mean_squared_error(y_test, predicted)),
        "sklearn_test_r2": float(r2_score(y_test, predicted)),
        "full_data": _statsmodels_fit(predictors, target),
        "spearman_is_nlp_size": {"rho": float(side.statistic), "p": float(side.pvalue)},
    }
