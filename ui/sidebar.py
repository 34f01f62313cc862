"""The shared sidebar: which data is loaded, and the global filters every page honours."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analysis.domain import FORMATS, format_label
from analysis.queries import Filters
from ui import data

FILTERS_KEY = "filters"


def _drop_stale(key: str, valid: list) -> None:
    """Forget a widget value that no longer exists in the data (e.g. after an undo)."""
    value = st.session_state.get(key)
    if value is None:
        return
    values = value if isinstance(value, list | tuple) else [value]
    if any(v not in valid for v in values):
        del st.session_state[key]


def render_status(status: data.DataStatus) -> None:
    """The data panel: demo badge, last import, row counts, data as of."""
    with st.sidebar.container(border=True):
        if status.is_demo:
            st.badge("Demo data", icon=":material/science:", color="orange")
        c = status.counts
        st.markdown(
            f"**Data loaded**  \n"
            f"{c['people']:,} people on the HR list  \n"
            f"{c['cohorts']:,} cohorts · {c['groups']:,} groups  \n"
            f"{c['enrolments']:,} enrolments · {c['attendance']:,} attendance rows  \n"
            f"{c['survey_responses']:,} survey responses"
        )
        st.caption(
            f"Last import: {status.last_import}  \n"
            f"Data as of {status.data_as_of} · dataset v{status.version}"
        )


def render_filters(status: data.DataStatus) -> Filters:
    """The global filters; the result is also kept in session state for the pages."""
    opts = data.filter_options(data.store().path.as_posix(), status.version)
    sb = st.sidebar
    sb.subheader("Filters")
    start_from = start_to = None
    if opts.months:
        _drop_stale("f_months", opts.months)
        if len(opts.months) > 1:
            start_from, start_to = sb.select_slider(
                "Cohort start months",
                options=opts.months,
                value=(opts.months[0], opts.months[-1]),
                format_func=lambda d: f"{d:%b %Y}",
                key="f_months",
                help="Cohorts are selected by the month they started (whole months only).",
            )
        else:
            start_from = start_to = opts.months[0]
    _drop_stale("f_formats", list(FORMATS))
    formats = sb.multiselect(
        "Formats", FORMATS, format_func=format_label, key="f_formats", placeholder="All formats"
    )
    _drop_stale("f_depts", opts.departments)
    depts = sb.multiselect(
        "Department", opts.departments, key="f_depts", placeholder="All departments"
    )
    _drop_stale("f_programs", list(opts.programs))
    programs = sb.multiselect(
        "Program",
        list(opts.programs),
        format_func=lambda p: opts.programs.get(p, p),
        key="f_programs",
        placeholder="All programs",
    )
    filters = Filters(
        start_from=_as_date(start_from),
        start_to=_as_date(start_to),
        departments=tuple(depts),
        programs=tuple(programs),
        formats=tuple(f for f in FORMATS if f in formats),
    )
    st.session_state[FILTERS_KEY] = filters
    return filters


def _as_date(value: object) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value))


def current_filters() -> Filters:
    """The filters chosen in the sidebar on this run."""
    return st.session_state.get(FILTERS_KEY, Filters())
