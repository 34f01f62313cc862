"""The DuckDB database: schema, migrations, connections, atomic writes, dataset version."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from analysis import clock
from analysis.domain import FORMATS, ITEM_ROLES, VARIANTS, WAVES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "formatfit.duckdb"
DB_ENV_VAR = "FORMATFIT_DB"
# DuckDB's default row group size: Arrow batches of this size insert fastest.
ROW_GROUP_ROWS = 122_880

# Tables that hold imported data, in the order a full delete must respect (children first).
DATA_TABLES = (
    "edits",
    "merged_enrolments",
    "merged_cohorts",
    "merged_programs",
    "group_settings",
    "survey_answers",
    "survey_responses",
    "survey_items",
    "attendance_days",
    "attendance_keys",
    "enrolment_records",
    "groups",
    "cohorts",
    "programs",
    "person_records",
    "person_aliases",
)
# What the data-status panel counts (logical tables; people and enrolments are views).
COUNTED_TABLES = (
    "people",
    "programs",
    "cohorts",
    "groups",
    "enrolments",
    "attendance",
    "survey_items",
    "survey_responses",
    "survey_answers",
)


def _in_list(values: tuple[str, ...]) -> str:
    """A SQL IN-list literal of known, code-defined constants (never user text)."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


# The attendance rows as one table: each day with its import's key (migration 10).
ATTENDANCE_VIEW = """
    CREATE VIEW attendance AS
    SELECT k.person_key, k.cohort_id, k.group_id, k.kind,
           d.session_date, d.attended, d.minutes, d.import_id
    FROM attendance_days d JOIN attendance_keys k USING (import_id, pid);
"""

# Each migration is applied once, in order, inside one transaction; never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    f"""
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
    CREATE TABLE imports (
        import_id INTEGER PRIMARY KEY,
        kind VARCHAR NOT NULL,              -- demo | survey | attendance | roster | enrolment | ...
        file_name VARCHAR,
        tool VARCHAR,
        profile VARCHAR,
        file_sha256 VARCHAR,
        rows_written BIGINT NOT NULL DEFAULT 0,
        imported_at TIMESTAMP NOT NULL,
        is_demo BOOLEAN NOT NULL DEFAULT FALSE
    );
    CREATE TABLE programs (
        program_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        topic VARCHAR,
        goal VARCHAR CHECK (goal IN ('shared_language', 'individual_growth',
                                     'applying_practice', 'leader_alignment')),
        cost_per_person DOUBLE,
        hours DOUBLE,
        import_id INTEGER NOT NULL
    );
    CREATE TABLE cohorts (
        cohort_id VARCHAR PRIMARY KEY,
        program_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        format VARCHAR NOT NULL CHECK (format IN ({_in_list(FORMATS)})),
        variant VARCHAR NOT NULL CHECK (variant IN ({_in_list(VARIANTS)})),
        start_date DATE NOT NULL,
        end_date DATE NOT NULL,
        scheduled_sessions INTEGER NOT NULL DEFAULT 0,  -- 0: no shared sessions
        planned_weeks INTEGER NOT NULL,
        import_id INTEGER NOT NULL,
        CHECK (end_date >= start_date)
    );
    CREATE TABLE groups (
        group_id VARCHAR PRIMARY KEY,
        cohort_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        size INTEGER NOT NULL,
        works_together BOOLEAN,           -- members are close colleagues day to day
        import_id INTEGER NOT NULL
    );
    CREATE TABLE people (
        person_key VARCHAR PRIMARY KEY,   -- keyed hash; the raw identifier is never stored
        department VARCHAR,
        team VARCHAR,
        role VARCHAR,
        is_manager BOOLEAN,
        import_id INTEGER NOT NULL
    );
    CREATE TABLE enrolments (
        person_key VARCHAR NOT NULL,
        cohort_id VARCHAR NOT NULL,
        group_id VARCHAR NOT NULL,
        enrolled_on DATE,
        completed_on DATE,
        import_id INTEGER NOT NULL,
        PRIMARY KEY (person_key, cohort_id)
    );
    CREATE TABLE attendance (
        person_key VARCHAR NOT NULL,
        cohort_id VARCHAR NOT NULL,
        group_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('session', 'activity')),
        session_date DATE NOT NULL,
        attended BOOLEAN NOT NULL DEFAULT TRUE,
        minutes DOUBLE,
        import_id INTEGER NOT NULL
    );
    CREATE TABLE survey_items (
        item_id VARCHAR PRIMARY KEY,
        text VARCHAR NOT NULL,
        role VARCHAR NOT NULL CHECK (role IN ({_in_list(ITEM_ROLES)})),
        scale VARCHAR NOT NULL,           -- agree5, readiness6, recommend11, text, ...
        scale_min DOUBLE,
        scale_max DOUBLE,
        positive_min DOUBLE,              -- value >= this counts as positive (top-2-box)
        import_id INTEGER NOT NULL
    );
    CREATE TABLE survey_responses (
        response_id VARCHAR PRIMARY KEY,
        person_key VARCHAR,               -- NULL when the response could not be matched
        cohort_id VARCHAR NOT NULL,
        group_id VARCHAR,
        wave VARCHAR NOT NULL CHECK (wave IN ({_in_list(WAVES)})),
        submitted_at TIMESTAMP,
        import_id INTEGER NOT NULL
    );
    CREATE TABLE survey_answers (
        response_id VARCHAR NOT NULL,
        item_id VARCHAR NOT NULL,
        value DOUBLE,
        text VARCHAR,
        import_id INTEGER NOT NULL,
        PRIMARY KEY (response_id, item_id)
    );
    CREATE INDEX attendance_cohort ON attendance (cohort_id);
    CREATE INDEX answers_item ON survey_answers (item_id);
    """,
    # 2: people and enrolments become per-import records behind views, so a roster or an LMS
    # export that updates a person's department or an enrolment's completion can be undone
    # exactly; name aliases for confirmed name matching; saved mapping profiles.
    """
    CREATE TABLE person_records (
        person_key VARCHAR NOT NULL,
        department VARCHAR,
        team VARCHAR,
        role VARCHAR,
        is_manager BOOLEAN,
        import_id INTEGER NOT NULL,
        PRIMARY KEY (person_key, import_id)
    );
    INSERT INTO person_records SELECT * FROM people;
    DROP TABLE people;
    CREATE VIEW people AS
    WITH ranked AS (
        SELECT *, row_number() OVER (
            PARTITION BY person_key
            ORDER BY CASE WHEN department IS NULL THEN 1 ELSE 0 END, import_id DESC
        ) AS rn
        FROM person_records
    )
    SELECT person_key, department, team, role, is_manager, import_id FROM ranked WHERE rn = 1;

    CREATE TABLE enrolment_records (
        person_key VARCHAR NOT NULL,
        cohort_id VARCHAR NOT NULL,
        group_id VARCHAR NOT NULL,
        enrolled_on DATE,
        completed_on DATE,
        import_id INTEGER NOT NULL,
        PRIMARY KEY (person_key, cohort_id, import_id)
    );
    INSERT INTO enrolment_records SELECT * FROM enrolments;
    DROP TABLE enrolments;
    CREATE VIEW enrolments AS
    WITH ranked AS (
        SELECT *,
            row_number() OVER (PARTITION BY person_key, cohort_id ORDER BY import_id DESC) AS rn,
            min(enrolled_on) OVER (PARTITION BY person_key, cohort_id) AS first_enrolled,
            max(completed_on) OVER (PARTITION BY person_key, cohort_id) AS last_completed
        FROM enrolment_records
    )
    SELECT person_key, cohort_id, group_id, first_enrolled AS enrolled_on,
           last_completed AS completed_on, import_id
    FROM ranked WHERE rn = 1;

    CREATE TABLE person_aliases (
        alias_key VARCHAR NOT NULL,       -- keyed hash of a normalised full name
        person_key VARCHAR NOT NULL,
        import_id INTEGER NOT NULL,
        PRIMARY KEY (alias_key, person_key, import_id)
    );

    CREATE TABLE mapping_profiles (
        name VARCHAR PRIMARY KEY,
        tool VARCHAR,
        kind VARCHAR,
        signature VARCHAR NOT NULL,
        mapping_json VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL
    );
    ALTER TABLE imports ADD COLUMN rows_rejected BIGINT DEFAULT 0;
    ALTER TABLE imports ADD COLUMN summary_json VARCHAR;
    """,
    # 3: DuckDB's zone maps serve the scans; these ART indexes only slowed large imports down.
    """
    DROP INDEX attendance_cohort;
    DROP INDEX answers_item;
    """,
    # 4: whether a group's members work together can be set after the group was created (from
    # a later file, or on the Import page). Each change is a record of its own import, so undo
    # restores the value before it; current_groups gives every group its latest value.
    """
    CREATE TABLE group_settings (
        group_id VARCHAR NOT NULL,
        works_together BOOLEAN,           -- NULL: set back to unknown
        import_id INTEGER NOT NULL,
        PRIMARY KEY (group_id, import_id)
    );
    CREATE VIEW current_groups AS
    WITH latest AS (
        SELECT group_id, works_together,
            row_number() OVER (PARTITION BY group_id ORDER BY import_id DESC) AS rn
        FROM group_settings
    )
    SELECT g.group_id, g.cohort_id, g.name, g.size,
        CASE WHEN s.group_id IS NULL THEN g.works_together ELSE s.works_together END
            AS works_together,
        g.import_id
    FROM groups g
    LEFT JOIN latest s ON s.group_id = g.group_id AND s.rn = 1;
    """,
    # 5: charts pinned to the report. Settings, not data: what rebuilds a chart (its page,
    # its name there and the view), never an image, so a pin re-renders with the current data
    # and outlives imports and undo; writing one does not move the dataset version.
    """
    CREATE TABLE report_pins (
        pin_id INTEGER PRIMARY KEY,
        position INTEGER NOT NULL,
        page VARCHAR NOT NULL,
        chart VARCHAR NOT NULL,
        title VARCHAR,                    -- NULL: the chart's own finding title
        view_json VARCHAR NOT NULL,       -- the filters and the page's options
        pinned_at TIMESTAMP NOT NULL
    );
    """,
    # 6: programs, cohorts and groups edited and merged after import (analysis/programs/).
    # Each edit or merge is an import of its own (kind 'edit' or 'merge') with one row in
    # `edits`: the fields of the one it changed (or kept) before and after, and for a merge
    # what moved (the folded cohort's groups, its responses without a group, the folded
    # program's cohorts). The folded program or cohort row waits in merged_programs or
    # merged_cohorts, and an enrolment that would collide with the kept cohort's (same person,
    # same import) in merged_enrolments, each under its own import_id, so undoing that import
    # removes it there too; undoing the merge puts them back.
    """
    CREATE TABLE edits (
        import_id INTEGER PRIMARY KEY,    -- its row in imports
        entity VARCHAR NOT NULL CHECK (entity IN ('program', 'cohort', 'group')),
        target_id VARCHAR NOT NULL,       -- the one edited, or the one a merge keeps
        merged_id VARCHAR,                -- the one a merge folds in (NULL: an edit)
        before_json VARCHAR NOT NULL,
        after_json VARCHAR NOT NULL,
        moved_json VARCHAR
    );
    CREATE TABLE merged_programs AS SELECT *, 0 AS merge_id FROM programs WITH NO DATA;
    CREATE TABLE merged_cohorts AS SELECT *, 0 AS merge_id FROM cohorts WITH NO DATA;
    CREATE TABLE merged_enrolments AS
        SELECT *, 0 AS merge_id FROM enrolment_records WITH NO DATA;
    """,
    # 7: the survey responses whose wave an import worked out from their submission date and
    # the cohort's dates (no wave chosen, no wave column): a cohort's dates edited later work
    # their waves out again (analysis/programs/changes.py); chosen waves never move.
    """
    CREATE TABLE derived_waves (
        response_id VARCHAR PRIMARY KEY,
        import_id INTEGER NOT NULL
    );
    """,
    # 8: people forgotten on request (analysis/people). The suppression list holds their
    # hashed keys only, with no date, so it cannot be joined to the deletion record; the
    # deletion record says when and how many rows per table, with no key and no identifier.
    # Neither belongs to an import: undoing one never touches them.
    """
    CREATE TABLE forgotten_people (person_key VARCHAR PRIMARY KEY);
    CREATE TABLE deletions (
        deletion_id INTEGER PRIMARY KEY,
        deleted_at TIMESTAMP NOT NULL,
        source VARCHAR NOT NULL,          -- settings | command line | restore
        rows_removed BIGINT NOT NULL,
        rows_json VARCHAR NOT NULL        -- {table: rows removed}
    );
    """,
    # 9: an id of the database file, which a lake written from it records (analysis/lake.py):
    # the app brings a lake up to date only when it was written from this file. A backup
    # carries it, so a restored file keeps it.
    """
    INSERT INTO meta VALUES ('database_id', CAST(uuid() AS VARCHAR));
    """,
    # 10: attendance is stored as a small table of who (person, cohort, group, kind) per
    # import, numbered within it, and the days by that number: writing three strings on
    # every person-day cost an attendance import more than half its commit. The attendance
    # view reads as the table did; writers use write_attendance, merges move the keys.
    """
    CREATE TABLE attendance_keys (
        import_id INTEGER NOT NULL,
        pid INTEGER NOT NULL,             -- numbers the (person, cohort, group, kind) of its import
        person_key VARCHAR NOT NULL,
        cohort_id VARCHAR NOT NULL,
        group_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('session', 'activity'))
    );
    CREATE TABLE attendance_days (
        import_id INTEGER NOT NULL,
        pid INTEGER NOT NULL,
        session_date DATE NOT NULL,
        attended BOOLEAN NOT NULL DEFAULT TRUE,
        minutes DOUBLE
    );
    INSERT INTO attendance_keys
    SELECT import_id,
           CAST(row_number() OVER (
               PARTITION BY import_id ORDER BY person_key, cohort_id, group_id, kind) - 1
               AS INTEGER),
           person_key, cohort_id, group_id, kind
    FROM (SELECT DISTINCT import_id, person_key, cohort_id, group_id, kind FROM attendance);
    INSERT INTO attendance_days
    SELECT a.import_id, k.pid, a.session_date, a.attended, a.minutes
    FROM attendance a JOIN attendance_keys k
      ON k.import_id = a.import_id AND k.person_key = a.person_key
     AND k.cohort_id = a.cohort_id AND k.group_id = a.group_id AND k.kind = a.kind;
    DROP TABLE attendance;
    """
    + ATTENDANCE_VIEW,
)

# Bookkeeping about imported rows, removed with its import but not counted as data rows.
BOOKKEEPING_TABLES = ("derived_waves",)
# Data tables whose rows are not rows of their own (the keys attendance days point to), with
# the logical table whose rows they key.
KEY_TABLES = {"attendance_keys": "attendance"}

# Where a logical table's rows are written (people and enrolments are views over records).
STORAGE_TABLE: dict[str, str] = {"people": "person_records", "enrolments": "enrolment_records"}


# The attendance view's columns but import_id, with what the old table filled in when absent.
_ATTENDANCE_COLUMNS = {
    "person_key": "CAST(NULL AS VARCHAR)",
    "cohort_id": "CAST(NULL AS VARCHAR)",
    "group_id": "CAST(NULL AS VARCHAR)",
    "kind": "CAST(NULL AS VARCHAR)",
    "session_date": "CAST(NULL AS DATE)",
    "attended": "TRUE",
    "minutes": "CAST(NULL AS DOUBLE)",
}
ATTENDANCE_COLUMNS = tuple(_ATTENDANCE_COLUMNS)


def attendance_relation(table: str, columns: list[str]) -> str:
    """SQL for `table`'s rows (with some of the attendance columns) as write_attendance reads
    them: a column it lacks gets the value the table's default gave, or NULL."""
    have = set(columns)
    cols = ", ".join(
        f'"{c}"' if c in have else f"{default} AS {c}" for c, default in _ATTENDANCE_COLUMNS.items()
    )
    return f"(SELECT {cols} FROM {table})"


def write_attendance(cur: duckdb.DuckDBPyConnection, relation: str, import_id: int) -> int:
    """Write attendance rows as one import's: its keys numbered, then its days by number.

    `relation`: SQL for rows with the attendance view's columns but import_id (a table name
    or a parenthesised query, without parameters). Returns the days written.
    """
    cur.execute(
        "INSERT INTO attendance_keys "
        "SELECT $i, CAST(row_number() OVER (ORDER BY person_key, cohort_id, group_id, kind) - 1 "
        "AS INTEGER), person_key, cohort_id, group_id, kind "
        f"FROM (SELECT DISTINCT person_key, cohort_id, group_id, kind FROM {relation})",
        {"i": import_id},
    )
    return cur.execute(
        "INSERT INTO attendance_days (import_id, pid, session_date, attended, minutes) "
        "SELECT $i, k.pid, r.session_date, r.attended, r.minutes "
        f"FROM {relation} r JOIN attendance_keys k ON k.import_id = $i "
        "AND k.person_key = r.person_key AND k.cohort_id = r.cohort_id "
        "AND k.group_id = r.group_id AND k.kind = r.kind",
        {"i": import_id},
    ).fetchone()[0]


def default_db_path() -> Path:
    """The database file: $FORMATFIT_DB when set, else data/formatfit.duckdb."""
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH).expanduser().resolve()


class DatabaseBusyError(RuntimeError):
    """Another process holds the database file."""


class DatabaseOutdatedError(RuntimeError):
    """A read-only opening found a database that needs migrations this process may not run."""


# How long an opening waits for another process to let go of the file before giving up:
# a command-line read (seconds) or the app's write (an import) is usually over by then.
BUSY_WAIT_ENV_VAR = "FORMATFIT_BUSY_WAIT"
DEFAULT_BUSY_WAIT = 20.0
MODES = ("write", "read", "shared")


def busy_wait() -> float:
    """Seconds to wait for the file ($FORMATFIT_BUSY_WAIT, default 20)."""
    try:
        return max(0.0, float(os.environ.get(BUSY_WAIT_ENV_VAR, DEFAULT_BUSY_WAIT)))
    except ValueError:
        return DEFAULT_BUSY_WAIT


class _SwapLock:
    """Readers run together; a writer waits for them and runs alone (re-entrant per thread).

    A thread that holds the write side may read and write again: an import reads inside its
    own transaction. A thread already reading may read again. Writers go first once waiting, so
    a stream of readers cannot starve one.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer: int | None = None
        self._depth = 0
        self._waiting = 0
        self._mine = threading.local()
        self.writes = 0  # outermost writes ended: what was read before one may be stale

    def writing_here(self) -> bool:
        """Whether this thread holds the write side."""
        return self._writer == threading.get_ident()

    def settled(self, writes: int) -> bool:
        """Whether no write is going and none ended since `writes` was read (so a value read
        meanwhile may be kept)."""
        return self._writer is None and self.writes == writes

    @contextmanager
    def read(self) -> Iterator[None]:
        held = getattr(self._mine, "reads", 0)
        if self._writer == threading.get_ident() or held:
            yield
            return
        with self._cond:
            self._cond.wait_for(lambda: self._writer is None and not self._waiting)
            self._readers += 1
        self._mine.reads = 1
        try:
            yield
        finally:
            self._mine.reads = 0
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[bool]:
        """Yields True for the outermost write of this thread."""
        me = threading.get_ident()
        if getattr(self._mine, "reads", 0) and self._writer != me:
            raise RuntimeError("a write inside a read would wait for itself: finish the read")
        with self._cond:
            if self._writer != me:
                self._waiting += 1
                try:
                    self._cond.wait_for(lambda: self._writer is None and not self._readers)
                finally:
                    self._waiting -= 1
                self._writer = me
            self._depth += 1
            outermost = self._depth == 1
        try:
            yield outermost
        finally:
            with self._cond:
                self._depth -= 1
                if not self._depth:
                    self._writer = None
                    self.writes += 1
                    self._cond.notify_all()


class Store:
    """The one DuckDB connection of this process to the database file.

    Three ways to hold the file (DuckDB lets one process write it, or many read it):
    - `write` (the default; imports from the command line, tests): read-write, all along.
    - `read` (the command line's `compare`, `claims`, `report`): read-only, so it works while
      the app runs; nothing is written (derived tables it would build are computed inline).
    - `shared` (the app): read-only between writes, so command-line reads work meanwhile. Each
      write (`transaction`, `write`, a derived table, a setting) waits for this process's reads
      to finish, reopens the file read-write, writes, and goes back to read-only.

    Reads take a cursor per call (`query`, `fetch`), so a reopening never pulls a connection
    from under a reader.
    """

    def __init__(self, path: Path | str | None = None, *, mode: str = "write") -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.path = Path(path).expanduser().resolve() if path else default_db_path()
        self.mode = mode
        self._lock = _SwapLock()
        self._derived_lock = threading.Lock()
        self._version: int | None = None
        # the meta table as read after the lock's n-th write (stale once another write ends)
        self._settings: tuple[int, dict[str, str | None]] | None = None
        self.lake_sync = None  # what the last write did to the lake (a lake_sync.LakeSync)
        # Identifies this open database in memoised results (a path can be reused by a new file).
        self.token = uuid.uuid4().hex
        if mode == "read":
            if not self.path.is_file():
                raise FileNotFoundError(
                    f"no database at {self.path}: import a file or start the app first"
                )
            self._con = self._open(read_only=True)
            self._check_schema()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # a `write` opening (an import from the command line) fails at once while the app
        # runs: the app holds the file all along, so waiting would not help
        self._con = self._open(read_only=False, wait=mode == "shared")
        self._migrate()
        if mode == "shared":
            self._con.close()
            self._con = self._open(read_only=True)

    def _open(self, *, read_only: bool, wait: bool = True) -> duckdb.DuckDBPyConnection:
        """Connect, waiting up to busy_wait() while another process holds the file."""
        deadline = time.monotonic() + (busy_wait() if wait else 0.0)
        pause = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.IOException as exc:  # the file lock is held by another process
                if time.monotonic() >= deadline:
                    what = (
                        "written by another process (an import?)"
                        if read_only
                        else (
                            "in use by another process (is the app running, or a command-line "
                            "read?)"
                        )
                    )
                    raise DatabaseBusyError(f"{self.path} is {what}") from exc
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def close(self) -> None:
        """Close the process's connection (and every cursor made from it)."""
        with self._lock.write():
            self._con.close()

    def snapshot_to(self, dest: Path) -> None:
        """Copy the whole database into the new file `dest`, consistently (under a read lock).

        COPY FROM DATABASE writes a compact file: every table, view and row as they are now,
        and none of the freed blocks where deleted rows may linger. Works in every mode (the
        copy is attached read-write beside the open file, even on a read-only connection).
        """
        dest = Path(dest)
        if dest.exists():
            raise FileExistsError(f"{dest} exists")
        with self.reading() as cur:
            source = cur.execute("SELECT current_database()").fetchone()[0]
            target = "formatfit_snapshot_" + uuid.uuid4().hex[:8]
            literal = "'" + str(dest).replace("'", "''") + "'"
            cur.execute(f"ATTACH {literal} AS {target} (READ_WRITE)")
            try:
                cur.execute(f"COPY FROM DATABASE {_ident(source)} TO {target}")
            finally:
                cur.execute(f"DETACH {target}")

    def compact(self) -> None:
        """Rewrite the database file without its freed blocks, where deleted rows linger.

        A snapshot of the file (snapshot_to) put in its place (replace_file), both under one
        write lock, so no write of this process falls between them.
        """
        if self.mode == "read":
            raise PermissionError("this database was opened read-only")
        tmp = self.path.with_name(f".{self.path.name}.compact-{uuid.uuid4().hex[:8]}")
        try:
            with self._lock.write():
                self.snapshot_to(tmp)
                self.replace_file(tmp)
        finally:
            tmp.unlink(missing_ok=True)

    def replace_file(self, new_file: Path, before_swap=None) -> None:
        """Put `new_file` (a checked, migrated DuckDB file) in place of the database file.

        Waits for this process's reads and writes, closes the connection, renames the new file
        over the old one (atomic), and opens it again as before. `before_swap()` runs just
        before the rename, with everything quiet (e.g. to put the matching secret in place).
        A new token makes every result memoised on (token, dataset version) stale, whatever
        the restored file's version is.
        """
        if self.mode == "read":
            raise PermissionError("this database was opened read-only")
        with self._lock.write():
            self._con.close()
            try:
                if before_swap is not None:
                    before_swap()
                wal = self.path.with_name(self.path.name + ".wal")
                os.replace(new_file, self.path)
                wal.unlink(missing_ok=True)  # the old file's log must never replay on the new
            finally:
                self._version = None
                self.token = uuid.uuid4().hex
                self._con = self._open(read_only=False)
                self._migrate()
                if self.mode == "shared":
                    self._con.close()
                    self._con = self._open(read_only=True)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the current connection, for work under `reading` or `write`.

        In `shared` mode the connection is replaced on every write, so hold a cursor only
        inside `reading()` or a write; `query` and `fetch` do that for you.
        """
        return self._con.cursor()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for a few reads; the connection is not swapped meanwhile."""
        with self._lock.read(), closing(self._con.cursor()) as cur:
            yield cur

    def fetch(self, sql: str, params: dict | list | None = None) -> list[tuple]:
        """Run a read query and return its rows."""
        with self.reading() as cur:
            return cur.execute(sql, params or []).fetchall()

    @property
    def writable(self) -> bool:
        """Whether this process may write the file (a `read` opening never does)."""
        return self.mode != "read"

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on a read-write connection, alone in this process (no dataset version change).

        In `shared` mode the file is reopened read-write for the block and read-only after; if
        another process holds it for longer than busy_wait(), DatabaseBusyError is raised and
        nothing is written.
        """
        if self.mode == "read":
            raise PermissionError("this database was opened read-only")
        with self._lock.write() as outermost:
            swap = outermost and self.mode == "shared"
            if swap:
                self._con.close()
                try:
                    self._con = self._open(read_only=False)
                except BaseException:
                    self._con = self._open(read_only=True)
                    raise
            try:
                with closing(self._con.cursor()) as cur:
                    yield cur
            finally:
                if swap:
                    self._con.close()
                    self._con = self._open(read_only=True)

    def _check_schema(self) -> None:
        done = {r[0] for r in self.fetch("SELECT version FROM schema_migrations")}
        missing = set(range(1, len(MIGRATIONS) + 1)) - done
        if missing:
            raise DatabaseOutdatedError(
                f"{self.path} was written by an older FormatFit: start the app (or run an "
                "import) once to bring it up to date"
            )

    def _migrate(self) -> None:
        cur = self.cursor()
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
        )
        done = {r[0] for r in cur.execute("SELECT version FROM schema_migrations").fetchall()}
        for version, sql in enumerate(MIGRATIONS, start=1):
            if version in done:
                continue
            with _atomic(cur):
                cur.execute(sql)
                cur.execute("INSERT INTO schema_migrations VALUES (?, ?)", [version, _now()])
                if version == 1:
                    cur.execute("INSERT INTO meta VALUES ('dataset_version', '0')")

    def schema_version(self) -> int:
        """The highest migration applied."""
        return self.fetch("SELECT max(version) FROM schema_migrations")[0][0]

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One atomic write: all of it commits and the dataset version moves on, or none of it.

        Once committed, the lake (on the Spark engine) is brought up to date before any other
        write of this process; how that went is in `lake_sync` (analysis/lake_sync.py).
        """
        with self.write() as cur:
            try:
                with _atomic(cur):
                    yield cur
                    cur.execute(
                        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                        "WHERE key = 'dataset_version'"
                    )
                    cur.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('last_write_at', ?)",
                        [_now().isoformat(timespec="seconds")],
                    )
            finally:
                self._version = None  # read again: committed or rolled back, it is in the file
            self.sync_lake()

    def sync_lake(self, *, full: bool = False) -> None:
        """Bring the lake up to this file after a committed write (nothing on DuckDB alone).

        Never raises: the file's write stands, and `lake_sync` says when the lake is behind.
        """
        from analysis import lake_sync  # the lake reads the Store: imported here, not above

        self.lake_sync = lake_sync.sync(self, full=full)

    def dataset_version(self) -> int:
        """A number that changes on every write; caches key on it.

        Kept in memory between writes: every write goes through `transaction`, and while a
        process writes no other process may hold the file (a `read` opening is short-lived).
        """
        version = self._version
        if version is None:
            writes = self._lock.writes
            row = self.fetch("SELECT value FROM meta WHERE key = 'dataset_version'")[0]
            version = int(row[0])
            if self._lock.settled(writes):  # not a value read before a write that just ended
                self._version = version
        return version

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A value from the meta table.

        The table is read once and kept in memory until this process writes, as the version
        is (a page asks for a setting or two on every run of every session).
        """
        kept = self._settings
        if kept is not None and self._lock.settled(kept[0]):
            settings = kept[1]
        else:
            writes = self._lock.writes
            settings = dict(self.fetch("SELECT key, value FROM meta"))
            if self._lock.settled(writes):
                self._settings = (writes, settings)
        return settings.get(key, default)

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting; settings are not data, so the dataset version stays."""
        with self.write() as cur:
            cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def ensure_derived(self, name: str, sql: str) -> bool:
        """Build table derived_<name> from `sql` unless it is current for this dataset version.

        Derived tables are aggregates of the data, not data: rebuilding one does not move the
        dataset version, and an import or undo makes the next reader rebuild it. Returns False
        when the stored table is stale and cannot be rebuilt here (a `read` opening, or another
        process reading the file meanwhile): the caller then computes it inline.
        """
        key = f"derived:{name}"

        def current() -> bool:
            return self.get_setting(key) == str(self.dataset_version())

        if current():
            return True
        if not self.writable:
            return False
        if self._lock.writing_here():  # inside this thread's own write: it is alone already
            return self._build_derived(name, sql, key)
        with self._derived_lock:  # sessions finding it stale at once: one builds, one write
            return current() or self._build_derived(name, sql, key)  # or built meanwhile

    def _build_derived(self, name: str, sql: str, key: str) -> bool:
        try:
            with self.write() as cur:
                version = str(self.dataset_version())
                row = cur.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
                if row and row[0] == version:
                    return True
                with _atomic(cur):
                    cur.execute(f'CREATE OR REPLACE TABLE "derived_{name}" AS {sql}')
                    cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, version])
        except DatabaseBusyError:
            return False
        return True

    def query(self, sql: str, params: dict | list | None = None) -> pd.DataFrame:
        """Run a read query on a fresh cursor and return a (small) DataFrame."""
        with self.reading() as cur:
            return cur.execute(sql, params or []).df()

    def row_counts(self) -> dict[str, int]:
        """Rows per data table, for the data-status panel."""
        union = " UNION ALL ".join(
            f"SELECT '{t}' AS t, count(*) AS n FROM {t}" for t in COUNTED_TABLES
        )
        return {t: int(n) for t, n in self.fetch(union)}

    def is_empty(self) -> bool:
        """True when no cohort has been loaded."""
        return self.fetch("SELECT count(*) FROM cohorts")[0][0] == 0

    def new_import(
        self,
        cur: duckdb.DuckDBPyConnection,
        kind: str,
        *,
        file_name: str | None = None,
        tool: str | None = None,
        profile: str | None = None,
        file_sha256: str | None = None,
        is_demo: bool = False,
    ) -> int:
        """Register an import inside the caller's transaction and return its id."""
        import_id = cur.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
        cur.execute(
            "INSERT INTO imports (import_id, kind, file_name, tool, profile, file_sha256, "
            "imported_at, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [import_id, kind, file_name, tool, profile, file_sha256, _now(), is_demo],
        )
        return import_id

    def delete_import(self, cur: duckdb.DuckDBPyConnection, import_id: int) -> int:
        """Remove exactly the rows one import added (inside the caller's transaction)."""
        removed = 0
        for table in BOOKKEEPING_TABLES:
            cur.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id])
        for table in DATA_TABLES:
            n = cur.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id]).fetchone()[0]
            removed += n if table not in KEY_TABLES else 0
        cur.execute("DELETE FROM imports WHERE import_id = ?", [import_id])
        return removed

    def remove_demo(self) -> int:
        """Remove every demo import in one transaction; returns the rows removed."""
        with self.transaction() as cur:
            ids = [
                r[0] for r in cur.execute("SELECT import_id FROM imports WHERE is_demo").fetchall()
            ]
            return sum(self.delete_import(cur, import_id) for import_id in ids)

    def imports(self) -> pd.DataFrame:
        """The import history, newest first."""
        return self.query("SELECT * FROM imports ORDER BY import_id DESC")

    def has_demo(self) -> bool:
        """True while demo data is loaded."""
        return bool(self.fetch("SELECT count(*) FROM imports WHERE is_demo")[0][0])

    def has_real_data(self) -> bool:
        """True when anything other than the demo data is loaded."""
        return bool(self.fetch("SELECT count(*) FROM imports WHERE NOT is_demo")[0][0])

    def data_as_of(self) -> str:
        """When the data last changed, for chart footers ('never' on an empty database)."""
        return self.get_setting("last_write_at", "never") or "never"


@contextmanager
def _atomic(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one DuckDB transaction: commit at the end, roll back on any error."""
    cur.begin()
    try:
        yield
    except BaseException:
        cur.rollback()
        raise
    cur.commit()


def _ident(name: str) -> str:
    """A SQL identifier, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def _now() -> datetime:
    return clock.now_utc()
