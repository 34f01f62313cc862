"""Cluster-aware and adjusted comparisons of two proportions, from aggregated rows.

Rows are counts, never people: each row holds `n` people and `k` of them with the outcome,
a `cluster` (the learning group the people share, '' when each person stands alone), a
`department` key and a `leader` level. Models are fitted on those counts (a binomial GLM from
statsmodels) and their cluster-robust covariance (CR1, the sandwich statsmodels computes on
person-level rows with `cov_type='cluster'`) is worked out from the counts too, so a comparison
over 100,000 answers fits a few hundred rows. tests/test_compare_models.py checks both against
statsmodels on the expanded person-level rows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm

Z = float(norm.ppf(0.975))
MIN_GROUPS = 3  # fewer learning groups than this: no cluster-aware figures (they'd give one away)
ADJUST_MIN_LEVEL = 20  # a department with fewer answers joins 'other departments' in the model
EVENTS_PER_PARAMETER = 10  # the usual rule of thumb for a logistic model's sample size
ROW_COLS = ("cluster", "department", "leader", "n", "k")


@dataclass(frozen=True)
class Estimate:
    """A difference (a − b) in points with its 95% interval, standard error and Wald p."""

    points: float
    low: float
    high: float
    se: float
    p: float

    @classmethod
    def wald(cls, diff: float, se: float, scale: float = 100.0) -> Estimate:
        """From a difference and its standard error (both as shares), in points."""
        p = float(2 * norm.sf(abs(diff) / se)) if se > 0 else (0.0 if diff else 1.0)
        return cls(diff * scale, (diff - Z * se) * scale, (diff + Z * se) * scale, se * scale, p)

    def excludes_zero(self) -> bool:
        """The interval lies wholly on one side of zero."""
        return self.low > 0 or self.high < 0

    def direction(self) -> int:
        """+1, −1, or 0 when the interval includes zero."""
        return 1 if self.low > 0 else -1 if self.high < 0 else 0


def sandwich(
    x: np.ndarray,
    n: np.ndarray,
    k: np.ndarray,
    mu: np.ndarray,
    weight: np.ndarray,
    cluster: np.ndarray,
) -> np.ndarray:
    """Cluster-robust (CR1) covariance of a GLM fitted to counts.

    `x` holds one design row per count row, `mu` its fitted probability and `weight` the
    bread's weight per person (1 for a linear probability model, mu(1 − mu) for a logit).
    Rows with cluster '' are people standing alone: each person is a cluster of one, whose
    score is worked out from the row's k and n − k people. Small-sample factor as statsmodels:
    G/(G − 1) · (N − 1)/(N − p).
    """
    x = np.asarray(x, dtype=float)
    n, k, mu, weight = (np.asarray(v, dtype=float) for v in (n, k, mu, weight))
    bread = (x * (n * weight)[:, None]).T @ x
    score = x * (k - n * mu)[:, None]
    alone = cluster == ""
    meat = (x[alone] * (k * (1 - mu) ** 2 + (n - k) * mu**2)[alone][:, None]).T @ x[alone]
    grouped = pd.DataFrame(score[~alone]).groupby(cluster[~alone], sort=False).sum().to_numpy()
    meat += grouped.T @ grouped
    groups = int(n[alone].sum()) + len(grouped)
    total, params = float(n.sum()), x.shape[1]
    factor = groups / (groups - 1) * (total - 1) / (total - params)
    inv = np.linalg.pinv(bread)
    return factor * inv @ meat @ inv


def _stack(rows_a: pd.DataFrame, rows_b: pd.DataFrame) -> pd.DataFrame:
    a = rows_a[list(ROW_COLS)].assign(arm=1)
    b = rows_b[list(ROW_COLS)].assign(arm=0)
    out = pd.concat([a, b], ignore_index=True)
    out = out[out["n"] > 0].reset_index(drop=True)
    # a learning group in both arms (overlapping arms) is one cluster; a person alone is not
    out["cluster"] = out["cluster"].fillna("").astype(str)
    return out


def groups(rows: pd.DataFrame) -> int:
    """Learning groups among the rows (people standing alone are not counted)."""
    return int(rows.loc[(rows["cluster"] != "") & (rows["n"] > 0), "cluster"].nunique())


def clustered(rows: pd.DataFrame) -> bool:
    """Whether some of the rows' people learned in small groups."""
    return groups(rows) > 0


def cluster_difference(rows_a: pd.DataFrame, rows_b: pd.DataFrame) -> Estimate:
    """Rate a − rate b with a cluster-robust interval (a linear probability model)."""
    rows = _stack(rows_a, rows_b)
    x = np.column_stack([np.ones(len(rows)), rows["arm"].to_numpy(float)])
    n, k = rows["n"].to_numpy(float), rows["k"].to_numpy(float)
    rate = {arm: k[rows["arm"] == arm].sum() / n[rows["arm"] == arm].sum() for arm in (0, 1)}
    mu = np.where(rows["arm"] == 1, rate[1], rate[0])
    cov = sandwich(x, n, k, mu, np.ones(len(rows)), rows["cluster"].to_numpy(object))
    return Estimate.wald(rate[1] - rate[0], float(np.sqrt(cov[1, 1])))


def icc(rows_a: pd.DataFrame, rows_b: pd.DataFrame) -> float:
    """The intraclass correlation within learning groups (one-way ANOVA estimator, ≥ 0).

    Computed over the people in learning groups, each arm's own rate taken out.
    """
    rows = _stack(rows_a, rows_b)
    rows = rows[rows["cluster"] != ""]
    g = rows.groupby(["arm", "cluster"])[["n", "k"]].sum().reset_index()
    if len(g) < 2:
        return float("nan")
    arm_rate = g.groupby("arm")["k"].transform("sum") / g.groupby("arm")["n"].transform("sum")
    p = g["k"] / g["n"]
    total, count, arms = float(g["n"].sum()), len(g), g["arm"].nunique()
    if total <= count or count <= arms:
        return float("nan")
    msb = float((g["n"] * (p - arm_rate) ** 2).sum()) / (count - arms)
    msw = float((g["n"] * p * (1 - p)).sum()) / (total - count)
    n0 = (total - float((g["n"] ** 2).sum()) / total) / (count - 1)
    denom = msb + (n0 - 1) * msw
    return max(0.0, (msb - msw) / denom) if denom > 0 else 0.0


@dataclass(frozen=True)
class Adjusted:
    """The difference adjusted for covariates (average marginal effect of a logit), or why not."""

    estimate: Estimate | None
    covariates: tuple[str, ...]
    reason: str = ""


def adjusted_difference(
    rows_a: pd.DataFrame, rows_b: pd.DataFrame, covariates: tuple[str, ...]
) -> Adjusted:
    """Rate a − rate b adjusted for department and/or role by a logistic regression.

    The model: logit P(outcome) = arm + department + leader, fitted to the counts; the
    difference is the average over both arms' people of P(as a) − P(as b), with a delta-method
    interval from the cluster-robust covariance. Departments under ADJUST_MIN_LEVEL answers
    are pooled as 'other departments'. Not computed (estimate None, with the reason) when the
    counts are too few for the model's parameters or the model cannot be fitted.
    """
    if not covariates:
        return Adjusted(None, (), "nothing to adjust for (the arms are defined by it)")
    rows = _stack(rows_a, rows_b)
    columns = [np.ones(len(rows)), rows["arm"].to_numpy(float)]
    used = []
    if "department" in covariates:
        size = rows.groupby("department")["n"].sum()
        kept = sorted(size[size >= ADJUST_MIN_LEVEL].index)
        level = rows["department"].where(rows["department"].isin(kept), "#other")
        levels = sorted(level.unique())
        if len(levels) > 1:
            columns += [(level == v).to_numpy(float) for v in levels[1:]]
            used.append("department")
    leaders = rows["leader"].eq("leaders")
    if "leader" in covariates and leaders.any() and not leaders.all():
        columns.append(leaders.to_numpy(float))
        used.append("leader")
    if not used:
        return Adjusted(None, (), "every answer is in one department and role: nothing to adjust")
    x = np.column_stack(columns)
    n, k = rows["n"].to_numpy(float), rows["k"].to_numpy(float)
    events = min(k.sum(), (n - k).sum())
    if events < EVENTS_PER_PARAMETER * x.shape[1]:
        return Adjusted(
            None,
            tuple(used),
            f"too few answers to adjust: {int(events)} in the smaller outcome for "
            f"{x.shape[1]} parameters (needs {EVENTS_PER_PARAMETER} each)",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fit = sm.GLM(np.column_stack([k, n - k]), x, family=sm.families.Binomial()).fit()
    except Exception as exc:  # perfect separation, no convergence: say so instead of guessing
        return Adjusted(None, tuple(used), f"the adjusted model could not be fitted ({exc})")
    beta = np.asarray(fit.params)
    if not np.all(np.isfinite(beta)) or np.abs(beta).max() > 15:
        return Adjusted(None, tuple(used), "the adjusted model did not settle (separation)")
    mu = 1 / (1 + np.exp(-x @ beta))
    cov = sandwich(x, n, k, mu, mu * (1 - mu), rows["cluster"].to_numpy(object))
    as_a, as_b = x.copy(), x.copy()
    as_a[:, 1], as_b[:, 1] = 1.0, 0.0
    p_a, p_b = 1 / (1 + np.exp(-as_a @ beta)), 1 / (1 + np.exp(-as_b @ beta))
    w = n / n.sum()
    effect = float(w @ (p_a - p_b))
    grad = (w * p_a * (1 - p_a)) @ as_a - (w * p_b * (1 - p_b)) @ as_b
    se = float(np.sqrt(grad @ cov @ grad))
    return Adjusted(Estimate.wald(effect, se), tuple(used))


def interaction(cells: dict[tuple[int, int], pd.DataFrame]) -> Estimate:
    """(rate[1,1] − rate[1,0]) − (rate[0,1] − rate[0,0]) with a cluster-robust interval.

    `cells[(segment, arm)]` holds the rows of each of the four cells, e.g. segment 1 = leaders,
    arm 1 = small groups. A linear probability model with the interaction term; people in one
    learning group share a cluster across cells.
    """
    parts = []
    for (seg, arm), rows in cells.items():
        parts.append(rows[list(ROW_COLS)].assign(seg=seg, arm=arm))
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows["n"] > 0].reset_index(drop=True)
    seg, arm = rows["seg"].to_numpy(float), rows["arm"].to_numpy(float)
    x = np.column_stack([np.ones(len(rows)), arm, seg, arm * seg])
    n, k = rows["n"].to_numpy(float), rows["k"].to_numpy(float)
    cell_rate = rows.groupby(["seg", "arm"])["k"].transform("sum") / rows.groupby(["seg", "arm"])[
        "n"
    ].transform("sum")
    mu = cell_rate.to_numpy(float)
    rates = {key: r["k"].sum() / r["n"].sum() for key, r in rows.groupby(["seg", "arm"])}
    diff = (rates[1, 1] - rates[1, 0]) - (rates[0, 1] - rates[0, 0])
    cov = sandwich(x, n, k, mu, np.ones(len(rows)), rows["cluster"].fillna("").to_numpy(object))
    return Estimate.wald(float(diff), float(np.sqrt(cov[3, 3])))


def rows_sum(rows: pd.DataFrame) -> tuple[int, int]:
    """(k, n) over the rows."""
    return int(rows["k"].sum()), int(rows["n"].sum())
