"""Settings: the privacy threshold, where the data lives, demo data on or off, forgetting a
person, backup and restore."""

from __future__ import annotations

import streamlit as st

from analysis.demo import DEMO_DIR, load_demo
from analysis.domain import MIN_GROUP_SIZE_RANGE
from analysis.ingest.keys import SECRET_ENV_VAR, secret_path
from analysis.store import DB_ENV_VAR
from ui import data, people
from ui.boot import run_inside_app

run_inside_app()

st.title("Settings")
db = data.store()
status = data.data_status()

with st.container(border=True):
    st.subheader("Privacy")
    low, high = MIN_GROUP_SIZE_RANGE
    current = data.privacy_rule().min_group_size
    chosen = st.slider(
        "Minimum group size for survey figures",
        min_value=low,
        max_value=high,
        value=current,
        help="Any survey-based figure from fewer respondents is suppressed on every page, "
        "chart, table and download. Attendance and enrolment figures are not survey answers "
        "and are not suppressed.",
    )
    if chosen != current:
        db.set_setting("min_group_size", str(chosen))
        st.toast(f"Survey figures now need at least {chosen} respondents.")
    st.caption("Free-text comments need at least 10 respondents in the group before any is shown.")

with st.container(border=True):
    st.subheader("Where the data lives")
    st.markdown(
        f"- Database file: `{db.path}`  \n"
        f"  (set the `{DB_ENV_VAR}` environment variable to use another file)\n"
        f"- Hashing secret for person keys: `{secret_path(db.path)}` (set "
        f"`{SECRET_ENV_VAR}` to keep it elsewhere; back it up with the database)\n"
        f"- Demo data files: `{DEMO_DIR}`\n"
        f"- Dataset version **v{status.version}**, data as of {status.data_as_of}"
    )

with st.container(border=True):
    st.subheader("Demo data")
    if status.is_demo:
        st.write(
            "The demo data (a generated example organisation) is loaded. Remove it before "
            "showing your own figures; you can load it again here at any time while no data "
            "of your own is loaded."
        )
        if st.button("Remove demo data", type="primary"):
            db.remove_demo()
            db.set_setting(data.DEMO_DECLINED, "1")
            st.success("Demo data removed.")
            st.rerun()
    elif status.has_real_data:
        st.write(
            "Demo data is off. It cannot be loaded beside your own data, so the two are never "
            "mixed in one chart."
        )
    else:
        st.write("Demo data is off and nothing else is loaded.")
        if st.button("Load demo data"):
            load_demo(db)
            db.set_setting(data.DEMO_DECLINED, "0")
            st.success("Demo data loaded.")
            st.rerun()

with st.container(border=True):
    people.forget_card(db)

with st.container(border=True):
    people.backup_card(db)
