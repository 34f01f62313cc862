"""The privacy engine: minimum group size on every survey-based figure, and PII handling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.domain import COMMENT_MIN_RESPONDENTS, DEFAULT_MIN_GROUP_SIZE, MIN_GROUP_SIZE_RANGE

SHOWN = "shown"
SUPPRESSED = "suppressed"
NO_DATA = "no data"


@dataclass(frozen=True)
class PrivacyRule:
    """The reporting thresholds in force (the Settings page sets min_group_size)."""

    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    comment_min: int = COMMENT_MIN_RESPONDENTS

    def __post_init__(self) -> None:
        low, high = MIN_GROUP_SIZE_RANGE
        if not low <= self.min_group_size <= high:
            raise ValueError(f"minimum group size must be between {low} and {high}")

    @property
    def suppressed_label(self) -> str:
        """What a hidden figure says on screen, visibly different from 'no data'."""
        return f"suppressed (fewer than {self.min_group_size})"

    @property
    def footer(self) -> str:
        """The rule in words, for chart footers."""
        return f"Survey figures hidden below {self.min_group_size} respondents"


def suppress_small_groups(
    df: pd.DataFrame, n_col: str, value_cols: list[str], rule: PrivacyRule
) -> pd.DataFrame:
    """Blank survey figures (and their n) for rows with fewer respondents than the rule allows.

    Adds `<n_col>_status`: 'shown', 'suppressed' or 'no data'. A suppressed row keeps no value
    that could reveal its answers; its respondent count is hidden too.
    """
    out = df.copy()
    n = out[n_col].fillna(0).astype("int64")
    status = np.where(n == 0, NO_DATA, np.where(n < rule.min_group_size, SUPPRESSED, SHOWN))
    hidden = status != SHOWN
    for col in value_cols:
        out[col] = out[col].astype("float64").where(~hidden, np.nan)
    out[n_col] = out[n_col].astype("Int64").where(status != SUPPRESSED, pd.NA)
    out[f"{n_col}_status"] = status
    return out


def status_text(status: str, rule: PrivacyRule) -> str:
    """The words shown in place of a figure that is not shown."""
    if status == SUPPRESSED:
        return rule.suppressed_label
    if status == NO_DATA:
        return "no data"
    return ""
