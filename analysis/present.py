"""Presentation mode's plan: the screens in order, their sizes and the claims in short words.

Each screen fills the browser window: the charts take its height less a fixed room for the
rest, so a 1280×720 and a 1920×1080 screen both show the whole screen without scrolling.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from analysis.compare.claims import Claim
from analysis.compare.claims_page import VERDICT_WORDS

SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
CHART_ROOM = 100  # a chart screen's height less its chart: top padding and the buttons
SUMMARY_ROOM = 240  # the summary's height less its charts: the verdicts and the footer
SUMMARY_SPLIT = 0.5  # the headline chart's share of the summary's width
SMALLEST = (960, 540)  # below this the screens scroll rather than squash


@dataclass(frozen=True)
class Layout:
    """The chart sizes in px for one screen size."""

    chart_height: int  # one chart per screen
    summary_height: int  # the summary's two charts, side by side: the headline wider
    summary_widths: tuple[int, int]


def layout(size: tuple[int, int] | None) -> Layout:
    """The sizes for a browser window of size (width, height); 1280×720 until it is known."""
    width, height = size or (SLIDE_WIDTH, SLIDE_HEIGHT)
    width, height = max(width, SMALLEST[0]), max(height, SMALLEST[1])
    inner = width - 64  # less the side padding and the gap between the two charts
    return Layout(
        chart_height=height - CHART_ROOM,
        summary_height=height - SUMMARY_ROOM,
        summary_widths=(round(inner * SUMMARY_SPLIT), round(inner * (1 - SUMMARY_SPLIT))),
    )


# What the marks on the summary's figures mean (slim figures carry no subtitle of their own).
SUMMARY_MARKS = "Bars and points: share of people with its 95% Wilson interval, n beside each"

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


OVERVIEW_NARROW_X_MAX = 2.4  # the overview's bars end by 1.0; labels take the rest
