"""Every way a person can change a view, and every page's figures and charts, in one place.

A view is the sidebar's filters (`Filters`: start months, formats, departments, programs) plus
a page's own options (below). Pages read their options from PAGE_OPTIONS and get all their
figures from `page_figures`; the privacy property tests enumerate the same dimensions and call
the same function, so a dimension added here is tested by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

import pandas as pd
import plotly.graph_objects as go

from analysis import application, engagement, metrics
from analysis import charts_application as ca
from analysis import charts_engagement as ce
from analysis.charts import ChartContext, overview_figure
from analysis.domain import WAVE_LABELS
from analysis.privacy import PrivacyRule
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
        "funnel": engagement.funnel(db, f, rule, funnel_wave),
        "heatmap": engagement.attendance_heatmap(db, f),
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
Charts = dict[str, tuple[str, go.Figure]]  # chart name: (subject for its file name, figure)


def _overview_charts(figs: Figures, context: Context, rule: PrivacyRule) -> Charts:
    df = figs["overview"]
    headline = metrics.application_headline(df, "30 days")
    n_text = (
        f"n = {int(df['enrolled'].sum()):,} enrolled; "
        f"{int(df['respondents'].fillna(0).sum()):,} answered the 30-day survey"
    )
    return {"overview": ("overview-formats", overview_figure(df, headline.title, context(n_text)))}


def _engagement_charts(
    figs: Figures, context: Context, rule: PrivacyRule, by: str, funnel_wave: str
) -> Charts:
    n_text = f"n = {int(figs['by_format']['enrolled'].sum()):,} enrolled"
    mom, rates, fun, heat = figs["momentum"], figs["rates"], figs["funnel"], figs["heatmap"]
    charts = {
        "momentum": (
            f"engagement-momentum-by-{by}",
            ce.momentum_figure(
                mom, by, engagement.momentum_headline(mom, by).title, context(n_text)
            ),
        ),
        "rates": (
            f"engagement-rate-by-{by}",
            ce.engagement_figure(
                rates, by, engagement.engagement_headline(rates, by).title, context(n_text)
            ),
        ),
        "funnel": (
            f"engagement-funnel-{funnel_wave}",
            ce.funnel_figure(
                fun,
                engagement.funnel_headline(fun).title,
                context(n_text),
                rule,
                WAVE_LABELS[funnel_wave],
            ),
        ),
    }
    if not heat.empty:
        cohorts = f"{n_text} in {heat['cohort_id'].nunique():,} cohorts"
        title = engagement.heatmap_headline(heat).title
        charts["heatmap"] = (
            "engagement-cohort-weeks",
            ce.heatmap_figure(heat, title, context(cohorts)),
        )
    return charts


def _application_charts(figs: Figures, context: Context, rule: PrivacyRule, segment: str) -> Charts:
    charts: Charts = {}
    waves = figs["by_wave"]
    if waves.empty:
        return charts
    n = f"n = {int(waves['n'].fillna(0).sum()):,} answers across waves"
    charts["waves"] = (
        "application-by-wave",
        ca.wave_figure(waves, application.wave_headline(waves), context(n)),
    )
    variants = figs["by_variant"]
    if not variants.empty:
        n = f"n = {int(variants['n'].fillna(0).sum()):,} answers"
        title = "Application 30 days after, by variant"
        charts["variants"] = (
            "application-by-variant",
            ca.segment_figure(variants, "Variant", title, context(n), nested=True),
        )
    ready = figs["readiness"]
    if not ready.empty:
        n = f"n = {int(ready.drop_duplicates('format')['n'].fillna(0).sum()):,} answers"
        title = application.readiness_headline(ready)
        charts["readiness"] = ("readiness", ca.readiness_figure(ready, title, context(n)))
    seg = figs["segment"]
    if not seg.empty:
        n = f"n = {int(seg['n'].fillna(0).sum()):,} answers"
        title = application.segment_headline(seg, segment)
        charts["segment"] = (
            f"application-by-{segment}",
            ca.segment_figure(seg, application.SEGMENTS[segment], title, context(n)),
        )
    likert = figs["likert"]
    if not likert.empty:
        title = application.likert_headline(likert)
        ctx = context("answers right after the learning")
        charts["likert"] = ("agreement-by-item", ca.likert_figure(likert, title, ctx))
    diff = figs["item_differences"]
    if not diff.empty:
        title = "Where the formats differ, item by item"
        ctx = context("answers right after the learning")
        charts["item_differences"] = (
            "format-item-differences",
            ca.heatmap_figure(diff, title, ctx),
        )
    return charts


CHARTS: dict[str, Callable[..., Charts]] = {
    "overview": _overview_charts,
    "engagement": _engagement_charts,
    "application": _application_charts,
}


def page_charts(
    page: str, figs: Figures, context: Context, rule: PrivacyRule, **options: str
) -> Charts:
    """Every chart a page shows for its figures, titled and with its footer context."""
    return CHARTS[page](figs, context, rule, **{**DEFAULT_OPTIONS[page], **options})
