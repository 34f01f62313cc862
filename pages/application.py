"""Application: did people use what they learned in their real work, and does it last?"""

from __future__ import annotations

import streamlit as st

from analysis import application as app
from analysis import texts
from analysis.views import PAGE_OPTIONS
from ui import data
from ui.boot import run_inside_app
from ui.charts import show_page_chart
from ui.sidebar import current_filters
from ui.tables import show_table

run_inside_app()

st.title("Did people apply what they learned?")
filters = current_filters()
rule = data.privacy_rule()
if data.data_status().counts["survey_responses"] == 0:
    st.info("No survey answers are loaded yet. Import a follow-up survey on the Import page.")
    st.stop()
st.caption(
    "All figures here are self-reported in follow-up surveys. Each rate counts respondents who "
    "agreed or strongly agreed that they used what they learned in their real work, out of "
    "everyone who answered that wave; the response rate is answers ÷ people enrolled in the "
    f"cohorts surveyed. Figures from fewer than {rule.min_group_size} respondents are "
    f"suppressed, and every figure counts only whole groups of at least {rule.min_group_size} "
    "answers, so narrow filters can leave some answers out (marked \\*). Differences describe "
    "who took part, not what caused it."
)

# The segment control sits lower on the page; its value is in the session before it renders
# (from the URL on a first visit, see ui/view_state.py).
st.session_state.setdefault("segment", "relevance")
segment = st.session_state["segment"] or "relevance"
figs = data.page_figures("application", filters, segment=segment)

# 1. Decay over the waves
words = texts.application(figs, rule)
if words["empty"]:
    st.info(words["empty"])
    st.stop()
charts = data.page_charts("application", filters, segment=segment)
pin_view = ("application", {"segment": segment})  # what a pin stores besides the filters
show_page_chart(charts, "waves", key="wave_chart", view=pin_view)
with st.expander("Response rates per wave"):
    show_table(words["rates_by_wave"], "response-rates-by-wave")
show_page_chart(charts, "variants", key="variant_chart", view=pin_view)
if words["rates_by_variant"] is not None:
    with st.expander("Response rates per variant, 30 days after"):
        show_table(words["rates_by_variant"], "response-rates-by-variant")

# 2. Format comparisons, person level and group level
st.subheader("Is the difference real?")
if words["comparisons"] is not None:
    st.markdown("\n".join(f"- {line}" for line in words["comparisons"]))
    with st.expander("The statistics behind these words"):
        show_table(words["comparison_details"], "format-comparisons-statistics")
        st.caption(
            "Difference = the first format's 30-day application rate minus the second's, in "
            "percentage points, with its 95% Newcombe interval. p is adjusted for the "
            "comparisons on this page (Holm); below 0.01 reads 'very unlikely to be chance', "
            "below 0.05 'unlikely to be chance'. Fisher's exact test is used for small counts."
        )
else:
    st.caption("Fewer than two formats have 30-day answers shown under these filters.")
st.caption(
    "Counting each learning group once (a trio's three answers are not three independent "
    "proofs): the mean of the groups' own application rates, with a 95% t interval."
)
show_table(words["group_level"], "application-per-learning-group")

# 3. Readiness
show_page_chart(charts, "readiness", key="readiness_chart", view=pin_view)

# 4. Segments
st.subheader("Who applies more?")
segment = (
    st.segmented_control(
        "Compare by",
        list(PAGE_OPTIONS["application"]["segment"]),
        format_func=app.SEGMENTS.get,
        key="segment",
    )
    or "relevance"
)
show_page_chart(charts, "segment", key="segment_chart", view=pin_view)

# 5. Likert items and the format × item heat map
show_page_chart(charts, "likert", key="likert_chart", view=pin_view)
show_page_chart(charts, "item_differences", key="heatmap_chart", view=pin_view)
