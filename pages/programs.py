"""Programs: edit programs, cohorts and groups, merge duplicates, see where the data came from."""

from __future__ import annotations

import streamlit as st

from ui import data, programs
from ui.boot import run_inside_app

run_inside_app()

st.title("Programs and cohorts")
st.caption(
    "Fix what an import got wrong: every field here changes the figures. Each save or merge is "
    "one step in the import history, and every page follows at once. Undo it under Changes or "
    "on the Import page."
)
db = data.store()
programs.show_saved()
cohorts, progs, merge, history = st.tabs(["Cohorts", "Programs", "Merge duplicates", "Changes"])
with cohorts:
    programs.cohort_editor(db)
with progs:
    programs.program_editor(db)
with merge:
    programs.merge_panel(db)
with history:
    programs.changes_list(db)
