"""Compare: two arms (a format or variant, a program, cohorts, a segment) on one metric."""

from __future__ import annotations

import streamlit as st

from analysis.compare import presets
from analysis.compare.charts import compare_charts
from analysis.compare.page import RULE_OF_LEAD, base_view, compare_texts
from ui import compare as picker
from ui import data
from ui.boot import run_inside_app
from ui.charts import chart_context, show_page_chart
from ui.sidebar import current_filters
from ui.tables import show_table

run_inside_app()

st.title("Compare two ways of learning")
filters = current_filters()
base = base_view(filters)
rule = data.privacy_rule()
status = data.loaded_status()
opts = data.filter_options(data.store().token, status.version)
st.caption(
    "Pick two arms, or one of the seed's pairs below. The sidebar's start months, departments "
    "and programs narrow both arms; its format, variant and cohort filters do not apply here, "
    "because the arms choose those themselves. People chose or were placed in these formats: "
    "a difference here describes who took part, not what the format caused."
)

st.markdown("**One-click presets**")
picker.preset_buttons()
left, right = st.columns(2)
with left, st.container(border=True):
    a = picker.arm_picker("a", "First arm", opts)
with right, st.container(border=True):
    b = picker.arm_picker("b", "Second arm (the one it is set against)", opts)

st.session_state.setdefault("cmp_metric", "application")
st.session_state.setdefault("cmp_after", "d30")
st.session_state.setdefault("cmp_shown", "pair")
with st.container(horizontal=True, vertical_alignment="bottom"):
    metric = (
        st.segmented_control(
            "Metric", list(presets.METRICS), format_func=presets.METRICS.get, key="cmp_metric"
        )
        or "application"
    )
    wave = st.selectbox(
        "Survey wave (application)",
        presets.WAVES,
        format_func=presets.WAVE_CHOICES.get,
        key="cmp_after",
        disabled=metric != "application",
    )
    shown = st.radio(
        "Comparisons on this page",
        list(presets.SHOWN),
        format_func=presets.SHOWN.get,
        key="cmp_shown",
        horizontal=True,
    )
if a is None or b is None:
    st.info("Choose at least one cohort for each arm made of cohorts.")
    st.stop()

found = data.comparisons(a, b, metric, wave, base, shown == "all")
if found.error:
    st.warning(found.error)
    st.stop()
result = found.results[0]
words = compare_texts(found.results, rule)

st.subheader(words.headline)
st.markdown("\n".join(f"- {line}" for line in words.arms))
if words.leads:
    st.caption(words.leads)
charts = compare_charts(result, lambda n: chart_context(filters, n), rule)
pinned = ("compare", {"a": a, "b": b, "metric": metric, "wave": wave, "shown": shown})
show_page_chart(charts, "arms", key="cmp_arms_chart", view=pinned, filters=base)
if words.holm:
    st.caption(words.holm)
with st.expander("The statistics: test, Holm, Cohen's h"):
    show_table(words.statistics, "compare-statistics")
    st.caption(
        "Differences are in percentage points (first arm minus second) with 95% intervals: "
        "Newcombe for people, cluster-robust for learning groups. The test is a two-proportion "
        "z-test, or Fisher's exact test when counts are small. Cohen's h: about 0.2 is small, "
        "0.5 medium, 0.8 large. " + RULE_OF_LEAD
    )

if words.cluster:
    st.subheader("Counting learning groups apart")
    st.markdown(words.cluster)

st.subheader("Inside each department")
if words.simpson:
    st.warning(words.simpson, icon=":material/warning:")
if words.exceptions:
    st.info(words.exceptions)
show_page_chart(charts, "departments", key="cmp_dept_chart", view=pinned, filters=base)
show_table(words.departments, "compare-by-department")
st.caption(
    "A department's direction counts only with at least 20 on each side; 'clearly' means its "
    f"interval excludes zero. Survey figures from fewer than {rule.min_group_size} people are "
    "suppressed and say so."
)

if words.adjusted:
    st.subheader("Adjusted for department and role")
    st.markdown(words.adjusted)

if words.others:
    st.subheader("The five presets, shown together")
    st.markdown("\n".join(f"- {line}" for line in words.others))
st.caption(words.caveat)
