"""The count-based models of analysis/compare/models.py against statsmodels on person rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.compare import models


def _rows(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two arms: a in small groups with a group effect, b people standing alone."""
    rng = np.random.default_rng(seed)
    a, b = [], []
    for g in range(12):
        shift = rng.normal(0, 0.15)
        for dept in ("d:X", "d:Y"):
            n = int(rng.integers(1, 5))
            k = int(rng.binomial(n, np.clip(0.6 + shift + (0.1 if dept == "d:X" else 0), 0, 1)))
            a.append((f"g{g}", dept, "leaders" if g % 3 == 0 else "individual contributors", n, k))
    for dept in ("d:X", "d:Y", "d:Z"):
        for leader in ("leaders", "individual contributors"):
            n = int(rng.integers(15, 40))
            b.append(("", dept, leader, n, int(rng.binomial(n, 0.4))))
    cols = list(models.ROW_COLS)
    return pd.DataFrame(a, columns=cols), pd.DataFrame(b, columns=cols)


def _people(rows_a: pd.DataFrame, rows_b: pd.DataFrame) -> pd.DataFrame:
    """One row per person, with a cluster id (a person alone is a cluster of one)."""
    out = []
    for arm, rows in ((1, rows_a), (0, rows_b)):
        for i, r in rows.iterrows():
            for j in range(int(r["n"])):
                cluster = r["cluster"] or f"alone-{arm}-{i}-{j}"
                out.append((arm, cluster, r["department"], r["leader"], int(j < r["k"])))
    return pd.DataFrame(out, columns=["arm", "cluster", "department", "leader", "y"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cluster_difference_matches_statsmodels_ols_cluster(seed):
    """The count-based CR1 interval equals statsmodels' OLS with cov_type='cluster'."""
    rows_a, rows_b = _rows(seed)
    people = _people(rows_a, rows_b)
    fit = sm.OLS(people["y"], sm.add_constant(people["arm"].astype(float))).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(people["cluster"])[0]}
    )
    est = models.cluster_difference(rows_a, rows_b)
    assert est.points == pytest.approx(fit.params["arm"] * 100)
    assert est.se == pytest.approx(fit.bse["arm"] * 100, rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_adjusted_difference_matches_statsmodels_glm_cluster(seed):
    """The count-based logit and its CR1 covariance equal statsmodels' GLM on people."""
    rows_a, rows_b = _rows(seed)
    people = _people(rows_a, rows_b)
    x = pd.get_dummies(people["department"], drop_first=True, dtype=float)
    x.insert(0, "arm", people["arm"].astype(float))
    x["leader"] = people["leader"].eq("leaders").astype(float)
    x = sm.add_constant(x)
    fit = sm.GLM(people["y"], x, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(people["cluster"])[0]}
    )
    cov = fit.cov_params().to_numpy()
    beta = fit.params.to_numpy()
    xa, xb = x.to_numpy().copy(), x.to_numpy().copy()
    xa[:, 1], xb[:, 1] = 1, 0
    pa, pb = 1 / (1 + np.exp(-xa @ beta)), 1 / (1 + np.exp(-xb @ beta))
    ame = float(np.mean(pa - pb))
    grad = (pa * (1 - pa)) @ xa / len(xa) - (pb * (1 - pb)) @ xb / len(xb)
    got = models.adjusted_difference(rows_a, rows_b, ("department", "leader"))
    assert got.covariates == ("department", "leader")
    assert got.estimate.points == pytest.approx(ame * 100, rel=1e-6)
    assert got.estimate.se == pytest.approx(np.sqrt(grad @ cov @ grad) * 100, rel=1e-4)


def test_interaction_matches_statsmodels():
    """The difference in differences and its cluster-robust SE equal an OLS with interaction."""
    rows_a, rows_b = _rows(4)
    cells = {
        (1, 1): rows_a[rows_a["leader"] == "leaders"],
        (0, 1): rows_a[rows_a["leader"] != "leaders"],
        (1, 0): rows_b[rows_b["leader"] == "leaders"],
        (0, 0): rows_b[rows_b["leader"] != "leaders"],
    }
    people = _people(rows_a, rows_b)
    people["seg"] = people["leader"].eq("leaders").astype(float)
    people["arm"] = people["arm"].astype(float)
    people["both"] = people["seg"] * people["arm"]
    fit = sm.OLS(people["y"], sm.add_constant(people[["arm", "seg", "both"]])).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(people["cluster"])[0]}
    )
    got = models.interaction(cells)
    assert got.points == pytest.approx(fit.params["both"] * 100)
    assert got.se == pytest.approx(fit.bse["both"] * 100, rel=1e-9)


def test_icc_matches_the_anova_estimator_by_hand():
    """Three groups of four: between- and within-group mean squares worked out by hand."""
    rows = pd.DataFrame(
        [("g1", "d:X", "x", 4, 4), ("g2", "d:X", "x", 4, 2), ("g3", "d:X", "x", 4, 0)],
        columns=list(models.ROW_COLS),
    )
    # p = 1, .5, 0; mean .5; MSB = 4·(.25+0+.25)/2 = 1; MSW = 4·(0+.25+0)/9 = 1/9; n0 = 4
    expected = (1 - 1 / 9) / (1 + 3 / 9)
    assert models.icc(rows, rows.iloc[:0]) == pytest.approx(expected)


def test_adjusted_says_why_not_when_answers_are_few():
    """Too few answers for the model's parameters: no estimate, and the reason."""
    rows_a, rows_b = _rows(5)
    got = models.adjusted_difference(rows_a.iloc[:3], rows_b.iloc[:2], ("department", "leader"))
    assert got.estimate is None and "too few answers" in got.reason
