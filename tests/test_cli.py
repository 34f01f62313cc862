"""`python -m analysis import`: one JSON object, one-line errors, and hands off a busy database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import EXPORTS, ROOT, database_held_elsewhere

ZOOM = EXPORTS / "zoom" / "participants_heroes_full.csv"
NEW_COHORT = [
    "--cohort",
    "Zoom pilot",
    "--program",
    "Feedback",
    "--variant",
    "pilot_team",
    "--start",
    "2021-11-01",
    "--end",
    "2021-12-20",
    "--sessions",
    "6",
]


def _run(*args: str, db, secret) -> subprocess.CompletedProcess:
    env = {**os.environ, "FORMATFIT_DB": str(db), "FORMATFIT_SECRET_FILE": str(secret)}
    return subprocess.run(
        [sys.executable, "-m", "analysis", "import", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_dry_run_prints_one_json_object_and_writes_nothing(tmp_path):
    """Detection, every column's role, and the rows it would take; the database stays empty."""
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    out = _run(str(ZOOM), *NEW_COHORT, "--dry-run", db=db, secret=secret)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["tool"], report["encoding"], report["header_rows"]) == ("zoom", "utf-8", 1)
    roles = {c["column"]: c["role"] for c in report["columns"]}
    assert roles["User Email"] == "person_email"
    assert roles["Join Time"] == "join_time"
    assert (report["rows_read"], report["rows_rejected"], report["imported"]) == (31, 0, False)
    assert report["writes"]["attendance"] == 27
    from analysis.store import Store

    store = Store(db)
    assert store.row_counts()["attendance"] == 0
    store.close()


def test_import_then_the_same_file_again_adds_nothing(tmp_path):
    """The second run reports the first import and imports nothing."""
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    first = json.loads(_run(str(ZOOM), *NEW_COHORT, db=db, secret=secret).stdout)
    assert first["imported"] and first["import_id"] == 1
    again = json.loads(_run(str(ZOOM), *NEW_COHORT, db=db, secret=secret).stdout)
    assert again["imported"] is False and again["duplicate_of"] == 1


def test_unreadable_input_is_one_line_without_traceback(tmp_path):
    """Random bytes: exit 1, one line on stderr, no Python traceback."""
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 40)
    out = _run(str(junk), db=tmp_path / "db.duckdb", secret=tmp_path / "key")
    assert out.returncode == 1
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


def test_a_database_held_by_the_app_is_left_alone(tmp_path):
    """Another process holds the file: exit 3 with one line, and nothing changes."""
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    with database_held_elsewhere(db):
        out = _run(str(ZOOM), *NEW_COHORT, db=db, secret=secret)
        assert out.returncode == 3
        assert "in use by another process" in out.stderr and out.stderr.count("\n") == 1
    from analysis.store import Store

    store = Store(db)
    assert store.imports().empty
    store.close()


def test_a_script_imports_the_next_file_into_the_cohort_the_json_names(tmp_path):
    """The JSON names the cohort it created (also on a dry run) or used, so a script can pass
    it on: the enrolment list, with its groups and whether they work together, lands in the
    Zoom report's cohort."""
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    dry = json.loads(_run(str(ZOOM), *NEW_COHORT, "--dry-run", db=db, secret=secret).stdout)
    first = json.loads(_run(str(ZOOM), *NEW_COHORT, db=db, secret=secret).stdout)
    assert first["cohort_id"] == dry["cohort_id"] and first["cohort_id"].startswith("c-")
    assert (dry["cohort_created"], first["cohort_created"]) == (False, True)
    enrolments = tmp_path / "enrolments.csv"
    enrolments.write_text(
        "Email,Group,Works together\nann@example.org,Trio A,yes\nbob@example.org,Trio B,no\n"
    )
    out = _run(
        str(enrolments), "--kind", "enrolment", "--cohort", first["cohort_id"], db=db, secret=secret
    )
    second = json.loads(out.stdout)
    assert (second["cohort_id"], second["cohort_created"]) == (first["cohort_id"], False)
    roles = {c["column"]: c["role"] for c in second["columns"]}
    assert roles["Works together"] == "works_together"
    from analysis.store import Store

    store = Store(db)
    try:
        cohorts = store.query("SELECT cohort_id FROM cohorts")["cohort_id"].tolist()
        groups = store.query(
            "SELECT name, works_together FROM current_groups WHERE cohort_id = $c ORDER BY name",
            {"c": first["cohort_id"]},
        )
    finally:
        store.close()
    assert cohorts == [first["cohort_id"]]
    assert groups.to_dict("list") == {
        "name": ["Trio A", "Trio B", "Zoom pilot"],
        "works_together": [True, False, None],
    }
