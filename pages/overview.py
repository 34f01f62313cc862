"""Overview: engagement, completion and 30-day application per learning format."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.domain import FORMATS, format_label
from analysis.metrics import unmatched_answers
from analysis.privacy import NO_DATA, VISIBLE, status_text
from analysis.views import page_charts
from ui import data
from ui.boot import run_inside_app
from ui.charts import chart_context, show_page_chart
from ui.sidebar import current_filters

run_inside_app()

WAVE_LABEL = "30 days after"

st.title("How do the learning formats compare?")
filters = current_filters()
rule = data.privacy_rule()
status = data.data_status()
figs = data.page_figures("overview", filters)
df = figs["overview"]

if status.counts["cohorts"] == 0:
    st.info("No data is loaded yet. Load the demo data in **Settings** to explore the dashboard.")
    st.stop()
if int(df["enrolled"].sum()) == 0:
    st.info("No cohorts match these filters. Widen the months or clear a filter in the sidebar.")
    st.stop()


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{x * 100:.0f}%"


def _ci(row: pd.Series, prefix: str) -> str:
    return f"95% CI {_pct(row[prefix + '_low'])}–{_pct(row[prefix + '_high'])}"


def kpi_card(row: pd.Series) -> None:
    """One format's three headline rates, each with its interval and denominator."""
    with st.container(border=True):
        st.subheader(format_label(row["format"]))
        enrolled = int(row["enrolled"])
        st.metric("Engaged", _pct(row["engagement_rate"]), border=False)
        st.caption(f"{int(row['engaged']):,} of {enrolled:,} enrolled · {_ci(row, 'engagement')}")
        st.metric("Completed", _pct(row["completion_rate"]), border=False)
        st.caption(f"{int(row['completed']):,} of {enrolled:,} enrolled · {_ci(row, 'completion')}")
        if row["status"] in VISIBLE:
            st.metric("Applied at work (30 days, self-reported)", _pct(row["application_rate"]))
            flag = " ⚠ below 60%" if row["low_response"] else ""
            part = f" · {status_text(row['status'], rule)}" if row["status"] != "shown" else ""
            st.caption(
                f"{int(row['applied']):,} of {int(row['respondents']):,} who answered · "
                f"{_ci(row, 'application')} · response rate {_pct(row['response_rate'])}{flag}"
                + part
            )
        else:
            st.metric("Applied at work (30 days, self-reported)", "–")
            st.caption(
                status_text(row["status"], rule, bool(row["complementary"]))
                if row["status"] != NO_DATA
                else "no 30-day survey answers"
            )


charts = page_charts("overview", figs, lambda n: chart_context(filters, n), rule)
show_page_chart(charts, "overview", key="overview_chart")

cols = st.columns(len(df))
for col, (_, row) in zip(cols, df.iterrows(), strict=True):
    with col:
        kpi_card(row)

unmatched = unmatched_answers(data.store(), "d30", rule)
shown = [format_label(f) for f in (filters.formats or FORMATS)]
st.caption(
    f"Formats shown: {', '.join(shown)}. "
    "**Engaged** = people who attended at least 75% of their group's scheduled sessions "
    "(for self-paced learning without sessions: active in at least 75% of the planned weeks), "
    "out of everyone enrolled. **Completed** = completed ÷ enrolled. "
    "**Applied at work** = people who agreed or strongly agreed that they used what they learned "
    "in their real work, out of everyone who answered the 30-day survey (self-reported); "
    "response rate = answers ÷ people enrolled in the cohorts surveyed at 30 days, flagged ⚠ "
    f"under 60%. Survey figures from fewer than {rule.min_group_size} respondents are "
    f"suppressed, and a survey figure counts only whole groups of at least {rule.min_group_size} "
    "answers, so narrow filters can leave some answers out (marked \\*). "
    f"{unmatched:,} of all 30-day answers could not be matched to a person: they count here "
    "but not in per-person analyses. Bars show 95% Wilson intervals. Differences between "
    "formats describe who took part; people chose or were placed in formats, so they are not "
    "proof of cause."
)
