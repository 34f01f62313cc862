"""Survey kit: the questions to send before and after the learning, as text and templates."""

from __future__ import annotations

import streamlit as st

from analysis.survey_kit import body, kit_files
from analysis.survey_kit.files import MARKDOWN_NAME, XLSX_NAME
from ui.boot import run_inside_app

run_inside_app()

st.title("Survey kit")
st.caption(
    "One short survey before the learning, right after it, and 30, 60 and 90 days after. "
    "Its exports from Google Forms, Microsoft Forms and Qualtrics import with every question "
    "on its meaning and the wave recognised, with no mapping to confirm."
)
files = {f.name: f for f in kit_files()}


def download(f, label: str, primary: bool = False) -> None:
    """One kit file's download button (the page does not rerun)."""
    st.download_button(
        label,
        data=f.data,
        file_name=f.name,
        mime=f.mime,
        key=f"kit_{f.name}",
        on_click="ignore",
        icon=":material/download:",
        type="primary" if primary else "secondary",
    )


qualtrics = [f for f in files.values() if f.name.endswith(".txt")]
with st.container(border=True):
    st.subheader("Download")
    with st.container(horizontal=True):
        for f in files.values():
            if f not in qualtrics:  # Qualtrics files: below
                download(f, f.description, primary=f.name == MARKDOWN_NAME)
    st.caption(
        f"The text is what this page shows. In {XLSX_NAME}, answers are one per line: pasted "
        "into the first option of a Google Forms question, each line becomes an option."
    )
    st.markdown("**Qualtrics import files** (Advanced TXT format), one per wave:")
    with st.container(horizontal=True):
        for f in qualtrics:
            download(f, f.description.removeprefix("Qualtrics import file: ").capitalize())
with st.container(border=True):
    st.markdown(body())
