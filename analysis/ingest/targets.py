"""Which program, cohort and group each row belongs to: from the form, or from columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analysis.ingest import mapping_rules as R
from analysis.ingest.groups import WORKS_TOGETHER_WORDS, flags_from_column
from analysis.ingest.linking import existing_program
from analysis.ingest.plan import Link, NewCohort, stable_id
from analysis.ingest.profiles import MappingProfile
from analysis.ingest.rows import Rejections, first_column, lookup_ids
from analysis.store import Store


@dataclass
class Target:
    """Resolved cohorts and groups, plus any program, cohort or group the import creates."""

    cohort_start: dict[str, date] = field(default_factory=dict)
    cohort_end: dict[str, date] = field(default_factory=dict)
    programs: list[dict] = field(default_factory=list)
    cohorts: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    # Existing groups whose "works together" this file changes (group_id, works_together).
    group_settings: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def resolve_target(
    store: Store,
    link: Link,
    frame: pd.DataFrame,
    profile: MappingProfile,
    rej: Rejections,
    *,
    needs_cohort: bool,
) -> Target:
    """Set frame['_cohort'] and frame['_group']; reject rows whose cohort cannot be found.

    frame['_group_named'] holds only the groups the file or the form names (a survey stores
    those; the others are inferred: the cohort's one group, the person's enrolment).
    """
    target = Target()
    cohorts = store.query("SELECT cohort_id, name, start_date, end_date FROM cohorts")
    for r in cohorts.itertuples():
        target.cohort_start[r.cohort_id] = pd.Timestamp(r.start_date).date()
        target.cohort_end[r.cohort_id] = pd.Timestamp(r.end_date).date()
    if link.new_cohort:
        cohort_id = _create_cohort(store, link.new_cohort, target)
        frame["_cohort"] = cohort_id
    elif link.cohort_id:
        if link.cohort_id not in target.cohort_start:
            raise ValueError(f"no cohort {link.cohort_id!r} in the database")
        frame["_cohort"] = link.cohort_id
    elif first_column(profile, R.COHORT):
        col = first_column(profile, R.COHORT)
        known = {
            **dict(zip(cohorts["name"], cohorts["cohort_id"], strict=True)),
            **{c: c for c in cohorts["cohort_id"]},
        }
        frame["_cohort"] = lookup_ids(frame[col], known)
        rej.add_mask(frame, frame["_cohort"].isna(), f"{col}: not a cohort in the database")
    elif needs_cohort:
        raise ValueError("choose the cohort these rows belong to (or map a cohort column)")
    else:
        frame["_cohort"] = None
    frame["_group"], frame["_group_named"] = _groups(store, link, frame, profile, target)
    _works_together(store, frame, profile, target)
    return target


def _create_cohort(store: Store, new: NewCohort, target: Target) -> str:
    """Rows for a new program (if named), the cohort and its single group (if named)."""
    program_id = new.program_id
    if not program_id:
        same = existing_program(store, new.program_name)  # ignoring case and spacing
        program_id = same[0] if same else stable_id("p", new.program_name)
        if same and same[1] != new.program_name:
            target.notes.append(f"program {new.program_name!r} is the existing {same[1]!r}")
        if same is None:
            target.programs.append(
                {
                    "program_id": program_id,
                    "name": new.program_name,
                    "topic": None,
                    "goal": new.program_goal,
                    "cost_per_person": None,
                    "hours": None,
                }
            )
    cohort_id = new.cohort_id
    if cohort_id in target.cohort_start:
        target.notes.append(f"cohort {new.name!r} already exists: rows are added to it")
        return cohort_id
    target.cohorts.append(
        {
            "cohort_id": cohort_id,
            "program_id": program_id,
            "name": new.name,
            "format": new.format,
            "variant": new.variant,
            "start_date": new.start_date,
            "end_date": new.end_date,
            "scheduled_sessions": new.scheduled_sessions,
            "planned_weeks": new.weeks,
        }
    )
    target.cohort_start[cohort_id], target.cohort_end[cohort_id] = new.start_date, new.end_date
    return cohort_id


def _groups(store, link, frame, profile, target) -> tuple[pd.Series, pd.Series]:
    """Each row's group, and the group the file or the form names (None where inferred).

    Named: the form's group, or a group column. Inferred: the cohort's one group (a new one
    for a cohort without any), else the group of the person's enrolment in the cohort.
    """
    if link.group_id:
        named = pd.Series(link.group_id, index=frame.index, dtype=object)
        return named, named
    groups = store.query("SELECT group_id, cohort_id, name FROM groups")
    col = first_column(profile, R.GROUP)
    if col:
        named = _groups_from_column(frame, col, groups, target)
        return _enrolled_groups(store, frame, named), named
    out = pd.Series(None, index=frame.index, dtype=object)
    for cohort_id in frame["_cohort"].dropna().unique():
        mine = groups[groups["cohort_id"] == cohort_id]
        if len(mine) == 1:
            out[frame["_cohort"] == cohort_id] = mine["group_id"].iloc[0]
        elif mine.empty:
            out[frame["_cohort"] == cohort_id] = _new_group(
                cohort_id, _cohort_name(cohort_id, target, store), frame, target, link
            )
    return _enrolled_groups(store, frame, out), pd.Series(None, index=frame.index, dtype=object)


def _enrolled_groups(store: Store, frame: pd.DataFrame, out: pd.Series) -> pd.Series:
    """Rows still without a group take the group of the person's enrolment in the cohort."""
    need = out.isna() & frame["_person"].notna() & frame["_cohort"].notna()
    if not need.any():
        return out
    enrolled = store.query(
        "SELECT person_key, cohort_id, group_id FROM enrolments "
        "WHERE cohort_id IN (SELECT unnest($c))",
        {"c": sorted(frame.loc[need, "_cohort"].unique().tolist())},
    )
    lookup = {(p, c): g for p, c, g in enrolled.itertuples(index=False)}
    out = out.copy()
    out[need] = [
        lookup.get(pc)
        for pc in zip(frame.loc[need, "_person"], frame.loc[need, "_cohort"], strict=True)
    ]
    return out


def _works_together(
    store: Store, frame: pd.DataFrame, profile: MappingProfile, target: Target
) -> None:
    """Whether each group's members work together, from a yes/no column, taken per group.

    A group the import creates gets the flag with it; an existing group whose flag changes
    gets a group_settings row of this import (undo restores the value before). A group whose
    rows disagree, or hold something other than yes/no, keeps its value, with a warning.
    """
    col = first_column(profile, R.WORKS_TOGETHER)
    if not col:
        return
    flags, unclear = flags_from_column(frame["_group"], frame[col])
    created = {g["group_id"]: g for g in target.groups}
    existing = store.query(
        "SELECT group_id, name, works_together FROM current_groups "
        "WHERE group_id IN (SELECT unnest($g))",
        {"g": sorted(set(flags) | set(unclear))},
    )
    names = {**dict(zip(existing["group_id"], existing["name"], strict=True)),
             **{g: c["name"] for g, c in created.items()}}  # fmt: skip
    now = {
        g: None if pd.isna(w) else bool(w)
        for g, w in zip(existing["group_id"], existing["works_together"], strict=True)
    }
    changed = []
    for group_id, flag in flags.items():
        if group_id in created:
            created[group_id]["works_together"] = flag
        elif group_id in now and now[group_id] != flag:
            target.group_settings.append({"group_id": group_id, "works_together": flag})
            changed.append(f"“{names[group_id]}” ({WORKS_TOGETHER_WORDS[flag]})")
    if changed:
        target.notes.append(
            f"{col}: whether members work together changes for {len(changed)} existing "
            f"group{'s' if len(changed) > 1 else ''}: {', '.join(changed)}"
        )
    for group_id, values in unclear.items():
        said = ", ".join(f"“{v}”" for v in values)
        target.warnings.append(
            f"Group “{names.get(group_id, group_id)}”: its rows do not agree on one yes or no "
            f"in {col} ({said}), so whether its members work together is not taken from this "
            "file. Set it under “Groups” after the import."
        )


def _groups_from_column(frame, col, groups, target) -> pd.Series:
    """Groups named in a column, created inside their cohort when new (size = members)."""
    out = pd.Series(None, index=frame.index, dtype=object)
    for (cohort_id, name), rows in frame.groupby(["_cohort", col], dropna=True):
        mine = groups[(groups["cohort_id"] == cohort_id) & (groups["name"] == name)]
        if len(mine):
            out[rows.index] = mine["group_id"].iloc[0]
            continue
        group_id = stable_id("g", cohort_id, name)
        target.groups.append(
            {
                "group_id": group_id,
                "cohort_id": cohort_id,
                "name": str(name),
                "size": int(rows["_person"].nunique() or len(rows)),
                "works_together": None,
            }
        )
        out[rows.index] = group_id
    return out


def _new_group(cohort_id, name, frame, target, link) -> str:
    group_id = stable_id("g", cohort_id, name)
    if not any(g["group_id"] == group_id for g in target.groups):
        works = link.new_cohort.works_together if link.new_cohort else None
        members = frame.loc[frame["_cohort"] == cohort_id, "_person"].nunique()
        target.groups.append(
            {
                "group_id": group_id,
                "cohort_id": cohort_id,
                "name": name,
                "size": int(members),
                "works_together": works,
            }
        )
    return group_id


def _cohort_name(cohort_id: str, target: Target, store: Store) -> str:
    for c in target.cohorts:
        if c["cohort_id"] == cohort_id:
            return c["name"]
    row = store.query("SELECT name FROM cohorts WHERE cohort_id = $c", {"c": cohort_id})
    return str(row["name"].iloc[0]) if len(row) else cohort_id


def target_tables(target: Target) -> dict[str, pd.DataFrame]:
    """The programs, cohorts and groups the import creates."""
    return {
        "programs": pd.DataFrame(target.programs),
        "cohorts": pd.DataFrame(target.cohorts),
        "groups": pd.DataFrame(target.groups),
        "group_settings": pd.DataFrame(target.group_settings),
    }
