"""Make deep links work: a page opened first on a fresh server must still run inside app.py."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def run_inside_app() -> None:
    """Re-run through app.py when Streamlit ran this page on its own.

    Until app.py has called st.navigation once, Streamlit treats the `pages/` folder as legacy
    multipage navigation, so a first visit to /application would run that page alone, without
    the sidebar, the filters or the demo badge. Switching the legacy mode off and re-running
    sends the same URL through app.py's navigation.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
