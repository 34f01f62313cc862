"""Presentation mode's plan: the screens in order, their sizes and the claims in short words.

The summary screen and each chart screen are laid out for a 16:9 screen of 1280×720 CSS px;
larger screens get the same heights and wider charts (see ui/present.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from analysis.compare.claims import Claim
from analysis.compare.claims_page import VERDICT_WORDS

SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
CHART_HEIGHT = 620  # one chart per screen, under the screen's top padding and above its buttons
SUMMARY_CHART_HEIGHT = 480
# What the marks on the summary's figures mean (slim figures carry no subtitle of their own).
SUMMARY_MARKS = "Bars and points: share of people with its 95% Wilson interval, n beside each"
SUMMARY_CHART_WIDTH = 600  # each of the summary's two charts, side by side

# One screen per entry: (key, name in the screen counter).
SCREENS: tuple[tuple[str, str], ...] = (
    ("summary", "Key findings"),
    ("overview", "The formats compared"),
    ("waves", "Application by wave"),
    ("variants", "Application by variant"),
    ("momentum", "Engagement week by week"),
    ("claims", "The claims on your data"),
)

# The ten claims in a few words, for the summary's verdict grid (the Claims page has them whole).
CLAIM_SHORT: dict[int, str] = {
    1: "Small groups apply more",
    2: "Learning together keeps engagement up",
    3: "Pilot teams first beat org-wide",
    4: "Course buddies finish and apply more",
    5: "Book clubs beat reading alone",
    6: "Close-colleague coaching beats mixed",
    7: "Relevant work, more application",
    8: "Self-directed suits the motivated",
    9: "Leaders gain most from peers",
    10: "Match the format to the goal",
}
VERDICT_HEX: dict[str, str] = {
    "supported": "#067647",
    "not_supported": "#475467",
    "reversed": "#B42318",
    "not_enough_data": "#B54708",
}
VERDICT_MARKS: dict[str, str] = {
    "supported": "✓",
    "not_supported": "–",
    "reversed": "⇄",
    "not_enough_data": "?",
}


@dataclass(frozen=True)
class Verdict:
    """One claim's verdict as the summary shows it."""

    number: int
    short: str
    title: str
    verdict: str
    label: str
    mark: str
    color: str


def verdicts(claims: list[Claim]) -> list[Verdict]:
    """Every claim's verdict in a few words, in the claims' order."""
    return [
        Verdict(
            number=c.claim,
            short=CLAIM_SHORT.get(c.claim, c.title),
            title=c.title,
            verdict=c.verdict,
            label=VERDICT_WORDS[c.verdict],
            mark=VERDICT_MARKS[c.verdict],
            color=VERDICT_HEX[c.verdict],
        )
        for c in claims
    ]


def screen_index(value: object, count: int = len(SCREENS)) -> int:
    """A screen number from the URL ('3', 1-based) as a 0-based index, clamped; 0 if unreadable."""
    text = str(value or "").strip()
    if not text.isdigit():
        return 0
    return min(max(int(text) - 1, 0), count - 1)


def fit_summary(name: str, fig: go.Figure) -> go.Figure:
    """A page's figure made to fit half of the summary: room right of the labels, short axes.

    The figures are drawn for a whole slide; at half its width their value labels need more
    of the axis and the wave chart's axis title must stay within a shorter plot."""
    if name == "overview":
        fig.update_xaxes(range=[0, OVERVIEW_NARROW_X_MAX])
    elif name == "waves":
        low, high = fig.layout.xaxis.range
        fig.update_xaxes(range=[low, high + 0.3], tickangle=0, tickfont={"size": 14})
        fig.update_yaxes(title="Applied (self-reported)")
    return fig


OVERVIEW_NARROW_X_MAX = 2.1  # the overview's bars end by 1.0; labels take the rest
