"""The reporting rule in force, the status every survey figure carries, and the comment rule."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.domain import COMMENT_MIN_RESPONDENTS, DEFAULT_MIN_GROUP_SIZE, MIN_GROUP_SIZE_RANGE

# The status of a survey figure in a view (column `status` on every figure frame):
SHOWN = "shown"  # every answer the view selects is in the figure
PARTIAL = "partial"  # shown, but some selected answers sit in cells that reach past the view
SUPPRESSED = "suppressed"  # answers exist, but no whole cell of them lies inside the view
NO_DATA = "no data"  # nothing to count
VISIBLE = (SHOWN, PARTIAL)


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
    def complementary_label(self) -> str:
        """What a figure says when the view selects enough answers but none in whole cells."""
        return f"suppressed (would single out a group under {self.min_group_size})"

    @property
    def partial_label(self) -> str:
        """What a figure that leaves out some selected answers says beside it."""
        return f"some answers left out (they would single out fewer than {self.min_group_size})"

    @property
    def footer(self) -> str:
        """The rule in words, for chart footers."""
        return f"Survey figures count only whole groups of {self.min_group_size}+ respondents"


def status_text(status: str, rule: PrivacyRule, complementary: bool = False) -> str:
    """The words shown in place of (or beside) a figure that is not plainly shown."""
    if status == SUPPRESSED:
        return rule.complementary_label if complementary else rule.suppressed_label
    if status == NO_DATA:
        return "no data"
    if status == PARTIAL:
        return rule.partial_label
    return ""


def comment_rule_ok(n_respondents: int, rule: PrivacyRule) -> bool:
    """True when a group has enough respondents for any of its comments to be shown."""
    return n_respondents >= max(rule.comment_min, rule.min_group_size)


def visible_comments(
    df: pd.DataFrame, group_cols: list[str], respondents_col: str, rule: PrivacyRule
) -> pd.DataFrame:
    """Only the comments of groups with at least `rule.comment_min` respondents.

    `respondents_col` holds the number of survey respondents in the row's group (the same on
    every comment of a group), not the number of comments.
    """
    if len(df) and (df.groupby(group_cols, dropna=False)[respondents_col].nunique() > 1).any():
        raise ValueError(f"{respondents_col} must be one number per group")
    n = df[respondents_col].fillna(0).astype("int64")
    keep = n.map(lambda v: comment_rule_ok(int(v), rule)).astype(bool)
    return df[keep].reset_index(drop=True)
