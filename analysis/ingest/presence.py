"""Attendance reports and LMS logs: presence per person and day, minutes, completions."""

from __future__ import annotations

import pandas as pd

from analysis.ingest import mapping_rules as R
from analysis.ingest.rows import (
    ImportRefused,
    date_or_none,
    first_column,
    kept,
    need_person,
    numbers,
    parse_dates,
    yes_no,
)
from analysis.ingest.scales import label_key


def attendance_tables(store, frame, profile, link, target, rej, table) -> dict[str, pd.DataFrame]:
    """Presence per person and session day, with minutes (join/leave pairs are summed)."""
    frame = need_person(kept(frame, rej), profile, link, rej)
    day_first = table.detection.day_first
    join_col = first_column(profile, R.JOIN_TIME)
    leave_col = first_column(profile, R.LEAVE_TIME)
    when_col = first_column(profile, R.SESSION_DATE) or join_col or first_column(profile, R.DATE)
    if not when_col:
        raise ImportRefused("an attendance report needs a session date or join time column")
    when = date_or_none(frame, when_col, day_first, rej)
    frame = frame.assign(_when=when)
    frame = rej.add_mask(frame, frame["_when"].isna(), "no session date")
    minutes = pd.Series(float("nan"), index=frame.index)
    if first_column(profile, R.MINUTES):
        minutes = numbers(frame[first_column(profile, R.MINUTES)], table.detection.decimal_comma)
    elif join_col and leave_col:
        leave = parse_dates(frame[leave_col], day_first)
        minutes = (leave - frame["_when"]).dt.total_seconds() / 60
    action_col = first_column(profile, R.USER_ACTION)
    if action_col:
        minutes = _minutes_from_events(frame, action_col)
    attended_col = first_column(profile, R.ATTENDED)
    attended = yes_no(frame[attended_col]).fillna(True) if attended_col else True
    rows = pd.DataFrame(
        {
            "person_key": frame["_person"],
            "cohort_id": frame["_cohort"],
            "group_id": frame["_group"],
            "kind": "session",
            "session_date": frame["_when"].dt.date,
            "attended": attended,
            "minutes": minutes.clip(lower=0),
        }
    )
    return _presence_tables(store, rows, rej, frame)


def _minutes_from_events(frame: pd.DataFrame, action_col: str) -> pd.Series:
    """Teams' Joined/Left events: minutes from each join to the next leave of the same person."""
    order = frame.sort_values(["_person", "_when"])
    out = pd.Series(0.0, index=frame.index)
    for _, g in order.groupby("_person", sort=False):
        joined = None
        for idx, action, when in zip(g.index, g[action_col], g["_when"], strict=True):
            word = label_key(action)
            if word.startswith("join"):
                joined = (idx, when)
            elif word.startswith("left") and joined is not None:
                out[joined[0]] += (when - joined[1]).total_seconds() / 60
                joined = None
    return out


def activity_tables(store, frame, profile, link, target, rej, table) -> dict[str, pd.DataFrame]:
    """LMS logs: one activity row per person and active day; completions complete enrolments."""
    frame = need_person(kept(frame, rej), profile, link, rej)
    when_col = first_column(profile, R.DATE) or first_column(profile, R.SESSION_DATE)
    if not when_col:
        raise ImportRefused("an LMS log needs a time column")
    when = date_or_none(frame, when_col, table.detection.day_first, rej)
    frame = frame.assign(_when=when)
    frame = rej.add_mask(frame, frame["_when"].isna(), "no activity time")
    rows = pd.DataFrame(
        {
            "person_key": frame["_person"],
            "cohort_id": frame["_cohort"],
            "group_id": frame["_group"],
            "kind": "activity",
            "session_date": frame["_when"].dt.date,
            "attended": True,
            "minutes": float("nan"),
        }
    )
    tables = _presence_tables(store, rows, rej, frame)
    action_col = first_column(profile, R.USER_ACTION) or first_column(profile, R.COMPLETION_STATUS)
    if action_col:
        done = frame[action_col].map(lambda v: bool(v) and "complet" in label_key(v))
        finished = frame[done]
        enrol = tables["enrolment_records"]
        completed = finished.groupby("_person")["_when"].min().dt.date
        extra = pd.DataFrame({"person_key": completed.index, "completed_on": completed.values})
        if len(extra):
            first = finished.drop_duplicates("_person").set_index("_person")
            extra["cohort_id"] = extra["person_key"].map(first["_cohort"])
            extra["group_id"] = extra["person_key"].map(first["_group"])
            extra["enrolled_on"] = None
            enrol = pd.concat([enrol[~enrol["person_key"].isin(extra["person_key"])], extra])
        tables["enrolment_records"] = enrol
    return tables


def _presence_tables(store, rows, rej, frame) -> dict[str, pd.DataFrame]:
    """Aggregate to person × day, drop what is already imported, enrol unknown attendees."""
    kind = rows["kind"].iloc[0] if len(rows) else "session"
    cohorts = sorted({c for c in rows["cohort_id"] if c is not None})
    existing = store.query(
        "SELECT DISTINCT person_key, cohort_id, session_date FROM attendance "
        "WHERE kind = $k AND cohort_id IN (SELECT unnest($c))",
        {"k": kind, "c": cohorts},
    )
    seen = set(
        zip(
            existing["person_key"],
            existing["cohort_id"],
            pd.to_datetime(existing["session_date"]).dt.date,
            strict=True,
        )
    )
    keys = zip(rows["person_key"], rows["cohort_id"], rows["session_date"], strict=True)
    dup = pd.Series([k in seen for k in keys], index=rows.index, dtype=bool)
    rej.add(frame.loc[dup[dup].index, "_row"], "duplicate of attendance already imported")
    rows = rows[~dup]
    agg = rows.groupby(
        ["person_key", "cohort_id", "group_id", "kind", "session_date"], as_index=False
    ).agg(attended=("attended", "max"), minutes=("minutes", lambda m: m.sum(min_count=1)))
    enrolled = store.query(
        "SELECT person_key, cohort_id FROM enrolments WHERE cohort_id IN (SELECT unnest($c))",
        {"c": cohorts},
    )
    people = agg.drop_duplicates(["person_key", "cohort_id"])[
        ["person_key", "cohort_id", "group_id"]
    ]
    new = people.merge(enrolled, on=["person_key", "cohort_id"], how="left", indicator=True)
    new = new[new["_merge"] == "left_only"].drop(columns="_merge")
    new["enrolled_on"] = None
    new["completed_on"] = None
    return {"attendance": agg, "enrolment_records": new}
