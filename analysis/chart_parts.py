"""Building blocks shared by the page figures: shades and dashes per variant, week axes, format
headings, Wilson error bars, and the finishing touch (title, subtitle, footer) on every figure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts import (
    BASE_FONT,
    FORMAT_COLORS,
    HEIGHT,
    MUTED,
    TEXT,
    ChartContext,
    finish_figure,
)
from analysis.domain import format_label

GRID = "#E4E7EB"
ERROR_COLOR = "#3E4C59"
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SHADES = (0.0, -0.3, 0.3, -0.45, 0.5, 0.15)  # <0 darker, >0 lighter
PANEL_TITLE_ROOM = 30  # px above the plot for the panel titles, between subtitle and plot


def shade(color: str, amount: float) -> str:
    """The colour mixed towards white (amount > 0) or black (amount < 0)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    target = 255 if amount > 0 else 0
    mixed = [round(c + (target - c) * abs(amount)) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def rgba(color: str, alpha: float) -> str:
    """A hex colour as rgba() with the given opacity."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def series_style(fmt: str, index: int) -> tuple[str, str]:
    """(colour, dash) of the index-th variant of a format: the format's hue, another shade/dash."""
    base = FORMAT_COLORS.get(fmt, MUTED)
    return shade(base, SHADES[index % len(SHADES)]), DASHES[index % len(DASHES)]


def pct(x: float) -> str:
    """A share as a whole percentage; an en dash when missing."""
    return "–" if pd.isna(x) else f"{x * 100:.0f}%"


def heading(fmt: str) -> str:
    """A format's name as a bold heading in its colour (for tick labels and panel keys)."""
    return f"<b><span style='color:{FORMAT_COLORS.get(fmt, TEXT)}'>{format_label(fmt)}</span></b>"


def panel_title(fmt: str) -> str:
    """A panel title: the format's name in bold (coloured by style_panel_titles)."""
    return f"<b>{format_label(fmt)}</b>"


def style_panel_titles(fig: go.Figure) -> None:
    """Panel titles at body size, in their format's colour."""
    colors = {f"<b>{format_label(f)}</b>": c for f, c in FORMAT_COLORS.items()}
    for ann in fig.layout.annotations:
        if ann.text in colors:
            ann.font = {"size": BASE_FONT + 1, "color": colors[ann.text]}


def week_ticks(last: int, wide: bool) -> dict:
    """Week ticks that never crowd: every week on a wide axis, else every 2nd or 4th week."""
    step = (1 if last <= 12 else 2) if wide else (2 if last <= 6 else 4)
    vals = list(range(1 if wide else step, last + 1, step)) or [1]
    return {"tickvals": vals, "ticktext": [str(v) for v in vals]}


def week_label(fig: go.Figure, panels: int = 1) -> None:
    """'Week' right of the last panel's tick numbers (an axis title would hit the footer)."""
    fig.add_annotation(
        text="Week",
        xref=f"x{panels if panels > 1 else ''} domain",
        yref="paper",
        x=1,
        y=0,
        xanchor="left",
        yanchor="middle",
        xshift=8,
        yshift=-14,
        showarrow=False,
        font={"size": BASE_FONT, "color": MUTED},
    )


def error_bars(df: pd.DataFrame, prefix: str) -> dict:
    """Asymmetric Wilson error bars for a rate column."""
    rate = df[f"{prefix}_rate"]
    return {
        "type": "data",
        "array": (df[f"{prefix}_high"] - rate).fillna(0),
        "arrayminus": (rate - df[f"{prefix}_low"]).fillna(0),
        "color": ERROR_COLOR,
        "thickness": 1.5,
        "width": 4,
    }


def finish(
    fig: go.Figure,
    title: str,
    subtitle: str,
    ctx: ChartContext,
    panels: bool = False,
    height: int = HEIGHT - 80,
) -> go.Figure:
    """finish_figure, with hyphens that never break a line and room for panel or group titles."""
    fig = finish_figure(fig, title.replace("-", "\u2011"), subtitle, ctx, height=height)
    if panels:
        fig.update_layout(
            margin_t=fig.layout.margin.t + PANEL_TITLE_ROOM,
            title_pad_b=fig.layout.title.pad.b + PANEL_TITLE_ROOM,
        )
    return fig
