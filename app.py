"""FormatFit: how should our people learn together? Entry point, navigation and shared sidebar."""

from __future__ import annotations

import streamlit as st

from analysis.store import DatabaseBusyError
from ui import data, sidebar
from ui.charts import demo_banner

st.set_page_config(
    page_title="FormatFit",
    page_icon=":material/groups:",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/insights:", default=True),
    st.Page("pages/engagement.py", title="Engagement", icon=":material/trending_up:"),
    st.Page("pages/application.py", title="Application", icon=":material/work:"),
    st.Page("pages/upload.py", title="Import", icon=":material/upload_file:"),
    st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
]

try:
    status = data.data_status()
except DatabaseBusyError as exc:
    st.error(f"The database cannot be opened: {exc}.")
    st.stop()

page = st.navigation(PAGES)
st.sidebar.title("FormatFit")
st.sidebar.caption("How should our people learn together?")
sidebar.render_status(status)
sidebar.render_filters(status)
demo_banner()
page.run()
