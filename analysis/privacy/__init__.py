"""Privacy: every survey figure is a sum over privacy cells of 0 or at least k respondents.

`rule` holds the thresholds and status words, `cells` the partition into privacy cells,
`step` the one function every survey figure passes through, `measures` the survey measures
in cells. See README.md ("Statistics and privacy") for the design.
"""

from analysis.privacy.rule import (
    NO_DATA,
    PARTIAL,
    SHOWN,
    SUPPRESSED,
    VISIBLE,
    PrivacyRule,
    comment_rule_ok,
    status_text,
    visible_comments,
)

__all__ = [
    "NO_DATA",
    "PARTIAL",
    "SHOWN",
    "SUPPRESSED",
    "VISIBLE",
    "PrivacyRule",
    "comment_rule_ok",
    "status_text",
    "visible_comments",
]
