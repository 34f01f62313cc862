"""The shared sidebar: which data is loaded, and the global filters every page honours."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date

import streamlit as st

from analysis.compare import guide, presets
from analysis.domain import FORMATS, VARIANT_LABELS, format_label
from analysis.queries import Filters
from analysis.text import markdown_text
from analysis.views import PAGE_OPTIONS
from ui import compare as compare_ui
from ui import data, drill, view_state

FILTERS_KEY = "filters"
# Each page option's allowed values, by its URL parameter (views.PAGE_OPTIONS, renamed).
PAGE_OPTIONS_BY_PARAM = {
    "by": PAGE_OPTIONS["engagement"]["by"],
    "wave": PAGE_OPTIONS["engagement"]["funnel_wave"],
    "segment": PAGE_OPTIONS["application"]["segment"],
    "a": compare_ui.valid_arm,
    "b": compare_ui.valid_arm,
    "metric": tuple(presets.METRICS),
    "after": presets.WAVES,
    "shown": tuple(presets.SHOWN),
    **guide.OPTIONS,
}
MONTHS_KEY = "f_months"  # the chosen (first, last) start month
MONTHS_WIDGET_KEY = "f_months_widget"  # + a generation, bumped when the data moves the range
MONTHS_SEEN_KEY = "f_months_seen"  # the months the current range was chosen among
MONTHS_NEW_KEY = "f_months_new"  # months added since, left outside a narrowed range


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
            f"Last import: {markdown_text(status.last_import)}  \n"
            f"Data as of {status.data_as_of} · dataset v{status.version}"
        )
        behind = data.lake_behind()
        if behind:  # the figures come from the lake, which misses the file's latest writes
            st.warning(markdown_text(behind), icon=":material/sync_problem:")


def render_filters(status: data.DataStatus, page: str = "overview") -> Filters:
    """The global filters, from the URL on a session's first run and back into it on every run;
    the result is also kept in session state for the pages."""
    opts = data.filter_options(data.store().token, status.version)
    state = st.session_state
    state[drill.OPTIONS_KEY] = opts
    view_state.load(
        state, view_state.read(), opts, PAGE_OPTIONS_BY_PARAM, MONTHS_KEY, MONTHS_SEEN_KEY
    )
    sb = st.sidebar
    sb.subheader("Filters")
    start_from, start_to = _month_range(opts.months)
    chosen = {}
    for label, key, values, names, empty in (
        ("Formats", "f_formats", list(FORMATS), format_label, "All formats"),
        ("Variant", "f_variants", opts.variants, _variant_label, "All variants"),
        ("Cohort", "f_cohorts", list(opts.cohorts), opts.cohorts.get, "All cohorts"),
        ("Department", "f_depts", opts.departments, str, "All departments"),
        ("Program", "f_programs", list(opts.programs), opts.programs.get, "All programs"),
    ):
        _drop_stale(key, values)
        chosen[key] = sb.multiselect(label, values, format_func=names, key=key, placeholder=empty)
    filters = Filters(
        start_from=_as_date(start_from),
        start_to=_as_date(start_to),
        departments=tuple(chosen["f_depts"]),
        programs=tuple(chosen["f_programs"]),
        formats=tuple(f for f in FORMATS if f in chosen["f_formats"]),
        variants=tuple(v for v in opts.variants if v in chosen["f_variants"]),
        cohorts=tuple(c for c in opts.cohorts if c in chosen["f_cohorts"]),
    )
    full = not opts.months or (start_from, start_to) == (opts.months[0], opts.months[-1])
    months = (start_from, start_to) if start_from and start_to else None
    view_state.write(view_state.current(state, page, months, full))
    state[FILTERS_KEY] = filters
    return filters


def _variant_label(v: str) -> str:
    return VARIANT_LABELS.get(v, v)


def _month_range(months: list[date]) -> tuple[date | None, date | None]:
    """The start-month slider, its range kept true to the data as imports and undos change it."""
    if not months:
        return None, None
    if len(months) == 1:
        return months[0], months[0]
    state = st.session_state
    before = state.get(MONTHS_KEY)
    note = reconcile_months(state, months)
    if state[MONTHS_KEY] != before and before is not None:
        # A new widget key, so the slider takes the carried-over range as its value.
        state[MONTHS_WIDGET_KEY] = state.get(MONTHS_WIDGET_KEY, 0) + 1
    start, end = st.sidebar.select_slider(
        "Cohort start months",
        options=months,
        value=state[MONTHS_KEY],
        format_func=lambda d: f"{d:%b %Y}",
        key=f"{MONTHS_WIDGET_KEY}_{state.get(MONTHS_WIDGET_KEY, 0)}",
        on_change=lambda: state.pop(MONTHS_NEW_KEY, None),
        help="Cohorts are selected by the month they started (whole months only).",
    )
    state[MONTHS_KEY] = (start, end)
    if note:
        st.sidebar.caption(note)
    return start, end


def reconcile_months(state: MutableMapping, months: list[date]) -> str:
    """Carry the chosen start-month range over to a new set of months; the note to show, if any.

    A range that covered every month before a write covers every month after it. A narrowed
    range is kept (clamped to the months that exist), and months added since it was chosen
    that fall outside it are named in a note until the person moves the slider.
    """
    current = tuple(months)
    seen, value = state.get(MONTHS_SEEN_KEY), state.get(MONTHS_KEY)
    if seen != current:
        state[MONTHS_SEEN_KEY] = current
        full = (months[0], months[-1])
        if value is None or seen is None or tuple(value) == (seen[0], seen[-1]):
            state[MONTHS_KEY] = full
            state.pop(MONTHS_NEW_KEY, None)
        else:
            lo, hi = max(value[0], months[0]), min(value[1], months[-1])
            state[MONTHS_KEY] = (lo, hi) if lo <= hi else full
            added = set(state.get(MONTHS_NEW_KEY, ())) | (set(current) - set(seen))
            lo, hi = state[MONTHS_KEY]
            outside = sorted(m for m in added if m in current and not lo <= m <= hi)
            if outside:
                state[MONTHS_NEW_KEY] = tuple(outside)
            else:
                state.pop(MONTHS_NEW_KEY, None)
    outside = state.get(MONTHS_NEW_KEY)
    if not outside:
        return ""
    span = f"{outside[0]:%b %Y}" + (f" – {outside[-1]:%b %Y}" if len(outside) > 1 else "")
    return (
        f"New months in the data: {span}, outside the months chosen. "
        "Widen the range to include them."
    )


def _as_date(value: object) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value))


def current_filters() -> Filters:
    """The filters chosen in the sidebar on this run."""
    return st.session_state.get(FILTERS_KEY, Filters())
