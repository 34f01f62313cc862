"""Every way a person can change a view, and every page's figures and charts, in one place.

A view is the sidebar's filters (`Filters`: start months, formats, departments, programs) plus
a page's own options (below). Pages read their options from PAGE_OPTIONS and get all their
figures from `page_figures`; the privacy property tests enumerate the same dimensions and call
the same function, so a dimension added here is tested by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import pandas as pd
import plotly.graph_objects as go

from analysis import application, chart_margins, engagement, metrics
from analysis import charts_application as ca
from analysis import charts_engagement as ce
from analysis.charts import BASE_FONT, TITLE_FONT, ChartContext, overview_figure
from analysis.domain import VARIANT_LABELS, WAVE_LABELS
from analysis.privacy import NO_DATA, PrivacyRule
from analysis.privacy.step import visible
from analysis.queries import Filters
from analysis.store import Store

SIDEBAR_FILTERS: tuple[str, ...] = tuple(f.name for f in fields(Filters))
PAGE_OPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "overview": {},
    "engagement": {"by": engagement.BY, "funnel_wave": application.FOLLOW_UP_WAVES},
    "application": {"segment": tuple(application.SEGMENTS)},
}
DEFAULT_OPTIONS: dict[str, dict[str, str]] = {
    "overview": {},
    "engagement": {"by": "format", "funnel_wave": "d30"},
    "application": {"segment": "relevance"},
}

Figures = dict[str, pd.DataFrame]


def _overview(db: Store, f: Filters, rule: PrivacyRule) -> Figures:
    unmatched = metrics.unmatched_answers(db, "d30", rule)  # the whole dataset's, every view
    return {
        "overview": metrics.overview(db, f, rule),
        "unmatched": pd.DataFrame({"n": [unmatched]}),
    }


def _engagement(db: Store, f: Filters, rule: PrivacyRule, by: str, funnel_wave: str) -> Figures:
    return {
        "by_format": engagement.engagement_rates(db, f, "format"),
        "rates": engagement.engagement_rates(db, f, by),
        "momentum": engagement.momentum(db, f, by),
        "funnel": engagement.funnel(db, f, rule, funnel_wave, by),
        "heatmap": engagement.attendance_heatmap(db, f, by),
    }


def _application(db: Store, f: Filters, rule: PrivacyRule, segment: str) -> Figures:
    by_wave = application.application_by_wave(db, f, rule)
    return {
        "by_wave": by_wave,
        "by_variant": application.application_by_variant_at(db, f, rule),
        "comparisons": application.format_comparisons(db, f, rule, by_wave=by_wave),
        "group_level": application.group_level(db, f, rule),
        "readiness": application.readiness(db, f, rule),
        "segment": application.application_by_segment(db, f, rule, segment),
        "likert": application.likert_items(db, f, rule),
        "item_differences": application.item_format_differences(db, f, rule),
    }


PAGES: dict[str, Callable[..., Figures]] = {
    "overview": _overview,
    "engagement": _engagement,
    "application": _application,
}


def page_figures(
    page: str, db: Store, filters: Filters, rule: PrivacyRule, **options: str
) -> Figures:
    """All the figures one page shows for a view (its filters and its options)."""
    allowed = PAGE_OPTIONS[page]
    for name, value in options.items():
        if value not in allowed.get(name, ()):
            raise ValueError(f"{page}: {name}={value!r} is not one of {allowed.get(name)}")
    return PAGES[page](db, filters, rule, **{**DEFAULT_OPTIONS[page], **options})


Context = Callable[[str], ChartContext]  # the footer context for a chart, given its n in words


@dataclass(frozen=True)
class Chart:
    """One chart of a page: its figure, or, when there is nothing to draw, why (a designed
    empty state instead of empty axes)."""

    subject: str  # for the download's file name
    title: str
    figure: go.Figure | None = None
    empty: str = ""


Charts = dict[str, Chart]


def _nothing(df: pd.DataFrame, rule: PrivacyRule, what: str) -> str:
    """Why a survey chart has nothing to show: no answers, or answers suppressed."""
    if df.empty or not (df["status"] != NO_DATA).any():
        return f"No {what} under these filters."
    return (
        f"{what[0].upper() + what[1:]} suppressed under these filters: survey figures count only "
        f"whole groups of at least {rule.min_group_size} answers."
    )


def _survey_chart(
    df: pd.DataFrame, rule: PrivacyRule, what: str, subject: str, title: str, draw: Callable
) -> Chart:
    """A survey chart, or its empty state when no figure on it is visible."""
    if df.empty or not visible(df).any():
        return Chart(subject, title, empty=_nothing(df, rule, what))
    return Chart(subject, title, figure=draw())


def _answers(n: object) -> str:
    return f"n = {int(n):,} answers"


def drill_subject(
    filters: Filters | None, cohort_names: dict[str, str] | None = None
) -> str | None:
    """What a one-format title names when the view is drilled to one variant or cohort."""
    if filters is None:
        return None
    if len(filters.cohorts) == 1:
        return (cohort_names or {}).get(filters.cohorts[0], filters.cohorts[0])
    if len(filters.variants) == 1:
        return VARIANT_LABELS.get(filters.variants[0], filters.variants[0])
    return None


def _overview_charts(
    figs: Figures, context: Context, rule: PrivacyRule, subject: str | None = None
) -> Charts:
    df = figs["overview"]
    headline = metrics.application_headline(df, "30 days", subject)
    answered = int(df["respondents"].fillna(0).sum())
    survey = (
        f"{answered:,} answered the 30-day survey"
        if answered
        else "30-day answers: " + ("suppressed" if (df["status"] == "suppressed").any() else "none")
    )
    n_text = f"n = {int(df['enrolled'].sum()):,} enrolled; {survey}"
    fig = overview_figure(df, headline.title, context(n_text))
    return {"overview": Chart("overview-formats", headline.title, figure=fig)}


def _engagement_charts(
    figs: Figures,
    context: Context,
    rule: PrivacyRule,
    by: str,
    funnel_wave: str,
    subject: str | None = None,
) -> Charts:
    n_text = f"n = {int(figs['by_format']['enrolled'].sum()):,} enrolled"
    mom, rates, fun, heat = figs["momentum"], figs["rates"], figs["funnel"], figs["heatmap"]
    charts: Charts = {}
    title = engagement.momentum_headline(mom, by).title if len(mom) else "Active share by week"
    charts["momentum"] = (
        Chart(
            f"engagement-momentum-by-{by}",
            title,
            figure=ce.momentum_figure(mom, by, title, context(n_text)),
        )
        if len(mom)
        else Chart(
            f"engagement-momentum-by-{by}", title, empty="No one enrolled under these filters."
        )
    )
    title = engagement.engagement_headline(rates, by).title
    charts["rates"] = Chart(
        f"engagement-rate-by-{by}",
        title,
        figure=ce.engagement_figure(rates, by, title, context(n_text)),
    )
    title = engagement.funnel_headline(fun).title if len(fun) else "Funnel"
    charts["funnel"] = (
        Chart(
            f"engagement-funnel-{funnel_wave}",
            title,
            figure=ce.funnel_figure(fun, title, context(n_text), rule, WAVE_LABELS[funnel_wave]),
        )
        if len(fun)
        else Chart(
            f"engagement-funnel-{funnel_wave}", title, empty="No one enrolled under these filters."
        )
    )
    title = engagement.heatmap_headline(heat).title if len(heat) else "Attendance week by week"
    charts["heatmap"] = (
        Chart(
            "engagement-cohort-weeks",
            title,
            figure=ce.heatmap_figure(
                heat, title, context(f"{n_text} in {heat['cohort_id'].nunique():,} cohorts")
            ),
        )
        if len(heat)
        else Chart(
            "engagement-cohort-weeks",
            title,
            empty="No attendance or activity is recorded for these cohorts yet.",
        )
    )
    return charts


def _application_charts(
    figs: Figures, context: Context, rule: PrivacyRule, segment: str, subject: str | None = None
) -> Charts:
    waves, variants, ready = figs["by_wave"], figs["by_variant"], figs["readiness"]
    seg, likert, diff = figs["segment"], figs["likert"], figs["item_differences"]
    wave_title = application.wave_headline(waves, subject) if len(waves) else "Application by wave"
    variant_title = "Application 30 days after, by variant"
    ready_title = application.readiness_headline(ready)
    seg_title = (
        application.segment_headline(seg, segment) if len(seg) else application.SEGMENTS[segment]
    )
    likert_title = application.likert_headline(likert)
    diff_title = "Where the formats differ, item by item"
    after = "answers right after the learning"
    return {
        "waves": _survey_chart(
            waves, rule, "follow-up answers", "application-by-wave", wave_title,
            lambda: ca.wave_figure(waves, wave_title, context(
                f"{_answers(waves['n'].fillna(0).sum())} across waves")),
        ),
        "variants": _survey_chart(
            variants, rule, "30-day answers", "application-by-variant", variant_title,
            lambda: ca.segment_figure(variants, "Variant", variant_title, context(
                _answers(variants["n"].fillna(0).sum())), nested=True),
        ),
        "readiness": _survey_chart(
            ready, rule, "readiness answers", "readiness", ready_title,
            lambda: ca.readiness_figure(ready, ready_title, context(
                _answers(ready.drop_duplicates("format")["n"].fillna(0).sum()))),
        ),
        "segment": _survey_chart(
            seg, rule, "30-day answers by " + application.SEGMENTS[segment].lower(),
            f"application-by-{segment}", seg_title,
            lambda: ca.segment_figure(seg, application.SEGMENTS[segment], seg_title, context(
                _answers(seg["n"].fillna(0).sum()))),
        ),
        "likert": _survey_chart(
            likert, rule, after, "agreement-by-item", likert_title,
            lambda: ca.likert_figure(likert, likert_title, context(after)),
        ),
        "item_differences": _survey_chart(
            diff, rule, after, "format-item-differences", diff_title,
            lambda: ca.heatmap_figure(diff, diff_title, context(after)),
        ),
    }  # fmt: skip


CHARTS: dict[str, Callable[..., Charts]] = {
    "overview": _overview_charts,
    "engagement": _engagement_charts,
    "application": _application_charts,
}


def page_charts(
    page: str,
    figs: Figures,
    context: Context,
    rule: PrivacyRule,
    subject: str | None = None,
    **options: str,
) -> Charts:
    """Every chart a page shows for its figures, titled and with its footer context.

    `subject` names the view in one-format titles when it is drilled to a variant or cohort.
    """
    charts = CHARTS[page](
        figs, context, rule, subject=subject, **{**DEFAULT_OPTIONS[page], **options}
    )
    for chart in charts.values():
        if chart.figure is not None:  # measured here once, not by every browser on every run
            chart_margins.fit(chart.figure, BASE_FONT, TITLE_FONT)
    return charts
