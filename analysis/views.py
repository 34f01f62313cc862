"""Every way a person can change a view, and every page's figures for a view, in one place.

A view is the sidebar's filters (`Filters`: start months, formats, departments, programs) plus
a page's own options (below). Pages read their options from PAGE_OPTIONS and get all their
figures from `page_figures`; the privacy property tests enumerate the same dimensions and call
the same function, so a dimension added here is tested by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

import pandas as pd

from analysis import application, engagement, metrics
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
    return {"overview": metrics.overview(db, f, rule)}


def _engagement(db: Store, f: Filters, rule: PrivacyRule, by: str, funnel_wave: str) -> Figures:
    return {
        "by_format": engagement.engagement_rates(db, f, "format"),
        "rates": engagement.engagement_rates(db, f, by),
        "momentum": engagement.momentum(db, f, by),
        "funnel": engagement.funnel(db, f, rule, funnel_wave),
        "heatmap": engagement.attendance_heatmap(db, f),
    }


def _application(db: Store, f: Filters, rule: PrivacyRule, segment: str) -> Figures:
    return {
        "by_wave": application.application_by_wave(db, f, rule),
        "by_variant": application.application_by_variant_at(db, f, rule),
        "comparisons": application.format_comparisons(db, f, rule),
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
