"""Application: did people use what they learned in their real work, and does it last?"""

from __future__ import annotations

import streamlit as st

from analysis import application as app
from analysis.domain import WAVE_LABELS
from analysis.views import PAGE_OPTIONS, page_charts
from ui import data
from ui.boot import run_inside_app
from ui.charts import chart_context, show_page_chart
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

# The segment control sits lower on the page; its value is in the session before it renders.
segment = st.session_state.get("segment") or "relevance"
figs = data.page_figures("application", filters, segment=segment)

# 1. Decay over the waves
waves = figs["by_wave"]
if waves.empty:
    st.info("No follow-up answers match these filters.")
    st.stop()
charts = page_charts(
    "application", figs, lambda n: chart_context(filters, n), rule, segment=segment
)
show_page_chart(charts, "waves", key="wave_chart")
RATE_COLUMNS = {
    "application_rate": st.column_config.NumberColumn("applied", format="percent"),
    "response_rate": st.column_config.NumberColumn("response rate", format="percent"),
}
SHOWN_COLUMNS = ["format", "n", "application_rate", "response_rate", "status"]
variants = figs["by_variant"]
if not variants.empty:
    show_page_chart(charts, "variants", key="variant_chart")
    with st.expander("Response rates per variant, 30 days after"):
        table = variants[["level", *SHOWN_COLUMNS]].rename(columns={"level": "variant"})
        show_table(table, "response-rates-by-variant", column_config=RATE_COLUMNS)
with st.expander("Response rates per wave"):
    table = waves.assign(wave=waves["wave"].map(WAVE_LABELS))
    show_table(
        table[["wave", *SHOWN_COLUMNS]], "response-rates-by-wave", column_config=RATE_COLUMNS
    )

# 2. Format comparisons, person level and group level
st.subheader("Is the difference real?")
cmp = figs["comparisons"]
if not cmp.empty:
    show_table(
        cmp[
            [
                "comparison",
                "difference_pts",
                "low_pts",
                "high_pts",
                "p_holm",
                "cohens_h",
                "verdict",
                "test",
            ]
        ],
        "format-comparisons",
        column_config={
            "difference_pts": st.column_config.NumberColumn("difference (points)", format="%+.1f"),
            "low_pts": st.column_config.NumberColumn("95% CI low", format="%+.1f"),
            "high_pts": st.column_config.NumberColumn("95% CI high", format="%+.1f"),
            "p_holm": st.column_config.NumberColumn("p (Holm)", format="%.4f"),
            "cohens_h": st.column_config.NumberColumn("Cohen's h", format="%.2f"),
        },
    )
groups = figs["group_level"]
st.caption(
    "Counting each learning group once (a trio's three answers are not three independent "
    "proofs): mean application rate across groups, with a 95% t interval."
)
show_table(groups.drop(columns=["coverage", "complementary"]), "application-per-learning-group")

# 3. Readiness
show_page_chart(charts, "readiness", key="readiness_chart")

# 4. Segments
st.subheader("Who applies more?")
segment = (
    st.segmented_control(
        "Compare by",
        list(PAGE_OPTIONS["application"]["segment"]),
        format_func=app.SEGMENTS.get,
        default="relevance",
        key="segment",
    )
    or "relevance"
)
show_page_chart(charts, "segment", key="segment_chart")

# 5. Likert items and the format × item heat map
show_page_chart(charts, "likert", key="likert_chart")
show_page_chart(charts, "item_differences", key="heatmap_chart")
