"""Whether an attendance file's session days fit its cohort's calendar: warnings before import."""

from __future__ import annotations

import pandas as pd

from analysis.ingest.targets import Target
from analysis.store import Store


def calendar_warnings(store: Store, con, target: Target) -> list[str]:
    """Where the file's session days do not fit the cohort's calendar, say so before import.

    A cohort without scheduled sessions counts nobody as engaged for attending; more session
    days than scheduled sessions, or days outside the cohort's dates, usually mean the form's
    dates or session count were left at their defaults.
    """
    days = con.execute(
        "SELECT DISTINCT p.cohort_id, a.session_date FROM agg a JOIN pids p USING (_pid)"
    ).df()
    if days.empty:
        return []
    known = store.query(
        "SELECT cohort_id, name, start_date, end_date, scheduled_sessions FROM cohorts "
        "WHERE cohort_id IN (SELECT unnest($c))",
        {"c": sorted(days["cohort_id"].unique().tolist())},
    )
    cohorts = pd.concat([known, pd.DataFrame(target.cohorts, columns=known.columns)])
    out = []
    for c in cohorts.drop_duplicates("cohort_id").itertuples():
        mine = pd.to_datetime(days.loc[days["cohort_id"] == c.cohort_id, "session_date"]).dt.date
        if mine.empty:
            continue
        n, first, last = mine.nunique(), mine.min(), mine.max()
        span = (
            f"{n:,} session days from {first:%d %b %Y} to {last:%d %b %Y}"
            if n > 1
            else f"one session day, {first:%d %b %Y}"
        )
        if c.scheduled_sessions == 0:
            out.append(
                f"Cohort “{c.name}” has no scheduled sessions, so nobody in it can count as "
                f"engaged for attending. The file has {span}: enter the number of sessions."
            )
        elif n > c.scheduled_sessions:
            out.append(
                f"Cohort “{c.name}” plans {c.scheduled_sessions:,} sessions but the file has "
                f"{span}: check the number of sessions."
            )
        start, end = pd.Timestamp(c.start_date).date(), pd.Timestamp(c.end_date).date()
        outside = int(((mine < start) | (mine > end)).sum())
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
