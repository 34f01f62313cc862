"""The DuckDB store: schema, migrations, atomic writes, dataset version, undo, file locking."""

from __future__ import annotations

import threading

import duckdb
import pandas as pd
import pytest

from analysis import queries
from analysis.domain import ENGAGED_SHARE
from analysis.queries import Filters
from analysis.store import (
    MIGRATIONS,
    DatabaseBusyError,
    DatabaseOutdatedError,
    Store,
    default_db_path,
)
from tests.conftest import database_held_elsewhere
from tests.tiny import build_tiny_store


def test_schema_is_created_once_and_reopened_without_change(tmp_path):
    """Migrations apply once; reopening the file applies nothing again and keeps the data."""
    path = tmp_path / "db.duckdb"
    store = build_tiny_store(path)
    assert store.schema_version() == len(MIGRATIONS)
    version = store.dataset_version()
    store.close()
    again = Store(path)
    assert again.schema_version() == len(MIGRATIONS)
    assert again.dataset_version() == version
    assert again.row_counts()["people"] == 10
    again.close()


def test_every_write_moves_the_dataset_version(tmp_path):
    """Caches key on the version: each committed transaction increments it."""
    store = Store(tmp_path / "db.duckdb")
    assert store.dataset_version() == 0
    with store.transaction() as cur:
        store.new_import(cur, "test")
    assert store.dataset_version() == 1
    assert store.data_as_of() != "never"


def test_a_failed_write_leaves_nothing_and_keeps_the_version(tmp_path):
    """An error inside a transaction rolls back every row of it."""
    store = Store(tmp_path / "db.duckdb")
    with pytest.raises(duckdb.ConstraintException), store.transaction() as cur:
        imp = store.new_import(cur, "test")
        cur.execute("INSERT INTO person_records VALUES ('a', 'Eng', NULL, NULL, NULL, ?)", [imp])
        cur.execute("INSERT INTO person_records VALUES ('a', 'Eng', NULL, NULL, NULL, ?)", [imp])
    assert store.row_counts()["people"] == 0
    assert store.imports().empty
    assert store.dataset_version() == 0


def test_schema_rejects_unknown_formats(tmp_path):
    """A cohort's format must be one of the three."""
    store = Store(tmp_path / "db.duckdb")
    with pytest.raises(duckdb.ConstraintException), store.transaction() as cur:
        cur.execute(
            "INSERT INTO cohorts VALUES ('c', 'p', 'c', 'webinar', 'other', DATE '2025-01-01', "
            "DATE '2025-02-01', 0, 4, 1)"
        )


def test_delete_import_removes_exactly_its_rows(tmp_path):
    """Undo removes the rows one import added and leaves the others."""
    store = build_tiny_store(tmp_path / "db.duckdb")
    with store.transaction() as cur:
        second = store.new_import(cur, "test")
        cur.execute(
            "INSERT INTO person_records VALUES ('extra', 'Ops', NULL, NULL, NULL, ?)", [second]
        )
    assert store.row_counts()["people"] == 11
    with store.transaction() as cur:
        assert store.delete_import(cur, second) == 1
    assert store.row_counts()["people"] == 10
    assert store.imports()["import_id"].tolist() == [1]


def test_remove_demo_only_removes_demo_imports(tmp_path):
    """Removing demo data keeps real imports."""
    store = build_tiny_store(tmp_path / "db.duckdb")
    with store.transaction() as cur:
        demo = store.new_import(cur, "demo", is_demo=True)
        cur.execute("INSERT INTO person_records VALUES ('d', 'Ops', NULL, NULL, NULL, ?)", [demo])
    assert store.has_demo() and store.has_real_data()
    assert store.remove_demo() == 1
    assert not store.has_demo()
    assert store.row_counts()["people"] == 10


def test_db_path_comes_from_the_environment(monkeypatch, tmp_path):
    """FORMATFIT_DB overrides the default data/formatfit.duckdb."""
    monkeypatch.delenv("FORMATFIT_DB", raising=False)
    assert default_db_path().parts[-2:] == ("data", "formatfit.duckdb")
    monkeypatch.setenv("FORMATFIT_DB", str(tmp_path / "x.duckdb"))
    assert default_db_path() == tmp_path / "x.duckdb"


def test_a_second_process_gets_a_clear_busy_error(tmp_path):
    """DuckDB lets one process hold the file; the second is told so in words."""
    path = tmp_path / "db.duckdb"
    Store(path).close()
    with (
        database_held_elsewhere(path),
        pytest.raises(DatabaseBusyError, match="in use by another process"),
    ):
        Store(path)


def test_version_1_database_migrates_with_its_data(tmp_path, monkeypatch):
    """A file made before migration 2 keeps its people and enrolments behind the new views."""
    import analysis.store as store_module

    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:1])
    old = Store(path)
    with old.transaction() as cur:
        imp = old.new_import(cur, "test")
        cur.execute("INSERT INTO people VALUES ('a', 'Eng', 'T', 'IC', false, ?)", [imp])
        cur.execute(
            "INSERT INTO enrolments VALUES ('a', 'c', 'g', DATE '2025-01-01', NULL, ?)", [imp]
        )
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    new = Store(path)
    assert new.schema_version() == len(MIGRATIONS)
    assert new.query("SELECT person_key, department FROM people").values.tolist() == [["a", "Eng"]]
    assert new.row_counts()["enrolments"] == 1


def test_version_9_attendance_migrates_to_keys_and_days_row_for_row(tmp_path, monkeypatch):
    """A file made before migration 10 reads the same attendance through the view: duplicates,
    missing minutes and both kinds kept, each import's keys numbered on their own; undo then
    removes one import's keys and days."""
    import analysis.store as store_module

    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:9])
    old = Store(path)
    rows = []
    with old.transaction() as cur:
        for n in range(2):
            imp = old.new_import(cur, "test")
            for person, kind, day, attended, minutes in [
                ("a", "session", 1, True, 60.0),
                ("a", "session", 1, True, 60.0),  # the same day twice: two rows, as before
                ("b", "session", 2, False, None),
                ("a", "activity", 3, True, 12.5),
            ]:
                row = (person, f"c{n}", "g", kind, pd.Timestamp(2025, 1, day), attended, minutes)
                cur.execute("INSERT INTO attendance VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [*row, imp])
                rows.append((*row, imp))
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    new = Store(path)
    assert new.schema_version() == len(MIGRATIONS)
    got = new.query("SELECT * FROM attendance")
    got["session_date"] = pd.to_datetime(got["session_date"])
    want = pd.DataFrame(rows, columns=got.columns).astype(got.dtypes.to_dict())
    by = list(got.columns)
    pd.testing.assert_frame_equal(
        got.sort_values(by).reset_index(drop=True), want.sort_values(by).reset_index(drop=True)
    )
    assert new.fetch("SELECT import_id, list(pid ORDER BY pid) FROM attendance_keys GROUP BY 1 "
                     "ORDER BY 1") == [(1, [0, 1, 2]), (2, [0, 1, 2])]  # fmt: skip
    with new.transaction() as cur:
        assert new.delete_import(cur, 1) == 4  # days, not keys
    assert new.fetch("SELECT DISTINCT import_id FROM attendance_keys") == [(2,)]
    assert new.row_counts()["attendance"] == 4


def test_people_view_prefers_the_latest_roster_and_undo_restores_it(tmp_path):
    """A later roster's department wins; undoing that roster brings the earlier one back."""
    store = build_tiny_store(tmp_path / "db.duckdb")
    with store.transaction() as cur:
        roster = store.new_import(cur, "roster")
        cur.execute("INSERT INTO person_records VALUES ('p1', 'Ops', 'T', 'IC', true, ?)", [roster])
    dept = "SELECT department FROM people WHERE person_key = 'p1'"
    assert store.query(dept).iloc[0, 0] == "Ops"
    with store.transaction() as cur:
        store.delete_import(cur, roster)
    assert store.query(dept).iloc[0, 0] == "Eng"


def test_enrolments_view_keeps_a_completion_from_any_import(tmp_path):
    """An LMS export that adds a completion date completes the enrolment; undo removes it."""
    store = build_tiny_store(tmp_path / "db.duckdb")
    with store.transaction() as cur:
        lms = store.new_import(cur, "enrolment")
        cur.execute(
            "INSERT INTO enrolment_records "
            "VALUES ('p2', 'C_A', 'GC_A', NULL, DATE '2025-02-01', ?)",
            [lms],
        )
    done = "SELECT completed_on FROM enrolments WHERE person_key = 'p2'"
    assert str(store.query(done).iloc[0, 0])[:10] == "2025-02-01"
    assert store.row_counts()["enrolments"] == 10
    with store.transaction() as cur:
        store.delete_import(cur, lms)
    assert pd.isna(store.query(done).iloc[0, 0])


def test_the_app_reads_and_writes_while_a_command_line_read_holds_the_file(tmp_path, monkeypatch):
    """`shared` (the app) is read-only between writes: another process reads alongside. A write
    waits for that reader; if it does not let go in time, nothing is written and the app reads on.
    """
    monkeypatch.setenv("FORMATFIT_BUSY_WAIT", "0.5")
    path = tmp_path / "db.duckdb"
    build_tiny_store(path).close()
    app = Store(path, mode="shared")
    before = app.dataset_version()
    with database_held_elsewhere(path, mode="read"):
        assert app.row_counts()["people"] == 10  # the app reads meanwhile
        with (
            pytest.raises(DatabaseBusyError, match="in use by another process"),
            app.transaction() as cur,
        ):
            cur.execute("DELETE FROM attendance_days")
        with pytest.raises(DatabaseBusyError):
            app.set_setting("min_group_size", "7")
    assert app.dataset_version() == before and app.row_counts()["attendance"] > 0
    assert app.get_setting("min_group_size") is None
    with app.transaction() as cur:  # the reader is gone: the write goes through
        cur.execute("DELETE FROM attendance_days")
    assert app.dataset_version() == before + 1 and app.row_counts()["attendance"] == 0
    app.close()


def test_reads_in_other_threads_survive_the_apps_writes(tmp_path):
    """Every write reopens the file; readers in other threads never see a closed connection."""
    path = tmp_path / "db.duckdb"
    build_tiny_store(path).close()
    app = Store(path, mode="shared")
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                assert app.query("SELECT count(*) AS n FROM people")["n"].iloc[0] == 10
                app.get_setting("x")
            except BaseException as exc:
                errors.append(exc)
                return

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    for i in range(20):
        app.set_setting("x", str(i))
        with app.transaction() as cur:
            assert cur.execute("SELECT count(*) FROM people").fetchone()[0] == 10
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert app.get_setting("x") == "19"
    app.close()


def test_a_read_opening_writes_nothing_and_computes_derived_tables_inline(tmp_path):
    """`read` (the command line's compare and claims): a stale derived table is not rebuilt in
    the file but computed inline, with the same figures; writes are refused."""
    path = tmp_path / "db.duckdb"
    build_tiny_store(path).close()
    reader = Store(path, mode="read")
    assert not reader.ensure_derived("presence", "SELECT 1 AS x")
    inline = queries.run_query(
        reader, "engagement_by_variant", Filters(), engaged_share=ENGAGED_SHARE
    )
    with pytest.raises(PermissionError):
        reader.set_setting("x", "1")
    reader.close()
    writer = Store(path)
    assert writer.get_setting("derived:presence") is None  # nothing was written
    stored = queries.run_query(
        writer, "engagement_by_variant", Filters(), engaged_share=ENGAGED_SHARE
    )
    assert writer.get_setting("derived:presence") == str(writer.dataset_version())

    def rows(df: pd.DataFrame) -> pd.DataFrame:  # the query has no ORDER BY: compare as sets
        return df.sort_values(list(df.columns)).reset_index(drop=True)

    pd.testing.assert_frame_equal(rows(inline), rows(stored))
    writer.close()


def test_a_read_opening_of_an_outdated_or_missing_database_says_what_to_do(tmp_path, monkeypatch):
    """A read-only opening cannot migrate: it says to start the app once; no file: it says so."""
    import analysis.store as store_module

    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:1])
    Store(path).close()
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with pytest.raises(DatabaseOutdatedError, match="start the app"):
        Store(path, mode="read")
    with pytest.raises(FileNotFoundError, match="no database at"):
        Store(tmp_path / "none.duckdb", mode="read")
