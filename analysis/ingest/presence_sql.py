"""Attendance reports and LMS logs shaped in SQL: presence per person and day, minutes, completions.

Rows stay in the scratch DuckDB (see staging); Python sees only distinct identifiers and cohort
names (to hash and look up) and the final, aggregated rows.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd

from analysis.ingest import mapping_rules as R
from analysis.ingest.calendar_fit import calendar_warnings
from analysis.ingest.detect import read_table
from analysis.ingest.keys import PersonHasher
from analysis.ingest.model import DecodedTable
from analysis.ingest.plan import ImportPlan, Link, file_scan, previous_import, whole_file
from analysis.ingest.profiles import MappingProfile
from analysis.ingest.rows import (
    DONE,
    NO,
    NO_GROUP,
    YES,
    ImportRefused,
    Rejections,
    columns_for,
    first_column,
    need_rows,
    person_keys,
)
from analysis.ingest.scratch import IMPORT_MEMORY_ENV_VAR, Scratch, StagedRows, import_memory
from analysis.ingest.staging import (
    Source,
    cut_at_section,
    date_formats,
    literal,
    minutes_sql,
    quote,
    section_columns,
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
    R.WORKS_TOGETHER,
)


def presence_tables(
    store: Store,
    scratch: Scratch,
    source: Source,
    head: DecodedTable,
    profile: MappingProfile,
    link: Link,
    hasher: PersonHasher,
    rej: Rejections,
) -> tuple[dict[str, pd.DataFrame | StagedRows], Target]:
    """attendance (+ enrolment_records, person_aliases) rows for an attendance/LMS upload.

    The attendance rows stay in the scratch file (StagedRows) until the commit.
    """
    con = scratch.con
    kind = "activity" if R.KIND_ALIASES.get(profile.kind, profile.kind) == R.LMS_LOG else "session"
    section = _raw_rows(con, source, head, profile, kind)
    # Rows whose minutes come from pairing join/leave events are aggregated after the pairing.
    pre = not _pairs_events(profile)
    target, aliases, on, by_hash = _identities(store, con, profile, link, hasher, pre)
    if section and not any(repr(section) in note for note in head.detection.notes):
        target.notes.append(f"stopped at the section {section!r}")
    row = _keyed_rows(con, profile, source.row_offset, on)
    _reject(con, profile, link, rej, row, on)
    paired = _events_to_minutes(con, profile)
    dropped = _drop_existing(store, con, kind, rej)
    _aggregate(con, by_hash and not (paired or dropped))
    # only the people with a day to write are written (as keys: see StagedRows.parts below)
    con.execute("DELETE FROM pids WHERE _pid NOT IN (SELECT DISTINCT _pid FROM agg)")
    attendance = StagedRows(
        scratch,
        f"SELECT p.person_key, p.cohort_id, p.group_id, '{kind}' AS kind, a.session_date, "
        "a.attended, a.minutes FROM {db}.agg a JOIN {db}.pids p USING (_pid)",
        ["person_key", "cohort_id", "group_id", "kind", "session_date", "attended", "minutes"],
        con.execute("SELECT count(*) FROM agg").fetchone()[0],
        parts={  # stored as keys and days (analysis/store.py): the commit writes no strings per day
            "attendance_keys": (
                ["pid", "person_key", "cohort_id", "group_id", "kind"],
                f"SELECT _pid AS pid, person_key, cohort_id, group_id, '{kind}' AS kind "
                "FROM {db}.pids",
            ),
            "attendance_days": (
                ["pid", "session_date", "attended", "minutes"],
                "SELECT _pid AS pid, session_date, attended, minutes FROM {db}.agg",
            ),
        },
    )
    people = con.execute("SELECT person_key, cohort_id, group_id FROM pids ORDER BY _pid").df()
    enrol = _new_enrolments(store, people)
    if kind == "activity":
        enrol = _completions(con, profile, enrol)
    if kind == "session":
        target.warnings.extend(calendar_warnings(store, con, target))
    return {"attendance": attendance, "enrolment_records": enrol, "person_aliases": aliases}, target


def _raw_rows(
    con, source: Source, head: DecodedTable, profile: MappingProfile, kind: str
) -> str | None:
    """Table r: each row's identifiers (as in the file), time, minutes, attended and action.

    Rows read stop where the preview stops: at the next section of a Teams or Zoom report
    (returns that section's title, else None).

    The identifier columns are `_id0`, `_id1`, … in the order of columns_for(profile,
    _ID_ROLES), with `_h`, a hash of them all; they are trimmed later, on their distinct
    values (see _identities), not on every row. `bad_when` marks a time that is there but
    unreadable (an "unreadable date" rejection). `attended`, `action` and `done` (the row
    says the course was completed) are only there when a column is mapped to them.
    """
    d = head.detection
    when_col = _when_column(profile)
    if not when_col:
        what = "a session date or join time" if kind == "session" else "a time"
        raise ImportRefused(f"this file needs {what} column")
    when_sample = _sample(head, when_col)
    ts = timestamp_sql(when_col, date_formats(when_sample, d.day_first), when_sample)
    minutes = "CAST(NULL AS DOUBLE)"
    minutes_col, leave_col = first_column(profile, R.MINUTES), first_column(profile, R.LEAVE_TIME)
    hours_col = first_column(profile, R.HOURS)
    if minutes_col:
        minutes = minutes_sql(minutes_col, _sample(head, minutes_col), d.decimal_comma)
    elif hours_col:  # plain numbers are hours; durations with units say their own
        minutes = minutes_sql(hours_col, _sample(head, hours_col), d.decimal_comma, 60)
    elif leave_col:
        leave_sample = _sample(head, leave_col)
        leave = timestamp_sql(leave_col, date_formats(leave_sample, d.day_first), leave_sample)
        minutes = f"date_diff('second', {ts}, {leave}) / 60.0"
    extra = {}
    if first_column(profile, R.ATTENDED):
        no = ", ".join(literal(w) for w in sorted(NO | R.ABSENT_WORDS))  # else: attended
        attended = text(first_column(profile, R.ATTENDED))
        extra["attended"] = f"coalesce(lower({attended}) NOT IN ({no}), TRUE)"
    if first_column(profile, R.USER_ACTION):
        extra["action"] = f"lower({text(first_column(profile, R.USER_ACTION))})"
    done = completion_sql(profile, head)
    if done:
        extra["done"] = done
    n_ids = len(columns_for(profile, _ID_ROLES))
    ids = [f"_id{i}" for i in range(n_ids)]
    inner = [
        *(["_row"] if source.row_offset is None else []),
        *(f"{quote(c)} AS _id{i}" for i, c in enumerate(columns_for(profile, _ID_ROLES))),
        f"{ts} AS ts",
        f"{quote(when_col)} AS _when",
        f"{minutes} AS minutes",
        *(f"{sql} AS {name}" for name, sql in extra.items()),
    ]
    sections = section_columns(head) if source.row_offset is not None else []
    inner += sections
    outer = [
        *(["_row"] if source.row_offset is None else []),
        *ids,
        *([f"CAST(hash({', '.join(ids)}) >> 1 AS BIGINT) AS _h"] if ids else []),
        "ts",
        f"CASE WHEN ts IS NULL THEN {text('_when')} IS NOT NULL ELSE FALSE END AS bad_when",
        "CASE WHEN minutes < 0 THEN 0 ELSE minutes END AS minutes",
        *extra,
        *(["_section", "_blank"] if sections else []),
    ]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE r AS SELECT {', '.join(outer)} "
        f"FROM (SELECT {', '.join(inner)} FROM {source.sql})",
        source.params,
    )
    return cut_at_section(con, "r") if sections else None


# A course completed: the words an LMS log uses (Moodle's "Course completed" event, …). An
# activity inside the course ("Course module completion updated") is not the course.
_COURSE_DONE = (
    r"\b(course|kurs|cours|curso)( has been| was| wurde)? (completed|abgeschlossen|termin|"
    r"completado|terminado)|\b(completed|finished) (the )?course\b"
)
_NOT_DONE = r"incomplet|not complet|nicht abgeschlossen|unvollst|module|activit|aktivit|updated"
# A status that is yes/true counts; a lone "x" (a tick in a sheet) says nothing in a log.
_STATUS_DONE = DONE | (YES - {"x"})
# Learning records (xAPI, Open edX) say what each statement is about: only the course counts.
_RECORD_TOOLS = ("xapi", "openedx_tracking")


def completion_sql(profile: MappingProfile, head: DecodedTable) -> str | None:
    """SQL for "this row says the learner completed the course", or None without such columns.

    An action completes when it is a completion word ("completed", "passed", …) or names the
    course as completed; a completion status when it is such a word or true/yes/1. Neither
    counts when it says "incomplete" or is about a module or activity. In xAPI statements and
    Open edX events the object must be the course: a completed video is not a completed course.
    """
    words = ", ".join(literal(w) for w in sorted(DONE))
    truthy = ", ".join(literal(w) for w in sorted(_STATUS_DONE))
    parts = []
    if first_column(profile, R.USER_ACTION):
        v = f"lower({text(first_column(profile, R.USER_ACTION))})"
        parts.append(f"({v} IN ({words}) OR regexp_matches({v}, {literal(_COURSE_DONE)}))")
    if first_column(profile, R.COMPLETION_STATUS):
        parts.append(f"lower({text(first_column(profile, R.COMPLETION_STATUS))}) IN ({truthy})")
    if not parts:
        return None
    said = ", ".join(quote(c) for c in columns_for(profile, (R.USER_ACTION, R.COMPLETION_STATUS)))
    unsaid = f"regexp_matches(lower(concat_ws(' ', {said})), {literal(_NOT_DONE)})"
    done = f"(({' OR '.join(parts)}) AND NOT {unsaid})"
    if head.detection.tool in _RECORD_TOOLS and "object_type" in head.columns:
        done = f"({done} AND coalesce(lower({quote('object_type')}) LIKE '%course%', FALSE))"
    return f"coalesce({done}, FALSE)"


def _sample(head: DecodedTable, column: str) -> list[str]:
    """Distinct preview values of a column, for choosing date formats."""
    return [str(v) for v in head.frame[column].dropna().unique().tolist()]


def _identities(
    store, con, profile, link, hasher, pre_aggregate: bool = True
) -> tuple[Target, pd.DataFrame, str, bool]:
    """Person keys, cohorts and groups per distinct identifier combination (table idmap).

    idmap holds each combination as in r (`_h`, `_id0`, …) and trimmed under the column's own
    name (what the keys and the cohort lookup read). Returns the condition that joins r to
    idmap: on the hash, unless two combinations share one, then on the identifiers themselves;
    and whether r's rows were meanwhile pre-aggregated on the hash (table agg_h, see
    _aggregate), which `pre_aggregate` asks for and a join on the hash allows.
    """
    cols = columns_for(profile, _ID_ROLES)
    on = "TRUE"
    if cols:
        ids, on = _distinct_ids(con, len(cols), cols)
        hashes = ids.pop("_h")
    else:
        ids = pd.DataFrame({"_one": [1]})
        hashes = pd.Series([0])
    by_hash = pre_aggregate and on == _ON_HASH
    # While Python keys the people (one core), DuckDB sums the rows per hash and day on the
    # other: `con` is left to that thread until it is done.
    with ThreadPoolExecutor(1) as pool:
        pre = None
        if by_hash:  # what the thread needs is read here: Python in it would wait for the GIL
            attended = "attended" in {c[0] for c in con.execute("DESCRIBE r").fetchall()}
            pre = pool.submit(_pre_aggregate, con, attended)
        try:
            ids = ids.astype(object).where(ids.notna(), None)
            ids["_row"] = range(len(ids))
            keys, aliases = person_keys(ids, profile, hasher, store, link.match_names)
            ids["_person"] = keys
            target = resolve_target(store, link, ids, profile, Rejections(), needs_cohort=True)
            pids = _enrolment_numbers(ids)
        finally:
            if pre is not None:
                pre.result()  # raises what the pre-aggregation raised (out of memory, …)
    con.register("pids_df", pids)
    con.execute("CREATE OR REPLACE TABLE pids AS SELECT * FROM pids_df")
    con.unregister("pids_df")
    ids["_h"] = hashes.astype("int64")
    ids["_why"] = _why(ids)
    con.register("idmap_df", ids.drop(columns=["_row"]))
    con.execute(  # typed: a column of None alone would come in as a number
        "CREATE OR REPLACE TEMP TABLE idmap AS "
        "SELECT * REPLACE (CAST(_why AS VARCHAR) AS _why) FROM idmap_df"
    )
    con.unregister("idmap_df")
    return target, aliases, on, by_hash


def _distinct_ids(con, n: int, cols: list[str]) -> tuple[pd.DataFrame, str]:
    """Each identifier combination of r once (`_h`, `_id0`, … and trimmed under the columns'
    own names), and the condition that joins r to them: on the hash, unless two combinations
    share one, then on the identifiers themselves.

    (Grouping on the hash alone, with a check that each group's identifiers agree, took more
    CPU than this DISTINCT at 10M rows: 4.5 s against 2.9 s.)
    """
    trimmed = ", ".join(f"{text(f'_id{i}')} AS {quote(c)}" for i, c in enumerate(cols))
    raw = ", ".join(f"_id{i}" for i in range(n))
    ids = con.execute(
        f"SELECT *, {trimmed} FROM (SELECT DISTINCT _h, {raw} FROM r)"
    ).df()  # a few thousand rows: trimming here, not on every row of r
    if _no_collision(ids["_h"]):
        return ids, _ON_HASH
    return ids, " AND ".join(f"r._id{i} IS NOT DISTINCT FROM m._id{i}" for i in range(n))


_ON_HASH = "r._h = m._h"


def _no_collision(hashes: pd.Series) -> bool:
    """True when no two identifier combinations share a hash (joining on it is then exact)."""
    return hashes.is_unique


def _why(ids: pd.DataFrame) -> list[str | None]:
    """Why the rows of each identifier combination cannot be taken (None: they can)."""
    missing = [ids[c].isna().tolist() for c in ("_person", "_cohort", "_group")]
    return [
        "person" if p else "cohort" if c else "group" if g else None
        for p, c, g in zip(*missing, strict=True)
    ]


def _enrolment_numbers(ids: pd.DataFrame) -> pd.DataFrame:
    """ids['_pid']: a small integer per (person, cohort, group); returns them as table pids.

    The rows are aggregated on (_pid, day): fixed-size keys hash far faster than three strings.
    """
    numbers: dict[tuple, int] = {}  # a dict, not pandas: a few thousand tuples, ~10x faster
    ids["_pid"] = pd.array(
        [
            numbers.setdefault(t, len(numbers)) if t[0] is not None and t[1] is not None else None
            for t in zip(ids["_person"], ids["_cohort"], ids["_group"], strict=True)
        ],
        dtype="Int64",
    )
    pids = pd.DataFrame(
        list(numbers) or None, columns=["person_key", "cohort_id", "group_id"], dtype=object
    )
    pids.insert(0, "_pid", range(len(pids)))
    return pids


def _pre_aggregate(con, has_attended: bool) -> None:
    """Table agg_h: r's rows with a time, summed per identifier hash and day.

    Runs while Python keys the people; _aggregate then only joins it to idmap.
    """
    attended = "bool_or(attended)" if has_attended else "TRUE"  # a constant is not aggregated
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE agg_h AS
        SELECT _h, CAST(ts AS DATE) AS session_date,
               {attended} AS attended, sum(minutes) AS minutes
        FROM r WHERE ts IS NOT NULL
        GROUP BY _h, CAST(ts AS DATE)
    """)


def _aggregate(con, from_hashes: bool) -> None:
    """Table agg: the rows to write, one per (_pid, day), with attended and minutes.

    `from_hashes`: from agg_h (see _identities), when r joins idmap on the hash and no row of
    rk was changed (Teams' join/leave pairing, duplicates of rows already imported); else from
    rk. Several hashes may belong to one _pid (an e-mail typed in two ways): summed again.
    """
    if not from_hashes:
        con.execute("""
            CREATE OR REPLACE TABLE agg AS
            SELECT _pid, CAST(ts AS DATE) AS session_date,
                   bool_or(attended) AS attended, sum(minutes) AS minutes
            FROM rk WHERE reason IS NULL
            GROUP BY _pid, CAST(ts AS DATE)
        """)
        return
    one_hash_each = con.execute(
        "SELECT count(DISTINCT _pid) = count(*) FROM idmap WHERE _why IS NULL"
    ).fetchall()[0][0]
    if one_hash_each:
        con.execute("""
            CREATE OR REPLACE TABLE agg AS
            SELECT m._pid, a.session_date, a.attended, a.minutes
            FROM agg_h a JOIN idmap m ON a._h = m._h WHERE m._why IS NULL
        """)
    else:
        con.execute("""
            CREATE OR REPLACE TABLE agg AS
            SELECT m._pid, a.session_date,
                   bool_or(a.attended) AS attended, sum(a.minutes) AS minutes
            FROM agg_h a JOIN idmap m ON a._h = m._h WHERE m._why IS NULL
            GROUP BY m._pid, a.session_date
        """)


def _keyed_rows(con, profile: MappingProfile, row_offset: int | None, on: str) -> str:
    """View rk: r with person, cohort and group joined in, and why a row cannot be taken.

    Returns the SQL for a row's number in the file, from r.
    """
    row = "r._row" if row_offset is None else f"r.rowid + {int(row_offset)}"
    r_columns = {c[0] for c in con.execute("DESCRIBE r").fetchall()}
    attended = "r.attended" if "attended" in r_columns else "TRUE"
    action = "r.action" if "action" in r_columns else "CAST(NULL AS VARCHAR)"
    done = "r.done" if "done" in r_columns else "FALSE"
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW rk AS
        SELECT {row} AS _row,
               m._pid, m._person AS person_key, m._cohort AS cohort_id, m._group AS group_id,
               r.ts, r.minutes, {attended} AS attended, {action} AS action, {done} AS done,
               CASE WHEN m._why IS NOT NULL THEN m._why
                    WHEN r.bad_when THEN 'date'
                    WHEN r.ts IS NULL THEN 'no_date' END AS reason
        FROM r LEFT JOIN idmap m ON {on}
    """)
    return row


def _materialize(con) -> None:
    """Turn the rk view into a table before rows of it are changed (rarely needed)."""
    # fetchall: a result left half-read blocks con.register on this connection (DuckDB 2)
    if con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'rk'").fetchall()[0][0]:
        con.execute("CREATE TEMP TABLE rk_rows AS SELECT * FROM rk")
        con.execute("DROP VIEW rk")
        con.execute("ALTER TABLE rk_rows RENAME TO rk")


def _when_column(profile: MappingProfile) -> str | None:
    """The column that says when: session date, else join time, else any date."""
    return (
        first_column(profile, R.SESSION_DATE)
        or first_column(profile, R.JOIN_TIME)
        or first_column(profile, R.DATE)
    )


def _reject(con, profile: MappingProfile, link: Link, rej: Rejections, row: str, on: str) -> None:
    """List the rows without a person, a known cohort and group or a time, with the reason.

    Read from r joined to the few identifier combinations that cannot be taken (not from rk,
    which joins every row to every combination): a third of the time at 10M rows.
    """
    has_name = bool(columns_for(profile, (R.PERSON_NAME, R.FIRST_NAME, R.LAST_NAME)))
    no_person = "no e-mail or employee id"
    if has_name and not link.match_names:
        no_person += " (only a name: confirm matching people by full name to use it)"
    reasons = {
        "person": no_person,
        "cohort": f"{first_column(profile, R.COHORT) or 'cohort'}: not a cohort in the database",
        "group": NO_GROUP,
        "date": f"{_when_column(profile)}: unreadable date",
        "no_date": "no session date",
    }
    for number, code in con.execute(f"""
        SELECT {row} AS _row,
               coalesce(m._why, CASE WHEN r.bad_when THEN 'date' ELSE 'no_date' END) AS reason
        FROM r LEFT JOIN (SELECT * FROM idmap WHERE _why IS NOT NULL) m ON {on}
        WHERE m._why IS NOT NULL OR r.bad_when OR r.ts IS NULL
        ORDER BY _row
    """).fetchall():
        rej.add([number], reasons[code])


def _pairs_events(profile: MappingProfile) -> bool:
    """Whether minutes come from pairing Teams' Joined/Left events (no minutes column)."""
    if not first_column(profile, R.USER_ACTION) or columns_for(profile, (R.MINUTES, R.HOURS)):
        return False
    return R.KIND_ALIASES.get(profile.kind, profile.kind) != R.LMS_LOG


def _events_to_minutes(con, profile: MappingProfile) -> bool:
    """Teams' Joined/Left events: minutes from each join to the next event if it is a leave.

    Returns whether rk's minutes were changed.
    """
    if not _pairs_events(profile):
        return False
    _materialize(con)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE rk AS
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
    return True


def _drop_existing(store: Store, con, kind: str, rej: Rejections) -> bool:
    """Rows whose person, cohort and day were imported before are duplicates.

    Returns whether any row of rk was marked so.
    """
    cohorts = [  # from the few identifier combinations, not every row
        c[0]
        for c in con.execute(
            "SELECT DISTINCT _cohort FROM idmap WHERE _person IS NOT NULL AND _cohort IS NOT NULL"
        ).fetchall()
    ]
    existing = store.query(
        "SELECT DISTINCT person_key, cohort_id, session_date FROM attendance "
        "WHERE kind = $k AND cohort_id IN (SELECT unnest($c))",
        {"k": kind, "c": cohorts},
    )
    if existing.empty:
        return False
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
    return bool(dup)


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
    finished = con.execute("""
        SELECT person_key, cohort_id, min(group_id) AS group_id,
               min(CAST(ts AS DATE)) AS completed_on
        FROM rk WHERE reason IS NULL AND done
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
    data: bytes | None,
    file_name: str,
    profile: MappingProfile,
    link: Link,
    hasher: PersonHasher,
    *,
    overrides: dict | None,
    head: DecodedTable | None = None,
    path: Path | None = None,
) -> ImportPlan:
    """The plan for an attendance report or LMS log, shaped in a scratch DuckDB (writes nothing).

    `head`: the preview of the same bytes with the same overrides, when the caller has it.
    `data` may be None when `path` is given: the file is then read only where it must be.
    """
    if head is None:
        head = read_table(whole_file(data, path), file_name, overrides, max_rows=PREVIEW_ROWS)
    need_rows(head)  # the preview is the whole file when it is not truncated
    kind = R.KIND_ALIASES.get(profile.kind, profile.kind)
    args = (store, data, file_name, head, profile, link, hasher, overrides, path)
    with ThreadPoolExecutor(1) as pool:
        scan = pool.submit(file_scan, data, path)  # beside the shaping: both release the GIL
        try:
            shaped = _shape(*args)
        except duckdb.OutOfMemoryException as exc:  # the decoder would need far more
            raise ImportRefused(
                f"this file needs more memory than the import may use ({import_memory()}): "
                f"raise {IMPORT_MEMORY_ENV_VAR}"
            ) from exc
        except duckdb.Error:  # DuckDB's reader disagreed with the detection: use the decoder
            shaped = _shape(*args, fast=False)
        file_sha256, nul_bytes = scan.result()
    if nul_bytes and shaped.raw:  # DuckDB read them into the cells; the decoder removes them
        _discard(shaped.tables)
        shaped = _shape(*args, fast=False)
    plan = ImportPlan(file_name, file_sha256, head.detection.tool, kind, profile.name, 0)
    plan.notes.extend(head.detection.notes)
    plan.duplicate_of = previous_import(store, file_sha256)
    if plan.duplicate_of is not None:
        plan.notes.append(f"this exact file was already imported (import {plan.duplicate_of})")
        _discard(shaped.tables)
        return plan
    tables, target, rows, dropped = shaped.tables, shaped.target, shaped.rows, shaped.dropped
    plan.warnings.extend(shaped.warnings)
    plan.rows_read = rows + len(dropped)
    rej_items = tables.pop("_rejected")
    tables.update(target_tables(target))
    plan.tables = {t: df for t, df in tables.items() if len(df)}
    plan.rejected.extend([*dropped, *rej_items])
    plan.notes.extend(target.notes)
    plan.warnings.extend(target.warnings)
    return plan


def _discard(tables: dict) -> None:
    """Delete the scratch files of rows that will not be committed."""
    for rows in tables.values():
        if isinstance(rows, StagedRows):
            rows.discard()


class _Shaped(NamedTuple):
    tables: dict
    target: Target
    rows: int  # rows staged
    dropped: list[tuple[int, str]]  # rows the reader left out, with reasons
    warnings: list[str]  # what reading the file had to do
    raw: bool  # DuckDB read the file's own bytes


def _shape(store, data, file_name, head, profile, link, hasher, overrides, path, fast=True):
    """Stage and shape one upload in a fresh scratch database; returns tables and counts.

    The scratch file is kept for the commit when shaping succeeds (the attendance rows stay
    in it) and removed when it fails.
    """
    scratch = Scratch()
    source = None
    try:
        con = scratch.con
        source = stage_upload(con, data, file_name, head, overrides, path=path, fast=fast)
        rej = Rejections()
        tables, target = presence_tables(store, scratch, source, head, profile, link, hasher, rej)
        rows = con.execute("SELECT count(*) FROM r").fetchone()[0]
        _drop_work_tables(con)
        scratch.close_in_background()
    except BaseException:
        scratch.remove()
        raise
    finally:
        if source is not None:
            source.close()
    tables["_rejected"] = rej.items
    return _Shaped(tables, target, rows, source.dropped, source.warnings, source.raw)


def _drop_work_tables(con) -> None:
    """Drop every table of the scratch but the rows the commit reads (agg and pids), so
    closing it does not write them to its file. TEMP ones go with the connection unwritten.

    (Asking information_schema for every table, temporary ones included, took 10 ms here.)
    """
    for name, is_view in con.execute(
        "SELECT table_name, FALSE FROM duckdb_tables() "
        "WHERE NOT temporary AND table_name NOT IN ('agg', 'pids') "
        "UNION ALL SELECT view_name, TRUE FROM duckdb_views() WHERE NOT temporary AND NOT internal"
    ).fetchall():
        con.execute(f"DROP {'VIEW' if is_view else 'TABLE'} IF EXISTS {quote(name)}")
