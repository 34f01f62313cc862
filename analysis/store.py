"""The DuckDB database: schema, migrations, connections, atomic writes, dataset version."""

from __future__ import annotations

import os
import threading
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
    "group_settings",
    "survey_answers",
    "survey_responses",
    "survey_items",
    "attendance",
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
)

# Where a logical table's rows are written (people and enrolments are views over records).
STORAGE_TABLE: dict[str, str] = {"people": "person_records", "enrolments": "enrolment_records"}


def default_db_path() -> Path:
    """The database file: $FORMATFIT_DB when set, else data/formatfit.duckdb."""
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH).expanduser().resolve()


class DatabaseBusyError(RuntimeError):
    """Another process holds the database file."""


class Store:
    """The one DuckDB connection of this process; hand out a cursor per thread or session."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path).expanduser().resolve() if path else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.IOException as exc:  # the file lock is held by another process
            raise DatabaseBusyError(
                f"{self.path} is in use by another process (is the app running?)"
            ) from exc
        self._write_lock = threading.Lock()
        self._version: int | None = None
        # Identifies this open database in memoised results (a path can be reused by a new file).
        self.token = uuid.uuid4().hex
        self._migrate()

    def close(self) -> None:
        """Close the process's connection (and every cursor made from it)."""
        self._con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor: give each thread or Streamlit session its own."""
        return self._con.cursor()

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
        return self.cursor().execute("SELECT max(version) FROM schema_migrations").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One atomic write: all of it commits and the dataset version moves on, or none of it."""
        try:
            with self._write_lock, closing(self.cursor()) as cur, _atomic(cur):
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

    def dataset_version(self) -> int:
        """A number that changes on every write; caches key on it.

        Kept in memory between writes: every write goes through `transaction`, and only this
        process may hold the file.
        """
        version = self._version
        if version is None:
            row = (
                self.cursor()
                .execute("SELECT value FROM meta WHERE key = 'dataset_version'")
                .fetchone()
            )
            version = self._version = int(row[0])
        return version

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A value from the meta table."""
        row = self.cursor().execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting; settings are not data, so the dataset version stays."""
        with self._write_lock:
            self.cursor().execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def ensure_derived(self, name: str, sql: str) -> None:
        """Build table derived_<name> from `sql` unless it is current for this dataset version.

        Derived tables are aggregates of the data, not data: rebuilding one does not move the
        dataset version, and an import or undo makes the next reader rebuild it.
        """
        key = f"derived:{name}"
        if self.get_setting(key) == str(self.dataset_version()):
            return
        with self._write_lock:
            version = str(self.dataset_version())
            if self.get_setting(key) == version:
                return
            with closing(self.cursor()) as cur, _atomic(cur):
                cur.execute(f'CREATE OR REPLACE TABLE "derived_{name}" AS {sql}')
                cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, version])

    def query(self, sql: str, params: dict | list | None = None) -> pd.DataFrame:
        """Run a read query on a fresh cursor and return a (small) DataFrame."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def row_counts(self) -> dict[str, int]:
        """Rows per data table, for the data-status panel."""
        union = " UNION ALL ".join(
            f"SELECT '{t}' AS t, count(*) AS n FROM {t}" for t in COUNTED_TABLES
        )
        return {t: int(n) for t, n in self.cursor().execute(union).fetchall()}

    def is_empty(self) -> bool:
        """True when no cohort has been loaded."""
        return self.cursor().execute("SELECT count(*) FROM cohorts").fetchone()[0] == 0

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
        for table in DATA_TABLES:
            removed += cur.execute(
                f"DELETE FROM {table} WHERE import_id = ?", [import_id]
            ).fetchone()[0]
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
        return bool(
            self.cursor().execute("SELECT count(*) FROM imports WHERE is_demo").fetchone()[0]
        )

    def has_real_data(self) -> bool:
        """True when anything other than the demo data is loaded."""
        return bool(
            self.cursor().execute("SELECT count(*) FROM imports WHERE NOT is_demo").fetchone()[0]
        )

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


def _now() -> datetime:
    return clock.now_utc()
