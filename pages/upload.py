"""Upload: import survey, attendance, LMS and roster exports without editing them."""

from __future__ import annotations

import streamlit as st

from analysis.ingest import mapping_rules as R
from analysis.ingest import service
from analysis.ingest.model import UnreadableFile
from analysis.ingest.rows import ImportRefused
from analysis.programs.changes import CHANGE_KINDS
from analysis.store import DatabaseBusyError
from analysis.text import markdown_text
from ui import data, groups, importer
from ui.boot import run_inside_app
from ui.tables import show_table

run_inside_app()

st.title("Import your exports")
st.caption(
    "CSV, TSV, Excel (.xlsx) or JSON from survey tools, LMS and meeting attendance reports, up "
    "to 200 MB each. Nothing is written until you confirm; personal data is hashed or dropped "
    "as shown before import."
)
st.page_link(
    "pages/survey_kit.py",
    label="Before you send a survey: the survey kit, worded so its answers map on their own",
    icon=":material/checklist:",
)
db = data.store()
files = st.file_uploader(
    "Export files", type=["csv", "tsv", "txt", "xlsx", "json"], accept_multiple_files=True
)


def import_one(upload) -> None:
    """Detection preview, mapping form, plan, and commit for one uploaded file."""
    key = f"f{abs(hash((upload.name, upload.size)))}"
    raw = upload.getvalue()
    with st.container(border=True):
        st.subheader(markdown_text(upload.name))
        try:
            table = service.preview(raw, upload.name)
            kind = service.default_kind(table, service.find_profile(db, table.columns))
            chosen = importer.settings_form(table, key, kind)
            if chosen["overrides"]:
                table = service.preview(raw, upload.name, chosen["overrides"])
        except UnreadableFile as exc:
            st.error(f"This file cannot be read: {markdown_text(exc)}")
            return
        d = table.detection
        st.caption(
            f"Detected: {d.tool_label} · {table.n_rows:,} rows shown in the preview · "
            + " · ".join(markdown_text(note) for note in d.notes)
        )
        for warning in table.warnings:  # NULs removed, lines in another encoding, ragged rows
            st.warning(markdown_text(warning))
        show_table(
            table.preview(20), f"import-preview-{upload.name}", key=f"{key}_preview", in_view=False
        )
        kind = chosen["kind"]
        if kind is None:
            st.info(
                f"**{importer.KIND_QUESTION}** Its columns do not say: choose it above "
                f"({', '.join(importer.KINDS.values())}), and the mapping of its columns follows."
            )
            return
        # for the kind chosen above; a column empty in the preview is judged on more rows
        proposals, saved = service.propose(
            db, table, kind, source=raw, overrides=chosen["overrides"], file_name=upload.name
        )
        if saved:
            st.success(
                f"Using the saved mapping “{markdown_text(saved.name)}” for exports with these "
                "columns."
            )
        edited = importer.mapping_editor(proposals, table, kind, key)
        labels = importer.unknown_labels_editor(proposals, f"{key}_{kind}")
        has_cohort_col = any(r == R.ROLE_LABELS[R.COHORT] for r in edited["meaning"])
        has_wave_col = any(r == R.ROLE_LABELS[R.WAVE] for r in edited["meaning"])
        link_key = f"{key}_linkform"
        dates = importer.file_dates(
            edited, table, kind, raw, chosen["overrides"], upload.name
        )  # a new cohort's dates and sessions, from the file
        try:
            link = importer.link_form(kind, link_key, has_cohort_col, has_wave_col, dates)
        except ValueError as exc:
            st.error(markdown_text(exc))
            return
        name = st.text_input(
            "Save this mapping as", f"{d.tool_label} – {upload.name}", key=f"{key}_pname"
        )
        if st.button("Check the import", key=f"{key}_check", type="primary"):
            try:
                profile = importer.build_profile(name, table, kind, proposals, edited, labels)
                bar = st.progress(0.0, text=f"Reading every row of {markdown_text(upload.name)}…")
                plan = service.prepare(
                    db, raw, upload.name, profile, link, chosen["overrides"], head=table
                )
                bar.progress(
                    1.0,
                    text=f"{plan.rows_read:,} rows read: {plan.rows_accepted:,} can be imported, "
                    f"{plan.rows_rejected:,} cannot",
                )
                st.session_state[f"{key}_plan"] = (plan, profile)
            except (ValueError, UnreadableFile, ImportRefused) as exc:
                st.error(f"Cannot import this file as mapped: {markdown_text(exc)}")
                return
            except Exception as exc:  # never a traceback on the page; nothing was written
                st.error(
                    f"This file could not be read as mapped ({type(exc).__name__}: "
                    f"{markdown_text(exc)}). "
                    "Nothing was written. Check the detected settings above."
                )
                return
        if f"{key}_plan" in st.session_state:
            confirm(key)


def confirm(key: str) -> None:
    """Show the plan and commit it (all rows, or only the valid ones) with a progress bar."""
    plan, profile = st.session_state[f"{key}_plan"]
    importer.plan_summary(plan)
    if plan.duplicate_of is not None or plan.nothing_to_import:
        return  # plan_summary said why; there is nothing to import
    label = (
        f"Import the {plan.rows_accepted:,} valid rows"
        if plan.rejected
        else f"Import {plan.rows_accepted:,} rows"
    )
    c1, c2 = st.columns([1, 1])
    if c2.button("Cancel", key=f"{key}_cancel"):
        del st.session_state[f"{key}_plan"]
        st.rerun()
    if c1.button(label, key=f"{key}_commit", type="primary"):
        bar = st.progress(0.0, text="Writing…")
        try:
            import_id = service.commit(
                db,
                plan,
                accept_partial=True,
                progress=lambda what, done, total: bar.progress(
                    done / max(total, 1),
                    text=f"{done:,} of {total:,} database rows written "
                    f"({what.replace('_', ' ')} done)",
                ),
            )
        except (service.AlreadyImported, ValueError) as exc:
            st.error(markdown_text(exc))
            return
        except DatabaseBusyError:
            st.error(data.BUSY_WRITE)
            return
        except Exception as exc:  # the transaction rolled back: nothing of it was written
            st.error(
                "The import failed and nothing was written "
                f"({type(exc).__name__}: {markdown_text(exc)})."
            )
            return
        service.save_profile(db, profile)
        del st.session_state[f"{key}_plan"]
        st.session_state["last_import"] = import_id
        st.session_state["last_import_forgotten"] = plan.forgotten_rows
        groups.open_panel()  # next: say whether the new groups' members work together
        st.rerun()


for upload in files or []:
    import_one(upload)

if "last_import" in st.session_state:
    lake_behind = data.lake_behind()  # on Spark: the lake write after the import failed
    if lake_behind:
        st.success(f"Import {st.session_state['last_import']} is in the database file.")
        st.warning(markdown_text(lake_behind), icon=":material/sync_problem:")
    else:
        st.success(f"Import {st.session_state['last_import']} is in. The Overview shows it now.")
    dropped = st.session_state.get("last_import_forgotten", 0)
    if dropped:
        st.info(
            f"{dropped:,} {'row' if dropped == 1 else 'rows'} of people forgotten on request "
            "were dropped (Settings → Forget a person)."
        )
    if data.data_status().is_demo:
        st.warning("The demo data is still loaded beside your own data.")
        if st.button("Remove the demo data now", type="primary"):
            db.remove_demo()
            db.set_setting(data.DEMO_DECLINED, "1")
            st.rerun()

last = st.session_state.get("last_import")
groups.panel(db, service.import_cohorts(db, last) if last else None)

st.subheader("Import history")
history = db.imports()
if history.empty:
    st.caption("Nothing imported yet.")
for row in history.itertuples():
    cols = st.columns([5, 1])
    cols[0].markdown(
        f"**{row.import_id}** · {markdown_text(service.import_summary(row._asdict()))}"
    )
    undoable = not row.is_demo or row.kind in CHANGE_KINDS  # an edit of the demo data too
    if undoable and cols[1].button("Undo", key=f"undo_{row.import_id}"):
        try:
            removed = service.undo(db, int(row.import_id))
            st.toast(f"Import {row.import_id} undone: {removed:,} rows removed.")
            st.rerun()
        except ValueError as exc:
            st.error(markdown_text(exc))
