"""Attendance reports and LMS logs shaped in SQL: presence per person and day, minutes, completions.

Rows stay in the scratch DuckDB (see staging); Python sees only distinct identifiers and cohort
names (to hash and look up) and the final, aggregated rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analysis.ingest import mapping_rules as R
from analysis.ingest.detect import read_table
from analysis.ingest.keys import PersonHasher
from analysis.ingest.model import DecodedTable
from analysis.ingest.plan import ImportPlan, Link, previous_import
from analysis.ingest.profiles import MappingProfile
from analysis.ingest.rows import (
    DONE,
    NO,
    ImportRefused,
    Rejections,
    columns_for,
    first_column,
    person_keys,
)
from analysis.ingest.staging import (
    Source,
    date_formats,
    quote,
    scratch,
    stage_upload,
    text,
    timestamp_sql,
)
from analysis.ingest.targets import Target, resolve_target, target_tables
from analysis.store import Store

PREVIEW_ROWS = 200
_ID_ROLES = (
    R.PERSON_EMAIL,
    R.PERSON_ID,
    R.PERSON_NAME,
    R.FIRST_NAME,
    R.LAST_NAME,
    R.COHORT,
    R.GROUP,
)


def presence_tables(
    store: Store,
    con: duckdb.DuckDBPyConnection,
    source: Source,
    head: DecodedTable,
    profile: MappingProfile,
    link: Link,
    hasher: PersonHasher,
    rej: Rejections,
) -> tuple[dict[str, pd.DataFrame], Target]:
    """attendance (+ enrolment_records, person_aliases) rows for an attendance/LMS upload."""
    kind = "activity" if R.KIND_ALIASES.get(profile.kind, profile.kind) == R.LMS_LOG else "session"
    _raw_rows(con, source, head, profile, kind)
    target, aliases = _identities(store, con, profile, link, hasher)
    _keyed_rows(con, profile, source.row_offset)
    _reject(con, profile, link, rej)
    _events_to_minutes(con, profile)
    _drop_existing(store, con, kind, rej)
    attendance = con.sql(f"""
        SELECT person_key, cohort_id, group_id, '{kind}' AS kind,
               CAST(ts AS DATE) AS session_date, bool_or(attended) AS attended,
               sum(minutes) AS minutes
        FROM rk WHERE reason IS NULL
        GROUP BY person_key, cohort_id, group_id, CAST(ts AS DATE)
    """).to_arrow_table()  # handed to the commit as Arrow: no pandas copy of every row
    people = con.execute(
        "SELECT DISTINCT person_key, cohort_id, group_id FROM rk WHERE reason IS NULL"
    ).df()
    enrol = _new_enrolments(store, people)
    if kind == "activity":
        enrol = _completions(con, profile, enrol)
    return {"attendance": attendance, "enrolment_records": enrol, "person_aliases": aliases}, target


def _raw_rows(con, source: Source, head: DecodedTable, profile: MappingProfile, kind: str) -> None:
    """Table r: each row's identifiers (trimmed text), time, minutes, attended and action."""
    d = head.detection
    when_col = _when_column(profile)
    if not when_col:
        what = "a session date or join time" if kind == "session" else "a time"
        raise ImportRefused(f"this file needs {what} column")
    when_sample = _sample(head, when_col)
    ts = timestamp_sql(when_col, date_formats(when_sample, d.day_first), when_sample)
    minutes = "CAST(NULL AS DOUBLE)"
    minutes_col, leave_col = first_column(profile, R.MINUTES), first_column(profile, R.LEAVE_TIME)
    if minutes_col:
        raw = text(minutes_col)
        if d.decimal_comma:
            raw = f"replace(replace({raw}, '.', ''), ',', '.')"
        minutes = f"TRY_CAST({raw} AS DOUBLE)"
    elif leave_col:
        leave_sample = _sample(head, leave_col)
        leave = timestamp_sql(leave_col, date_formats(leave_sample, d.day_first), leave_sample)
        minutes = f"date_diff('second', {ts}, {leave}) / 60.0"
    attended = "TRUE"
    if first_column(profile, R.ATTENDED):
        no = ", ".join("'" + w.replace("'", "''") + "'" for w in sorted(NO))
        attended = f"coalesce(lower({text(first_column(profile, R.ATTENDED))}) NOT IN ({no}), TRUE)"
    action = first_column(profile, R.USER_ACTION) or first_column(profile, R.COMPLETION_STATUS)
    action_sql = f"lower({text(action)})" if action else "CAST(NULL AS VARCHAR)"
    ids = ", ".join(f"{text(c)} AS {quote(c)}" for c in columns_for(profile, _ID_ROLES))
    con.execute(
        f"""
        CREATE OR REPLACE TABLE r AS
        SELECT {"_row," if source.row_offset is None else ""} {ids + "," if ids else ""}
               {ts} AS ts, {text(when_col)} AS ts_raw,
               CASE WHEN {minutes} < 0 THEN 0 ELSE {minutes} END AS minutes,
               {attended} AS attended, {action_sql} AS action
        FROM {source.sql}
        """,
        source.params,
    )


def _sample(head: DecodedTable, column: str) -> list[str]:
    """Distinct preview values of a column, for choosing date formats."""
    return [str(v) for v in head.frame[column].dropna().unique().tolist()]


def _identities(store, con, profile, link, hasher) -> tuple[Target, pd.DataFrame]:
    """Person keys, cohorts and groups for each distinct identifier combination (table idmap)."""
    cols = columns_for(profile, _ID_ROLES)
    if cols:
        ids = con.execute(f"SELECT DISTINCT {', '.join(map(quote, cols))} FROM r").df()
    else:
        ids = pd.DataFrame({"_one": [1]})
    ids = ids.astype(object).where(ids.notna(), None)
    ids["_row"] = range(len(ids))
    keys, aliases = person_keys(ids, profile, hasher, store, link.match_names)
    ids["_person"] = keys
    target = resolve_target(store, link, ids, profile, Rejections(), needs_cohort=True)
    con.register("idmap_df", ids.drop(columns=["_row"]))
    con.execute("CREATE OR REPLACE TABLE idmap AS SELECT * FROM idmap_df")
    con.unregister("idmap_df")
    return target, aliases


_REASON_CODES = ("person", "cohort", "date", "no_date", "duplicate")


def _keyed_rows(con, profile: MappingProfile, row_offset: int | None) -> None:
    """Table rk: r with person, cohort and group joined in, and why a row cannot be taken."""
    cols = columns_for(profile, _ID_ROLES)
    on = " AND ".join(f"r.{quote(c)} IS NOT DISTINCT FROM m.{quote(c)}" for c in cols) or "TRUE"
    con.execute(f"""
        CREATE OR REPLACE VIEW rk AS
        SELECT {"r._row" if row_offset is None else f"r.rowid + {int(row_offset)}"} AS _row,
               m._person AS person_key, m._cohort AS cohort_id, m._group AS group_id,
               r.ts, r.minutes, r.attended, r.action,
               CASE WHEN m._person IS NULL THEN 'person'
                    WHEN m._cohort IS NULL THEN 'cohort'
                    WHEN r.ts IS NULL AND r.ts_raw IS NOT NULL THEN 'date'
                    WHEN r.ts IS NULL THEN 'no_date' END AS reason
        FROM r LEFT JOIN idmap m ON {on}
    """)


def _materialize(con) -> None:
    """Turn the rk view into a table before rows of it are changed (rarely needed)."""
    if con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'rk'").fetchone()[0]:
        con.execute("CREATE TABLE rk_rows AS SELECT * FROM rk")
        con.execute("DROP VIEW rk")
        con.execute("ALTER TABLE rk_rows RENAME TO rk")


def _when_column(profile: MappingProfile) -> str | None:
    """The column that says when: session date, else join time, else any date."""
    return (
        first_column(profile, R.SESSION_DATE)
        or first_column(profile, R.JOIN_TIME)
        or first_column(profile, R.DATE)
    )


def _reject(con, profile: MappingProfile, link: Link, rej: Rejections) -> None:
    """List the rows without a person, a known cohort or a readable time, with the reason."""
    has_name = bool(columns_for(profile, (R.PERSON_NAME, R.FIRST_NAME, R.LAST_NAME)))
    no_person = "no e-mail or employee id"
    if has_name and not link.match_names:
        no_person += " (only a name: confirm matching people by full name to use it)"
    reasons = {
        "person": no_person,
        "cohort": f"{first_column(profile, R.COHORT) or 'cohort'}: not a cohort in the database",
        "date": f"{_when_column(profile)}: unreadable date",
        "no_date": "no session date",
    }
    for row, code in con.execute(
        "SELECT _row, reason FROM rk WHERE reason IS NOT NULL ORDER BY _row"
    ).fetchall():
        rej.add([row], reasons[code])


def _events_to_minutes(con, profile: MappingProfile) -> None:
    """Teams' Joined/Left events: minutes from each join to the next event if it is a leave."""
    if not first_column(profile, R.USER_ACTION) or first_column(profile, R.MINUTES):
        return
    if R.KIND_ALIASES.get(profile.kind, profile.kind) == R.LMS_LOG:
        return
    _materialize(con)
    con.execute("""
        CREATE OR REPLACE TABLE rk AS
        SELECT * REPLACE (
            CASE WHEN reason IS NOT NULL THEN minutes
                 WHEN action LIKE 'join%' AND next_action LIKE 'left%'
                     THEN date_diff('second', ts, next_ts) / 60.0
                 WHEN action LIKE 'join%' OR action LIKE 'left%' THEN 0
                 ELSE minutes END AS minutes)
        FROM (
            SELECT *, lead(action) OVER w AS next_action, lead(ts) OVER w AS next_ts
            FROM rk WINDOW w AS (PARTITION BY reason IS NULL, person_key ORDER BY ts, _row)
        )
    """)
    con.execute("ALTER TABLE rk DROP COLUMN next_action")
    con.execute("ALTER TABLE rk DROP COLUMN next_ts")


def _drop_existing(store: Store, con, kind: str, rej: Rejections) -> None:
    """Rows whose person, cohort and day were imported before are duplicates."""
    cohorts = [
        c[0]
        for c in con.execute("SELECT DISTINCT cohort_id FROM rk WHERE reason IS NULL").fetchall()
    ]
    existing = store.query(
        "SELECT DISTINCT person_key, cohort_id, session_date FROM attendance "
        "WHERE kind = $k AND cohort_id IN (SELECT unnest($c))",
        {"k": kind, "c": cohorts},
    )
    if existing.empty:
        return
    _materialize(con)
    con.register("existing_df", existing)
    condition = (
        "reason IS NULL AND EXISTS (SELECT 1 FROM existing_df e "
        "WHERE e.person_key = rk.person_key AND e.cohort_id = rk.cohort_id "
        "AND e.session_date = CAST(rk.ts AS DATE))"
    )
    dup = con.execute(f"SELECT _row FROM rk WHERE {condition}").fetchall()
    rej.add((d[0] for d in dup), "duplicate of attendance already imported")
    con.execute(f"UPDATE rk SET reason = 'duplicate' WHERE {condition}")
    con.unregister("existing_df")


def _new_enrolments(store: Store, people: pd.DataFrame) -> pd.DataFrame:
    """Attendees not yet enrolled in the cohort are enrolled (attendance implies enrolment)."""
    cols = ["person_key", "cohort_id", "group_id", "enrolled_on", "completed_on"]
    if people.empty:
        return pd.DataFrame(columns=cols)
    enrolled = store.query(
        "SELECT person_key, cohort_id FROM enrolments WHERE cohort_id IN (SELECT unnest($c))",
        {"c": sorted(people["cohort_id"].unique().tolist())},
    )
    people = people.drop_duplicates(["person_key", "cohort_id"])
    new = people.merge(enrolled.assign(_in=True), on=["person_key", "cohort_id"], how="left")
    new = new[new["_in"].isna()].drop(columns="_in")
    return new.assign(enrolled_on=None, completed_on=None)[cols]


def _completions(con, profile: MappingProfile, enrol: pd.DataFrame) -> pd.DataFrame:
    """LMS completion events give the enrolment its completion date (first completion)."""
    if not (first_column(profile, R.USER_ACTION) or first_column(profile, R.COMPLETION_STATUS)):
        return enrol
    done = ", ".join("'" + w.replace("'", "''") + "'" for w in sorted(DONE))
    finished = con.execute(f"""
        SELECT person_key, cohort_id, min(group_id) AS group_id,
               min(CAST(ts AS DATE)) AS completed_on
        FROM rk WHERE reason IS NULL AND (action LIKE '%complet%' OR action IN ({done}))
        GROUP BY person_key, cohort_id
    """).df()
    if finished.empty:
        return enrol
    keys = ["person_key", "cohort_id"]
    rest = enrol.merge(finished[keys].assign(_f=True), on=keys, how="left")
    rest = rest[rest["_f"].isna()].drop(columns="_f")
    return pd.concat([rest, finished.assign(enrolled_on=None)[rest.columns]], ignore_index=True)


def build_presence_plan(
    store: Store,
    data: bytes,
    file_name: str,
    profile: MappingProfile,
    link: Link,
    hasher: PersonHasher,
    *,
    overrides: dict | None,
    file_sha256: str,
    path: Path | None = None,
) -> ImportPlan:
    """The plan for an attendance report or LMS log, shaped in a scratch DuckDB (writes nothing)."""
    head = read_table(data, file_name, overrides, max_rows=PREVIEW_ROWS)
    kind = R.KIND_ALIASES.get(profile.kind, profile.kind)
    plan = ImportPlan(file_name, file_sha256, head.detection.tool, kind, profile.name, 0)
    plan.notes.extend(head.detection.notes)
    plan.duplicate_of = previous_import(store, file_sha256)
    if plan.duplicate_of is not None:
        plan.notes.append(f"this exact file was already imported (import {plan.duplicate_of})")
        return plan
    try:
        tables, target, rows, dropped = _shape(
            store, data, file_name, head, profile, link, hasher, overrides, path, fast=True
        )
    except duckdb.Error:  # DuckDB's reader disagreed with the detection: use the decoder
        tables, target, rows, dropped = _shape(
            store, data, file_name, head, profile, link, hasher, overrides, path, fast=False
        )
    plan.rows_read = rows + len(dropped)
    rej_items = tables.pop("_rejected")
    tables.update(target_tables(target))
    plan.tables = {t: df for t, df in tables.items() if len(df)}
    plan.rejected.extend([*dropped, *rej_items])
    plan.notes.extend(target.notes)
    return plan


def _shape(store, data, file_name, head, profile, link, hasher, overrides, path, *, fast):
    """Stage and shape one upload in a fresh scratch database; returns tables and counts."""
    con = scratch()
    source = stage_upload(con, data, file_name, head, overrides, path=path, fast=fast)
    try:
        rej = Rejections()
        tables, target = presence_tables(store, con, source, head, profile, link, hasher, rej)
        rows = con.execute("SELECT count(*) FROM r").fetchone()[0]
    finally:
        con.close()
        source.close()
    tables["_rejected"] = rej.items
    return tables, target, rows, source.dropped
