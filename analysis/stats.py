"""Wilson intervals, two-proportion comparisons, Holm correction and Cohen's h (via statsmodels)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    test_proportions_2indep,
)

CONFIDENCE = 0.95
# Below this many in either arm, or with an expected cell under 5, use Fisher's exact test.
SMALL_SAMPLE = 30
# Below this many in either arm we say "not enough data" instead of drawing a verdict.
MIN_N_FOR_VERDICT = 20


def wilson_interval(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval for k successes in n trials; (nan, nan) when n is 0."""
    if n <= 0:
        return (float("nan"), float("nan"))
    low, high = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    return (float(low), float(high))


def add_rate_columns(
    df: pd.DataFrame, k_col: str, n_col: str, prefix: str, confidence: float = CONFIDENCE
) -> pd.DataFrame:
    """Add `<prefix>_rate`, `<prefix>_low`, `<prefix>_high` (Wilson) from count columns."""
    out = df.copy()
    k = out[k_col].astype("float64").to_numpy()
    n = out[n_col].astype("float64").to_numpy()
    has_n = n > 0
    rate = np.full(len(out), np.nan)
    low = np.full(len(out), np.nan)
    high = np.full(len(out), np.nan)
    if has_n.any():
        rate[has_n] = k[has_n] / n[has_n]
        lo, hi = proportion_confint(k[has_n], n[has_n], alpha=1 - confidence, method="wilson")
        low[has_n], high[has_n] = lo, hi
    out[f"{prefix}_rate"], out[f"{prefix}_low"], out[f"{prefix}_high"] = rate, low, high
    return out


@dataclass(frozen=True)
class Comparison:
    """Two proportions compared: difference (a − b) with its interval, a test and Cohen's h."""

    k_a: int
    n_a: int
    k_b: int
    n_b: int
    diff: float
    diff_low: float
    diff_high: float
    p_value: float
    test: str
    cohens_h: float
    enough_data: bool

    @property
    def ratio(self) -> float:
        """Rate a divided by rate b (inf when b is 0)."""
        rate_b = self.k_b / self.n_b
        return float("inf") if rate_b == 0 else (self.k_a / self.n_a) / rate_b


def compare_proportions(
    k_a: int, n_a: int, k_b: int, n_b: int, confidence: float = CONFIDENCE
) -> Comparison:
    """Compare two independent proportions: Newcombe interval, z or Fisher test, Cohen's h."""
    if min(n_a, n_b) <= 0:
        raise ValueError("both groups need at least one observation")
    p_a, p_b = k_a / n_a, k_b / n_b
    low, high = confint_proportions_2indep(
        k_a, n_a, k_b, n_b, method="newcomb", compare="diff", alpha=1 - confidence
    )
    pooled = (k_a + k_b) / (n_a + n_b)
    expected_min = min(n_a, n_b) * min(pooled, 1 - pooled)
    if min(n_a, n_b) < SMALL_SAMPLE or expected_min < 5:
        _, p_value = fisher_exact([[k_a, n_a - k_a], [k_b, n_b - k_b]])
        test = "Fisher's exact test"
    elif k_a + k_b in (0, n_a + n_b):
        p_value, test = 1.0, "two-proportion z-test"
    else:
        p_value = test_proportions_2indep(k_a, n_a, k_b, n_b, method="score").pvalue
        test = "two-proportion z-test"
    return Comparison(
        k_a=k_a,
        n_a=n_a,
        k_b=k_b,
        n_b=n_b,
        diff=p_a - p_b,
        diff_low=float(low),
        diff_high=float(high),
        p_value=float(p_value),
        test=test,
        cohens_h=float(proportion_effectsize(p_a, p_b)),
        enough_data=min(n_a, n_b) >= MIN_N_FOR_VERDICT,
    )


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given (step-down: sorted, scaled, running max)."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return []
    order = np.argsort(p)
    scaled = np.minimum(1.0, np.maximum.accumulate((p.size - np.arange(p.size)) * p[order]))
    out = np.empty_like(scaled)
    out[order] = scaled
    return [float(x) for x in out]
