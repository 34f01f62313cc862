"""Figures for the Application page: decay by wave, readiness, segments, Likert items, heat map."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from analysis.charts import (
    BASE_FONT,
    FORMAT_COLORS,
    MUTED,
    TEMPLATE,
    ChartContext,
    annotate,
    drill_keys,
    finish_figure,
    partial_mark,
    partial_note,
    with_drill,
)
from analysis.domain import FORMATS, READINESS_SHORT, WAVE_LABELS, format_label
from analysis.privacy import NO_DATA, SUPPRESSED, VISIBLE, status_text
from analysis.text import plotly_text

# Readiness: option 1 is a barrier (the role does not allow it), shown apart in red-purple.
READINESS_COLORS = ("#CC79A7", "#BDBDBD", "#9E9E9E", "#56B4E9", "#0072B2", "#003F6B")
# Likert 1..5: disagree (brown), neutral grey, agree (purple): colour-blind safe, and none of
# the three format colours (blue, orange, green), so no bar reads as a format.
LIKERT_COLORS = ("#8C510A", "#D8B365", "#C9CED6", "#B2ABD2", "#542788")
# The format × item heat map: brown below the overall share, purple above (not a format colour).
DIFFERENCE_SCALE = [[0.0, "#8C510A"], [0.25, "#D8B365"], [0.5, "#F7F7F7"], [0.75, "#B2ABD2"],
                    [1.0, "#542788"]]  # fmt: skip
LIKERT_LABELS = ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree")


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


WAVE_DODGE = 0.12  # waves apart per format, so each point's interval and label stand clear


def wave_figure(df: pd.DataFrame, title: str, ctx: ChartContext) -> go.Figure:
    """Application by wave per format: does it hold up 30, 60, 90 days later?"""
    fig = go.Figure()
    waves = [w for w in WAVE_LABELS if w in set(df["wave"])]
    labels = [WAVE_LABELS[w] for w in waves]
    formats = [f for f in FORMATS if f in set(df["format"])]
    for k, fmt in enumerate(formats):
        part = df[df["format"] == fmt].set_index("wave").reindex(waves)
        shown = part["status"].isin(VISIBLE)
        rate = part["application_rate"].where(shown)
        dodge = (k - (len(formats) - 1) / 2) * WAVE_DODGE  # whiskers side by side, not on top
        fig.add_scatter(
            x=[i + dodge for i in range(len(waves))],
            y=rate,
            mode="lines+markers+text",
            name=format_label(fmt),
            line={"color": FORMAT_COLORS[fmt], "width": 3},
            marker={"size": 10},
            error_y={
                "type": "data",
                "array": (part["application_high"] - rate).fillna(0),
                "arrayminus": (rate - part["application_low"]).fillna(0),
                "color": FORMAT_COLORS[fmt],
                "thickness": 1.2,
                "width": 4,
            },
            text=[_wave_label(r, ctx) for _, r in part.iterrows()],
            textposition="middle right",  # beside the point, never on its whiskers
            textfont={"size": BASE_FONT - 2},
            hovertemplate="%{customdata[0]}: %{y:.0%}<extra>" + format_label(fmt) + "</extra>",
            customdata=with_drill(labels, drill_keys("format", [fmt] * len(labels))),
        )
    fig.update_yaxes(range=[0, 1], tickformat=".0%", title="Applied at work (self-reported)")
    fig.update_xaxes(
        range=[-0.5, len(labels) - 0.2],
        tickvals=list(range(len(labels))),
        ticktext=labels,
        zeroline=False,  # the waves sit at 0, 1, 2, …: no rule through the first one
    )
    subtitle = "Share of respondents in each survey wave · 95% Wilson intervals · n per point"
    ctx = partial_note(ctx, df["status"])
    return finish_figure(fig, title, subtitle, ctx, legend_rows=1)


def _wave_label(row: pd.Series, ctx: ChartContext) -> str:
    status = row.get("status")
    if pd.isna(status) or status == NO_DATA:
        return ""
    if status not in VISIBLE:
        return status_text(status, ctx.rule, bool(row.get("complementary", False)))
    return f"{_pct(row['application_rate'])} (n={int(row['n']):,}{partial_mark(status)})"


def readiness_figure(df: pd.DataFrame, title: str, ctx: ChartContext) -> go.Figure:
    """100% stacked bars of the six readiness options per format; option 1 marked a barrier."""
    fig = go.Figure()
    formats = [f for f in FORMATS if f in set(df["format"])]
    shown = df[df["status"].isin(VISIBLE)]
    totals = shown.groupby("format")[["n", "status"]].first()
    ylabels = [
        f"{format_label(f)}<br>n={int(totals.at[f, 'n']):,}{partial_mark(totals.at[f, 'status'])}"
        if f in totals.index
        else format_label(f)
        for f in formats
    ]
    for option in range(1, 7):
        part = shown[shown["option"] == option].set_index("format").reindex(formats)
        name = READINESS_SHORT[option - 1]
        fig.add_bar(
            orientation="h",
            y=ylabels,
            x=part["share"].fillna(0),
            name=name,
            marker_color=READINESS_COLORS[option - 1],
            text=[_pct(v) if pd.notna(v) and v >= 0.06 else "" for v in part["share"]],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            hovertemplate="%{y}: %{x:.0%}<extra>" + name + "</extra>",
            customdata=with_drill(None, drill_keys("format", formats)),
        )
    notes = []
    for fmt in formats:
        row = df.loc[df["format"] == fmt].iloc[0]
        if row["status"] not in VISIBLE:
            why = status_text(row["status"], ctx.rule, bool(row["complementary"]))
            notes.append(
                dict(
                    x=0.01,
                    y=ylabels[formats.index(fmt)],
                    xanchor="left",
                    showarrow=False,
                    text=f"<i>{why}</i>",
                )
            )
    annotate(fig, notes)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    sub = "How ready respondents feel to use what they learned, 30 days after"
    ctx = partial_note(ctx, df["status"])
    fig = finish_figure(fig, title, sub, ctx, height=700, legend_rows=3)
    fig.update_layout(
        legend={"entrywidth": 0.5, "entrywidthmode": "fraction", "traceorder": "reversed"}
    )
    return fig


def segment_figure(
    df: pd.DataFrame, segment_title: str, title: str, ctx: ChartContext, *, nested: bool = False
) -> go.Figure:
    """Application per segment level (x) and format (colour), with intervals and n.

    nested: each level belongs to one format (variants), so bars stand alone, not in groups.
    """
    fig = go.Figure()
    levels = list(dict.fromkeys(df["level"]))
    for fmt in [f for f in FORMATS if f in set(df["format"])]:
        part = df[df["format"] == fmt].set_index("level").reindex(levels)
        shown = part["status"].isin(VISIBLE)
        rate = part["application_rate"].where(shown)
        fig.add_bar(
            x=levels,
            y=rate.fillna(0),
            name=format_label(fmt),
            marker_color=FORMAT_COLORS[fmt],
            error_y={
                "type": "data",
                "array": (part["application_high"] - rate).fillna(0),
                "arrayminus": (rate - part["application_low"]).fillna(0),
                "color": "#3E4C59",
                "thickness": 1.2,
                "width": 4,
            },
            text=[_bar_text(r, ctx) for _, r in part.iterrows()],
            customdata=with_drill(
                None,
                drill_keys("variant", part["variant"].fillna(""))
                if nested
                else drill_keys("format", [fmt] * len(levels)),
            ),
            textposition="inside",
            insidetextanchor="start",  # at the base: clear of the interval whiskers
            textangle=0,
            textfont={"size": 14, "color": "#FFFFFF"},
        )
    fig.update_layout(barmode="relative" if nested else "group")
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%", title="Applied at work")
    sub = f"By {segment_title.lower()} · share of 30-day respondents who applied · 95% intervals"
    ctx = partial_note(ctx, df["status"])
    if nested:  # many long variant names: slanted labels, and room for them above the footer
        fig.update_xaxes(tickangle=-35)
    return finish_figure(fig, title, sub, ctx, legend_rows=1, axis_room=150 if nested else 30)


def _bar_text(row: pd.Series, ctx: ChartContext) -> str:
    status = row.get("status")
    if pd.isna(status) or status == NO_DATA:
        return ""
    if status not in VISIBLE:
        return "suppressed"
    return f"{_pct(row['application_rate'])}<br>n={int(row['n']):,}{partial_mark(status)}"


def likert_figure(df: pd.DataFrame, title: str, ctx: ChartContext) -> go.Figure:
    """Diverging stacked bars: disagreement left of zero, agreement right, neutral centred.

    One row per item, even when two imports asked items with the same text.
    """
    shown = df[df["status"].isin(VISIBLE)].reset_index(drop=True)
    rows = list(range(len(shown)))
    labels = _distinct([_wrap(t) for t in shown["item_text"]])
    fig = go.Figure()
    neutral_half = shown["share_3"] / 2
    left = [("share_2", 1), ("share_1", 0)]  # stacked outward from the centre
    fig.add_bar(
        orientation="h",
        y=rows,
        x=-neutral_half,
        marker_color=LIKERT_COLORS[2],
        name=LIKERT_LABELS[2],
        showlegend=False,
        hoverinfo="skip",
    )
    hover = [t.replace("<br>", " ") for t in labels]
    for col, i in left:
        fig.add_bar(
            orientation="h",
            y=rows,
            x=-shown[col],
            marker_color=LIKERT_COLORS[i],
            name=LIKERT_LABELS[i],
            legendrank=i + 1,
            customdata=list(zip(hover, shown[col], strict=True)),
            hovertemplate="%{customdata[0]}: %{customdata[1]:.0%}<extra>"
            + LIKERT_LABELS[i]
            + "</extra>",
        )
    fig.add_bar(
        orientation="h",
        y=rows,
        x=neutral_half,
        marker_color=LIKERT_COLORS[2],
        name=LIKERT_LABELS[2],
        legendrank=3,
        customdata=list(zip(hover, shown["share_3"], strict=True)),
        hovertemplate="%{customdata[0]}: %{customdata[1]:.0%}<extra>Neutral</extra>",
    )
    for col, i in (("share_4", 3), ("share_5", 4)):
        fig.add_bar(
            orientation="h",
            y=rows,
            x=shown[col],
            marker_color=LIKERT_COLORS[i],
            name=LIKERT_LABELS[i],
            legendrank=i + 1,
            customdata=list(zip(hover, shown[col], strict=True)),
            hovertemplate="%{customdata[0]}: %{customdata[1]:.0%}<extra>"
            + LIKERT_LABELS[i]
            + "</extra>",
        )
    notes = []
    for y, r in shown.iterrows():
        right = r["share_3"] / 2 + r["share_4"] + r["share_5"]
        notes.append(
            dict(
                x=right + 0.02,
                y=y,
                xanchor="left",
                showarrow=False,
                text=f"net {r['net_agreement'] * 100:+.0f} · n={int(r['n']):,}"
                + partial_mark(r["status"]),
                font={"size": 14, "color": MUTED},
            )
        )
    annotate(fig, notes)
    fig.update_layout(barmode="relative")
    fig.update_xaxes(
        range=[-1, 1.35],
        tickvals=[-1, -0.5, 0, 0.5, 1],
        ticktext=["100%", "50%", "0", "50%", "100%"],
        zeroline=True,
        zerolinecolor="#3E4C59",
    )
    fig.update_yaxes(automargin=True, tickvals=rows, ticktext=labels, range=[-0.6, len(rows) - 0.4])
    sub = "Share of answers per item, neutral centred on zero · sorted by net agreement"
    ctx = partial_note(ctx, df["status"])
    return finish_figure(
        fig,
        title,
        sub,
        ctx,
        height=max(580, 220 + 40 * len(rows) + 22 * _lines(labels)),
        legend_rows=2,
        footer_wrap=56,
    )


def _distinct(labels: list[str]) -> list[str]:
    """Labels made distinct: a repeated item text gets ' (2)', ' (3)' … so no two rows merge."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _wrap(text: str, width: int = 30) -> str:
    """Item text (from the file) wrapped whole over as many lines as it needs (never cut
    mid-sentence), each line escaped for plotly."""
    return "<br>".join(plotly_text(line) for line in textwrap.wrap(text, width=width) or [""])


def _short(text: str, width: int = 34) -> str:
    """Item text (from the file) wrapped for the heat map's axis, escaped for plotly."""
    return _wrap(text, width)


def _lines(labels: list[str]) -> int:
    """How many text lines a set of axis labels takes."""
    return sum(label.count("<br>") + 1 for label in labels)


def heatmap_figure(df: pd.DataFrame, title: str, ctx: ChartContext) -> go.Figure:
    """Format × item: whole points above or below the item's share over the formats shown."""
    items = list(dict.fromkeys(df["item_id"]))
    texts = df.drop_duplicates("item_id").set_index("item_id")["item_text"]
    formats = [f for f in FORMATS if f in set(df["format"])]
    grid = df.pivot_table(
        index="item_id", columns="format", values="difference", aggfunc="first"
    ).reindex(index=items, columns=formats)
    status = (
        df.set_index(["item_id", "format"])["status"]
        .unstack("format")
        .reindex(index=items, columns=formats)
    )
    text = [
        [_cell(grid.iat[i, j], status.iat[i, j]) for j in range(len(formats))]
        for i in range(len(items))
    ]
    labels = _distinct([_short(texts[i]) for i in items])
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[format_label(f).replace(" ", "<br>", 1) for f in formats],
            y=labels,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 15},
            colorscale=DIFFERENCE_SCALE,
            zmid=0,
            zmin=-25,
            zmax=25,
            colorbar={"title": "points"},
            hoverongaps=False,
            hovertemplate="%{y} · %{x}: %{text} points<extra></extra>",
        )
    )
    fig.update_layout(template=TEMPLATE)
    fig.update_xaxes(side="top", tickangle=0)
    sub = "Positive answers per format minus the item's share over the formats shown, in points"
    ctx = partial_note(ctx, df["status"])
    return finish_figure(
        fig,
        title,
        sub,
        ctx,
        height=max(500, 180 + 36 * len(items) + 22 * _lines(labels)),
        axis_room=12,
        top_room=44,
        footer_wrap=56,
    )


def _cell(value: float, status: object) -> str:
    if status in VISIBLE and pd.notna(value):
        return f"{value:+.0f}{partial_mark(status)}"
    return "suppressed" if status == SUPPRESSED else ""
