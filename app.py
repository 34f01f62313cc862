"""FormatFit: how should our people learn together? Entry point, navigation and shared sidebar."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.boot import import_everything

import_everything()  # before the imports below: sessions' first runs must not race on them

from analysis.store import DatabaseBusyError  # noqa: E402
from ui import data, drill, page_list, present, runlog, sidebar, signin, warm  # noqa: E402
from ui.charts import demo_banner  # noqa: E402

FAVICON = Path(__file__).resolve().parent / "ui" / "assets" / "favicon.png"

st.set_page_config(
    page_title="FormatFit",
    page_icon=str(FAVICON),  # a file of ours: a Material icon would be fetched from a font CDN
    layout="wide",
    initial_sidebar_state="expanded",
)

signin.gate()  # before anything of the data renders: signed out or off the allow-list stops here

PAGES = [
    st.Page(
        p.file,
        title=p.title,
        icon=p.icon,
        default=p.default,
        url_path=None if p.default else p.url_path,
    )
    for p in page_list.PAGES
]

# one log line per run when FORMATFIT_RUN_LOG=1; the warm-up waits while runs are going
with runlog.timed() as run, warm.person_running():
    try:
        status = data.data_status()
    except DatabaseBusyError as exc:
        st.error(f"The database cannot be opened: {exc}.")
        st.stop()

    run.version = status.version
    warm.start(status)  # the common first views of a new version, built once in the background
    page = st.navigation(PAGES)
    run.page = page.title
    st.sidebar.title("FormatFit")
    st.sidebar.caption("How should our people learn together?")
    signin.show_in_sidebar()
    switch_slot = st.sidebar.container()  # filled once the URL's view is in the session
    sidebar.render_status(status)
    filters = sidebar.render_filters(status, page_list.view_of(page.title))
    present.switch(switch_slot)
    if present.active():
        present.show(filters)  # the sidebar stays (hidden), so the filters keep their values
    else:
        demo_banner()
        if page_list.has_view(page.title):
            drill.show_trail(filters, data.filter_options(data.store().token, status.version))
        try:
            page.run()
        except (
            DatabaseBusyError
        ):  # a write met a command-line read holding the file: nothing written
            st.error(data.BUSY_WRITE)
    # Another session's import or undo that commits while this run draws a page of charts
    # would leave two dataset versions on one screen (the sidebar read before it, a chart
    # after): draw the whole screen again, on the new version. Pages that write (Import,
    # Settings, Programs, …) move the version themselves and are left alone.
    # (At most three times in a row: writes arriving faster than a page draws must not keep
    # it from ever finishing.)
    redraws = st.session_state.get("_version_redraws", 0)
    reads_only = present.active() or page_list.reads_only(page.title)
    if reads_only and data.version_moved(status) and redraws < 3:
        st.session_state["_version_redraws"] = redraws + 1
        st.rerun()
    st.session_state["_version_redraws"] = 0
