"""Claims: the ten claims of the seed judged on the organisation's own data."""

from __future__ import annotations

import streamlit as st

from analysis.compare.claims_page import CAUSE, RULE, claim_texts, summary
from analysis.compare.page import base_view
from ui import data
from ui.boot import run_inside_app
from ui.charts import chart_context, show_page_chart
from ui.sidebar import current_filters
from ui.tables import show_table

run_inside_app()

st.title("Do the claims hold on your data?")
filters = current_filters()
base = base_view(filters)
rule = data.privacy_rule()
status = data.loaded_status()
st.caption(
    "Each claim from the seed discussion is tested on your own data at 30 days. The sidebar's "
    "start months, departments and programs narrow every comparison; its format, variant and "
    "cohort filters do not apply here, because each claim names the formats it compares. " + CAUSE
)
with st.spinner("Judging the ten claims…"):
    claims = data.claims(base)
st.markdown(summary(claims))
with st.expander("The verdict rule", expanded=False):
    st.markdown(RULE)

for c in claim_texts(claims, rule, lambda n: chart_context(filters, n)):
    with st.container(border=True):
        st.badge(c.verdict_label, icon=c.icon, color=c.color)
        st.subheader(f"{c.number}. {c.title}")
        if c.exceptions:
            st.markdown(f"**{c.exceptions}**")
        st.markdown("\n".join(f"- {line}" for line in c.evidence))
        st.markdown(f"**What would settle it:** {c.settle}")
        with st.expander("The chart and figures behind it"):
            if c.chart is not None:
                name = f"claim_{c.number}"
                show_page_chart(
                    {name: c.chart}, name, key=f"claim_chart_{c.number}", view=("claims", {})
                )
            show_table(c.figures, f"claim-{c.number}-figures", key=f"claim_table_{c.number}")
