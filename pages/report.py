"""Report: the charts pinned from the pages, in order, with titles of one's own; then the deck
and the PDF for the leadership review."""

from __future__ import annotations

import streamlit as st

from analysis import clock
from analysis.report import pins as pin_store
from analysis.text import markdown_text
from ui import data
from ui import report as ui_report
from ui.boot import run_inside_app

run_inside_app()

PAGE_TITLES = {
    "overview": "Overview",
    "engagement": "Engagement",
    "application": "Application",
    "claims": "Claims",
    "compare": "Compare",
    "guide": "Format guide",
}

st.title("Report for the leadership review")
st.caption(
    "Pin a chart with **Pin to report** under it on any page. Pins keep the chart and the view "
    "it was pinned under (filters and options), not a picture: each re-renders with the current "
    "data and its own 'data as of'. They are kept in the database and outlive imports and undo."
)
db = data.store()
pins = pin_store.pins(db)
if not pins:
    st.info("Nothing is pinned yet. Open a page and press **Pin to report** under a chart.")
    st.stop()


def _changed() -> None:
    st.session_state.pop("report_files", None)  # a built deck no longer matches the pins


def _retitle(pin_id: int) -> None:
    _changed()
    pin_store.retitle(data.store(), pin_id, st.session_state[f"report_title_{pin_id}"])


def _move(pin_id: int, step: int) -> None:
    _changed()
    pin_store.move(data.store(), pin_id, step)


def _remove(pin_id: int) -> None:
    _changed()
    pin_store.remove_pin(data.store(), pin_id)


for i, pin in enumerate(pins):
    rebuilt = ui_report.item(pin)
    with st.container(border=True):
        st.caption(
            f"{i + 1}. {PAGE_TITLES.get(pin.page, pin.page)} · "
            + markdown_text(" · ".join(rebuilt.footer[:2]))
        )
        st.text_input(
            "Title",
            value=pin.title or rebuilt.title,
            key=f"report_title_{pin.pin_id}",
            on_change=_retitle,
            args=(pin.pin_id,),
            help="Clear it to go back to the chart's own finding title.",
        )
        up, down, remove, _ = st.columns([1, 1, 1, 5])
        up.button(
            "Up",
            key=f"report_up_{pin.pin_id}",
            icon=":material/arrow_upward:",
            disabled=i == 0,
            on_click=_move,
            args=(pin.pin_id, -1),
        )
        down.button(
            "Down",
            key=f"report_down_{pin.pin_id}",
            icon=":material/arrow_downward:",
            disabled=i == len(pins) - 1,
            on_click=_move,
            args=(pin.pin_id, 1),
        )
        remove.button(
            "Unpin",
            key=f"report_remove_{pin.pin_id}",
            icon=":material/close:",
            on_click=_remove,
            args=(pin.pin_id,),
        )
        if rebuilt.figure is None:
            st.info(rebuilt.empty, icon=":material/visibility_off:")

st.subheader("Export")
name = f"formatfit-report-{clock.today().isoformat()}"
if st.button("Build the deck and the PDF", icon=":material/slideshow:", key="report_build"):
    with st.spinner("Rendering the charts on the server…"):
        built = ui_report.report(pins)
        # the PDF is written when its button is pressed: the person waits only for what
        # they download (about 2 s for ten charts)
        st.session_state["report_files"] = (built.pptx(), built.pdf, built.message)
files = st.session_state.get("report_files")
if files:
    pptx, pdf, message = files
    if message:
        st.warning(message, icon=":material/warning:")
    left, right = st.columns(2)
    left.download_button(
        "Download PowerPoint",
        pptx,
        file_name=f"{name}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        icon=":material/download:",
        key="report_pptx",
        on_click="ignore",
    )
    right.download_button(
        "Download PDF",
        pdf,
        file_name=f"{name}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        key="report_pdf",
        on_click="ignore",
    )
