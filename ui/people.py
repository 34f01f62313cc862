"""Settings cards for a person's data and for backups: forget a person, back up, restore."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import backup
from analysis.people import forget, spool, suppression
from analysis.store import DatabaseBusyError, Store
from analysis.text import markdown_text
from ui import data

PENDING, DONE = "forget_pending", "forget_done"
BACKUP, RESTORED, UPLOADS = "backup_file", "restore_done", "restore_uploads"
BY_LABEL = {"E-mail": forget.BY_EMAIL, "Employee id": forget.BY_EMPLOYEE_ID}


def _rows_frame(rows: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {"What": [forget.table_label(t) for t in rows], "Rows": list(rows.values())}
    )


def _forget_now(db: Store, key: str) -> None:
    try:
        result = forget.forget_key(db, key, "settings")
    except DatabaseBusyError:
        st.error(data.BUSY_WRITE)
        return
    st.session_state.pop(PENDING, None)
    st.session_state[DONE] = result.to_dict()
    data.drop_cached_figures()  # no cached figure of the old data outlives the deletion
    st.rerun()


def forget_card(db: Store) -> None:
    """Find a person by e-mail or employee id, confirm, delete; say what went per table."""
    st.subheader("Forget a person")
    st.write(
        "Deletes everything held about one person (roster, enrolments, attendance, survey "
        "responses and answers, the names and ids linked to them) and keeps them out of every "
        "later import. The identifier is hashed with this installation's secret and never "
        "stored. This cannot be undone."
    )
    with st.form("forget_form", clear_on_submit=True, border=False):
        by = st.radio("Find the person by", list(BY_LABEL), horizontal=True)
        identifier = st.text_input("Their e-mail address or employee id", key="forget_identifier")
        if st.form_submit_button("Find their data"):
            try:
                key = forget.person_key(db.path, BY_LABEL[by], identifier)
            except ValueError as exc:
                st.error(markdown_text(exc))
            else:  # only the hashed key waits for the confirmation, never what was typed
                st.session_state[PENDING] = key
                st.session_state.pop(DONE, None)
    key = st.session_state.get(PENDING)
    if key:
        found = forget.preview(db, key)
        with st.container(border=True, key="forget_confirm"):
            if found:
                st.warning(
                    f"**{sum(found.values()):,} rows** of this person will be deleted, for good:"
                )
                st.table(_rows_frame(found).set_index("What"))
            else:
                st.info(
                    "No rows of this person are in the database. Forgetting them still keeps "
                    "them out of every later import."
                )
            c1, c2 = st.columns(2)
            if c1.button("Forget this person", type="primary", key="forget_yes"):
                _forget_now(db, key)
            if c2.button("Cancel", key="forget_cancel"):
                st.session_state.pop(PENDING, None)
                st.rerun()
    done = st.session_state.get(DONE)
    if done:
        st.success(f"Forgotten: {done['rows_removed']:,} rows deleted.")
        if done["tables"]:
            st.table(_rows_frame(done["tables"]).set_index("What"))
    history = forget.deletions(db)
    if history:
        st.caption(
            f"Deletions done so far: {len(history)} (when and how many rows; no identifier "
            "is kept). The suppression list of hashed keys is in the database and in "
            f"`{suppression.list_path(db.path)}`."
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "When (UTC)": [f"{h['deleted_at']:%Y-%m-%d %H:%M}" for h in history],
                    "From": [h["source"] for h in history],
                    "Rows deleted": [h["rows_removed"] for h in history],
                }
            ),
            hide_index=True,
        )
    st.caption(
        "From the command line: `python -m analysis forget --email …` (or `--employee-id …`); "
        "while the app runs, it carries the request out (spool folder "
        f"`{spool.spool_dir(db.path)}`)."
    )


def backup_card(db: Store) -> None:
    """Download a backup (database and secret); restore one after a confirmation."""
    st.subheader("Backup and restore")
    st.warning(f"**The backup file contains the hashing secret.** {backup.WARNING}")
    if st.button("Prepare a backup", key="backup_prepare"):
        payload, manifest = backup.create_bytes(db)
        st.session_state[BACKUP] = (payload, manifest)
    if BACKUP in st.session_state:
        payload, manifest = st.session_state[BACKUP]
        st.download_button(
            f"Download the backup (dataset version v{manifest['dataset_version']}, "
            f"{len(payload) / 1e6:.1f} MB)",
            data=payload,
            file_name=backup.file_name(manifest["created_at"]),
            mime="application/zip",
            key="backup_download",
        )
    restored = st.session_state.pop(RESTORED, None)
    if restored:
        again = restored["forgotten_again"]
        st.success(
            f"Restored the backup of {restored['restored']['created_at'].replace('T', ' ')} UTC: "
            f"dataset version v{restored['dataset_version']}."
            + (
                f" {again['rows_removed']:,} rows of people forgotten since were deleted again."
                if again["rows_removed"]
                else ""
            )
        )
    uploads = st.session_state.setdefault(UPLOADS, 0)
    upload = st.file_uploader(
        "Restore from a backup file", type=["zip"], key=f"restore_upload_{uploads}"
    )
    if upload is None:
        return
    raw = upload.getvalue()
    try:
        manifest = backup.check(raw)
    except backup.BackupRefused as exc:
        st.error(f"This file cannot be restored: {markdown_text(exc)}. Nothing was changed.")
        return
    st.warning(
        f"This backup was made {manifest['created_at'].replace('T', ' ')} UTC (dataset version "
        f"v{manifest['dataset_version']}). Restoring it **replaces the whole database and the "
        "hashing secret**: everything imported or changed since is lost, for every user."
    )
    sure = st.checkbox("I understand: replace the data with this backup", key="restore_sure")
    if st.button("Restore this backup", type="primary", disabled=not sure, key="restore_go"):
        try:
            result = backup.restore(db, raw)
        except backup.BackupRefused as exc:
            st.error(f"This file cannot be restored: {markdown_text(exc)}. Nothing was changed.")
            return
        except DatabaseBusyError:
            st.error(data.BUSY_WRITE)
            return
        data.drop_cached_figures()
        st.session_state.pop(BACKUP, None)
        st.session_state[RESTORED] = result
        st.session_state[UPLOADS] = uploads + 1  # a fresh, empty uploader
        st.rerun()
