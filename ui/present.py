"""Presentation mode: the key findings as a 16:9 summary, then one chart per screen.

One switch (the sidebar's toggle, or `?view=present` in the address) hides the sidebar and every
control. ← and → (or the buttons at the bottom right) step through the screens, Esc leaves. The
keys are Streamlit's own button shortcuts, so a key press is a click on the same button.
Every screen fills the browser window without scrolling: the charts take the window's height
less a fixed room for the rest (analysis/present.py).
"""

from __future__ import annotations

import html
from dataclasses import replace

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analysis import texts
from analysis.charts import DEMO_FOOTER
from analysis.compare.claims_page import summary as claims_summary
from analysis.compare.page import base_view
from analysis.present import (
    SCREENS,
    SUMMARY_MARKS,
    SUMMARY_SPLIT,
    Layout,
    fit_summary,
    layout,
    verdicts,
)
from analysis.queries import Filters
from analysis.views import Chart, page_charts
from ui import data
from ui.charts import chart_context, drill_subject, show_chart
from ui.view_state import PRESENT_KEY, SLIDE_KEY

NAV_KEY = "present_nav"
MUTED = "#4B5563"
# Hide the sidebar, the header and its toolbar; tighten the page. The charts take the window's
# height (sent by a tiny component) less a fixed room for the rest; CSS zoom or a transform
# would make plotly measure a scaled container and draw its figures at the wrong size.
STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 12px 24px 0 24px !important; max-width: none; }
.st-key-present_nav { position: fixed; right: 20px; bottom: 8px; width: auto !important;
  z-index: 999990; background: rgba(255, 255, 255, 0.92); border-radius: 8px; }
[data-testid="stLayoutWrapper"]:has(.st-key-present_nav) { margin-top: -1rem; }
.st-key-present_viewport, [data-testid="stElementContainer"]:has(.st-key-present_viewport) {
  position: absolute; width: 0; height: 0; overflow: hidden; }
.ff-footer { font-size: 14px; line-height: 20px; color: #4B5563; max-width: calc(100% - 420px); }
.ff-footer .ff-demo { color: #B42318; font-weight: 700; }
.ff-verdicts h3 { font-size: 20px; margin: 0 0 4px 0; padding: 0; color: #1F2933; }
.ff-grid { display: grid; grid-template-columns: repeat(5, 1fr); gap: 4px 14px; }
.ff-cell { font-size: 14px; line-height: 18px; color: #1F2933; }
.ff-badge { font-weight: 700; }
.ff-claims { font-size: 17px; line-height: 23px; color: #1F2933; }
.ff-claims li { margin: 0 0 7px 0; list-style: none; }
.ff-claims .ff-badge { display: inline-block; min-width: 150px; }
</style>
"""


def active() -> bool:
    """Whether presentation mode is on for this session."""
    return bool(st.session_state.get(PRESENT_KEY))


def switch(where: DeltaGenerator) -> None:
    """The sidebar's switch into presentation mode (it starts on the summary)."""
    where.toggle(
        "Presentation mode",
        key=PRESENT_KEY,
        on_change=lambda: st.session_state.__setitem__(SLIDE_KEY, 0),
        help="The key findings full screen, one chart per screen: ← and → step through, "
        "Esc leaves. The address `?view=present` opens it directly.",
    )


def _step(delta: int) -> None:
    state = st.session_state
    state[SLIDE_KEY] = min(max(int(state.get(SLIDE_KEY, 0)) + delta, 0), len(SCREENS) - 1)


def _leave() -> None:
    st.session_state[PRESENT_KEY] = False


def _nav(index: int) -> None:
    """Previous, where we are, Next and Leave, pinned to the bottom right; keys click them."""
    with st.container(key=NAV_KEY, horizontal=True, vertical_alignment="center", gap="small"):
        st.button(
            "Previous",
            key="present_prev",
            icon=":material/chevron_left:",
            type="tertiary",
            shortcut="Left",
            disabled=index == 0,
            on_click=_step,
            args=(-1,),
        )
        st.markdown(
            f"<span style='color:{MUTED};font-size:14px'>{index + 1} / {len(SCREENS)} · "
            f"{html.escape(SCREENS[index][1])}</span>",
            unsafe_allow_html=True,  # our own constant words, no text from files
        )
        st.button(
            "Next",
            key="present_next",
            icon=":material/chevron_right:",
            icon_position="right",
            type="tertiary",
            shortcut="Right",
            disabled=index == len(SCREENS) - 1,
            on_click=_step,
            args=(1,),
        )
        st.button("Leave", key="present_leave", type="tertiary", shortcut="Esc", on_click=_leave)


def _footer(lines: list[str], demo: bool) -> None:
    """A screen's context footer in HTML (escaped), for screens whose figures do not carry it."""
    body = "<br>".join(html.escape(line) for line in lines)
    if demo:
        body += f" · <span class='ff-demo'>{html.escape(DEMO_FOOTER)}</span>"
    st.html(f"<div class='ff-footer'>{body}</div>")


def _show(chart: Chart | None, key: str, height: int, *, narrow: bool = False) -> None:
    """One chart at the screen's height, without its toolbar; or its designed empty state."""
    if chart is None:
        return
    if chart.figure is None:
        with st.container(border=True):
            st.markdown(f"**{html.escape(chart.title)}**")
            st.info(chart.empty, icon=":material/visibility_off:")
        return
    chart.figure.update_layout(height=height)
    if narrow:
        fit_summary(key.removeprefix("present_s_"), chart.figure)
    show_chart(chart.figure, chart.subject, key=key, present=True)


def _charts(page: str, filters: Filters, *, width: int = 0, **options: str) -> dict:
    """A page's charts under the view, for a whole screen or (width) half of the summary."""

    def context(n_text: str):
        ctx = chart_context(filters, n_text)
        return replace(ctx, width=width, slim=True) if width else ctx

    figs = data.page_figures(page, filters, **options)
    return page_charts(
        page, figs, context, data.privacy_rule(), subject=drill_subject(filters), **options
    )


def _no_survey() -> bool:
    return data.data_status().counts["survey_responses"] == 0


def _application_chart(filters: Filters, name: str, *, width: int = 0) -> Chart:
    if _no_survey():
        return Chart(name, "Application", empty="No survey answers are loaded yet.")
    return _charts("application", filters, width=width, segment="relevance")[name]


def _summary(filters: Filters, lay: Layout) -> None:
    """The headline finding with its chart, application by wave, and the claims' verdicts."""
    rule = data.privacy_rule()
    figs = data.page_figures("overview", filters)
    empty = texts.overview(figs, rule, filters.formats)["empty"]
    if empty:
        st.info(empty)
        return
    left, right = st.columns([SUMMARY_SPLIT, 1 - SUMMARY_SPLIT], gap="medium")
    with left:
        chart = _charts("overview", filters, width=lay.summary_widths[0])["overview"]
        _show(chart, "present_s_overview", lay.summary_height, narrow=True)
    with right:
        chart = _application_chart(filters, "waves", width=lay.summary_widths[1])
        _show(chart, "present_s_waves", lay.summary_height, narrow=True)
    _verdict_grid(filters)
    ctx = chart_context(filters, "")
    _footer([" · ".join([SUMMARY_MARKS, *ctx.view_parts()])], ctx.is_demo)


def _claims_note(filters: Filters) -> str:
    if filters.formats or filters.variants or filters.cohorts:
        return " (each claim names its formats: the format filters do not apply)"
    return ""


def _verdict_grid(filters: Filters) -> None:
    cells = "".join(
        f"<div class='ff-cell'><span class='ff-badge' style='color:{v.color}'>"
        f"{html.escape(v.mark)} {html.escape(v.label)}</span><br>"
        f"{v.number}. {html.escape(v.short)}</div>"
        for v in verdicts(data.claims(base_view(filters)))
    )
    st.html(
        "<div class='ff-verdicts'><h3>The ten claims on your data, 30 days after"
        f"{html.escape(_claims_note(filters))}</h3><div class='ff-grid'>{cells}</div></div>"
    )


def _claims(filters: Filters, lay: Layout) -> None:
    """Every claim's verdict with its whole wording, and the footer of the claims' view."""
    base = base_view(filters)
    claims = data.claims(base)
    rows = "".join(
        f"<li><span class='ff-badge' style='color:{v.color}'>{html.escape(v.mark)} "
        f"{html.escape(v.label)}</span> {v.number}. {html.escape(v.title)}</li>"
        for v in verdicts(claims)
    )
    st.html(
        "<div class='ff-verdicts ff-claims'><h3 style='font-size:26px;margin-bottom:4px'>"
        f"{html.escape(claims_summary(claims))}</h3>"
        "<p style='margin:0 0 10px 0;color:#4B5563;font-size:16px'>Supported only when the "
        "groups counted as units, the estimate adjusted for department and role, and the "
        "departments all point the claimed way; an association, not proof of cause"
        f"{html.escape(_claims_note(filters))}.</p><ul style='padding:0;margin:0'>{rows}</ul></div>"
    )
    ctx = chart_context(base, "n per comparison on the Claims page")
    _footer([" · ".join([ctx.n_text, *ctx.view_parts()])], ctx.is_demo)


def _one_chart(page: str, name: str, **options: str):
    def render(filters: Filters, lay: Layout) -> None:
        if page == "application":
            chart = _application_chart(filters, name)
        else:
            chart = _charts(page, filters, **options)[name]
        _show(chart, f"present_{name}", lay.chart_height)

    return render


RENDER = {
    "summary": _summary,
    "overview": _one_chart("overview", "overview"),
    "waves": _one_chart("application", "waves"),
    "variants": _one_chart("application", "variants"),
    "momentum": _one_chart("engagement", "momentum", by="format", funnel_wave="d30"),
    "claims": _claims,
}


# Tells the server the browser window's size, and again when it changes (after a pause); it
# sends nothing when the server already has that size, so it never loops.
VIEWPORT_JS = """
export default function (component) {
  const { data, setStateValue } = component;
  const send = () => {
    const size = [window.innerWidth, window.innerHeight];
    if (!data || data[0] !== size[0] || data[1] !== size[1]) setStateValue("size", size);
  };
  send();
  let timer;
  const later = () => { clearTimeout(timer); timer = setTimeout(send, 250); };
  window.addEventListener("resize", later);
  return () => { clearTimeout(timer); window.removeEventListener("resize", later); };
}
"""
_viewport = st.components.v2.component("formatfit_viewport", js=VIEWPORT_JS)
SIZE_KEY = "present_size"


def _viewport_size() -> tuple[int, int] | None:
    """The browser window's size in CSS px, once the browser has said it."""
    known = st.session_state.get(SIZE_KEY)
    result = _viewport(key="present_viewport", data=known, on_size_change=lambda: None)
    size = getattr(result, "size", None)
    if isinstance(size, list | tuple) and len(size) == 2:
        known = (int(size[0]), int(size[1]))
        st.session_state[SIZE_KEY] = known
    return known


def show(filters: Filters) -> None:
    """The current screen of presentation mode, with the buttons that step through it."""
    st.html(STYLE)
    lay = layout(_viewport_size())
    index = min(max(int(st.session_state.get(SLIDE_KEY, 0)), 0), len(SCREENS) - 1)
    RENDER[SCREENS[index][0]](filters, lay)
    _nav(index)
