"""Which program, cohort and group each row belongs to: from the form, or from columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analysis.ingest import mapping_rules as R
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
    """Set frame['_cohort'] and frame['_group']; reject rows whose cohort cannot be found."""
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
    frame["_group"] = _groups(store, link, frame, profile, target)
    return target


def _create_cohort(store: Store, new: NewCohort, target: Target) -> str:
    """Rows for a new program (if named), the cohort and its single group (if named)."""
    program_id = new.program_id
    if not program_id:
        program_id = stable_id("p", new.program_name)
        exists = store.query("SELECT 1 FROM programs WHERE program_id = $p", {"p": program_id})
        if exists.empty:
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


def _groups(store, link, frame, profile, target) -> pd.Series:
    """The group of each row: the form's group, a group column, or the cohort's one group."""
    if link.group_id:
        return pd.Series(link.group_id, index=frame.index, dtype=object)
    groups = store.query("SELECT group_id, cohort_id, name FROM groups")
    col = first_column(profile, R.GROUP)
    if col:
        return _groups_from_column(frame, col, groups, target)
    out = pd.Series(None, index=frame.index, dtype=object)
    for cohort_id in frame["_cohort"].dropna().unique():
        mine = groups[groups["cohort_id"] == cohort_id]
        if len(mine) == 1:
            out[frame["_cohort"] == cohort_id] = mine["group_id"].iloc[0]
        elif mine.empty:
            out[frame["_cohort"] == cohort_id] = _new_group(
                cohort_id, _cohort_name(cohort_id, target, store), frame, target, link
            )
    return out


def no_group_reason(profile: MappingProfile) -> str:
    """Why a row has no learning group (attendance and enrolments need one)."""
    col = first_column(profile, R.GROUP)
    if col:
        return f"{col}: no learning group named"
    return "no learning group: the cohort has several, so map a column naming each row's group"


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
    }
