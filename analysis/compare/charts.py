"""Charts for the Compare and Claims pages: two arms with their intervals, the same inside each
department, and each claim's differences against zero. Every figure is finished by
`analysis.charts.finish_figure` (pinned template, finding title, context footer)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from analysis import words
from analysis.chart_parts import ERROR_COLOR, GRID
from analysis.charts import (
    BASE_FONT,
    FORMAT_COLORS,
    MUTED,
    ChartContext,
    finish_figure,
    partial_note,
)
from analysis.compare.arms import Arm
from analysis.compare.core import Result, arm_summary
from analysis.compare.data import MEAN_METRICS
from analysis.compare.page import and_list, measure_words, statuses
from analysis.domain import VARIANT_FORMAT
from analysis.privacy import PARTIAL, SHOWN, PrivacyRule, status_text
from analysis.stats import wilson_interval
from analysis.text import plotly_text
from analysis.views import Chart

ARM_COLORS = ("#332288", "#9AA5B1")  # indigo for the first arm, grey for the one it is set against
SUBTITLES = {
    "application": "Share of respondents who applied at work (self-reported)",
    "engagement": "Share of enrolled people who were engaged",
    "completion": "Share of enrolled people who completed",
    "participation": "Share of enrolled people who attended at least once",
    "momentum": "Share of enrolled people active in the week",
    "confidence_gain": "Mean confidence gain, after minus before",
}
X_ROOM = 1.5  # room right of the bars for the labels (share axis runs to 1)

Context = Callable[[str], ChartContext]


def arm_colors(r: Result) -> tuple[str, str]:
    """Each arm in its format's colour when the two arms are two single formats, else a pair."""
    fa = _single_format(r.a)
    fb = _single_format(r.b)
    if fa and fb and fa != fb:
        return FORMAT_COLORS[fa], FORMAT_COLORS[fb]
    return ARM_COLORS


def _single_format(a: Arm) -> str | None:
    formats = set(a.formats) | {VARIANT_FORMAT.get(v) for v in a.variants}
    formats.discard(None)
    return next(iter(formats)) if len(formats) == 1 and not a.segment else None


def headline(r: Result) -> str:
    """The chart title: the finding in words, or why there is none."""
    what = measure_words(r.metric, r.wave or "")
    a, b = r.a.label, r.b.label.lower()
    if r.verdict in ("a_higher", "b_higher") and r.lead is not None:
        higher = "higher" if r.lead.points > 0 else "lower"
        unit = "scale points" if r.metric in MEAN_METRICS else "points"
        size = (
            f"{abs(r.lead.points):.1f}" if r.metric in MEAN_METRICS else f"{abs(r.lead.points):.0f}"
        )
        return f"{a}: {what} {size} {unit} {higher} than {b}"
    if r.verdict == "no_clear_difference":
        return f"{a} vs {b}: no clear difference in {what}"
    if r.verdict == "suppressed":
        return f"{a} vs {b}: {what} suppressed for privacy"
    return f"{a} vs {b}: not enough data on {what} to tell"


def _arm_row(r: Result, side: str, rule: PrivacyRule) -> dict:
    a, d = (r.a, r.data_a) if side == "a" else (r.b, r.data_b)
    s = arm_summary(d, r.metric, rule)
    shown = s["status"] in (SHOWN, PARTIAL) and d.n is not None
    if not shown:
        text = s.get("status_text") or status_text(s["status"], rule) or "no data"
        return {"label": a.label, "rate": None, "low": None, "high": None, "text": f"<i>{text}</i>"}
    star = "*" if s["status"] == PARTIAL else ""
    if r.metric in MEAN_METRICS:
        text = f"<b>{s['rate']:+.1f}</b>  n={words.count(d.n)}{star}"
    else:
        text = f"<b>{words.pct(s['rate'])}</b>  {words.count(d.k)} of {words.count(d.n)}{star}"
    return {"label": a.label, **{k: s[k] for k in ("rate", "low", "high")}, "text": text}


def arms_figure(r: Result, title: str, ctx: ChartContext, rule: PrivacyRule) -> go.Figure:
    """Two horizontal bars, the first arm on top: rate, 95% interval, k of n (or why hidden)."""
    rows = [_arm_row(r, "a", rule), _arm_row(r, "b", rule)]
    colors = arm_colors(r)
    mean = r.metric in MEAN_METRICS
    fig = go.Figure()
    y = [plotly_text(x["label"]) for x in rows]
    values = [x["rate"] if x["rate"] is not None else 0 for x in rows]
    fig.add_bar(
        orientation="h",
        y=y,
        x=values,
        width=0.6,
        marker_color=list(colors),
        error_x={
            "type": "data",
            "array": [(x["high"] - x["rate"]) if x["rate"] is not None else 0 for x in rows],
            "arrayminus": [(x["rate"] - x["low"]) if x["rate"] is not None else 0 for x in rows],
            "color": ERROR_COLOR,
            "thickness": 1.5,
            "width": 6,
        },
        hoverinfo="skip",
    )
    right = max([x["high"] for x in rows if x["high"] is not None] or [0])
    for yy, row in zip(y, rows, strict=True):
        fig.add_annotation(
            x=(row["high"] if row["high"] is not None else 0) + (0.03 if not mean else 0.05),
            y=yy,
            xanchor="left",
            text=row["text"],
            showarrow=False,
            font={"size": BASE_FONT + 2},
        )
    if mean:
        fig.update_xaxes(range=[min(0, *values) - 0.2, max(right, 0.5) * 2.2], title="Scale points")
    else:
        fig.update_xaxes(
            range=[0, X_ROOM],
            tickvals=[0, 0.25, 0.5, 0.75, 1],
            tickformat=".0%",
            showgrid=True,
            gridcolor=GRID,
        )
    fig.update_yaxes(autorange="reversed", tickfont={"size": BASE_FONT + 2})
    sub = SUBTITLES.get(r.metric, "") + " · 95% intervals"
    return finish_figure(
        fig,
        title,
        sub,
        partial_note(ctx, pd.Series([r.data_a.status, r.data_b.status])),
        height=460,
    )


def departments_figure(r: Result, title: str, ctx: ChartContext, rule: PrivacyRule) -> go.Figure:
    """Per department, the two arms one above the other with intervals, and a column of labels
    right of 100% (clear of the whiskers); hidden cells say why in words."""
    df = r.by_department
    seen = {side: statuses(d.by_department) for side, d in (("a", r.data_a), ("b", r.data_b))}
    depts = list(df["department"])
    fig = go.Figure()
    colors = arm_colors(r)
    mean = r.metric in MEAN_METRICS
    label_x = 1.04 if not mean else None
    for i, (side, label) in enumerate((("a", r.a.label), ("b", r.b.label))):
        ys = [3 * k + (i - 0.5) * 1.1 for k in range(len(depts))]
        xs, lo, hi = [], [], []
        for y, dept, nn, rr in zip(ys, depts, df[f"n_{side}"], df[f"rate_{side}"], strict=True):
            if nn is None or pd.isna(nn):
                xs.append(0)
                lo.append(0)
                hi.append(0)
                text = f"<i>{status_text(seen[side].get(dept, 'no_data'), rule) or 'no data'}</i>"
            else:
                rr = float(rr)
                low, high = (rr, rr) if mean else wilson_interval(round(rr * nn), int(nn))
                xs.append(rr)
                lo.append(rr - low)
                hi.append(high - rr)
                value = f"{rr:+.1f}" if mean else words.pct(rr)
                text = f"{value}  n={words.count(nn)}"
            fig.add_annotation(
                x=label_x if label_x is not None else max(xs[-1], 0),
                y=y,
                xanchor="left",
                text=text,
                showarrow=False,
                font={"size": 14, "color": colors[i] if i == 0 else "#3E4C59"},
            )
        fig.add_bar(
            orientation="h",
            y=ys,
            x=xs,
            width=1.0,
            name=plotly_text(label),
            marker_color=colors[i],
            error_x={
                "type": "data",
                "array": hi,
                "arrayminus": lo,
                "color": ERROR_COLOR,
                "thickness": 1.2,
                "width": 3,
            },
            hoverinfo="skip",
        )
    if not mean:
        fig.update_xaxes(
            range=[0, 1.42],
            tickvals=[0, 0.25, 0.5, 0.75, 1],
            tickformat=".0%",
            showgrid=True,
            gridcolor=GRID,
        )
    fig.update_yaxes(
        tickvals=[3 * k for k in range(len(depts))],
        ticktext=[plotly_text(d) for d in depts],
        range=[3 * len(depts) - 1.2, -1.8],
        showgrid=False,
    )
    what = measure_words(r.metric, r.wave or "").capitalize()
    sub = f"{what} inside each department · 95% Wilson intervals"
    height = max(460, 150 + 58 * len(depts) + 120)
    return finish_figure(fig, title, sub, ctx, height=height, legend_rows=1)


def departments_headline(r: Result) -> str:
    """What the departments say, as a title."""
    if r.simpson:
        return "Inside most departments the difference goes the other way (Simpson's paradox)"
    if r.exceptions:
        return f"The difference holds everywhere except {and_list(r.exceptions)}"
    counted = r.by_department[r.by_department["direction"] != 0] if len(r.by_department) else []
    if len(counted) and r.pooled is not None and r.pooled.direction():
        return "Departments with 20 or more on each side point the same way"
    return "The same comparison inside each department"


def compare_charts(r: Result, context: Context, rule: PrivacyRule) -> dict[str, Chart]:
    """The Compare page's charts: the two arms, and the same inside each department."""
    subject = f"compare-{r.a.label}-vs-{r.b.label}"
    n = [d.n for d in (r.data_a, r.data_b) if d.n is not None]
    unit = "answers" if r.metric == "application" else "enrolled"
    n_text = f"n = {words.count(sum(n))} {unit}" if n else "n hidden or none"
    title = headline(r)
    charts: dict[str, Chart] = {}
    if r.data_a.n is None and r.data_b.n is None:
        charts["arms"] = Chart(subject, title, empty=_why_empty(r, rule))
    else:
        charts["arms"] = Chart(subject, title, figure=arms_figure(r, title, context(n_text), rule))
    dtitle = departments_headline(r)
    if r.by_department.empty or r.by_department[["n_a", "n_b"]].isna().all().all():
        charts["departments"] = Chart(
            subject + "-by-department",
            dtitle,
            empty="No department has a figure shown for both arms under these filters.",
        )
    else:
        charts["departments"] = Chart(
            subject + "-by-department",
            dtitle,
            figure=departments_figure(r, dtitle, context(n_text), rule),
        )
    return charts


def _why_empty(r: Result, rule: PrivacyRule) -> str:
    return r.reason or "No figures for either arm under these filters."


def claim_figure(rows: pd.DataFrame, title: str, ctx: ChartContext) -> go.Figure:
    """Each comparison of a claim: its leading difference in points with the 95% interval, and
    the adjusted one where computed, against zero (right of zero: the claimed direction)."""
    fig = go.Figure()
    y = [_wrapped(x) for x in rows["comparison"]]
    fig.add_scatter(
        x=rows["points"],
        y=y,
        mode="markers",
        name="Leading result",
        marker={"size": 14, "color": "#332288"},
        error_x={
            "type": "data",
            "array": rows["high"] - rows["points"],
            "arrayminus": rows["points"] - rows["low"],
            "color": "#332288",
            "thickness": 2,
            "width": 8,
        },
        hoverinfo="skip",
    )
    adj = rows.dropna(subset=["adj_points"])
    if len(adj):
        fig.add_scatter(
            x=adj["adj_points"],
            y=[_wrapped(x) for x in adj["comparison"]],
            mode="markers",
            name="Adjusted for department and role",
            marker={"size": 12, "color": "#E69F00", "symbol": "diamond"},
            error_x={
                "type": "data",
                "array": adj["adj_high"] - adj["adj_points"],
                "arrayminus": adj["adj_points"] - adj["adj_low"],
                "color": "#E69F00",
                "thickness": 1.5,
                "width": 5,
            },
            hoverinfo="skip",
        )
    for yy, (_, row) in zip(y, rows.iterrows(), strict=True):
        fig.add_annotation(
            x=row["high"],
            y=yy,
            xanchor="left",
            xshift=8,
            yshift=14,
            showarrow=False,
            text=f"{row['points']:+.0f} ({row['low']:.0f} to {row['high']:.0f})",
            font={"size": 14, "color": MUTED},
        )
    lo = min(-10.0, float(rows["low"].min()), float(adj["adj_low"].min()) if len(adj) else 0)
    hi = max(10.0, float(rows["high"].max()), float(adj["adj_high"].max()) if len(adj) else 0)
    fig.add_vline(x=0, line={"color": "#3E4C59", "width": 1.5})
    fig.update_xaxes(
        range=[lo - 5, hi + 18],
        showgrid=True,
        gridcolor=GRID,
        zeroline=False,
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    sub = "Difference in points · right of zero: the claimed direction · 95% intervals"
    height = max(440, 300 + 80 * len(rows))
    return finish_figure(
        fig, title, sub, ctx, height=height, legend_rows=1, axis_room=40, footer_wrap=50
    )


def _wrapped(label: str, width: int = 30) -> str:
    """A long comparison label over several lines, so the plot keeps its width."""
    return "<br>".join(plotly_text(x) for x in textwrap.wrap(label, width) or [""])
