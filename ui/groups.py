"""The per-group setting: do a group's members work together day to day? (yes / no / unknown)

Used on the Import page after an import, and meant for any page that edits programs, cohorts
and groups. The write is analysis's (`service.set_works_together`): one transaction, recorded
in the import history so it can be undone, that moves the dataset version so every cached
figure and the privacy cells follow.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.domain import format_label
from analysis.ingest import service
from analysis.ingest.groups import WORKS_TOGETHER_WORDS
from analysis.store import Store
from analysis.text import markdown_text

TITLE = "Groups: do their members work together?"
CHOICE = {word: flag for flag, word in WORKS_TOGETHER_WORDS.items()}  # "yes" → True, …
_SUGGESTED = "#suggested"
_COLUMN = "work together"


def panel(store: Store, suggested: list[str] | None = None, key: str = "groups") -> None:
    """group_settings in an expander, run only while it is open (closed until opened)."""
    box = st.expander(TITLE, key=f"{key}_panel", on_change="rerun")
    if box.open:
        with box:
            group_settings(store, suggested, key)


def open_panel(key: str = "groups") -> None:
    """Open the panel on the next run (call before it is drawn, e.g. right after an import)."""
    st.session_state[f"{key}_panel"] = True


def group_settings(store: Store, suggested: list[str] | None = None, key: str = "groups") -> None:
    """Choose a cohort (or the suggested ones, e.g. those just imported) and set, per group,
    whether its members work together; Save writes the changes as one undoable step."""
    cohorts = service.cohort_groups(store)[["cohort_id", "cohort", "format"]].drop_duplicates()
    if cohorts.empty:
        st.caption("No learning groups yet: they come with attendance reports, enrolment "
                   "lists and survey exports.")  # fmt: skip
        return
    names = dict(zip(cohorts["cohort_id"], cohorts["cohort"], strict=True))
    suggested = [c for c in suggested or [] if c in names]
    options = ([_SUGGESTED] if len(suggested) > 1 else []) + cohorts["cohort_id"].tolist()
    first = options.index(suggested[0]) if len(suggested) == 1 else 0
    label = f"The {len(suggested)} cohorts just imported"
    chosen = st.selectbox(
        "Cohort",
        options,
        index=first,
        format_func=lambda c: label if c == _SUGGESTED else names[c],
        key=f"{key}_cohort_{'|'.join(suggested)}",  # a new import suggests its own cohorts
    )
    ids = suggested if chosen == _SUGGESTED else [chosen]
    groups = service.cohort_groups(store, ids)
    formats = sorted(set(groups["format"]))
    elsewhere = "" if len(ids) > 1 or "small_group" in formats else (
        f" This cohort is {format_label(formats[0]).lower()}: the comparison does not use it."
    )  # fmt: skip
    st.caption(
        "Close colleagues work together day to day; a mixed group's members do not. The "
        f"Application page compares the two among small-group cohorts.{elsewhere} "
        "Saving is one step in the import history: undo it there."
    )
    shown = pd.DataFrame(
        {
            "cohort": groups["cohort"],
            "group": groups["group"],
            "size": groups["size"],
            _COLUMN: groups["works_together"].map(WORKS_TOGETHER_WORDS.get),
        }
    )
    if len(ids) == 1:
        shown = shown.drop(columns="cohort")
    # Keyed on the dataset version: after a save or an undo the editor starts from the data.
    edited = st.data_editor(
        shown,
        hide_index=True,
        disabled=["cohort", "group", "size"],
        key=f"{key}_editor_{store.dataset_version()}_{chosen}",
        column_config={
            _COLUMN: st.column_config.SelectboxColumn(
                options=list(CHOICE), required=True, help="yes: close colleagues; no: mixed"
            )
        },
    )
    if st.button("Save", key=f"{key}_save"):
        wanted = dict(zip(groups["group_id"], edited[_COLUMN].map(CHOICE), strict=True))
        try:
            import_id = service.set_works_together(store, wanted)
        except ValueError as exc:
            st.error(markdown_text(exc))
            return
        if import_id is None:
            st.info("Nothing changed.")
            return
        st.session_state[f"{key}_saved"] = import_id
        st.rerun()
    saved = st.session_state.pop(f"{key}_saved", None)
    if saved is not None:
        st.success(f"Saved as import {saved}. Undo it in the import history to go back.")
