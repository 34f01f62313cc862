"""Overview: engagement, completion and 30-day application per learning format."""

from __future__ import annotations

import streamlit as st

from analysis import texts
from ui import data
from ui.boot import run_inside_app
from ui.cards import show_cards
from ui.charts import show_page_chart
from ui.sidebar import current_filters

run_inside_app()

st.title("How do the learning formats compare?")
filters = current_filters()
rule = data.privacy_rule()
status = data.loaded_status()
figs = data.page_figures("overview", filters)
words = texts.overview(figs, rule, filters.formats)
if words["empty"]:
    st.info(words["empty"])
    st.stop()

charts = data.page_charts("overview", filters)
pin_view = ("overview", {})  # what a pin stores besides the filters
show_page_chart(charts, "overview", key="overview_chart", view=pin_view)

show_cards(words["cards"])
st.caption(words["caption"])
