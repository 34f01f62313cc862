"""The Programs page's parts: edit a cohort and its groups, edit a program, merge two
duplicates, and the list of edits and merges with their undo.

The writes are analysis's (`analysis.programs.changes`): one transaction each, a new dataset
version, a change in the import history. Widget keys carry the dataset version, so after a
save, a merge or an undo every field starts again from the data.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analysis.domain import FORMATS, GOALS, VARIANT_LABELS, format_label
from analysis.ingest import service
from analysis.programs import catalogue, changes
from analysis.programs.fields import LABELS, InvalidEdit, value_words, variants_for
from analysis.store import Store
from analysis.text import markdown_text

SAVED = "programs_saved"
CLOSENESS = {"yes": True, "no": False, "unknown": None}
NOT_SET = "not set"
DATE_FORMAT = "YYYY-MM-DD"


def show_saved() -> None:
    """The message of the last save, merge or undo (kept across its rerun)."""
    message = st.session_state.pop(SAVED, None)
    if message:
        st.success(message)


def _write(write: Callable[[], int | None], done: str) -> None:
    """Run one write; say in words why it was refused, or what it did (after a rerun)."""
    try:
        change = write()
    except InvalidEdit as exc:
        st.error(f"Not saved: {markdown_text(exc)}.")
        return
    if change is None:
        st.info("Nothing changed.")
        return
    st.session_state[SAVED] = done.format(change=change)
    st.rerun()


def sources(frame: pd.DataFrame, what: str) -> None:
    """Which imports feed a program or cohort, one line each (file names escaped)."""
    st.markdown(f"**Where the data of this {what} came from**")
    if frame.empty:
        st.caption("No import holds rows here any more.")
        return
    lines = [f"- {markdown_text(catalogue.source_words(r))}" for _, r in frame.iterrows()]
    st.markdown("\n".join(lines))


def _forget_gone(key: str, options: dict) -> None:
    """Forget a chosen program or cohort that is gone (merged away, or its import undone)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def cohort_labels(cohorts: pd.DataFrame) -> dict[str, str]:
    """Each cohort's name; a name two cohorts share gets its program and start month."""
    twice = set(cohorts["name"][cohorts["name"].duplicated()])
    return {
        r.cohort_id: f"{r.name} · {r.program} · {pd.Timestamp(r.start_date):%b %Y}"
        if r.name in twice
        else r.name
        for r in cohorts.itertuples()
    }


def cohort_editor(db: Store) -> None:
    """Choose a cohort; edit its fields, then its groups; see its sources."""
    cohorts = catalogue.cohorts(db)
    if cohorts.empty:
        st.info("No cohorts yet: they come with your first import.")
        return
    programs = catalogue.programs(db)
    names = dict(zip(programs["program_id"], programs["name"], strict=True))
    labels = cohort_labels(cohorts)
    _forget_gone("programs_cohort", labels)
    chosen = st.selectbox("Cohort", list(labels), format_func=labels.get, key="programs_cohort")
    row = cohorts.set_index("cohort_id").loc[chosen]
    v = f"{db.dataset_version()}_{chosen}"
    values = _cohort_fields(row, names, v)
    if st.button("Save cohort", type="primary", key=f"cohort_save_{v}"):
        _write(
            lambda: changes.edit(db, "cohort", chosen, values),
            "Saved as change {change}: every page's figures follow. Undo it under Changes.",
        )
    sources(catalogue.cohort_sources(db, chosen), "cohort")
    group_editor(db, chosen, v)


def _cohort_fields(row: pd.Series, programs: dict[str, str], v: str) -> dict[str, object]:
    """The cohort's fields as widgets, two a line; returns the values shown."""
    left, right = st.columns(2)
    out: dict[str, object] = {}
    out["name"] = left.text_input("Name", row["name"], key=f"cohort_name_{v}", max_chars=200)
    ids = list(programs)
    out["program_id"] = right.selectbox(
        "Program",
        ids,
        index=ids.index(row["program_id"]),
        format_func=programs.get,
        key=f"cohort_program_{v}",
    )
    fmt = out["format"] = left.selectbox(
        "Format",
        FORMATS,
        index=FORMATS.index(row["format"]),
        format_func=format_label,
        key=f"cohort_format_{v}",
    )
    variants = variants_for(fmt)
    out["variant"] = right.selectbox(
        "Variant",
        variants,
        index=variants.index(row["variant"]) if row["variant"] in variants else 0,
        format_func=VARIANT_LABELS.get,
        key=f"cohort_variant_{v}_{fmt}",  # a new format offers its own variants
    )
    out["start_date"] = left.date_input(
        "Start date", row["start_date"], key=f"cohort_start_{v}", format=DATE_FORMAT
    )
    out["end_date"] = right.date_input(
        "End date", row["end_date"], key=f"cohort_end_{v}", format=DATE_FORMAT
    )
    out["scheduled_sessions"] = left.number_input(
        "Scheduled sessions (0: none, self-paced)",
        0,
        1000,
        int(row["scheduled_sessions"]),
        key=f"cohort_sessions_{v}",
    )
    out["planned_weeks"] = right.number_input(
        "Planned weeks", 1, 520, int(row["planned_weeks"]), key=f"cohort_weeks_{v}"
    )
    return out


def group_editor(db: Store, cohort_id: str, v: str) -> None:
    """A cohort's groups: name, size and whether the members work together."""
    groups = catalogue.groups(db, cohort_id)
    st.markdown(f"**Groups in this cohort** ({len(groups):,})")
    if groups.empty:
        st.caption("No groups yet: they come with attendance, enrolment and survey imports.")
        return
    shown = pd.DataFrame(
        {
            "group": groups["name"],
            "size": groups["size"],
            "work together": groups["works_together"].map(
                lambda w: "unknown" if w is None else ("yes" if w else "no")
            ),
        }
    )
    edited = st.data_editor(
        shown,
        hide_index=True,
        key=f"groups_edit_{v}",
        column_config={
            "group": st.column_config.TextColumn(required=True, max_chars=200),
            "size": st.column_config.NumberColumn(min_value=1, step=1, required=True),
            "work together": st.column_config.SelectboxColumn(
                options=list(CLOSENESS), required=True, help="yes: close colleagues; no: mixed"
            ),
        },
    )
    if st.button("Save groups", key=f"groups_save_{v}"):
        saved = []
        for i, group_id in enumerate(groups["group_id"]):
            wanted = {
                "name": edited["group"].iloc[i],
                "size": edited["size"].iloc[i],
                "works_together": CLOSENESS.get(edited["work together"].iloc[i]),
            }
            try:
                change = changes.edit(db, "group", group_id, wanted)
            except InvalidEdit as exc:
                st.error(
                    f"Group {markdown_text(groups['name'].iloc[i])} not saved: "
                    f"{markdown_text(exc)}."
                )
                return
            saved += [change] if change else []
        if not saved:
            st.info("Nothing changed.")
            return
        ids = ", ".join(map(str, saved))
        st.session_state[SAVED] = f"Saved as change {ids}. Undo under Changes."
        st.rerun()


def program_editor(db: Store) -> None:
    """Choose a program; edit its name, goal, cost per person and hours; see its sources."""
    programs = catalogue.programs(db)
    if programs.empty:
        st.info("No programs yet: they come with your first import.")
        return
    names = dict(zip(programs["program_id"], programs["name"], strict=True))
    _forget_gone("programs_program", names)
    chosen = st.selectbox("Program", list(names), format_func=names.get, key="programs_program")
    row = programs.set_index("program_id").loc[chosen]
    v = f"{db.dataset_version()}_{chosen}"
    left, right = st.columns(2)
    name = left.text_input("Name", row["name"], key=f"program_name_{v}", max_chars=200)
    goals = [None, *GOALS]
    goal = right.selectbox(
        "Goal",
        goals,
        index=goals.index(row["goal"] or None),
        format_func=lambda g: GOALS.get(g, NOT_SET),
        key=f"program_goal_{v}",
    )
    cost = left.number_input(
        "Cost per person",
        min_value=0.0,
        value=_number(row["cost_per_person"]),
        key=f"program_cost_{v}",
        placeholder=NOT_SET,
    )
    hours = right.number_input(
        "Hours per person",
        min_value=0.0,
        value=_number(row["hours"]),
        key=f"program_hours_{v}",
        placeholder=NOT_SET,
    )
    if st.button("Save program", type="primary", key=f"program_save_{v}"):
        values = {"name": name, "goal": goal, "cost_per_person": cost, "hours": hours}
        _write(
            lambda: changes.edit(db, "program", chosen, values),
            "Saved as change {change}. Undo it under Changes.",
        )
    sources(catalogue.program_sources(db, chosen), "program")
    _program_cohorts(db, chosen)


def _program_cohorts(db: Store, program_id: str) -> None:
    """The program's cohorts: name, format, variant, start and people enrolled."""
    mine = catalogue.cohorts(db).query("program_id == @program_id")
    st.markdown(f"**Cohorts of this program** ({len(mine):,})")
    st.dataframe(
        pd.DataFrame(
            {
                "cohort": mine["name"],
                "format": mine["format"].map(format_label),
                "variant": mine["variant"].map(VARIANT_LABELS.get),
                "start": mine["start_date"],
                "enrolled": mine["enrolled"],
            }
        ),
        hide_index=True,
    )


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def merge_panel(db: Store) -> None:
    """Two programs or two cohorts merged into the larger; the person picks each differing
    value, the larger one's by default."""
    entity = st.radio(
        "Merge two",
        ["cohort", "program"],
        horizontal=True,
        key="merge_entity",
        format_func={"cohort": "cohorts", "program": "programs"}.get,
    )
    frame = catalogue.cohorts(db) if entity == "cohort" else catalogue.programs(db)
    if len(frame) < 2:
        st.info(f"Merging needs two {entity}s.")
        return
    v = db.dataset_version()
    labels, first, second = _choose_pair(frame, entity, v)
    plan = changes.merge_plan(db, entity, first, second)
    st.markdown(
        f"Keeps **{markdown_text(labels[plan.keep])}** ({plan.keep_people:,} people) and moves "
        f"everything of **{markdown_text(labels[plan.fold])}** ({plan.fold_people:,} people) "
        "into it. Every attendance row, enrolment and response is kept once; a person in both "
        "counts once."
    )
    values = _choose_values(db, plan, f"{first}_{second}_{v}")
    if st.button("Merge", type="primary", key=f"merge_go_{v}"):
        _write(
            lambda: changes.merge(db, entity, first, second, values),
            "Merged as change {change}. Undo it under Changes to have both again.",
        )


def _choose_pair(frame: pd.DataFrame, entity: str, v: int) -> tuple[dict[str, str], str, str]:
    """The two to merge: names the same but for case and spacing are offered first."""
    key = "cohort_id" if entity == "cohort" else "program_id"
    labels = dict(zip(frame[key], frame["name"], strict=True))
    if entity == "cohort":
        labels = cohort_labels(frame)
    pairs = catalogue.same_names(frame, key)
    if pairs:
        named = "; ".join(f"{labels[a]} and {labels[b]}" for a, b in pairs[:5])
        more = f" and {len(pairs) - 5:,} more pairs" if len(pairs) > 5 else ""
        st.info(f"Same name but for case and spacing: {markdown_text(named)}{more}.")
    ids = list(labels)
    pair = pairs[0] if pairs else (ids[0], ids[1])
    first = st.selectbox(
        "First", ids, index=ids.index(pair[0]), format_func=labels.get, key=f"merge_a_{entity}_{v}"
    )
    others = [k for k in ids if k != first]
    second = st.selectbox(
        "Second",
        others,
        index=others.index(pair[1]) if first == pair[0] else 0,
        format_func=labels.get,
        key=f"merge_b_{entity}_{v}_{first}",
    )
    return labels, first, second


def _choose_values(db: Store, plan: changes.MergePlan, key: str) -> dict[str, object]:
    """Where the two differ, a choice of the two values (the larger one's first)."""
    if not plan.differing():
        st.caption("The two agree on every field.")
        return {}
    st.caption(
        f"Where the two differ, choose the merged {plan.entity}'s value; the larger one's is "
        "chosen to begin with."
    )
    programs = catalogue.programs(db)
    names = dict(zip(programs["program_id"], programs["name"], strict=True))
    values: dict[str, object] = {}
    for field in plan.differing():
        options = [plan.keep_values[field], plan.fold_values[field]]
        pick = st.radio(
            LABELS[field].capitalize(),
            [0, 1],
            format_func=lambda i, o=options, f=field: markdown_text(value_words(f, o[i], names)),
            horizontal=True,
            key=f"merge_{field}_{key}",
        )
        values[field] = options[pick]
    return values


def changes_list(db: Store) -> None:
    """Every edit and merge, newest first, each with its undo."""
    history = catalogue.history(db)
    if history.empty:
        st.caption("No edits or merges yet.")
        return
    for row in history.itertuples():
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(
            f"**{row.import_id}** · {markdown_text(row.file_name)} · "
            f"{row.imported_at:%Y-%m-%d %H:%M} UTC"
        )
        if right.button("Undo", key=f"programs_undo_{row.import_id}"):
            try:
                service.undo(db, int(row.import_id))
            except ValueError as exc:
                st.error(markdown_text(exc))
                continue
            st.session_state[SAVED] = f"Change {row.import_id} undone."
            st.rerun()
