"""Statistics against hand-computed values and independent formulas."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.stats import add_rate_columns, compare_proportions, holm, wilson_interval


def _wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def test_wilson_8_of_10_matches_the_textbook_value():
    """8 of 10 gives 0.490 to 0.943 (hand-computed)."""
    low, high = wilson_interval(8, 10)
    assert round(low, 3) == 0.490
    assert round(high, 3) == 0.943


@pytest.mark.parametrize(("k", "n"), [(0, 1), (0, 20), (20, 20), (3, 7), (412, 1000), (1, 2)])
def test_wilson_matches_the_closed_form(k, n):
    """The library's interval equals the closed-form Wilson score interval, 0 and n included."""
    assert wilson_interval(k, n) == pytest.approx(_wilson_by_hand(k, n), abs=1e-12)


def test_wilson_of_nothing_is_nan():
    """No observations: no interval, not a fake 0–0."""
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_add_rate_columns_vectorises_and_leaves_empty_rows_blank():
    """Rates and intervals per row; rows with n = 0 stay NaN."""
    df = add_rate_columns(pd.DataFrame({"k": [8, 0], "n": [10, 0]}), "k", "n", "x")
    assert df.loc[0, "x_rate"] == pytest.approx(0.8)
    assert (df.loc[0, "x_low"], df.loc[0, "x_high"]) == pytest.approx(_wilson_by_hand(8, 10))
    assert df.loc[1, ["x_rate", "x_low", "x_high"]].isna().all()


def test_compare_proportions_large_samples_use_the_z_test():
    """60/100 vs 40/100: diff 0.20, Cohen's h = 2·asin√.6 − 2·asin√.4, pooled z-test p."""
    c = compare_proportions(60, 100, 40, 100)
    assert c.diff == pytest.approx(0.20)
    assert c.cohens_h == pytest.approx(
        2 * math.asin(math.sqrt(0.6)) - 2 * math.asin(math.sqrt(0.4))
    )
    # pooled z = 0.2 / sqrt(0.5·0.5·(2/100)) = 2.828…, two-sided p = 0.00468
    assert c.p_value == pytest.approx(0.004678, abs=2e-4)
    assert c.test == "two-proportion z-test"
    assert c.diff_low > 0 and c.diff_high < 0.4
    assert c.ratio == pytest.approx(1.5)


def test_compare_proportions_small_samples_use_fisher():
    """3/5 vs 1/5 is Fisher's exact test (p = 0.5238 two-sided, by hand) and 'not enough data'."""
    c = compare_proportions(3, 5, 1, 5)
    assert c.test == "Fisher's exact test"
    assert c.p_value == pytest.approx(0.5238, abs=1e-4)
    assert not c.enough_data


@pytest.mark.parametrize(
    "p", [[0.01, 0.04, 0.03], [0.5], [0.001, 0.2, 0.2, 0.04, 0.9], [0.03, 0.03, 0.01]]
)
def test_holm_matches_statsmodels(p):
    """Our numpy Holm equals statsmodels' (an independent implementation)."""
    from statsmodels.stats.multitest import multipletests

    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]))


def test_holm_by_hand():
    """Holm on (0.01, 0.04, 0.03): 0.03, 0.06, 0.06."""
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([]) == []
