"""Data health: what data each program and cohort has, what each claim needs, what to collect."""

from __future__ import annotations

import streamlit as st

from analysis.health import MISSING, OK, WARN, Step, step_text
from analysis.health.model import day
from analysis.text import markdown_text
from analysis.words import count
from ui import data
from ui.boot import run_inside_app

run_inside_app()

ICONS = {
    "ok": ":green[:material/check_circle:]",
    "info": ":blue[:material/schedule:]",
    "warn": ":orange[:material/warning:]",
    "missing": ":red[:material/cancel:]",
}
STEPS_SHOWN = 6
NAMES_SHOWN = 3


def _said(topic: str, text: str) -> str:
    """A statement with its topic ('Attendance: …'); a wave's own words name it."""
    return text[:1].upper() + text[1:] if topic == "Survey waves" else f"{topic}: {text}"


def _step_line(step: Step) -> str:
    """A step in Markdown, with the first cohorts it concerns (their names escaped)."""
    line = markdown_text(step_text(step))
    if step.cohorts:
        names = " · ".join(markdown_text(n) for n in step.cohorts[:NAMES_SHOWN])
        more = len(step.cohorts) - NAMES_SHOWN
        line += f"  \n   :gray[{names}{f' · and {more} more' if more > 0 else ''}]"
    return line


st.title("Data health")
data.loaded_status()
rule = data.privacy_rule()
st.caption(
    "What data each program and cohort has, what each analysis and claim still needs, and "
    "what to collect next. It covers all the data: the sidebar's filters do not apply here. "
    "Enrolment and attendance are your own records; response rates are survey figures, so a "
    f"cohort's rate is shown only when at least {rule.min_group_size} people answered "
    "(the minimum group size in Settings)."
)
with st.spinner("Checking the data…"):
    health = data.health()

cohorts = [c for p in health.programs for c in p.cohorts]
ready = sum(c.ready for c in health.claims)
lacking = sum(c.status == MISSING for c in cohorts)
with st.container(horizontal=True):
    st.metric("Claims with the data they need", f"{ready} of {len(health.claims)}", border=True)
    st.metric("Cohorts with data missing", f"{lacking} of {count(len(cohorts))}", border=True)
    st.metric("Things to collect", count(len(health.steps)), border=True)

with st.container(border=True):
    st.subheader("What to collect next")
    if not health.steps:
        st.markdown(f"{ICONS[OK]} Nothing: every cohort and claim has the data it needs.")
    else:
        if any(s.claims for s in health.steps):
            st.caption("Ordered by how many claims each step helps.")
        lines = [f"{i}. {_step_line(s)}" for i, s in enumerate(health.steps, 1)]
        st.markdown("\n".join(lines[:STEPS_SHOWN]))
        if len(lines) > STEPS_SHOWN:
            with st.expander(f"{len(lines) - STEPS_SHOWN} more"):
                st.markdown("\n".join(lines[STEPS_SHOWN:]))
    for s in health.dataset:
        st.markdown(f"{ICONS[s.status]} {markdown_text(s.text)}.")
    if any("Survey kit" in s.text for s in health.steps):
        st.page_link(
            "pages/survey_kit.py", label="Open the Survey kit", icon=":material/checklist:"
        )

with st.container(border=True):
    st.subheader("The claims")
    for c in health.claims:
        if c.ready:
            st.markdown(
                f"{ICONS[OK]} **Claim {c.claim}.** {markdown_text(c.title)}: has the data it "
                "needs (the verdict is on the Claims page)."
            )
        else:
            needs = "\n".join(f"- {markdown_text(n)}" for n in c.needs)
            st.markdown(
                f"{ICONS[MISSING]} **Claim {c.claim}.** {markdown_text(c.title)}. "
                f"What it lacks:\n\n{needs}"
            )

st.subheader("Programs and cohorts")
attention = st.toggle("Only what needs attention", value=False, key="health_attention")
for program in health.programs:
    todo = sum(c.status in (MISSING, WARN) for c in program.cohorts)
    label = (
        f"{ICONS[program.status]} {markdown_text(program.name)}: {len(program.cohorts)} "
        f"cohort{'s' if len(program.cohorts) != 1 else ''}"
        + (f", {todo} with something to fix" if todo else ", nothing to fix")
    )
    if attention and not todo:
        continue
    with st.expander(label, expanded=program.status == MISSING):
        for c in program.cohorts:
            said = [s for s in c.statements if not attention or s.status in (MISSING, WARN)]
            if not said:
                continue
            st.markdown(
                f"{ICONS[c.status]} **{markdown_text(c.name)}** · {day(c.start)} to {day(c.end)}"
            )
            st.markdown(
                "\n".join(
                    f"- {ICONS[s.status]} {_said(s.topic, markdown_text(s.text))}" for s in said
                )
            )
