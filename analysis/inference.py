"""The tests behind the statistics, each returning a `Result` with its effect size and interval.

- Correlations: `scipy.stats.pearsonr` / `spearmanr` (two-sided) with a 95 % Fisher-z interval:
  z = atanh(r) ± 1.96·se, se = 1/√(n−3) for Pearson and √((1 + ρ²/2)/(n−3)) for Spearman
  (Bonett & Wright, 2000). At least 5 pairs (MIN_PAIRS) and some variation in both variables.
- Two groups: `scipy.stats.mannwhitneyu(a, b, alternative='two-sided')` (scipy's default method:
  exact for small samples without ties, else the normal approximation with continuity
  correction). Effect size: the rank-biserial correlation r = 2U/(n_a·n_b) − 1, U being the
  statistic of `a`: +1 when every value of `a` is above every value of `b`. At least 5 values per
  group (MIN_GROUP).
  Its interval: a percentile bootstrap (`scipy.stats.bootstrap`, 999 resamples of each group,
  `numpy.random.default_rng(0)`), the statistic counting, for each resampled value of `a`, the
  resampled values of `b` below it (ties count half).
- Shares over time: a binomial GLM with logit link (`statsmodels` GLM, `Binomial()`) of
  reporting on the creation month index, fitted on the counts of reporters and non-reporters
  per month, which is the model-level logistic regression (one Bernoulli row per model) with
  the same likelihood. Effect size: the odds ratio per month, with exp of the coefficient's
  Wald interval. At least 6 months (MIN_TREND_POINTS).
- Levels over time: quantile (median) regression (`statsmodels` QuantReg, q = 0.5, its robust
  kernel sandwich standard errors) of ln CO2 on the month index at model level; effect size the
  ratio of the median per month, exp(slope), with exp of the slope's interval. Robustness on the
  monthly medians of ln CO2: Theil-Sen (`scipy.stats.theilslopes`, its 95 % interval), the
  Mann-Kendall test (`scipy.stats.kendalltau` of month index and median) and OLS with
  Newey-West (HAC) errors, lag floor(4·(m/100)^(2/9)) for m months.
- Regressions: statsmodels OLS with standard errors clustered by author (`cov_type='cluster'`,
  statsmodels' small-sample correction, normal reference), since one author's models share
  settings and figures. A coefficient b of ln CO2 is shown as the ratio exp(b) with the ratio
  interval exp(interval of b).
- Partial rank correlation: Spearman's rho of x and y given z, the Pearson correlation of the
  residuals of the ranks of x and of y after least squares on the ranks of z; t with n − 3
  degrees of freedom, Fisher interval with se = 1/√(n − 4).
- "No relation": for every correlation and two-group test, the smallest effect the test
  detects with 80 % power at α = 0.05 (two-sided): for a correlation from Fisher's z,
  tanh((z_{0.975} + z_{0.8}) / √(n − 3)); for Mann-Whitney
  `TTestIndPower` with the group sizes scaled by the U test's efficiency 3/π, the Cohen's d
  turned into a rank-biserial r = 2Φ(d/√2) − 1 (normal shift model). And an equivalence test
  (TOST, two one-sided tests at 5 %) against EQUIVALENCE_BOUND: on Fisher's z for a correlation,
  on the bootstrap standard error for a rank-biserial r. A result reads "no relation" only when
  the equivalence test rejects; otherwise "inconclusive" (effects up to the detectable one are
  not excluded).
- OLS trends (the robustness checks): statsmodels OLS of the values on the month index (months
  since the first month of the window, so a month without data leaves a gap rather than shifting
  later months) with a constant. At least 6 months (MIN_TREND_POINTS).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import OLS
from statsmodels.regression.quantile_regression import QuantReg
from statsmodels.stats.power import TTestIndPower

from analysis.findings import EffectSize, Result, insufficient

MIN_PAIRS = 5
MIN_GROUP = 5
MIN_TREND_POINTS = 6
Z_95 = float(stats.norm.ppf(0.975))
ALPHA = 0.05
POWER = 0.8
EQUIVALENCE_BOUND = 0.1
"""The equivalence bound of a correlation or a rank-biserial r: |effect| < 0.1, Cohen's
"small" correlation, below which a relation is taken as negligible."""
BOOTSTRAP_RESAMPLES = 999
BOOTSTRAP_SEED = 0


def fisher_ci(r: float, n: int, *, spearman: bool = False) -> tuple[float, float] | None:
    """95 % interval of a correlation by the Fisher z transform (None when n ≤ 3)."""
    if n <= 3 or not math.isfinite(r):
        return None
    if abs(r) >= 1:
        return (r, r)
    variance = (1 + r * r / 2) if spearman else 1.0
    se = math.sqrt(variance / (n - 3))
    z = math.atanh(r)
    return (math.tanh(z - Z_95 * se), math.tanh(z + Z_95 * se))


def correlation(
    x: pd.Series, y: pd.Series, *, method: str, table: pd.DataFrame | None = None
) -> Result:
    """Pearson (`method='pearson'`) or Spearman (`'spearman'`) correlation of paired values."""
    xs = x.astype("float64").to_numpy()
    ys = y.astype("float64").to_numpy()
    n = len(xs)
    if n < MIN_PAIRS:
        return insufficient(n, f"fewer than {MIN_PAIRS} pairs", table=table)
    if np.ptp(xs) == 0 or np.ptp(ys) == 0:
        return insufficient(n, "no variation in one of the variables", table=table)
    spearman = method == "spearman"
    result = stats.spearmanr(xs, ys) if spearman else stats.pearsonr(xs, ys)
    r, p = float(result.statistic), float(result.pvalue)
    if not (math.isfinite(r) and math.isfinite(p)):
        return insufficient(n, "the correlation is undefined on these values", table=table)
    name = "rho" if spearman else "r"
    return Result(
        n=n,
        statistic=r,
        statistic_name=name,
        p=p,
        effect_size=EffectSize(f"Spearman {name}" if spearman else f"Pearson {name}", r),
        ci=fisher_ci(r, n, spearman=spearman),
        details={"no_relation": correlation_no_relation(r, n, p, spearman=spearman)},
        table=table,
    )


@lru_cache(maxsize=4096)
def smallest_correlation(n: int) -> float:
    """The smallest |r| a two-sided test at ALPHA detects with POWER on n pairs: Fisher's z is
    normal with se 1/√(n − 3), so z = (z_{1−α/2} + z_{power}) / √(n − 3) (the far tail
    neglected)."""
    z = (stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER)) / math.sqrt(n - 3)
    return math.tanh(float(z))


def correlation_tost(r: float, n: int, *, spearman: bool = False) -> float:
    """p of the two one-sided tests of |rho| >= EQUIVALENCE_BOUND on Fisher's z."""
    variance = (1 + r * r / 2) if spearman else 1.0
    se = math.sqrt(variance / (n - 3))
    z = math.atanh(max(min(r, 1 - 1e-12), -1 + 1e-12))
    bound = math.atanh(EQUIVALENCE_BOUND)
    return max(float(stats.norm.sf((z + bound) / se)), float(stats.norm.cdf((z - bound) / se)))


def verdict(p: float, tost_p: float) -> str:
    """How a result may be worded: a relation, no relation (equivalence shown), or neither."""
    if p < ALPHA:
        return "relation"
    return "no relation (equivalent within the bound)" if tost_p < ALPHA else "inconclusive"


def correlation_no_relation(r: float, n: int, p: float, *, spearman: bool) -> dict[str, object]:
    """Power and equivalence of a correlation (see the module text)."""
    if n <= 4:
        return {}
    tost = correlation_tost(r, n, spearman=spearman)
    return {
        "smallest_detectable_effect": smallest_correlation(n),
        "power": POWER,
        "alpha": ALPHA,
        "equivalence_bound": EQUIVALENCE_BOUND,
        "equivalence_p": tost,
        "verdict": verdict(p, tost),
    }


def mann_whitney(
    a: pd.Series, b: pd.Series, labels: tuple[str, str], *, table: pd.DataFrame | None = None
) -> Result:
    """Two-sided Mann-Whitney U of `a` against `b` with the rank-biserial correlation."""
    first = a.astype("float64").dropna().to_numpy()
    second = b.astype("float64").dropna().to_numpy()
    groups = {
        f"n_{labels[0]}": len(first),
        f"n_{labels[1]}": len(second),
        f"median_{labels[0]}": float(np.median(first)) if len(first) else None,
        f"median_{labels[1]}": float(np.median(second)) if len(second) else None,
    }
    n = len(first) + len(second)
    if min(len(first), len(second)) < MIN_GROUP:
        return insufficient(n, f"fewer than {MIN_GROUP} values in a group", table=table, **groups)
    if np.ptp(np.concatenate([first, second])) == 0:
        return insufficient(n, "every value is the same", table=table, **groups)
    result = stats.mannwhitneyu(first, second, alternative="two-sided")
    u = float(result.statistic)
    p = float(result.pvalue)
    effect = 2 * u / (len(first) * len(second)) - 1
    low, high, se = rank_biserial_interval(first, second)
    tost = rank_biserial_tost(effect, se)
    no_relation = {
        "smallest_detectable_effect": smallest_rank_biserial(len(first), len(second)),
        "power": POWER,
        "alpha": ALPHA,
        "equivalence_bound": EQUIVALENCE_BOUND,
        "equivalence_p": tost,
        "verdict": verdict(p, tost),
    }
    return Result(
        n=n,
        statistic=u,
        statistic_name=f"U ({labels[0]})",
        p=p,
        effect_size=EffectSize("rank-biserial r", effect),
        ci=(min(low, effect), max(high, effect)),
        details={**groups, "bootstrap_se": se, "no_relation": no_relation},
        table=table,
    )


def _rank_biserial_of_codes(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    """Rank-biserial r of resampled integer codes (values ranked densely in the pooled sample),
    one resample per row: for each code, how often `a` holds it times the values of `b` below
    it (ties half), counted in integers (twice over, so that the halves stay whole): exact."""
    a = np.atleast_2d(a).astype(np.int64)
    b = np.atleast_2d(b).astype(np.int64)
    rows, size = b.shape[0], int(max(a.max(), b.max())) + 1
    offsets = (np.arange(rows) * size)[:, None]
    counts_a = np.bincount((a + offsets).ravel(), minlength=rows * size).reshape(rows, size)
    counts_b = np.bincount((b + offsets).ravel(), minlength=rows * size).reshape(rows, size)
    twice_below = 2 * np.cumsum(counts_b, axis=1) - counts_b
    u = np.einsum("ij,ij->i", counts_a, twice_below) / 2
    return np.asarray(2 * u / (a.shape[1] * b.shape[1]) - 1)


def rank_biserial_interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """95 % percentile-bootstrap interval and standard error of the rank-biserial r of `a`
    against `b` (resampling each group; fixed seed)."""
    _, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    first, second = codes[: len(a)], codes[len(a) :]
    result = stats.bootstrap(
        (first, second),
        _rank_biserial_of_codes,
        n_resamples=BOOTSTRAP_RESAMPLES,
        vectorized=True,
        method="percentile",
        batch=100,
        rng=np.random.default_rng(BOOTSTRAP_SEED),
    )
    interval = result.confidence_interval
    return float(interval.low), float(interval.high), float(result.standard_error)


def rank_biserial_tost(r: float, se: float) -> float:
    """p of the two one-sided tests of |r| >= EQUIVALENCE_BOUND (normal, bootstrap se)."""
    if se <= 0:
        return 0.0 if abs(r) < EQUIVALENCE_BOUND else 1.0
    bound = EQUIVALENCE_BOUND
    return max(float(stats.norm.sf((r + bound) / se)), float(stats.norm.cdf((r - bound) / se)))


@lru_cache(maxsize=4096)
def smallest_rank_biserial(n_a: int, n_b: int) -> float:
    """The smallest |rank-biserial r| the U test detects with POWER at ALPHA (see the module
    text: t-test power at the U test's efficiency, d turned into r)."""
    efficiency = 3 / math.pi
    d = TTestIndPower().solve_power(
        nobs1=n_a * efficiency, ratio=n_b / n_a, alpha=ALPHA, power=POWER
    )
    return float(2 * stats.norm.cdf(float(np.squeeze(d)) / math.sqrt(2)) - 1)


def month_index(months: pd.Series) -> pd.Series:
    """Months since the first of `months` (Timestamps at month start): 0, 1, ... with gaps."""
    periods = pd.PeriodIndex(pd.DatetimeIndex(months), freq="M")
    ordinal = periods.year * 12 + periods.month
    return pd.Series(ordinal - ordinal.min(), index=months.index, dtype="int64")


def ols_trend(
    index: Sequence[float] | pd.Series,
    values: Sequence[float] | pd.Series,
    *,
    unit: str,
    table: pd.DataFrame | None = None,
) -> Result:
    """OLS of `values` on `index` with a constant: the slope (per month, in `unit`)."""
    x = np.asarray(index, dtype="float64")
    y = np.asarray(values, dtype="float64")
    n = len(x)
    if n < MIN_TREND_POINTS:
        return insufficient(n, f"fewer than {MIN_TREND_POINTS} months", table=table)
    if np.ptp(y) == 0:
        return insufficient(n, "the series is constant", table=table)
    fit = OLS(y, np.column_stack([np.ones(n), x])).fit()
    slope, intercept = float(fit.params[1]), float(fit.params[0])
    low, high = (float(v) for v in fit.conf_int(0.05)[1])
    return Result(
        n=n,
        statistic=slope,
        statistic_name=f"slope ({unit} per month)",
        p=float(fit.pvalues[1]),
        effect_size=EffectSize(f"slope ({unit} per month)", slope),
        ci=(low, high),
        details={"intercept": intercept, "r2": float(fit.rsquared), "months": n},
        table=table,
    )


def cross_validated_r2(x: np.ndarray, y: np.ndarray, *, folds: int, seed: int) -> float:
    """Mean out-of-sample R² of least squares (`x` holds the constant) over `folds` folds of a
    permutation drawn by `numpy.random.default_rng(seed)`."""
    order = np.random.default_rng(seed).permutation(len(y))
    scores = []
    for test in np.array_split(order, folds):
        train = np.ones(len(y), dtype=bool)
        train[test] = False
        beta = np.linalg.lstsq(x[train], y[train], rcond=None)[0]
        residual = y[test] - x[test] @ beta
        total = y[test] - y[test].mean()
        scores.append(1 - float(residual @ residual) / float(total @ total))
    return float(np.mean(scores))


def positive(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows whose `columns` are all present and > 0 (logs need them), and the number of rows
    dropped for a non-positive value in each column (missing values are not counted)."""
    present = frame.dropna(subset=list(columns))
    dropped = {f"non_positive_{column}": int((present[column] <= 0).sum()) for column in columns}
    keep = np.ones(len(present), dtype=bool)
    for column in columns:
        keep &= (present[column] > 0).to_numpy()
    return present[keep], dropped


def newey_west_lags(months: int) -> int:
    """Newey-West's rule for the HAC lag: floor(4·(m/100)^(2/9))."""
    return math.floor(4 * (months / 100) ** (2 / 9))


def binomial_trend(
    index: Sequence[float] | pd.Series,
    reporters: Sequence[float] | pd.Series,
    models: Sequence[float] | pd.Series,
) -> tuple[Result, pd.DataFrame] | Result:
    """Logit GLM of reporting on the month index from per-month counts; the result and the
    fitted share (%) per month with its 95 % band (columns fit_pct, fit_low_pct, fit_high_pct),
    or an insufficient result."""
    x = np.asarray(index, dtype="float64")
    k = np.asarray(reporters, dtype="float64")
    m = np.asarray(models, dtype="float64")
    if len(x) < MIN_TREND_POINTS:
        return insufficient(len(x), f"fewer than {MIN_TREND_POINTS} months")
    if k.sum() == 0 or k.sum() == m.sum():
        return insufficient(len(x), "every model reports, or none does")
    design = np.column_stack([np.ones(len(x)), x])
    fit = GLM(np.column_stack([k, m - k]), design, family=Binomial()).fit()
    slope = float(fit.params[1])
    low, high = (float(v) for v in fit.conf_int(0.05)[1])
    bands = fit.get_prediction(design).summary_frame(alpha=0.05)
    fitted = pd.DataFrame(
        {
            "fit_pct": 100 * bands["mean"].to_numpy(),
            "fit_low_pct": 100 * bands["mean_ci_lower"].to_numpy(),
            "fit_high_pct": 100 * bands["mean_ci_upper"].to_numpy(),
        }
    )
    result = Result(
        n=int(m.sum()),
        statistic=slope,
        statistic_name="logit slope per month",
        p=float(fit.pvalues[1]),
        effect_size=EffectSize("odds ratio per month", math.exp(slope)),
        ci=(math.exp(low), math.exp(high)),
        details={
            "intercept": float(fit.params[0]),
            "slope_ci": [low, high],
            "months": len(x),
            "deviance": float(fit.deviance),
            "pearson_chi2": float(fit.pearson_chi2),
            "df_resid": float(fit.df_resid),
        },
    )
    return result, fitted


def median_trend(index: np.ndarray, log_values: np.ndarray) -> tuple[Result, np.ndarray] | Result:
    """Median regression of ln values on the month index at model level; the result and the
    parameter covariance (for the fitted band), or an insufficient result."""
    x = np.asarray(index, dtype="float64")
    y = np.asarray(log_values, dtype="float64")
    if len(np.unique(x)) < MIN_TREND_POINTS:
        return insufficient(len(x), f"fewer than {MIN_TREND_POINTS} months")
    if np.ptp(y) == 0:
        return insufficient(len(x), "every value is the same")
    design = np.column_stack([np.ones(len(x)), x])
    fit = QuantReg(y, design).fit(q=0.5)
    slope = float(fit.params[1])
    low, high = (float(v) for v in fit.conf_int(0.05)[1])
    result = Result(
        n=len(x),
        statistic=slope,
        statistic_name="slope of median ln CO2 per month",
        p=float(fit.pvalues[1]),
        effect_size=EffectSize("ratio of the median per month", math.exp(slope)),
        ci=(math.exp(low), math.exp(high)),
        details={"intercept": float(fit.params[0]), "slope_ci": [low, high]},
    )
    return result, np.asarray(fit.cov_params())


def robust_trend(index: np.ndarray, values: np.ndarray) -> dict[str, object]:
    """Theil-Sen, Mann-Kendall and HAC OLS of a monthly series (see the module text)."""
    x = np.asarray(index, dtype="float64")
    y = np.asarray(values, dtype="float64")
    if len(x) < MIN_TREND_POINTS or np.ptp(y) == 0:
        return {}
    sen = stats.theilslopes(y, x, alpha=0.95)
    kendall = stats.kendalltau(x, y)
    lags = newey_west_lags(len(x))
    hac = OLS(y, np.column_stack([np.ones(len(x)), x])).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags}
    )
    hac_low, hac_high = (float(v) for v in hac.conf_int(0.05)[1])
    return {
        "months": len(x),
        "theil_sen_slope": float(sen.slope),
        "theil_sen_intercept": float(sen.intercept),
        "theil_sen_ci": [float(sen.low_slope), float(sen.high_slope)],
        "kendall_tau": float(kendall.statistic),
        "kendall_p": float(kendall.pvalue),
        "hac_slope": float(hac.params[1]),
        "hac_ci": [hac_low, hac_high],
        "hac_p": float(hac.pvalues[1]),
        "hac_lags": lags,
    }


def clustered_ols(target: pd.Series, design: pd.DataFrame, groups: pd.Series) -> Any:
    """OLS of `target` on `design` with standard errors clustered by `groups`."""
    codes = pd.factorize(groups.to_numpy())[0]
    return OLS(target, design).fit(method="qr", cov_type="cluster", cov_kwds={"groups": codes})


def partial_spearman(
    x: pd.Series, y: pd.Series, z: pd.Series, *, table: pd.DataFrame | None = None
) -> Result:
    """Spearman's rho of `x` and `y` given `z` (see the module text)."""
    n = len(x)
    if n < MIN_PAIRS + 1:
        return insufficient(n, f"fewer than {MIN_PAIRS + 1} rows", table=table)
    ranks = [stats.rankdata(np.asarray(v, dtype="float64")) for v in (x, y, z)]
    if any(np.ptp(values) == 0 for values in ranks):
        return insufficient(n, "no variation in one of the variables", table=table)
    design = np.column_stack([np.ones(n), ranks[2]])
    residuals = [OLS(values, design).fit().resid for values in ranks[:2]]
    r = float(np.corrcoef(residuals[0], residuals[1])[0, 1])
    if not math.isfinite(r):
        return insufficient(n, "the correlation is undefined on these values", table=table)
    t = r * math.sqrt((n - 3) / max(1 - r * r, 1e-300))
    p = float(2 * stats.t.sf(abs(t), n - 3))
    se = 1 / math.sqrt(n - 4)
    zr = math.atanh(max(min(r, 1 - 1e-12), -1 + 1e-12))
    tost_p = correlation_tost(r, n - 1)
    return Result(
        n=n,
        statistic=r,
        statistic_name="partial rho",
        p=p,
        effect_size=EffectSize("partial Spearman rho", r),
        ci=(math.tanh(zr - Z_95 * se), math.tanh(zr + Z_95 * se)),
        details={
            "no_relation": {
                "smallest_detectable_effect": smallest_correlation(n - 1),
                "power": POWER,
                "alpha": ALPHA,
                "equivalence_bound": EQUIVALENCE_BOUND,
                "equivalence_p": tost_p,
                "verdict": verdict(p, tost_p),
            }
        },
        table=table,
    )
