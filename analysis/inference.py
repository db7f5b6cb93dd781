"""The tests behind the statistics, each returning a `Result` with its effect size and interval.

- Correlations: `scipy.stats.pearsonr` / `spearmanr` (two-sided) with a 95 % Fisher-z interval:
  z = atanh(r) ± 1.96·se, se = 1/√(n−3) for Pearson and √((1 + ρ²/2)/(n−3)) for Spearman
  (Bonett & Wright, 2000). At least 5 pairs (MIN_PAIRS) and some variation in both variables.
- Two groups: `scipy.stats.mannwhitneyu(a, b, alternative='two-sided')` (scipy's default method:
  exact for small samples without ties, else the normal approximation with continuity
  correction). Effect size: the rank-biserial correlation r = 2U/(n_a·n_b) − 1, U being the
  statistic of `a`: +1 when every value of `a` is above every value of `b`. At least 5 values per
  group (MIN_GROUP).
- Trends: statsmodels OLS of the values on the month index (months since the first month of the
  window, so a month without data leaves a gap rather than shifting later months) with a
  constant; the slope, its two-sided p-value and its 95 % interval. At least 6 months
  (MIN_TREND_POINTS).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS

from analysis.findings import EffectSize, Result, insufficient

MIN_PAIRS = 5
MIN_GROUP = 5
MIN_TREND_POINTS = 6
Z_95 = float(stats.norm.ppf(0.975))


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
        table=table,
    )


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
    return Result(
        n=n,
        statistic=u,
        statistic_name=f"U ({labels[0]})",
        p=float(result.pvalue),
        effect_size=EffectSize("rank-biserial r", 2 * u / (len(first) * len(second)) - 1),
        details=groups,
        table=table,
    )


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
