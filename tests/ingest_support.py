"""Helpers for the importer's end-to-end tests: map a file with its proposals, import it, and
look at everything the database holds (for before/after comparisons and personal-data scans)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from analysis.ingest import service
from analysis.ingest.mapping import profile_from_proposals
from analysis.ingest.plan import ImportPlan, Link, NewCohort
from analysis.ingest.profiles import MappingProfile
from analysis.store import ATTENDANCE_COLUMNS, Store, write_attendance

EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"
HEROES = "zoom/participants_heroes.csv"
# Every table an import writes to, plus the import log itself.
ALL_TABLES = (
    "imports",
    "programs",
    "cohorts",
    "groups",
    "person_records",
    "person_aliases",
    "enrolment_records",
    "attendance",
    "survey_items",
    "survey_responses",
    "survey_answers",
)


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    """A small export written in the test: lines joined, with a final newline, encoded."""
    return (newline.join(lines) + newline).encode(encoding)


def key_of(store: Store, kind: str, raw: str) -> str:
    """The person key this installation gives an e-mail, employee id or name."""
    return service.hasher_for(store).key(kind, raw)


def cohort(name: str, start: date = date(2025, 1, 1), end: date = date(2025, 12, 31), **kw):
    """A new small-group cohort in the 'Feedback' program unless told otherwise."""
    kw.setdefault("program_name", "Feedback")
    fmt, variant = kw.pop("format", "small_group"), kw.pop("variant", "book_club")
    return NewCohort(name, fmt, variant, start, end, **kw)


def mapped_profile(store: Store, data: bytes, name: str, kind: str | None = None) -> MappingProfile:
    """The profile a person gets by confirming every proposal (and choosing the kind)."""
    table = service.preview(data, name)
    proposals, saved = service.propose(store, table, kind)
    kind = kind or service.default_kind(table, saved)
    return profile_from_proposals(name, table.detection.tool, kind, proposals)


def plan_for(
    store: Store,
    data: bytes,
    name: str,
    link: Link,
    kind: str | None = None,
    profile: MappingProfile | None = None,
) -> ImportPlan:
    """prepare() with the proposed mapping (or the given profile)."""
    profile = profile or mapped_profile(store, data, name, kind)
    return service.prepare(store, data, name, profile, link)


def import_bytes(store: Store, data: bytes, name: str, link: Link, **kw) -> int:
    """Plan and commit a file, accepting partial imports; returns the import id."""
    accept = kw.pop("accept_partial", True)
    return service.commit(store, plan_for(store, data, name, link, **kw), accept_partial=accept)


def rows(store: Store, sql: str, params: list | dict | None = None) -> list[tuple]:
    """All rows of a query as tuples."""
    cur = store.cursor()
    try:
        return cur.execute(sql, params or []).fetchall()
    finally:
        cur.close()


def one(store: Store, sql: str, params: list | dict | None = None):
    """The single value of a query."""
    return rows(store, sql, params)[0][0]


# Where the attendance view's rows are stored (analysis/store.py, migration 10).
ATTENDANCE_STORAGE = ("attendance_days", "attendance_keys")


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table an import touches, sorted: equal snapshots, equal databases."""
    tables = (*ALL_TABLES, *ATTENDANCE_STORAGE)
    return {t: sorted(rows(store, f"SELECT * FROM {t}"), key=repr) for t in tables}


def attendance_strays(store: Store) -> dict[str, int]:
    """Attendance days whose key is gone, and keys no day points to: both 0 in a sound file."""
    return {
        "days without a key": one(
            store,
            "SELECT count(*) FROM attendance_days d WHERE NOT EXISTS (SELECT 1 FROM "
            "attendance_keys k WHERE k.import_id = d.import_id AND k.pid = d.pid)",
        ),
        "keys without a day": one(
            store,
            "SELECT count(*) FROM attendance_keys k WHERE NOT EXISTS (SELECT 1 FROM "
            "attendance_days d WHERE k.import_id = d.import_id AND k.pid = d.pid)",
        ),
        "keys twice": one(
            store,
            "SELECT count(*) - count(DISTINCT (import_id, pid)) FROM attendance_keys",
        ),
    }


def varchar_values(store: Store) -> list[str]:
    """Every non-null value of every VARCHAR column of every table in the database."""
    columns = rows(
        store,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR' AND table_schema = 'main'",
    )
    values: list[str] = []
    for table, column in columns:
        values += [
            r[0] for r in rows(store, f'SELECT "{column}" FROM "{table}" WHERE "{column}" NOT NULL')
        ]
    return values


def import_zoom_heroes(store: Store, link: Link) -> int:
    """Import the real Zoom report of 31 joins by 27 people (19 Nov 2021)."""
    return import_bytes(store, (EXPORTS / HEROES).read_bytes(), HEROES, link)


def attendance_sheet(people: int, days: int, first: date = date(2025, 1, 6)) -> bytes:
    """A large generated attendance CSV: every person on every day, minutes (p·7 + d) mod 90."""
    lines = ["Email,Session date,Minutes"]
    for d in range(days):
        day = date.fromordinal(first.toordinal() + d).isoformat()
        lines += [f"person{p}@example.org,{day},{(p * 7 + d) % 90}" for p in range(people)]
    return csv_bytes(*lines)


# The tables an organisation built in code fills row by row (programs and items come whole).
ORG_TABLES = (
    "cohorts",
    "groups",
    "person_records",
    "enrolment_records",
    "attendance",
    "survey_responses",
    "survey_answers",
)


def org_rows() -> dict[str, list[tuple]]:
    """An empty list of rows for each of ORG_TABLES."""
    return {t: [] for t in ORG_TABLES}


def write_rows(store: Store, tables: dict[str, list[tuple]], file_name: str) -> None:
    """Rows built in code, written straight to the schema as one import (each row gets the
    import's id as its last column), in one transaction."""
    with store.transaction() as cur:
        imp = store.new_import(cur, "test", file_name=file_name)
        for table, data in tables.items():
            if data:
                if table == "attendance":  # a view: written as its keys and days
                    frame = pd.DataFrame(data, columns=ATTENDANCE_COLUMNS)
                    cur.register("new_rows", frame)
                    write_attendance(cur, "new_rows", imp)
                else:
                    cur.register("new_rows", pd.DataFrame([(*row, imp) for row in data]))
                    cur.execute(f"INSERT INTO {table} SELECT * FROM new_rows")
                cur.unregister("new_rows")
