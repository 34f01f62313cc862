"""Engagement figures: momentum curves, engagement bars, the funnel and the cohort × week heat map.

Same look as the Overview (analysis.charts): pinned template, one colour per format, variants
in their format's colour with a different shade or dash, 95% Wilson intervals, n on every mark.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.chart_parts import (
    ERROR_COLOR,
    GRID,
    error_bars,
    finish,
    heading,
    panel_title,
    pct,
    rgba,
    series_style,
    style_panel_titles,
    week_label,
    week_ticks,
)
from analysis.charts import (
    BASE_FONT,
    FORMAT_COLORS,
    HEIGHT,
    MUTED,
    TEXT,
    ChartContext,
    annotate,
    drill_keys,
    partial_mark,
    partial_note,
    row_keys,
    with_drill,
)
from analysis.domain import FORMATS, format_label
from analysis.privacy import NO_DATA, VISIBLE, PrivacyRule, status_text
from analysis.text import plotly_text

# Not a format colour (the heat map encodes share, not format); 0% stays visibly tinted so an
# empty week differs from a week not yet run (blank).
HEAT_SCALE = [[0.0, "#EFEDF5"], [0.5, "#9E9AC8"], [1.0, "#3F007D"]]
ROWS_PER_PANEL = 21  # 14 px labels need about 17 px a row at slide size
MAX_COHORTS = 60  # beyond this, the latest are shown and the rest named by period
ROW_PX = 18
MAX_PANELS = 2  # side by side, the heat map stays 16:9 for a slide
SHORT_VARIANTS = {
    "org_wide": "Org-wide",
    "conference": "Conference",
    "self_paced_course": "Self-paced",
    "self_study_alone": "Alone",
    "learning_budget": "Budget",
    "one_to_one_coaching": "1:1 coaching",
    "pilot_team": "Pilot team",
    "book_club": "Book club",
    "course_buddies": "Buddies",
    "group_coaching": "Group coach.",
    "team_coaching": "Team coach.",
    "community_of_practice": "Community",
}
STEP_TICKS = {
    "enrolled": "Enrolled",
    "attended": "Attended (≥ once)",
    "completed": "Completed",
    "answered": "Answered follow-up",
    "applied": "Applied (self-reported)",
}


SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")


def _series(df: pd.DataFrame, by: str) -> list[tuple[str, pd.DataFrame, str, str, str]]:
    """(label, rows, colour, dash, marker) per line: one per format, or per variant in its
    format's hue, told apart by shade, dash and marker shape."""
    out = []
    for fmt, fdf in df.groupby("format", sort=False):
        if by == "format":
            out.append(
                (fdf["label"].iloc[0], fdf, FORMAT_COLORS.get(fmt, MUTED), "solid", "circle")
            )
            continue
        for i, (_, vdf) in enumerate(fdf.groupby("variant", sort=False)):
            color, dash = series_style(fmt, i)
            out.append((vdf["label"].iloc[0], vdf, color, dash, SYMBOLS[i % len(SYMBOLS)]))
    return out


def _add_momentum_series(
    fig: go.Figure, rows: pd.DataFrame, name: str, color: str, dash: str, symbol: str, col: int
) -> None:
    """One curve with its 95% band (or a point with an error bar for a one-week event)."""
    x = (rows["week"] + 1).tolist()
    legend = f"{name} · n={int(rows['enrolled'].iloc[0]):,}"
    if len(rows) > 1:
        fig.add_scatter(
            x=x + x[::-1],
            y=rows["active_high"].tolist() + rows["active_low"].tolist()[::-1],
            fill="toself",
            mode="lines",  # plotly adds markers to short traces by default
            fillcolor=rgba(color, 0.14),
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=legend,
            row=1,
            col=col,
        )
    fig.add_scatter(
        x=x,
        y=rows["active_rate"],
        name=legend,
        legendgroup=legend,
        mode="lines+markers",
        line={"color": color, "dash": dash, "width": 3},
        marker={"size": 9, "color": color, "symbol": symbol},
        error_y=None
        if len(rows) > 1
        else {
            "type": "data",
            "array": rows["active_high"] - rows["active_rate"],
            "arrayminus": rows["active_rate"] - rows["active_low"],
            "color": color,
        },
        customdata=with_drill(
            rows[["active", "enrolled", "active_low", "active_high"]], row_keys(rows)
        ),
        hovertemplate=f"{name}<br>Week %{{x}}: %{{y:.0%}} active "
        "(%{customdata[0]:,} of %{customdata[1]:,} enrolled; "
        "95% CI %{customdata[2]:.0%}–%{customdata[3]:.0%})<extra></extra>",
        row=1,
        col=col,
    )


def momentum_figure(mom: pd.DataFrame, by: str, title: str, ctx: ChartContext) -> go.Figure:
    """Active share by week since start: a line per format (or per variant, one panel a format)."""
    formats = list(dict.fromkeys(mom["format"]))
    panels = formats if by == "variant" else ["all"]
    fig = make_subplots(
        rows=1,
        cols=max(len(panels), 1),
        shared_yaxes=True,
        horizontal_spacing=0.05,
        subplot_titles=[panel_title(f) for f in panels] if by == "variant" else None,
    )
    for name, rows, color, dash, symbol in _series(mom, by):
        col = panels.index(rows["format"].iloc[0]) + 1 if by == "variant" else 1
        _add_momentum_series(fig, rows, name, color, dash, symbol, col)
    last = int(mom["week"].max()) + 1 if len(mom) else 1
    fig.update_xaxes(range=[0.6, last + 0.4], showgrid=False, **week_ticks(last, by == "format"))
    week_label(fig, len(panels))
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", gridcolor=GRID, dtick=0.25)
    fig.update_layout(
        showlegend=True,
        legend={
            "x": 1.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": BASE_FONT - 1},
            "title": {"text": "n = enrolled in week 1"},
            "tracegroupgap": 2,
        },
    )
    style_panel_titles(fig)
    subtitle = (
        "Share of enrolled people active in each week since the start · bands: 95% Wilson intervals"
    )
    return finish(fig, title, subtitle, ctx, panels=by == "variant")


def engagement_figure(rates: pd.DataFrame, by: str, title: str, ctx: ChartContext) -> go.Figure:
    """Engagement rate bars per format or per variant (grouped under its format), CI and n."""
    y, ticks, colors = [], [], []
    pos = 0.0
    for fmt, fdf in rates.groupby("format", sort=False):
        if by == "variant":
            ticks.append((pos, heading(fmt)))
            pos -= 1
        for i, (_, row) in enumerate(fdf.iterrows()):
            color = FORMAT_COLORS.get(fmt, MUTED)
            colors.append(series_style(fmt, i)[0] if by == "variant" else color)
            y.append(pos)
            ticks.append((pos, row["label"]))
            pos -= 1
    rate = rates["engagement_rate"]
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=y,
            x=rate.fillna(0),
            width=0.72,
            marker={"color": colors, "line": {"color": ERROR_COLOR, "width": 0.5}},
            error_x=error_bars(rates, "engagement"),
            customdata=with_drill(
                rates[["label", "engaged", "enrolled", "engagement_low", "engagement_high"]],
                row_keys(rates) if by == "variant" else drill_keys("format", rates["format"]),
            ),
            hovertemplate="%{customdata[0]}: %{x:.0%} engaged (%{customdata[1]:,} of "
            "%{customdata[2]:,}; 95% CI %{customdata[3]:.0%}–%{customdata[4]:.0%})<extra></extra>",
        )
    )
    _rate_labels(fig, rates, y)
    fig.update_xaxes(
        range=[0, 1.4], tickvals=[0, 0.25, 0.5, 0.75, 1], tickformat=".0%", gridcolor=GRID
    )
    fig.update_xaxes(showgrid=True)
    fig.update_yaxes(
        tickvals=[t[0] for t in ticks],
        ticktext=[t[1] for t in ticks],
        showgrid=False,
        range=[pos + 0.4, 0.6],
    )
    subtitle = "Share of enrolled people engaged · 95% Wilson intervals · n beside each bar"
    return finish(fig, title, subtitle, ctx, panels=by == "variant")


def _rate_labels(fig: go.Figure, rates: pd.DataFrame, y: list[float]) -> None:
    """'<b>62%</b>  n=412 enrolled' right of each bar's interval, or 'no data'."""
    notes = []
    for yy, (_, row) in zip(y, rates.iterrows(), strict=True):
        high = row["engagement_high"]
        text = (
            f"<b>{pct(row['engagement_rate'])}</b>  n={int(row['enrolled']):,} enrolled"
            if row["enrolled"] > 0
            else "<i>no data</i>"
        )
        notes.append(
            dict(
                x=(high if pd.notna(high) else 0) + 0.015,
                y=yy,
                xanchor="left",
                text=text,
                showarrow=False,
                font={"size": BASE_FONT},
            )
        )
    annotate(fig, notes)


FUNNEL_X_MAX = 1.8  # room right of the bars for the labels


def funnel_figure(
    fun: pd.DataFrame, title: str, ctx: ChartContext, rule: PrivacyRule, wave_label: str
) -> go.Figure:
    """A block of steps per format (or variant) on one axis: count, share of enrolled,
    step-to-step rate."""
    ticks, placed, pos = [], [], 0.0
    by_variant = "variant" in fun.columns
    for key, fdf in fun.groupby(["format", "variant"] if by_variant else "format", sort=False):
        fmt = key[0] if by_variant else key
        block = (
            f"<b><span style='color:{FORMAT_COLORS.get(fmt, TEXT)}'>"
            f"{plotly_text(fdf['label'].iloc[0])}</span></b>"
            if by_variant
            else heading(fmt)
        )
        ticks.append((pos, block))
        pos -= 1
        for _, r in fdf.iterrows():
            ticks.append((pos, STEP_TICKS.get(r["step"], r["step"])))
            placed.append((pos, r))
            pos -= 1
        pos -= 0.3
    shown = pd.DataFrame([r for _, r in placed if r["status"] in VISIBLE])
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=[p for p, r in placed if r["status"] in VISIBLE],
            x=shown["share_rate"].fillna(0),
            width=0.74,
            marker_color=[FORMAT_COLORS.get(f, MUTED) for f in shown["format"]],
            error_x=error_bars(shown, "share"),
            customdata=with_drill(
                shown[["format_label", "step_label", "count", "share_low", "share_high"]],
                row_keys(shown),
            ),
            hovertemplate="%{customdata[0]}, %{customdata[1]}: %{customdata[2]:,} "
            "(%{x:.0%} of enrolled; 95% CI %{customdata[3]:.0%}–%{customdata[4]:.0%})"
            "<extra></extra>",
        )
    )
    annotate(
        fig,
        [
            dict(
                x=(r["share_high"] if pd.notna(r["share_high"]) else 0) + 0.02,
                y=p,
                xanchor="left",
                text=_funnel_label(r, rule),
                showarrow=False,
                font={"size": BASE_FONT - 1, "color": TEXT if r["status"] in VISIBLE else MUTED},
            )
            for p, r in placed
        ],
    )
    fig.update_yaxes(
        tickvals=[t[0] for t in ticks],
        ticktext=[t[1] for t in ticks],
        range=[pos + 0.6, 0.6],
        showgrid=False,
        tickfont={"size": BASE_FONT - 1},
    )
    fig.update_xaxes(range=[0, FUNNEL_X_MAX], tickvals=[0, 0.25, 0.5, 0.75, 1], tickformat=".0%")
    fig.update_xaxes(showgrid=True, gridcolor=GRID)
    subtitle = (
        f"Each step counts people who reached every step before it · survey {wave_label.lower()}"
    )
    ctx = partial_note(ctx, fun["status"])
    # 18 rows fill a slide; more variants make a taller chart rather than cramped rows
    return finish(fig, title, subtitle, ctx, height=max(HEIGHT, int(36 * len(ticks))))


def _funnel_label(r: pd.Series, rule: PrivacyRule) -> str:
    """'<b>545</b> · 44% · 51% of previous step', or why the step is hidden."""
    if r["status"] not in VISIBLE:
        if r["status"] == NO_DATA:
            return "<i>no follow-up answers</i>"
        return f"<i>{status_text(r['status'], rule, bool(r.get('complementary', False)))}</i>"
    if r["enrolled"] == 0:
        return "<i>no data</i>"
    text = f"<b>{int(r['count']):,}{partial_mark(r['status'])}</b> · {pct(r['share_rate'])}"
    if pd.notna(r.get("step_rate")) and r["step_index"] > 1:  # step 1's rate is its share
        text += f" · {pct(r['step_rate'])} of previous step"
    return text


def _cohort_tick(row: pd.Series) -> str:
    """'■ Jun ’25 Pilot team · 41': format colour, start month, short variant, n enrolled."""
    color = FORMAT_COLORS.get(row["format"], MUTED)
    variant = SHORT_VARIANTS.get(row["variant"], row["variant_label"])
    return (
        f"<span style='color:{color}'>■</span> {row['start_date']:%b ’%y} {variant} · "
        f"{int(row['enrolled']):,}"
    )


def heatmap_figure(heat: pd.DataFrame, title: str, ctx: ChartContext) -> go.Figure:
    """Cohort × week attendance share, cohorts in the frame's order (start date, or variant
    then start date), split over two panels if many. Every cohort is shown up to MAX_COHORTS;
    beyond that the latest are, and the subtitle names the period of those left out."""
    every = heat.drop_duplicates("cohort_id")
    latest = set(every.sort_values(["start_date", "cohort_name"]).tail(MAX_COHORTS)["cohort_id"])
    cohorts = every[every["cohort_id"].isin(latest)]
    left_out = every[~every["cohort_id"].isin(latest)]
    panels = max(1, min(MAX_PANELS, math.ceil(len(cohorts) / ROWS_PER_PANEL)))
    per = max(1, math.ceil(len(cohorts) / panels))
    fig = make_subplots(rows=1, cols=panels, horizontal_spacing=0.43 if panels > 1 else 0.1)
    for col in range(1, panels + 1):
        _heatmap_panel(fig, heat, cohorts.iloc[(col - 1) * per : col * per], col, per)
    last = int(heat["week"].max()) + 1 if len(heat) else 1
    fig.update_xaxes(range=[0.5, last + 0.5], showgrid=False, **week_ticks(last, True))
    week_label(fig, panels)
    fig.update_layout(
        coloraxis={
            "colorscale": HEAT_SCALE,
            "cmin": 0,
            "cmax": 1,
            "colorbar": {"tickformat": ".0%", "thickness": 12, "len": 0.9, "dtick": 0.25},
        }
    )
    _format_key(fig, cohorts["format"])
    subtitle = "Share of each cohort's people present, by week since start · n after the dot"
    if len(left_out):
        first, last = left_out["start_date"].min(), left_out["start_date"].max()
        subtitle += (
            f" · {len(left_out):,} earlier cohorts ({first:%b %Y} – {last:%b %Y}) not shown:"
            " narrow the months to see them"
        )
    height = max(HEIGHT, ROW_PX * per + 260)
    return finish(fig, title, subtitle, ctx, panels=True, height=height)


def _heatmap_panel(
    fig: go.Figure, heat: pd.DataFrame, chunk: pd.DataFrame, col: int, rows: int
) -> None:
    """One panel of cohorts (rows, in start order) by week, with cohort labels."""
    cells = heat[heat["cohort_id"].isin(chunk["cohort_id"])]
    cells = cells.assign(cohort_name=cells["cohort_name"].map(plotly_text))  # named in the file
    order = {cid: i for i, cid in enumerate(chunk["cohort_id"])}
    fig.add_heatmap(
        x=cells["week"] + 1,
        y=cells["cohort_id"].map(order),
        z=cells["share_rate"],
        coloraxis="coloraxis",
        xgap=1,
        ygap=1,
        customdata=cells[["cohort_name", "active", "enrolled", "share_low", "share_high"]],
        hovertemplate="%{customdata[0]}<br>Week %{x}: %{z:.0%} present (%{customdata[1]:,} "
        "of %{customdata[2]:,}; 95% CI %{customdata[3]:.0%}–%{customdata[4]:.0%})"
        "<extra></extra>",
        row=1,
        col=col,
    )
    fig.update_yaxes(
        tickvals=list(range(len(chunk))),
        ticktext=[_cohort_tick(r) for _, r in chunk.iterrows()],
        range=[rows - 0.5, -0.5],
        tickfont={"size": BASE_FONT - 2},
        showgrid=False,
        row=1,
        col=col,
    )


def _format_key(fig: go.Figure, formats: pd.Series) -> None:
    """'■ Everyone at once  ■ Self-directed …' above the plot: which colour square is which."""
    present = set(formats)
    key = "   ".join(
        f"<span style='color:{FORMAT_COLORS.get(f, MUTED)}'>■</span> {format_label(f)}"
        for f in FORMATS
        if f in present
    )
    fig.add_annotation(
        text=key,
        xref="paper",
        yref="paper",
        x=0,
        y=1,
        yanchor="bottom",
        yshift=6,
        xanchor="left",
        showarrow=False,
        font={"size": BASE_FONT - 1},
    )
