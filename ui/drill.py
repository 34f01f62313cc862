"""Explore by click: a clicked bar or point applies its format, variant or cohort as a filter,
and a trail ('All › Small groups › Book club') steps back out.

The filters are the sidebar's widgets (their session state), so a drill shows in the sidebar,
the URL (ui/view_state.py), every chart's footer, and every page.
"""

from __future__ import annotations

import streamlit as st

from analysis.charts import DRILL
from analysis.domain import VARIANT_FORMAT, VARIANT_LABELS, format_label
from analysis.metrics import FilterOptions
from analysis.queries import Filters
from analysis.text import markdown_text

LEVELS = ("f_formats", "f_variants", "f_cohorts")  # the drill-down, outermost first


def parse(points: list[dict]) -> tuple[str, str] | None:
    """The drill (kind, value) of the first clicked point that carries one."""
    for point in points:
        data = point.get("customdata")
        last = data[-1] if isinstance(data, list) and data else data
        if isinstance(last, str) and last.startswith(DRILL):
            kind, _, value = last[len(DRILL) :].partition("=")
            if kind in ("format", "variant", "cohort") and value:
                return kind, value
    return None


def apply(state: dict, kind: str, value: str, cohort_variants: dict[str, str]) -> None:
    """Set the filters for a drill to one format, variant or cohort (outer levels follow)."""
    variant = cohort_variants.get(value) if kind == "cohort" else value
    fmt = value if kind == "format" else VARIANT_FORMAT.get(variant or "")
    state["f_formats"] = [fmt] if fmt else []
    state["f_variants"] = [variant] if kind in ("variant", "cohort") and variant else []
    state["f_cohorts"] = [value] if kind == "cohort" else []


OPTIONS_KEY = "filter_options"  # the sidebar keeps the filters' choices here for callbacks
GENERATION_KEY = "drill_generation"  # bumped on every drill, so charts start unselected


def on_select(key: str) -> None:
    """The chart's selection callback: apply the clicked point's drill, if any."""
    event = st.session_state.get(key) or {}
    selection = event.get("selection") or {}
    drill = parse(list(selection.get("points") or []))
    if drill:
        opts: FilterOptions | None = st.session_state.get(OPTIONS_KEY)
        apply(st.session_state, *drill, opts.cohort_variants if opts else {})
        st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1


def chart_key(key: str) -> str:
    """A chart's widget key for the current drill (a new drill starts with no selection)."""
    return f"{key}_{st.session_state.get(GENERATION_KEY, 0)}"


def clickable(fig: object) -> bool:
    """Whether any point of the figure carries a drill."""
    for trace in getattr(fig, "data", ()):
        data = getattr(trace, "customdata", None)
        if data is None or not len(data):
            continue
        last = data[0][-1] if hasattr(data[0], "__len__") else data[0]
        if isinstance(last, str) and last.startswith(DRILL):
            return True
    return False


def trail_steps(filters: Filters, opts: FilterOptions) -> list[tuple[str, int]]:
    """The trail's steps: (label, how many drill levels to keep when it is clicked)."""
    steps = [("All", 0)]
    if filters.formats:
        steps.append((", ".join(format_label(f) for f in filters.formats), 1))
    if filters.variants:
        steps.append((", ".join(VARIANT_LABELS.get(v, v) for v in filters.variants), 2))
    if filters.cohorts:
        steps.append((", ".join(opts.cohorts.get(c, c) for c in filters.cohorts), 3))
    return steps


def _keep(levels: int) -> None:
    for key in LEVELS[levels:]:
        st.session_state[key] = []
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1


def show_trail(filters: Filters, opts: FilterOptions) -> None:
    """'All › Small groups › Book club': each step but the last steps back out to it."""
    steps = trail_steps(filters, opts)
    if len(steps) == 1:
        return
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        for i, (label, keep) in enumerate(steps):
            if i:
                st.markdown("›")
            last = i == len(steps) - 1
            st.button(
                markdown_text(label),
                key=f"trail_{i}",
                type="tertiary",
                disabled=last,
                on_click=_keep,
                args=(keep,),
                help=None if last else "Step back out to this level",
            )


def _pick_cohort(key: str) -> None:
    cohort = st.session_state.get(key)
    opts: FilterOptions | None = st.session_state.get(OPTIONS_KEY)
    if cohort and opts:
        apply(st.session_state, "cohort", cohort, opts.cohort_variants)
        st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    st.session_state[key] = None


def cohort_picker(opts: FilterOptions, key: str) -> None:
    """Beside a chart that cannot be clicked (the cohort heat map): drill into one cohort."""
    st.selectbox(
        "Drill into one cohort",
        list(opts.cohorts),
        index=None,
        format_func=lambda c: opts.cohorts.get(c, c),
        placeholder="Choose a cohort to see it alone",
        key=key,
        on_change=_pick_cohort,
        args=(key,),
    )
