"""Upload-page widgets: detected settings, the mapping form, the link to a cohort, the result."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from analysis import clock
from analysis.domain import FORMATS, VARIANT_FORMAT, VARIANT_LABELS, WAVE_LABELS, WAVES
from analysis.domain import format_label as fmt_label
from analysis.ingest import linking, service
from analysis.ingest import mapping_rules as R
from analysis.ingest.linking import FileDates
from analysis.ingest.mapping import ColumnProposal, describe_action
from analysis.ingest.model import DELIMITERS, ENCODING_LABELS, TOOL_LABELS, DecodedTable
from analysis.ingest.plan import ImportPlan, Link, NewCohort
from analysis.ingest.profiles import (
    ColumnChoice,
    MappingProfile,
    allowed_pii_actions,
    default_pii_action,
    profile_signature,
)
from analysis.ingest.scales import SCALES
from analysis.text import markdown_text
from ui import data, groups
from ui.tables import show_table

KINDS = {
    "survey": "Survey answers",
    "attendance": "Attendance report",
    "lms_log": "LMS activity log",
    "enrolment": "Enrolment list (who is in which cohort, completion)",
    "roster": "People list (HR roster)",
    "gradebook": "Gradebook",
}
KIND_QUESTION = "What does this file hold?"
DELIMITER_LABELS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
NO_SCALE = "(text / none)"


def settings_form(table: DecodedTable, key: str, default_kind: str | None = None) -> dict:
    """The detected settings, each changeable; returns the overrides and the kind chosen.

    `default_kind`: what the file holds unless the person changes it (a saved profile's kind,
    else the detected one). The kind is None while neither says it and the person has not
    chosen.
    """
    d = table.detection
    default_kind = default_kind or d.kind
    cols = st.columns(4)
    overrides: dict = {}
    if d.file_format == "csv":
        enc = cols[0].selectbox(
            "Encoding",
            list(ENCODING_LABELS),
            format_func=ENCODING_LABELS.get,
            index=list(ENCODING_LABELS).index(d.encoding),
            key=f"{key}_enc",
        )
        delim = cols[1].selectbox(
            "Delimiter",
            DELIMITERS,
            format_func=DELIMITER_LABELS.get,
            index=DELIMITERS.index(d.delimiter),
            key=f"{key}_delim",
        )
        overrides.update(encoding=enc, delimiter=delim)
    overrides["header_rows"] = cols[2].number_input(
        "Header rows", 0, 5, d.header_rows, key=f"{key}_hdr"
    )
    overrides["skip_rows"] = cols[3].number_input(
        "Rows above the header", 0, 50, d.skip_rows, key=f"{key}_skip"
    )
    cols = st.columns(4)
    orders = {None: "unknown", True: "day first (25/03)", False: "month first (03/25)"}
    overrides["day_first"] = cols[0].selectbox(
        "Dates",
        list(orders),
        format_func=orders.get,
        index=list(orders).index(d.day_first),
        key=f"{key}_dates",
    )
    overrides["decimal_comma"] = cols[1].toggle("Decimal comma", d.decimal_comma, key=f"{key}_dec")
    tools = list(TOOL_LABELS)
    overrides["tool"] = cols[2].selectbox(
        "Source tool",
        tools,
        format_func=TOOL_LABELS.get,
        index=tools.index(d.tool) if d.tool in tools else tools.index("generic"),
        key=f"{key}_tool",
    )
    kinds = list(KINDS)
    kind = cols[3].selectbox(  # None until chosen when the columns do not say
        "This file holds" if default_kind in kinds else KIND_QUESTION,
        kinds,
        format_func=KINDS.get,
        index=kinds.index(default_kind) if default_kind in kinds else None,
        placeholder="Choose what it holds",
        key=f"{key}_kind",
    )
    changed = {k: v for k, v in overrides.items() if getattr(d, k, v) != v}
    return {"overrides": changed, "kind": kind}


def allowed_roles(kind: str) -> list[str]:
    """The meanings a column can take in an import of this kind, in the editor's order."""
    return [r for r in R.ROLES if r in R.KIND_ROLES.get(kind, R.ROLES)]


def editor_rows(proposals: list[ColumnProposal], table: DecodedTable, kind: str) -> pd.DataFrame:
    """The mapping editor's rows as proposed: each a meaning `kind` uses and an action it allows.

    Proposals are made for the kind (service.propose); a role the kind does not use is shown
    as Ignore with Ignore's action, so the unchanged rows always make a valid profile.
    """
    allowed = allowed_roles(kind)
    rows = []
    for p in proposals:
        sample = table.frame[p.column].dropna().head(3).astype(str).tolist()
        role = p.role if p.role in allowed else R.IGNORE
        pii = p.pii_action
        if role != p.role or pii not in allowed_pii_actions(role):
            pii = default_pii_action(role)
        rows.append(
            {
                "column": p.column,
                "examples": " · ".join(s[:30] for s in sample),
                "meaning": R.ROLE_LABELS[role],
                "personal data": pii,
                "scale": p.scale.scale.name if p.scale and role == p.role else NO_SCALE,
                "why": p.reason,
            }
        )
    # What the person decides comes right after the column's name, so it is in view at 1280
    # px however long the headers are; the examples and the reason follow.
    return pd.DataFrame(
        rows, columns=["column", "meaning", "personal data", "scale", "examples", "why"]
    )


def mapping_editor(
    proposals: list[ColumnProposal], table: DecodedTable, kind: str, key: str
) -> pd.DataFrame:
    """One editable row per column: its meaning, what happens to its data, its answer scale."""
    allowed = allowed_roles(kind)
    return st.data_editor(
        editor_rows(proposals, table, kind),
        hide_index=True,
        disabled=["column", "examples", "why"],
        key=f"{key}_map_{kind}",  # another kind: its own proposals, not these edits
        column_config={
            # a long header is cut (its whole text on hover), never the choices beside it
            "column": st.column_config.TextColumn(width=250),
            "meaning": st.column_config.SelectboxColumn(
                options=[R.ROLE_LABELS[r] for r in allowed], required=True, width=170
            ),
            "personal data": st.column_config.SelectboxColumn(
                options=["keep", "hash", "drop"],
                required=True,
                width=130,
                help="hash: replaced by a keyed hash (answers still join per person); "
                "drop: not stored",
            ),
            "scale": st.column_config.SelectboxColumn(options=[NO_SCALE, *SCALES]),
        },
    )


def label_rows(proposals: list[ColumnProposal]) -> pd.DataFrame:
    """One row per answer label the app does not know, with no number given yet."""
    rows = [
        {"column": p.column, "label": lab, "value": None, "not applicable": False}
        for p in proposals
        for lab in p.unknown_labels
    ]
    return pd.DataFrame(rows, columns=["column", "label", "value", "not applicable"])


def unknown_labels_editor(proposals: list[ColumnProposal], key: str) -> pd.DataFrame:
    """Labels the app does not know: the person gives each a number or marks it 'not applicable'."""
    rows = label_rows(proposals)
    if rows.empty:
        return rows
    st.warning(
        "Some answers are not on any scale the app knows. Give each a number on the "
        "column's scale, or mark it not applicable; rows with a label left blank are "
        "rejected, never guessed."
    )
    return st.data_editor(rows, hide_index=True, key=f"{key}_labels", disabled=["column", "label"])


ROLE_OF_LABEL = {label: role for role, label in R.ROLE_LABELS.items()}  # the editor's words


def build_profile(
    name: str,
    table: DecodedTable,
    kind: str,
    proposals: list[ColumnProposal],
    edited: pd.DataFrame,
    labels: pd.DataFrame,
) -> MappingProfile:
    """The confirmed mapping as a profile (raises ValueError with a reason when invalid)."""
    extra: dict[str, dict[str, float | None]] = {}
    for r in labels.itertuples(index=False):
        if r[3]:
            extra.setdefault(r[0], {})[r[1]] = None
        elif pd.notna(r[2]):
            extra.setdefault(r[0], {})[r[1]] = float(r[2])
    choices = {}
    for p, row in zip(proposals, edited.to_dict("records"), strict=True):
        role = ROLE_OF_LABEL[row["meaning"]]
        scale = None if row["scale"] in (NO_SCALE, None) else row["scale"]
        choices[p.column] = ColumnChoice(
            role, row["personal data"], scale, extra.get(p.column, {}), p.multi_select, p.options
        )
    return MappingProfile(
        name, table.detection.tool, kind, profile_signature(table.columns), choices
    )


def actions_text(profile: MappingProfile, kind: str) -> list[str]:
    """What will happen to each column, in words, before anything is written."""
    out = []
    for col, c in profile.columns.items():
        if c.role == R.IGNORE:
            continue
        out.append(f"**{markdown_text(col)}**: {describe_action(c.role, c.pii_action, kind)}")
    return out


def link_form(
    kind: str,
    key: str,
    has_cohort_column: bool,
    has_wave_column: bool = False,
    dates: FileDates | None = None,
) -> Link:
    """Which cohort the rows belong to (existing, new, or from a column) and the wave (by
    default the file's wave column when it has one, else from the submission dates). A new
    cohort's dates come from the file (`dates`), and a name that exists is the existing one."""
    cohorts = data.store().query(
        "SELECT cohort_id, name, start_date FROM cohorts ORDER BY start_date DESC"
    )
    options = (
        ["new"] + (["existing"] if len(cohorts) else []) + (["column"] if has_cohort_column else [])
    )
    labels = {"new": "A new cohort", "existing": "An existing cohort", "column": "Cohort column"}
    if kind == "roster":
        return Link()
    choice = st.radio(
        "These rows belong to", options, format_func=labels.get, horizontal=True, key=f"{key}_link"
    )
    wave = None
    if kind == "survey":
        waves = [None, *WAVES]
        wave = st.selectbox(
            "Survey wave",
            waves,
            key=f"{key}_wave",
            format_func=lambda w: (
                WAVE_LABELS[w]
                if w is not None
                else "from the file's wave column"
                if has_wave_column
                else "derive from submission dates"
            ),
        )
    match = st.checkbox(
        "Match people by full name where a file has no e-mail or employee id "
        "(names are hashed, never stored)",
        key=f"{key}_names",
    )
    if choice == "existing":
        ids = cohorts["cohort_id"].tolist()
        names = dict(zip(ids, cohorts["name"], strict=True))
        cid = st.selectbox("Cohort", ids, format_func=names.get, key=f"{key}_cohort")
        return Link(cohort_id=cid, wave=wave, match_names=match)
    if choice == "column":
        return Link(wave=wave, match_names=match)
    new = _new_cohort(key, dates)
    if isinstance(new, str):  # the name is an existing cohort's: the rows go there
        return Link(cohort_id=new, wave=wave, match_names=match)
    return Link(new_cohort=new, wave=wave, match_names=match)


def _new_cohort(key: str, dates: FileDates | None) -> NewCohort | str:
    """A new cohort's details, or the id of the existing cohort its name already names."""
    c1, c2, c3 = st.columns(3)
    name = c1.text_input("Cohort name", key=f"{key}_cname") or "New cohort"
    program = c2.text_input("Program", key=f"{key}_prog") or "Unnamed program"
    existing = _existing_cohort(key, name) if st.session_state.get(f"{key}_cname") else None
    if existing:
        return existing
    same_program = linking.existing_program(data.store(), program)
    if same_program:
        c2.caption(f"Joins the existing program “{markdown_text(same_program[1])}”.")
    fmt = c3.selectbox("Format", FORMATS, format_func=fmt_label, key=f"{key}_fmt")
    variants = [v for v, f in VARIANT_FORMAT.items() if f == fmt] + ["other"]
    c1, c2, c3, c4 = st.columns(4)
    variant = c1.selectbox("Variant", variants, format_func=VARIANT_LABELS.get, key=f"{key}_var")
    start_default = dates.start if dates else clock.today() - timedelta(days=60)
    end_default = dates.end if dates else clock.today() - timedelta(days=30)
    start = c2.date_input("Start", start_default, key=f"{key}_start")
    end = c3.date_input("End", end_default, key=f"{key}_end")
    sessions = c4.number_input(
        "Scheduled sessions", 0, 500, dates.sessions if dates else 0, key=f"{key}_sessions"
    )
    if dates:
        st.caption(markdown_text(dates.words()))
    else:
        st.caption(
            "This file has no session dates: set the cohort's start and end (they decide "
            "which survey wave an answer belongs to)."
        )
    together = st.selectbox(
        "Do members work together day to day?",
        list(groups.CHOICE),
        index=list(groups.CHOICE).index("unknown"),
        key=f"{key}_together",
    )
    return NewCohort(
        name,
        fmt,
        variant,
        start,
        end,
        int(sessions),
        program_name=same_program[1] if same_program else program,
        program_id=same_program[0] if same_program else None,
        group_name=name,
        works_together=groups.CHOICE[together],
    )


def _existing_cohort(key: str, name: str) -> str | None:
    """The existing cohort a typed name names (case and spacing ignored), unless the person
    chooses to create another cohort of the same name."""
    same = linking.existing_cohorts(data.store(), name)
    if same.empty:
        return None
    ids = same["cohort_id"].tolist()
    detail = {
        r.cohort_id: f"{r.program or 'no program'}, starts {r.start_date:%d %b %Y}"
        for r in same.itertuples()
    }
    described = {r.cohort_id: f"{r.name} ({detail[r.cohort_id]})" for r in same.itertuples()}
    if len(ids) == 1:
        st.info(
            f"A cohort named “{markdown_text(same['name'].iloc[0])}” already exists "
            f"({markdown_text(detail[ids[0]])}): these rows are added to it."
        )
        cid = ids[0]
    else:
        cid = st.selectbox(
            f"{len(ids)} cohorts have this name: add the rows to",
            ids,
            format_func=described.get,
            key=f"{key}_samename",
        )
    if st.checkbox("Create a separate cohort with the same name instead", key=f"{key}_dupe"):
        return None
    return cid


def file_dates(
    edited: pd.DataFrame,
    table: DecodedTable,
    kind: str,
    source: bytes,
    overrides: dict | None,
    file_name: str,
) -> FileDates | None:
    """A new cohort's dates and sessions from the file, as the confirmed mapping reads it."""
    roles: dict[str, str] = {}
    for column, meaning in zip(edited["column"], edited["meaning"], strict=True):
        role = ROLE_OF_LABEL.get(meaning)
        if role and role not in roles:
            roles[role] = column
    # Read once per file and mapping, not on every rerun of the page.
    memo = st.session_state.setdefault("_file_dates", {})
    file_key = service.source_key(source, file_name)
    key = (file_key, kind, tuple(sorted(roles.items())), repr(overrides))
    if key not in memo:
        memo[key] = service.proposed_dates(table, roles, kind, source, overrides, file_name)
    return memo[key]


def plan_summary(plan: ImportPlan) -> None:
    """What the import would write and what it rejects (downloadable), before committing."""
    if plan.duplicate_of is not None:
        st.info(
            f"This exact file was already imported (import {plan.duplicate_of}): "
            "importing it again would add nothing."
        )
        return
    if plan.nothing_to_import:
        st.error(
            f"Nothing to import: {markdown_text(plan.nothing_reason())}. Nothing will be "
            "written, not even the cohort. Check the settings and the mapping above."
        )
    else:
        counts = plan.counts()
        st.write(
            f"**{plan.rows_accepted:,}** of {plan.rows_read:,} rows can be imported: "
            + ", ".join(f"{n:,} {t.replace('_', ' ')}" for t, n in counts.items())
        )
    expected = sum(n for t, n in plan.forgotten_expected.items() if t != "derived_waves")
    if expected and not plan.nothing_to_import:
        st.info(
            f"{expected:,} of these rows belong to people forgotten on request "
            "(Settings → Forget a person): they will be dropped, not imported."
        )
    for note in plan.notes:  # may quote the file: a sheet, a section, a cohort name
        st.caption(markdown_text(note))
    for warning in plan.warnings:
        st.warning(markdown_text(warning))
    if plan.rejected:
        if not plan.nothing_to_import:
            st.error(
                f"{plan.rows_rejected:,} rows cannot be imported. Each is listed with its row "
                "number in the file and the reason."
            )
        rejected = plan.rejected_frame()
        show_table(rejected, f"rejected-rows-{plan.file_name}", max_rows=200, in_view=False)
