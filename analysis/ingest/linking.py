"""Linking an import to its cohort: the file's own dates, and names that already exist.

A new cohort's dates and scheduled sessions are proposed from the file (the first and last
session day, and the most session days any one learning group has), so they never default
to about today. A program or cohort name that already exists, ignoring case and spacing, is
the existing one: typing "Leading  teams" next to "Leading Teams" never makes a second
program.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis.ingest import mapping_rules as R
from analysis.ingest.datetimes import parse_dates
from analysis.store import Store

# The columns whose dates are the cohort's own days, by what the file holds (best first).
DATE_ROLES: dict[str, tuple[str, ...]] = {
    R.ATTENDANCE: (R.SESSION_DATE, R.JOIN_TIME, R.DATE),
    R.LMS_LOG: (R.DATE,),
}


def name_key(name: object) -> str:
    """A name as compared: case and spacing ignored ("Leading  teams" is "leading teams")."""
    return " ".join(str(name or "").casefold().split())


@dataclass(frozen=True)
class FileDates:
    """The days a file's rows fall on: its first and last, and session days per group."""

    start: date
    end: date
    sessions: int  # the most distinct days any one learning group has (the file's if none)
    column: str
    rows: int  # rows read for it
    partial: bool  # the file had more rows than were read

    def words(self) -> str:
        """'Proposed from the file's Session date: 3 Mar 2025 to 28 Apr 2025, 8 session days.'"""
        out = (
            f"Proposed from the file's {self.column}: {_day(self.start)} to {_day(self.end)}, "
            f"{self.sessions} session day{'s' if self.sessions != 1 else ''}"
        )
        if self.partial:
            out += f" (in its first {self.rows:,} rows)"
        return out + "."

    def to_dict(self) -> dict:
        """For the command line's JSON."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "sessions": self.sessions,
            "column": self.column,
            "partial": self.partial,
        }


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def file_dates(
    frame: pd.DataFrame,
    roles: dict[str, str],
    kind: str,
    day_first: bool | None,
    *,
    partial: bool = False,
) -> FileDates | None:
    """The cohort's days as the file shows them, or None (no date column for this kind, or
    no readable date). `roles` maps each role to its first column."""
    kind = R.KIND_ALIASES.get(kind, kind)
    col = next((roles[r] for r in DATE_ROLES.get(kind, ()) if roles.get(r) in frame), None)
    if col is None:
        return None
    days = parse_dates(frame[col], day_first).dt.normalize()
    ok = days.notna()
    if not ok.any():
        return None
    group_col = roles.get(R.GROUP)
    if group_col in frame:
        groups = frame.loc[ok, group_col].fillna("").astype(str)
        sessions = int(days[ok].groupby(groups.to_numpy()).nunique().max())
    else:
        sessions = int(days[ok].nunique())
    return FileDates(
        start=days[ok].min().date(),
        end=days[ok].max().date(),
        sessions=sessions,
        column=col,
        rows=len(frame),
        partial=partial,
    )


def existing_program(store: Store, name: str) -> tuple[str, str] | None:
    """(program_id, name) of the program with this name, ignoring case and spacing."""
    rows = store.query("SELECT program_id, name FROM programs ORDER BY program_id")
    key = name_key(name)
    for pid, pname in zip(rows["program_id"], rows["name"], strict=True):
        if name_key(pname) == key:
            return str(pid), str(pname)
    return None


def existing_cohorts(store: Store, name: str) -> pd.DataFrame:
    """The cohorts with this name, ignoring case and spacing (id, name, program, dates)."""
    rows = store.query(
        "SELECT c.cohort_id, c.name, c.start_date, c.end_date, p.name AS program "
        "FROM cohorts c LEFT JOIN programs p USING (program_id) ORDER BY c.start_date DESC"
    )
    key = name_key(name)
    return rows[rows["name"].map(name_key) == key].reset_index(drop=True)
