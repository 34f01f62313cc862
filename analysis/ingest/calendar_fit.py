"""Whether an attendance file's session days fit its cohort's calendar: warnings before import."""

from __future__ import annotations

import pandas as pd

from analysis.ingest.targets import Target
from analysis.store import Store


def calendar_warnings(store: Store, con, target: Target) -> list[str]:
    """Where the file's session days do not fit the cohort's calendar, say so before import.

    A cohort without scheduled sessions counts nobody as engaged for attending; more session
    days than scheduled sessions, or days outside the cohort's dates, usually mean the form's
    dates or session count were left at their defaults. Sessions are counted per group: the
    groups of one cohort may meet on different days, each holding the cohort's sessions.
    """
    # Distinct on (integer, date) first, then the names: far faster than on two strings and a
    # date over every row (person x day) of the file.
    days = con.execute("""
        WITH cg AS (
            SELECT _pid, dense_rank() OVER (ORDER BY cohort_id, group_id) AS _cg,
                   cohort_id, group_id
            FROM pids
        )
        SELECT n.cohort_id, n.group_id, d.session_date
        FROM (SELECT DISTINCT cg._cg, a.session_date FROM agg a JOIN cg USING (_pid)) d
        JOIN (SELECT DISTINCT _cg, cohort_id, group_id FROM cg) n USING (_cg)
    """).df()
    if days.empty:
        return []
    days["session_date"] = pd.to_datetime(days["session_date"]).dt.date
    known = store.query(
        "SELECT cohort_id, name, start_date, end_date, scheduled_sessions FROM cohorts "
        "WHERE cohort_id IN (SELECT unnest($c))",
        {"c": sorted(days["cohort_id"].unique().tolist())},
    )
    cohorts = pd.concat([known, pd.DataFrame(target.cohorts, columns=known.columns)])
    out = []
    for c in cohorts.drop_duplicates("cohort_id").itertuples():
        mine = days[days["cohort_id"] == c.cohort_id]
        if mine.empty:
            continue
        if c.scheduled_sessions == 0:
            out.append(
                f"Cohort “{c.name}” has no scheduled sessions, so nobody in it can count as "
                f"engaged for attending. The file has {_span(mine['session_date'])}: enter the "
                "number of sessions."
            )
        else:
            out += _too_many_days(store, target, c, mine)
        dates = mine["session_date"].drop_duplicates()
        n, first = len(dates), dates.min()
        start, end = pd.Timestamp(c.start_date).date(), pd.Timestamp(c.end_date).date()
        outside = int(((dates < start) | (dates > end)).sum())
        if outside:
            which = (
                f"{outside:,} of the file's {n:,} session days fall"
                if n > 1
                else (f"The file's one session day ({first:%d %b %Y}) falls")
            )
            out.append(
                f"{which} outside cohort “{c.name}” "
                f"({start:%d %b %Y} to {end:%d %b %Y}): check its start and end."
            )
    return out


def _too_many_days(store: Store, target: Target, cohort, days: pd.DataFrame) -> list[str]:
    """Groups of the cohort with more session days in the file than it plans sessions."""
    per_group = days.groupby("group_id")["session_date"]
    over = [g for g, d in per_group if d.nunique() > cohort.scheduled_sessions]
    if not over:
        return []
    planned = f"Cohort “{cohort.name}” plans {cohort.scheduled_sessions:,} sessions"
    if per_group.ngroups == 1:
        days_in_file = _span(days["session_date"])
        return [f"{planned} but the file has {days_in_file}: check the number of sessions."]
    names = _group_names(store, target, over)
    return [
        f"{planned} but its group “{names.get(g, g)}” has "
        f"{_span(days.loc[days['group_id'] == g, 'session_date'])} in the file: check the "
        "number of sessions."
        for g in sorted(over, key=lambda g: names.get(g, g))
    ]


def _group_names(store: Store, target: Target, group_ids: list[str]) -> dict[str, str]:
    if not group_ids:
        return {}
    known = store.query(
        "SELECT group_id, name FROM groups WHERE group_id IN (SELECT unnest($g))",
        {"g": list(group_ids)},
    )
    return {
        **dict(zip(known["group_id"], known["name"], strict=True)),
        **{g["group_id"]: g["name"] for g in target.groups},
    }


def _span(dates: pd.Series) -> str:
    """Session days in words: "6 session days from 03 Mar 2025 to 07 Apr 2025"."""
    dates = dates.drop_duplicates()
    n, first, last = len(dates), dates.min(), dates.max()
    if n == 1:
        return f"one session day, {first:%d %b %Y}"
    return f"{n:,} session days from {first:%d %b %Y} to {last:%d %b %Y}"
