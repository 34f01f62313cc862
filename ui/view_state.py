"""The view in the URL: filters, drill-down and the page's own options (st.query_params).

On a session's first run the URL's view is put into the widgets' state; on every run the
widgets' state is written back to the URL, so the address bar always holds the view and
opening it in a new browser gives the same view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from datetime import date

import streamlit as st

from analysis.domain import FORMATS
from analysis.metrics import FilterOptions
from analysis.present import screen_index

LOADED_KEY = "view_from_url_loaded"
# Presentation mode: ?view=present turns it on, ?slide=N (1-based) is the screen shown.
PRESENT_KEY = "present"
SLIDE_KEY = "present_slide"
PRESENT_VIEW = "present"
# URL parameter -> the widget key it fills, for the sidebar's list filters.
LIST_PARAMS: dict[str, str] = {
    "format": "f_formats",
    "variant": "f_variants",
    "cohort": "f_cohorts",
    "department": "f_depts",
    "program": "f_programs",
}
# Each page's own options: URL parameter -> widget key.
PAGE_PARAMS: dict[str, dict[str, str]] = {
    "overview": {},
    "engagement": {"by": "eng_by", "wave": "eng_wave"},
    "application": {"segment": "segment"},
    "compare": {
        "a": "cmp_a",
        "b": "cmp_b",
        "metric": "cmp_metric",
        "after": "cmp_after",
        "shown": "cmp_shown",
    },
    "claims": {},
    "guide": {
        "goal": "guide_goal",
        "size": "guide_size",
        "ready": "guide_ready",
        "who": "guide_who",
    },
}


def _month(text: str) -> date | None:
    try:
        year, month = (int(x) for x in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def parse_months(value: str, months: list[date]) -> tuple[date, date] | None:
    """'2025-04..2025-09' → (Apr 2025, Sep 2025), when both are months in the data."""
    first, _, last = value.partition("..")
    lo, hi = _month(first), _month(last or first)
    if lo in months and hi in months and lo <= hi:
        return lo, hi
    return None


def months_param(lo: date, hi: date) -> str:
    """(Apr 2025, Sep 2025) → '2025-04..2025-09'."""
    return f"{lo:%Y-%m}..{hi:%Y-%m}"


def valid_values(opts: FilterOptions) -> dict[str, list[str]]:
    """What each list filter may hold (values from the URL outside these are dropped)."""
    return {
        "format": list(FORMATS),
        "variant": opts.variants,
        "cohort": list(opts.cohorts),
        "department": opts.departments,
        "program": list(opts.programs),
    }


def load(
    state: MutableMapping,
    params: Mapping[str, list[str]],
    opts: FilterOptions,
    page_options: Mapping[str, tuple[str, ...] | Callable[[str], bool]],
    months_key: str,
    months_seen_key: str,
) -> None:
    """Put the URL's view into the session's widget state, once per session.

    A page option's allowed values are a tuple, or a check for values that depend on the data
    (a comparison arm names programs and cohorts)."""
    if state.get(LOADED_KEY):
        return
    state[LOADED_KEY] = True
    valid = valid_values(opts)
    for param, key in LIST_PARAMS.items():
        values = [v for v in params.get(param, []) if v in valid[param]]
        if values:
            state[key] = values
    if params.get("months") and len(opts.months) > 1:
        chosen = parse_months(params["months"][0], opts.months)
        if chosen:
            state[months_key] = chosen
            state[months_seen_key] = tuple(opts.months)
    for param, key in _all_page_params().items():
        value = (params.get(param) or [None])[0]
        allowed = page_options.get(param, ())
        if value is not None and (allowed(value) if callable(allowed) else value in allowed):
            state[key] = value
    if (params.get("view") or [None])[0] == PRESENT_VIEW:
        state[PRESENT_KEY] = True
        state[SLIDE_KEY] = screen_index((params.get("slide") or [None])[0])


def _all_page_params() -> dict[str, str]:
    return {p: k for opts in PAGE_PARAMS.values() for p, k in opts.items()}


def current(state: Mapping, page: str, months: tuple[date, date] | None, full: bool) -> dict:
    """The view as URL parameters: list filters, a narrowed month range, the page's options."""
    params: dict[str, list[str] | str] = {}
    if months and not full:
        params["months"] = months_param(*months)
    for param, key in LIST_PARAMS.items():
        if state.get(key):
            params[param] = list(state[key])
    for param, key in PAGE_PARAMS.get(page, {}).items():
        if state.get(key):
            params[param] = str(state[key])
    if state.get(PRESENT_KEY):
        params["view"] = PRESENT_VIEW
        params["slide"] = str(int(state.get(SLIDE_KEY, 0)) + 1)
    return params


def write(params: dict) -> None:
    """Replace the URL's parameters with the view's, when they differ."""
    now = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if now != wanted:
        st.query_params.from_dict(params)


def read() -> dict[str, list[str]]:
    """The URL's parameters, each as a list."""
    return {k: st.query_params.get_all(k) for k in st.query_params}
