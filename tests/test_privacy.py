"""The minimum-group-size rule on survey figures."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.privacy import NO_DATA, SHOWN, SUPPRESSED, PrivacyRule, suppress_small_groups


def test_rows_below_the_threshold_lose_their_figures_and_n():
    """n < 5 is suppressed (value and n hidden); n = 0 is 'no data'; n ≥ 5 is shown."""
    df = pd.DataFrame({"n": [4, 5, 0], "rate": [0.5, 0.6, float("nan")]})
    out = suppress_small_groups(df, "n", ["rate"], PrivacyRule())
    assert out["n_status"].tolist() == [SUPPRESSED, SHOWN, NO_DATA]
    assert pd.isna(out.loc[0, "rate"]) and pd.isna(out.loc[0, "n"])
    assert out.loc[1, "rate"] == 0.6 and out.loc[1, "n"] == 5
    assert df.loc[0, "rate"] == 0.5  # the input is not modified


@pytest.mark.parametrize("size", [3, 10])
def test_threshold_is_configurable_between_3_and_10(size):
    """The Settings range is inclusive at both ends."""
    out = suppress_small_groups(
        pd.DataFrame({"n": [size - 1, size], "v": [1.0, 1.0]}), "n", ["v"], PrivacyRule(size)
    )
    assert out["n_status"].tolist() == [SUPPRESSED, SHOWN]


@pytest.mark.parametrize("size", [2, 11])
def test_threshold_outside_the_range_is_refused(size):
    """A rule below 3 or above 10 cannot be made."""
    with pytest.raises(ValueError):
        PrivacyRule(size)


def test_suppressed_label_differs_from_no_data():
    """'suppressed (fewer than 5)' is visibly different from 'no data'."""
    assert PrivacyRule().suppressed_label == "suppressed (fewer than 5)"
    assert PrivacyRule(7).footer == "Survey figures hidden below 7 respondents"
