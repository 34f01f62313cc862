"""Writes that must be exact: undo removes what one import added and nothing else, and an
import killed inside its transaction leaves the database with all of it or none of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest import service
from analysis.ingest.plan import Link
from analysis.people import forget
from analysis.store import Store
from tests.ingest_support import (
    ALL_TABLES,
    EXPORTS,
    HEROES,
    attendance_strays,
    cohort,
    csv_bytes,
    import_bytes,
    import_zoom_heroes,
    one,
    plan_for,
    rows,
    snapshot,
)

ROOT = Path(__file__).resolve().parent.parent
APPLY = "I apply what I learned in my daily work"
FORMS_HEADER = f"Id,Start time,Completion time,Email,{APPLY}"
FORMS_ROWS = [
    "1,4/1/2025 9:00,4/1/2025 9:05,ann@example.org,Agree",
    "2,4/1/2025 9:00,4/1/2025 9:06,bob@example.org,Disagree",
    "3,4/1/2025 9:00,4/1/2025 9:07,cy@example.org,Strongly agree",
]


# --- undo --------------------------------------------------------------------------------------


def test_undo_removes_exactly_what_the_import_added(store) -> None:
    """A survey import into its own cohort, then undone: every table as before, version moved."""
    import_zoom_heroes(store, Link(new_cohort=cohort("Zoom")))
    before, version = snapshot(store), store.dataset_version()
    survey = import_bytes(store, csv_bytes(FORMS_HEADER, *FORMS_ROWS), "f.csv",
                          Link(new_cohort=cohort("Survey"), wave="post"))  # fmt: skip
    assert snapshot(store) != before
    removed = service.undo(store, survey)
    assert removed == 1 + 1 + 3 + 3 + 1  # cohort, group, responses, answers, item
    assert snapshot(store) == before and store.dataset_version() == version + 2


def test_attendance_reads_back_as_the_plan_showed_it_through_forget_and_undo(store) -> None:
    """The commit stores attendance as keys and days (analysis/store.py, migration 10): read
    through the attendance view they are the rows the plan showed; forgetting a person takes
    their days and keys; undo leaves the database as before, with no day without its key."""
    empty = snapshot(store)
    plan = plan_for(store, (EXPORTS / HEROES).read_bytes(), HEROES, Link(new_cohort=cohort("Z")))
    shown = plan.tables["attendance"].to_pandas()
    import_id = service.commit(store, plan, accept_partial=True)
    stored = store.query("SELECT * EXCLUDE (import_id) FROM attendance WHERE import_id = ?",
                         [import_id])  # fmt: skip
    columns = list(shown.columns)
    for frame in (stored, shown):  # DuckDB's frame has datetimes, Arrow's dates
        frame["session_date"] = pd.to_datetime(frame["session_date"])
    assert list(stored.columns) == columns and len(stored) == len(shown) > 20
    pd.testing.assert_frame_equal(
        stored.sort_values(columns).reset_index(drop=True),
        shown.sort_values(columns).reset_index(drop=True),
        check_dtype=False,
    )
    keys = one(store, "SELECT count(*) FROM attendance_keys WHERE import_id = ?", [import_id])
    assert keys == len(shown.drop_duplicates(["person_key", "cohort_id", "group_id", "kind"]))
    assert set(attendance_strays(store).values()) == {0}

    person = one(store, "SELECT min(person_key) FROM attendance")
    theirs = one(store, "SELECT count(*) FROM attendance WHERE person_key = ?", [person])
    result = forget.forget_key(store, person, "settings")
    assert result.rows["attendance"] == theirs > 0 and "attendance_keys" not in result.rows
    assert one(store, "SELECT count(*) FROM attendance WHERE person_key = ?", [person]) == 0
    assert one(store, "SELECT count(*) FROM attendance") == len(shown) - theirs
    assert set(attendance_strays(store).values()) == {0}

    service.undo(store, import_id)
    assert snapshot(store) == empty


def test_undo_refuses_while_a_later_import_uses_its_cohort(store) -> None:
    """The later import must go first; then both undo cleanly down to an empty database."""
    empty = snapshot(store)
    zoom = import_zoom_heroes(store, Link(new_cohort=cohort("Zoom")))
    cohort_id = one(store, "SELECT cohort_id FROM cohorts WHERE import_id = ?", [zoom])
    survey = import_bytes(store, csv_bytes(FORMS_HEADER, *FORMS_ROWS), "f.csv",
                          Link(cohort_id=cohort_id, wave="post"))  # fmt: skip
    before = snapshot(store)
    with pytest.raises(ValueError, match=f"imports {survey} use"):
        service.undo(store, zoom)
    assert snapshot(store) == before
    service.undo(store, survey)
    service.undo(store, zoom)
    assert snapshot(store) == empty


def test_undo_keeps_the_program_and_questions_a_later_import_shares(store) -> None:
    """Two cohorts of one program answering the same form: undoing the first import leaves the
    second with its program and its question catalogue."""
    first = import_bytes(store, csv_bytes(FORMS_HEADER, *FORMS_ROWS), "pre.csv",
                         Link(new_cohort=cohort("Spring"), wave="pre"))  # fmt: skip
    second = import_bytes(store, csv_bytes(FORMS_HEADER, *FORMS_ROWS[:2]), "post.csv",
                          Link(new_cohort=cohort("Autumn"), wave="post"))  # fmt: skip
    service.undo(store, first)
    orphans = rows(
        store,
        "SELECT 'cohort without program' FROM cohorts WHERE program_id NOT IN "
        "(SELECT program_id FROM programs) UNION ALL "
        "SELECT 'answer without item' FROM survey_answers WHERE item_id NOT IN "
        "(SELECT item_id FROM survey_items)",
    )
    assert orphans == []
    assert rows(store, "SELECT DISTINCT import_id FROM survey_answers") == [(second,)]
    service.undo(store, second)
    assert all(not v for t, v in snapshot(store).items())


def test_undo_refuses_while_a_later_import_uses_its_groups(store) -> None:
    """Groups a sheet created (from its Group column) inside an existing cohort count too."""
    first = csv_bytes("Email,Date,Minutes", "zed@example.org,2025-03-01,5")
    base = import_bytes(
        store, first, "base.csv", Link(new_cohort=cohort("Trios")), kind="attendance"
    )
    cohort_id = one(store, "SELECT cohort_id FROM cohorts WHERE import_id = ?", [base])
    header = "Email,Date,Minutes,Group"
    week1 = import_bytes(store, csv_bytes(header, "a@x.org,2025-03-03,30,Trio A"), "w1.csv",
                         Link(cohort_id=cohort_id), kind="attendance")  # fmt: skip
    week2 = import_bytes(store, csv_bytes(header, "a@x.org,2025-03-10,25,Trio A"), "w2.csv",
                         Link(cohort_id=cohort_id), kind="attendance")  # fmt: skip
    assert rows(store, "SELECT count(*) FROM groups WHERE import_id = ?", [week1]) == [(1,)]
    with pytest.raises(ValueError, match=f"imports {week2} use"):
        service.undo(store, week1)
    assert service.undo(store, week2) == 1  # its one attendance row
    assert service.undo(store, week1) == 1 + 1 + 1  # attendance, enrolment, group


# --- a killed import ---------------------------------------------------------------------------

PEOPLE, DAYS = 2000, 100  # 200,000 attendance rows
KILLED_IMPORT = """
import sys, time
from analysis.ingest import service
from analysis.ingest.plan import Link
from analysis.store import Store
from tests.ingest_support import attendance_sheet, cohort, csv_bytes, import_bytes, plan_for

db, stop_after, people, days = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
store = Store(db)
base = csv_bytes("Email,Session date,Minutes", "zed@example.org,2024-12-02,30")
import_bytes(store, base, "base.csv", Link(new_cohort=cohort("Base")), kind="attendance")
data = attendance_sheet(people, days)
plan = plan_for(store, data, "big.csv", Link(new_cohort=cohort("Big")), kind="attendance")
print("COMMIT", plan.counts()["attendance"], plan.rows_rejected, flush=True)


def progress(table, done, total):
    print("WROTE", table, done, total, flush=True)
    if stop_after in (table, "first"):
        time.sleep(120)


service.commit(store, plan, progress=progress)
print("DONE", flush=True)
"""


def _run_until(tmp_path: Path, stop_after: str) -> list[str]:
    """Run the import in a child process; SIGKILL it once it wrote `stop_after` (or any table)."""
    script = tmp_path / "killed_import.py"
    script.write_text(KILLED_IMPORT)
    env = {**os.environ, "FORMATFIT_SECRET_FILE": str(tmp_path / "secret.key"),
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    args = [sys.executable, str(script), str(tmp_path / "formatfit.duckdb"), stop_after,
            str(PEOPLE), str(DAYS)]  # fmt: skip
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    watchdog = threading.Timer(120, proc.kill)  # never hang the suite
    watchdog.start()
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith("WROTE ") and stop_after in (line.split()[1], "first"):
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "\n".join(lines)
    return lines


@pytest.mark.parametrize("stop_after", ["first", "attendance"])
def test_import_killed_inside_its_transaction_leaves_none_of_it(tmp_path, stop_after) -> None:
    """Killed after writing its first table, or its biggest: reopened, the database holds the
    earlier import whole and not one row of the killed one."""
    lines = _run_until(tmp_path, stop_after)
    assert f"COMMIT {PEOPLE * DAYS} 0" in lines, "\n".join(lines)
    assert lines[-1].startswith("WROTE ") and "DONE" not in lines
    store = Store(tmp_path / "formatfit.duckdb")
    try:
        assert rows(store, "SELECT import_id, file_name, rows_written FROM imports") == [
            (1, "base.csv", 5)  # program, cohort, group, enrolment, attendance
        ]
        for table in ALL_TABLES[1:]:
            strays = one(store, f"SELECT count(*) FROM {table} WHERE import_id <> 1")
            assert strays == 0, table
        assert store.row_counts() == {
            "people": 0, "programs": 1, "cohorts": 1, "groups": 1, "enrolments": 1,
            "attendance": 1, "survey_items": 0, "survey_responses": 0, "survey_answers": 0,
        }  # fmt: skip
        assert store.dataset_version() == 1
    finally:
        store.close()
