"""Engagement: who shows up and keeps showing up, the funnel to application, cohorts by week."""

from __future__ import annotations

import streamlit as st

from analysis import texts
from analysis.domain import ENGAGED_SHARE, WAVE_LABELS
from analysis.views import PAGE_OPTIONS
from ui import data, drill
from ui.boot import run_inside_app
from ui.cards import show_cards
from ui.charts import show_page_chart
from ui.sidebar import current_filters

run_inside_app()

VIEWS = {"format": "By format", "variant": "By variant"}
OPTIONS = PAGE_OPTIONS["engagement"]

st.title("Do people show up, and keep showing up?")
filters = current_filters()
rule = data.privacy_rule()
status = data.loaded_status()
# The view's options sit lower on the page; their values are in the session before they render.
st.session_state.setdefault("eng_by", "format")
st.session_state.setdefault("eng_wave", "d30")
by, wave = st.session_state["eng_by"], st.session_state["eng_wave"]
figs = data.page_figures("engagement", filters, by=by, funnel_wave=wave)
words = texts.engagement(figs)
if words["empty"]:
    st.info(words["empty"])
    st.stop()


show_cards(words["cards"])

by = st.radio("Compare", OPTIONS["by"], format_func=VIEWS.get, horizontal=True, key="eng_by")
charts = data.page_charts("engagement", filters, by=by, funnel_wave=wave)
pin_view = ("engagement", {"by": by, "funnel_wave": wave})  # what a pin stores besides the filters
show_page_chart(charts, "momentum", key="eng_momentum", view=pin_view)
show_page_chart(charts, "rates", key="eng_rates", view=pin_view)
wave = st.selectbox(
    "Follow-up survey for the funnel",
    OPTIONS["funnel_wave"],
    format_func=WAVE_LABELS.get,
    key="eng_wave",
)
show_page_chart(charts, "funnel", key="eng_funnel", view=pin_view)
show_page_chart(charts, "heatmap", key="eng_heatmap", view=pin_view)
drill.cohort_picker(data.filter_options(data.store().token, status.version), key="eng_cohort")

share = f"{ENGAGED_SHARE:.0%}"
st.caption(
    f"**Engaged** = people who attended at least {share} of their group's scheduled sessions "
    f"(for self-paced learning without sessions: active in at least {share} of the planned "
    "weeks), out of everyone enrolled. **Attended at least once** = attended a session or was "
    "active at least once ÷ enrolled. **Active share by week** = people who attended or were "
    "active in that week since their cohort's start ÷ people enrolled in cohorts planned to run "
    "that long, so later weeks count only the longer cohorts (n on hover). **Funnel**: each step "
    "counts the enrolled people who reached it and every step before it (attended at least "
    "once → completed → answered the application question in the chosen follow-up survey → "
    "agreed or strongly agreed they applied it at work, self-reported); the step rate is that "
    "step ÷ the step before. Answers that could not be matched to an enrolled person, and "
    "answers from people who did not complete, stay out of the funnel but count on the "
    f"Overview. Survey steps from fewer than {rule.min_group_size} people are suppressed. "
    "**Heat map**: people present in each week ÷ the cohort's enrolled people; weeks not yet "
    "run are blank; its title counts cohorts with at least half their people present in their "
    "last planned week (one-week events such as conferences left out). Intervals are 95% "
    "Wilson intervals with people as the unit; people in one trio or book club are not "
    "independent, so read small-group intervals as optimistic. "
    "Differences describe who took part; people chose or were placed in formats, so they are "
    "not proof of cause."
)
