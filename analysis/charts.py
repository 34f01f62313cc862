"""Plotly figures from small frames: one pinned theme, one colour per format, a context footer."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from analysis import clock
from analysis.domain import FORMAT_LABELS, FORMATS, VARIANT_LABELS
from analysis.privacy import PARTIAL, SHOWN, VISIBLE, PrivacyRule, status_text
from analysis.queries import Filters
from analysis.text import plotly_text

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
FORMAT_COLORS: dict[str, str] = {
    "everyone_at_once": "#0072B2",  # blue
    "self_directed": "#E69F00",  # orange
    "small_group": "#009E73",  # bluish green
}
MUTED = "#6B7280"
TEXT = "#1F2933"
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
BASE_FONT = 16  # chart text ≥ 14 px at 1280×720
TITLE_FONT = 24  # titles ≥ 20 px
FOOTER_FONT = 14
WIDTH, HEIGHT = 1280, 720
DEMO_FOOTER = "DEMO DATA: a generated example, not your organisation"
FOOTER_WRAP = 72
TITLE_WRAP = 56

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT_FAMILY, "size": BASE_FONT, "color": TEXT},
        title={"font": {"size": TITLE_FONT, "color": TEXT}, "x": 0.01, "xanchor": "left"},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        colorway=[FORMAT_COLORS[f] for f in FORMATS],
        xaxis={"showgrid": False, "linecolor": "#9AA5B1", "ticks": "", "automargin": True},
        yaxis={"gridcolor": "#E4E7EB", "zeroline": False, "automargin": True},
        hoverlabel={"font": {"size": BASE_FONT}},
        showlegend=False,
    )
)


@dataclass(frozen=True)
class ChartContext:
    """What a screenshot must carry so it keeps its meaning: n, period, filters, rule, version."""

    n_text: str
    period: str
    filters_text: str
    rule: PrivacyRule
    data_as_of: str
    dataset_version: int
    is_demo: bool
    note: str = ""  # e.g. why some figures are marked *
    # The width in px the figure is drawn for: narrower figures wrap title and footer sooner.
    width: int = WIDTH
    # Only n (and the note) in the figure's footer: the screen shows the rest once beside it
    # (the presentation summary, where two charts share one period, filter and rule).
    slim: bool = False

    @classmethod
    def for_view(
        cls,
        filters: Filters,
        opts: object,
        n_text: str,
        rule: PrivacyRule,
        *,
        data_as_of: str,
        dataset_version: int,
        is_demo: bool,
    ) -> ChartContext:
        """The footer context under these filters: the period runs from the filters' start
        months, else from the first to the last month with data (`opts` is the view's
        metrics.FilterOptions)."""
        months = opts.months
        start = filters.start_from or (months[0] if months else None)
        end = filters.start_to or (months[-1] if months else None)
        return cls(
            n_text=n_text,
            period=period_text(start, end),
            filters_text=filters.describe(opts.programs, opts.cohorts),
            rule=rule,
            data_as_of=data_as_of,
            dataset_version=dataset_version,
            is_demo=is_demo,
        )

    def view_parts(self) -> list[str]:
        """The context every figure under this view shares: period, filters, rule, version."""
        return [
            f"Cohorts starting {self.period}",
            self.filters_text,
            self.rule.footer,
            f"Data as of {self.data_as_of} (dataset v{self.dataset_version})",
            "FormatFit",
        ]

    def rows(self) -> list[tuple[str, str]]:
        """The context as (what, value) rows, for table downloads (no n: a table shows its own)."""
        rows = [
            ("Cohorts starting", self.period),
            ("Filters", self.filters_text),
            ("Privacy rule", self.rule.footer),
            ("Data as of", self.data_as_of),
            ("Dataset version", f"v{self.dataset_version}"),
            ("Made with", "FormatFit"),
        ]
        return [*rows, ("Demo data", DEMO_FOOTER)] if self.is_demo else rows

    def footer_lines(self, width: int = FOOTER_WRAP) -> list[str]:
        """Short footer lines (wrapped to fit a slide), the demo warning last."""
        parts = [self.n_text, *([self.note] if self.note else [])]
        if not self.slim:
            parts += self.view_parts()
        lines = textwrap.wrap(" · ".join(parts), width=width, break_long_words=False)
        if self.is_demo and not self.slim:
            lines.append(DEMO_FOOTER)
        return lines


def period_text(start: date | None, end: date | None) -> str:
    """'Jan 2025 – Jun 2026' for a whole-month range."""
    if not start or not end:
        return "any month"
    return f"{start:%b %Y} – {end:%b %Y}" if start != end else f"{start:%b %Y}"


def annotate(fig: go.Figure, notes: list[dict]) -> None:
    """Add annotations in one step, in order. fig.add_annotation checks every annotation the
    figure already has on each call, so a chart with a label per bar spent most of its
    drawing time there."""
    if notes:
        fig.layout.annotations = (*fig.layout.annotations, *notes)


def finish_figure(
    fig: go.Figure,
    title: str,
    subtitle: str,
    ctx: ChartContext,
    height: int = HEIGHT - 80,
    *,
    legend_rows: int = 0,
    axis_room: int = 30,
    top_room: int = 0,
    footer_wrap: int = FOOTER_WRAP,
) -> go.Figure:
    """Apply the pinned template, the finding title, the subtitle and the context footer.

    Title, subtitle and footer are plain text (a headline may quote a survey item, the footer
    names the filtered departments and programs): they are wrapped, then escaped for plotly.
    legend_rows > 0 puts a horizontal legend between the subtitle and the plot; axis_room is
    the height of the x-axis labels the footer must clear; top_room makes space for labels on
    a top x axis; footer_wrap narrows the footer where long y labels push the plot right.
    """
    # about 13 px a title character at 24 px, 8 px a footer character at 14 px
    title_wrap = min(TITLE_WRAP, max(28, (ctx.width - 50) // 13))
    title_lines = textwrap.wrap(title, width=title_wrap, break_on_hyphens=False) or [""]
    lines = ctx.footer_lines(min(footer_wrap, max(40, ctx.width // 8)))
    # a slim figure's screen says what the marks mean once, for all its figures (a blank
    # subtitle keeps plotly's title block, and so the title's place, as with a subtitle)
    sub_lines = [" "] if ctx.slim else textwrap.wrap(subtitle, width=max(40, (ctx.width - 50) // 9))
    legend_px = 26 * legend_rows + top_room + 26 * max(len(sub_lines) - 1, 0)
    if ctx.slim:  # a narrow figure's title takes more lines: keep them clear of the plot
        legend_px += 24 * max(len(title_lines) - 1, 0)
    top = 40 + 30 * len(title_lines) + legend_px
    bottom = axis_room + 16 + 20 * len(lines)
    if legend_rows:
        fig.update_layout(
            showlegend=True,
            legend={
                "orientation": "h",
                "yanchor": "bottom",
                "y": 1.0,
                "x": 0,
                "xanchor": "left",
                "font": {"size": FOOTER_FONT},
            },
        )
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        title={
            "text": "<br>".join(plotly_text(line) for line in title_lines),
            "subtitle": {
                "text": "<br>".join(plotly_text(line) for line in sub_lines),
                "font": {"size": BASE_FONT, "color": MUTED},
            },
            "y": 1,
            "yanchor": "bottom",
            "yref": "paper",
            "automargin": True,
            "pad": {"b": 28 + legend_px},
        },
        margin={"l": 20, "r": 30, "t": top, "b": bottom},
    )
    notes = []
    for i, line in enumerate(lines):
        is_demo_line = line == DEMO_FOOTER
        notes.append(
            dict(
                text=f"<b>{line}</b>" if is_demo_line else plotly_text(line),
                xref="paper",
                yref="paper",
                x=0,
                xanchor="left",
                y=0,
                yanchor="top",
                yshift=-axis_room - 20 * i,
                showarrow=False,
                align="left",
                font={"size": FOOTER_FONT, "color": "#B42318" if is_demo_line else MUTED},
            )
        )
    annotate(fig, notes)
    return fig


def slug(text: str) -> str:
    """A file-name-safe version of a chart subject."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "chart"


def export_name(subject: str, day: date | None = None, view: str = "") -> str:
    """A meaningful download name: formatfit-<subject>[-<view>]-<date> (never newplot.png)."""
    words = f"-{slug(view)}" if view and slug(view) != "chart" else ""
    return f"formatfit-{slug(subject)}{words}-{(day or clock.today()).isoformat()}"


def view_words(
    filters: Filters,
    program_names: dict[str, str] | None = None,
    cohort_names: dict[str, str] | None = None,
    months: list[date] | None = None,
) -> str:
    """The active filters in a few words for a file name: 'finance', 'small groups book club',
    '2025-04 2025-09' for a narrowed month range (empty when nothing is filtered)."""
    parts = [FORMAT_LABELS.get(f, f) for f in filters.formats]
    parts += [VARIANT_LABELS.get(v, v) for v in filters.variants]
    parts += [(cohort_names or {}).get(c, c) for c in filters.cohorts]
    parts += list(filters.departments)
    parts += [(program_names or {}).get(p, p) for p in filters.programs]
    whole = months and (filters.start_from, filters.start_to) in ((months[0], months[-1]),)
    if filters.start_from and filters.start_to and not whole:
        parts.append(f"{filters.start_from:%Y-%m} {filters.start_to:%Y-%m}")
    return " ".join(parts)


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


DRILL = "drill:"  # customdata's last element on a clickable point: 'drill:format=small_group'


def drill_keys(kind: str, values: object) -> list[str]:
    """What clicking each point applies as a filter: format, variant or cohort."""
    return [f"{DRILL}{kind}={v}" for v in values]


def with_drill(custom: object, keys: list[str]) -> list[list]:
    """Customdata rows with each point's drill key appended (hovers keep their fields)."""
    if custom is None:
        rows: list[list] = [[] for _ in keys]
    elif isinstance(custom, pd.DataFrame):
        rows = custom.to_numpy(dtype=object).tolist()
    else:
        rows = [list(r) if isinstance(r, list | tuple) else [r] for r in custom]
    return [[*r, k] for r, k in zip(rows, keys, strict=True)]


def row_keys(df: pd.DataFrame) -> list[str]:
    """Per row: its variant's drill key where it has one, else its format's."""
    has_variant = "variant" in df.columns
    return [
        f"{DRILL}variant={v}" if has_variant and isinstance(v, str) else f"{DRILL}format={f}"
        for f, v in zip(df["format"], df["variant"] if has_variant else df["format"], strict=True)
    ]


def partial_mark(status: object) -> str:
    """The mark beside a figure that leaves out some selected answers (see partial_note)."""
    return PARTIAL_MARK if status == PARTIAL else ""


def partial_note(ctx: ChartContext, statuses: pd.Series) -> ChartContext:
    """The context with a footer note when any figure on the chart leaves out some answers."""
    if not (statuses == PARTIAL).any():
        return ctx
    return replace(ctx, note=f"{PARTIAL_MARK} {ctx.rule.partial_label}")


PARTIAL_MARK = "*"


OVERVIEW_METRICS: tuple[tuple[str, str, str, str], ...] = (
    # (rate column prefix, n column, group heading, n label)
    ("engagement", "enrolled", "Engaged: attended ≥75% of sessions", "enrolled"),
    ("completion", "enrolled", "Completed", "enrolled"),
    ("application", "respondents", "Applied at work, 30 days after (self-reported)", "answered"),
)
X_MAX = 1.45  # room right of the bars for the value labels


def overview_figure(df: pd.DataFrame, title: str, ctx: ChartContext) -> go.Figure:
    """Horizontal bars, one block per metric and one bar per format: rate, 95% CI and n."""
    fig = go.Figure()
    k = len(df)
    tickvals, ticktext, notes = [], [], []
    for i, (prefix, n_col, heading, n_label) in enumerate(OVERVIEW_METRICS):
        y = [-(i * (k + 1.4) + 1 + j) for j in range(k)]
        rate = df[f"{prefix}_rate"]
        fig.add_bar(
            orientation="h",
            y=y,
            x=rate.fillna(0),
            width=0.78,
            marker_color=[FORMAT_COLORS.get(f, MUTED) for f in df["format"]],
            error_x={
                "type": "data",
                "array": (df[f"{prefix}_high"] - rate).fillna(0),
                "arrayminus": (rate - df[f"{prefix}_low"]).fillna(0),
                "color": "#3E4C59",
                "thickness": 1.5,
                "width": 5,
            },
            customdata=with_drill(
                df[["format_label", f"{prefix}_low", f"{prefix}_high"]].fillna(0),
                drill_keys("format", df["format"]),
            ),
            hovertemplate="%{customdata[0]}: %{x:.0%} (95% CI %{customdata[1]:.0%}–"
            "%{customdata[2]:.0%})<extra></extra>",
        )
        notes.append(
            dict(
                x=0,
                y=y[0] + 0.75,
                xanchor="left",
                yanchor="bottom",
                text=f"<b>{heading}</b>",
                showarrow=False,
                font={"size": BASE_FONT + 1},
            )
        )
        for yy, (_, row) in zip(y, df.iterrows(), strict=True):
            high = row[f"{prefix}_high"]
            notes.append(
                dict(
                    x=(high if pd.notna(high) else 0) + 0.015,
                    y=yy,
                    xanchor="left",
                    text=_bar_label(row, prefix, n_col, n_label, ctx.rule),
                    showarrow=False,
                    font={"size": BASE_FONT},
                )
            )
            tickvals.append(yy)
            ticktext.append(row["format_label"])
    annotate(fig, notes)
    fig.update_xaxes(
        range=[0, X_MAX],
        tickvals=[0, 0.25, 0.5, 0.75, 1],
        tickformat=".0%",
        showgrid=True,
        gridcolor="#E4E7EB",
    )
    fig.update_yaxes(
        tickvals=tickvals, ticktext=ticktext, showgrid=False, range=[min(tickvals) - 0.7, 0.4]
    )
    subtitle = "Share of people per format · bars show 95% Wilson intervals · n beside each bar"
    ctx = partial_note(ctx, df["status"])
    return finish_figure(fig, title, subtitle, ctx)


def _bar_label(row: pd.Series, prefix: str, n_col: str, n_label: str, rule: PrivacyRule) -> str:
    """'<b>62%</b>  n=412 enrolled', or the suppression / no-data words in place of the figure."""
    status = row.get("status", SHOWN) if n_col == "respondents" else SHOWN
    if status not in VISIBLE:
        return f"<i>{status_text(status, rule, bool(row.get('complementary', False)))}</i>"
    n = int(row[n_col])
    if n == 0:
        return "<i>no data</i>"
    text = f"<b>{_pct(row[f'{prefix}_rate'])}</b>  n={n:,} {n_label}{partial_mark(status)}"
    if prefix == "application" and pd.notna(row.get("response_rate")):
        flag = " ⚠" if row.get("low_response") else ""
        text += f" · {_pct(row['response_rate'])} responded{flag}"
    return text
