"""Format guide: say the goal and the audience; get a format and variant from your own evidence."""

from __future__ import annotations

import streamlit as st

from analysis.compare import guide
from analysis.compare.claims_page import claim_texts
from analysis.compare.page import base_view
from analysis.domain import GOALS
from analysis.report.compare_items import guide_plan
from ui import data
from ui.boot import run_inside_app
from ui.charts import chart_context, show_page_chart
from ui.sidebar import current_filters
from ui.tables import show_table

run_inside_app()

st.title("Which format for your next program?")
filters = current_filters()
base = base_view(filters)
status = data.loaded_status()
st.caption(
    "Say what the learning is for and who it is for. The guide recommends a format and variant "
    "from your organisation's own evidence (the claims, with their verdicts and n), says how "
    "sure it is, and names what to run next where your data cannot decide. The sidebar's start "
    "months, departments and programs narrow the evidence; its format, variant and cohort "
    "filters do not apply here."
)
for key, value in guide.DEFAULTS.items():
    st.session_state.setdefault(f"guide_{key}", value)
goal = (
    st.segmented_control("The goal", list(GOALS), format_func=GOALS.get, key="guide_goal")
    or guide.DEFAULTS["goal"]
)
size_col, ready_col, who_col = st.columns(3)
with size_col:
    size = st.radio("How many people", list(guide.SIZES), format_func=guide.SIZES.get,
                    key="guide_size")  # fmt: skip
with ready_col:
    ready = st.radio("Readiness", list(guide.READINESS), format_func=guide.READINESS.get,
                     key="guide_ready")  # fmt: skip
with who_col:
    who = st.radio("Who", list(guide.WHO), format_func=guide.WHO.get, key="guide_who")

with st.spinner("Weighing your evidence…"):
    judged = data.claims(base)
    advice = guide.recommend(goal, size, ready, who, judged, data.costs(base))
choice = {"goal": goal, "size": size, "ready": ready, "who": who}
lead = guide_plan(choice).claims[0]

with st.container(border=True):
    st.caption("Recommended")
    st.subheader(advice.headline)
    st.markdown(advice.why + (f" {advice.then}" if advice.then else ""))
    st.markdown(f"**How sure: {advice.sureness}.** {advice.sureness_words}")
    if advice.next_step:
        st.info(f"**What to run next:** {advice.next_step}", icon=":material/science:")
    if advice.readiness_note:
        st.markdown(advice.readiness_note)
    if advice.cost:
        st.markdown(f"**Cost per person who applied.** {advice.cost}")
    lead_text = claim_texts(
        [c for c in judged if c.claim == lead],
        data.privacy_rule(),
        lambda n: chart_context(base, n),
    )
    if lead_text and lead_text[0].chart is not None:
        with st.expander(
            f"The chart behind it: claim {lead}, {lead_text[0].verdict_label.lower()}"
        ):
            show_page_chart(
                {"recommendation": lead_text[0].chart},
                "recommendation",
                key="guide_chart",
                view=("guide", choice),
                filters=base,
            )

st.subheader("Your evidence")
show_table(advice.evidence, "format-guide-evidence")
st.caption("Verdicts as on the Claims page, where each claim's figures and chart are.")

st.subheader("External reference numbers (external, different populations)")
st.markdown("\n".join(f"- {line}" for line in advice.external))
st.caption(
    "These come from other organisations and studies. They set expectations; they do not "
    "replace your own figures above."
)

if len(advice.costs):
    st.subheader("Cost per person who applied, by variant")
    show_table(advice.costs, "format-guide-costs")
    st.caption(
        "Cost per place from the programs' cost per person, over everyone enrolled; divided by "
        "the share who reported applying it 30 days after (self-reported). It assumes people "
        "who did not answer applied as often as those who did. Survey figures under the "
        "minimum group size are suppressed, and so is the cost per person who applied."
    )
