"""`python -m analysis forget`, `backup` and `restore` when no app holds the database, and the
spool's answers to requests it cannot carry out (the running app's path is in
test_browser_forget_backup.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis.ingest.keys import EMAIL
from analysis.people import spool
from analysis.store import Store
from tests.conftest import ROOT, database_held_elsewhere, run_cli
from tests.ingest_support import key_of

APPLY = "I apply what I learned in my daily work"
SURVEY = (
    f"Id,Start time,Completion time,Email,{APPLY}\n"
    "1,4/1/2025 9:00,4/1/2025 9:05,ann@example.org,Agree\n"
    "2,4/1/2025 9:00,4/1/2025 9:06,bob@example.org,Disagree\n"
)
NEW_COHORT = ("--cohort", "F", "--program", "P", "--start", "2025-01-01", "--end", "2025-03-31",
              "--format", "small_group", "--wave", "post")  # fmt: skip


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "secret.key"))
    return tmp_path / "formatfit.duckdb"


def _ok(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_forget_then_a_reimport_drops_the_person_with_a_count(db, tmp_path) -> None:
    """Without the app the command deletes at once; the next import's JSON counts the rows
    it dropped; the output never repeats the identifier."""
    survey = tmp_path / "Feedback.csv"
    survey.write_text(SURVEY)
    _ok(run_cli("import", str(survey), *NEW_COHORT, db=db))
    done = _ok(run_cli("forget", "--email", "ann@example.org", db=db))
    assert done["applied_by"] == "command line" and done["forgotten_by"] == "email"
    assert done["tables"] == {"survey_answers": 1, "survey_responses": 1}
    assert done["rows_removed"] == 2 and not done["already_forgotten"]
    assert "ann" not in json.dumps(done)
    survey.write_text(SURVEY + "3,4/1/2025 9:00,4/1/2025 9:07,cy@example.org,Agree\n")
    dry = _ok(run_cli("import", str(survey), "--cohort", "F", "--wave", "post", "--dry-run", db=db))
    assert dry["forgotten_people_to_drop"] == {"survey_answers": 1, "survey_responses": 1}
    again = _ok(
        run_cli("import", str(survey), "--cohort", "F", "--wave", "post", "--accept-partial", db=db)
    )
    assert again["forgotten_people_dropped"] == {
        "rows": 2,
        "tables": {"survey_answers": 1, "survey_responses": 1},
    }
    store = Store(db, mode="read")
    try:
        ann = key_of(store, EMAIL, "ann@example.org")
        assert store.fetch("SELECT count(*) FROM survey_responses WHERE person_key = ?", [ann]) == [
            (0,)
        ]
        assert store.fetch("SELECT count(*) FROM survey_responses")[0][0] == 2
    finally:
        store.close()
    second = _ok(run_cli("forget", "--email", "ann@example.org", db=db))
    assert second["already_forgotten"] and second["rows_removed"] == 0


def test_bad_identifiers_fail_with_one_line(db) -> None:
    """Exit 1 and a message; no traceback."""
    bad = run_cli("forget", "--email", "not-an-address", db=db)
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: give an e-mail address") and "Traceback" not in bad.stderr
    both = run_cli("forget", "--email", "a@b.c", "--employee-id", "E1", db=db)
    assert both.returncode == 2  # argparse: one or the other


def test_backup_and_restore_from_the_command_line(db, tmp_path) -> None:
    """backup OUT then restore IN: the version comes back; an existing OUT is not overwritten;
    a file that is not a backup is refused (exit 1) and changes nothing."""
    survey = tmp_path / "Feedback.csv"
    survey.write_text(SURVEY)
    _ok(run_cli("import", str(survey), *NEW_COHORT, db=db))
    out = tmp_path / "b.zip"
    made = _ok(run_cli("backup", str(out), db=db))
    assert made["dataset_version"] == 1 and "hashing secret" in made["warning"]
    assert run_cli("backup", str(out), db=db).returncode == 1
    _ok(run_cli("forget", "--email", "bob@example.org", db=db))
    refused = run_cli("restore", str(survey), db=db)
    assert refused.returncode == 1 and "not a FormatFit backup" in refused.stderr
    restored = _ok(run_cli("restore", str(out), db=db))
    assert restored["restored"]["dataset_version"] == 1
    # Bob was forgotten after the backup: forgotten again, the version moves past the backup's
    assert restored["forgotten_again"]["rows_removed"] == 2
    assert restored["dataset_version"] == 2


def test_restore_while_another_process_writes_is_refused(db, tmp_path) -> None:
    """While the app (or an import) holds the file, restore says where to do it instead."""
    survey = tmp_path / "Feedback.csv"
    survey.write_text(SURVEY)
    _ok(run_cli("import", str(survey), *NEW_COHORT, db=db))
    out = tmp_path / "b.zip"
    _ok(run_cli("backup", str(out), db=db))
    with database_held_elsewhere(db, mode="shared"):
        refused = run_cli("restore", str(out), db=db)
    assert refused.returncode == 3
    assert "restore in the app's Settings, or stop the app" in refused.stderr


def test_a_request_waits_when_nobody_carries_it_out(db, tmp_path) -> None:
    """Held by a process that does not watch the spool: the command gives up after --wait
    with exit 3 and says the request is queued; the next forget that can write does it."""
    survey = tmp_path / "Feedback.csv"
    survey.write_text(SURVEY)
    _ok(run_cli("import", str(survey), *NEW_COHORT, db=db))
    with database_held_elsewhere(db, mode="write"):
        late = run_cli("forget", "--email", "ann@example.org", "--wait", "1", db=db)
    assert late.returncode == 3 and "request waits in" in late.stderr
    assert len(spool.pending(db)) == 1
    done = _ok(run_cli("forget", "--email", "bob@example.org", db=db))
    assert done["rows_removed"] == 2
    assert spool.pending(db) == []
    store = Store(db, mode="read")
    try:
        assert store.fetch("SELECT count(*) FROM survey_responses") == [(0,)]
    finally:
        store.close()


def test_a_request_hashed_with_another_secret_is_refused(db, tmp_path, monkeypatch) -> None:
    """The app and the command must use the same secret; otherwise nothing is deleted."""
    store = Store(db)
    try:
        spool.submit(db, "0123456789abcdef")
        request = next(iter(spool.pending(db)))
        payload = json.loads(request.read_text())
        payload["secret"] = "someone-else"
        request.write_text(json.dumps(payload))
        assert spool.process_pending(store, "app") == 1
        result = spool.take_result(db, request.name.removesuffix(".request"))
        assert result["ok"] is False and "different hashing secrets" in result["error"]
        assert store.fetch("SELECT count(*) FROM forgotten_people") == [(0,)]
    finally:
        store.close()


APP_LIKE = """
import sys
sys.path.insert(0, {root!r})
from analysis.people import spool
from analysis.store import Store
store = Store({db!r}, mode="shared")
spool.start_watcher(store)
print("ready", flush=True)
sys.stdin.read()
"""


def test_while_an_app_watches_the_spool_the_command_goes_through_it(db, tmp_path) -> None:
    """A process that holds the file as the app does and watches the spool: `forget` is
    carried out by it (never directly, even when the file is free for an instant), `restore`
    is refused, and once it has gone the command works on its own again."""
    survey = tmp_path / "Feedback.csv"
    survey.write_text(SURVEY)
    _ok(run_cli("import", str(survey), *NEW_COHORT, db=db))
    _ok(run_cli("backup", str(tmp_path / "b.zip"), db=db))
    holder = subprocess.Popen(
        [sys.executable, "-c", APP_LIKE.format(root=str(ROOT), db=str(db))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert spool.app_running(db)
        done = _ok(run_cli("forget", "--email", "ann@example.org", db=db))
        assert done["applied_by"] == "app" and done["rows_removed"] == 2
        refused = run_cli("restore", str(tmp_path / "b.zip"), db=db)
        assert refused.returncode == 3 and "restore in the app's Settings" in refused.stderr
    finally:
        holder.communicate("", timeout=30)
    assert not spool.app_running(db)
    alone = _ok(run_cli("forget", "--email", "bob@example.org", db=db))
    assert alone["applied_by"] == "command line" and alone["rows_removed"] == 2
