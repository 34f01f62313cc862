"""Attendance imports in bounded memory: a scratch DuckDB file with the import's memory limit,
whose rows stay on disk until the commit copies them (issue 15, part 1)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

import pytest

from analysis.ingest import scratch as scratch_module
from analysis.ingest import service
from analysis.ingest.plan import Link
from analysis.ingest.scratch import (
    DEFAULT_IMPORT_MEMORY,
    IMPORT_MEMORY_ENV_VAR,
    Scratch,
    StagedRows,
    import_memory,
)
from analysis.people import forget
from tests.ingest_support import cohort, csv_bytes, mapped_profile, one, plan_for, rows


def _sheet(people: int, days: int) -> bytes:
    """people x days attendance rows; person i attends for 10 + i % 50 minutes each day."""
    lines = ["Email,Session date,Duration (Minutes)"]
    for d in range(days):
        day = date(2025, 1, 6) + timedelta(days=d)
        lines += [f"p{i}@example.org,{day:%Y-%m-%d},{10 + i % 50}" for i in range(people)]
    return csv_bytes(*lines)


@pytest.mark.parametrize(
    ("value", "limit"), [("64MB", "61.0 MiB"), ("1GB", "953.6 MiB"), ("a lot", None)]
)
def test_the_scratch_database_takes_the_memory_setting(monkeypatch, value, limit) -> None:
    """$FORMATFIT_IMPORT_MEMORY is DuckDB's memory limit for the scratch (64 MB = 61.0 MiB);
    a value that is not a size gives the default, and the folder goes with `remove`."""
    monkeypatch.setenv(IMPORT_MEMORY_ENV_VAR, value)
    assert import_memory() == (value if limit else DEFAULT_IMPORT_MEMORY)
    scratch = Scratch()
    try:
        got = scratch.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert got == (limit or "476.8 MiB")  # 500 MB
        spill = scratch.con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
        assert spill.startswith(str(scratch.folder))
    finally:
        scratch.remove()
    assert not scratch.folder.exists()


def test_rows_stay_in_the_scratch_file_until_the_commit_copies_them(store) -> None:
    """prepare leaves the attendance rows in a closed scratch file; commit copies them, with
    the sums a person would compute by hand, restores the database's memory limit and deletes
    the file."""
    data = _sheet(people=40, days=5)
    plan = plan_for(store, data, "a.csv", Link(new_cohort=cohort("A")), kind="attendance")
    staged = plan.tables["attendance"]
    assert isinstance(staged, StagedRows) and len(staged) == 200
    assert staged.path.exists()
    assert sorted(staged.to_pandas().columns) == sorted(staged.column_names)
    before = one(store, "SELECT current_setting('memory_limit')")
    service.commit(store, plan)
    assert not staged.path.parent.exists()
    assert one(store, "SELECT current_setting('memory_limit')") == before
    minutes = 5 * sum(10 + i % 50 for i in range(40))
    assert rows(store, "SELECT count(*), sum(minutes) FROM attendance") == [(200, minutes)]
    assert one(store, "SELECT count(DISTINCT import_id) FROM attendance") == 1
    assert not rows(
        store, "SELECT * FROM duckdb_databases() WHERE database_name LIKE 'formatfit_plan_%'"
    )


class _ClosingSlowly:
    """A scratch connection whose closing takes 0.3 s longer, then raises `error` if given."""

    def __init__(self, con, error: Exception | None = None) -> None:
        self._con, self._error = con, error

    def __getattr__(self, name: str):
        return getattr(self._con, name)

    def close(self) -> None:
        time.sleep(0.3)
        self._con.close()
        if self._error is not None:
            raise self._error


def _slow_scratch(monkeypatch, error: Exception | None = None) -> None:
    real = scratch_module.duckdb.connect
    monkeypatch.setattr(
        scratch_module.duckdb, "connect", lambda *a, **kw: _ClosingSlowly(real(*a, **kw), error)
    )


def test_the_commit_waits_for_the_scratch_to_close(store, monkeypatch) -> None:
    """prepare closes its scratch in the background (it writes the rows to the file); a commit
    straight after it waits, and copies every row."""
    _slow_scratch(monkeypatch)
    plan = plan_for(store, _sheet(30, 4), "w.csv", Link(new_cohort=cohort("W")), kind="attendance")
    monkeypatch.undo()
    service.commit(store, plan)
    minutes = 4 * sum(10 + i % 50 for i in range(30))
    assert rows(store, "SELECT count(*), sum(minutes) FROM attendance") == [(120, minutes)]


def test_a_scratch_that_failed_to_close_is_not_committed(store, monkeypatch) -> None:
    """When closing the scratch fails (its file may be incomplete), the commit says so and
    writes nothing; the plan's folder is still removed."""
    _slow_scratch(monkeypatch, OSError("No space left on device"))
    plan = plan_for(store, _sheet(10, 2), "f.csv", Link(new_cohort=cohort("F")), kind="attendance")
    monkeypatch.undo()
    folder = plan.tables["attendance"].path.parent
    with pytest.raises(RuntimeError, match="could not be written: No space left"):
        service.commit(store, plan)
    assert one(store, "SELECT count(*) FROM imports") == 0
    assert one(store, "SELECT count(*) FROM cohorts") == 0
    del plan
    gc.collect()
    assert not folder.exists()


def test_a_plan_never_committed_leaves_no_scratch_file(store) -> None:
    """A plan dropped (a person cancels, or previews another file) takes its scratch with it."""
    plan = plan_for(store, _sheet(10, 2), "b.csv", Link(new_cohort=cohort("B")), kind="attendance")
    folder = plan.tables["attendance"].path.parent
    assert folder.exists()
    del plan
    gc.collect()
    assert not folder.exists()


def test_a_failed_commit_writes_nothing_and_can_be_tried_again(store, monkeypatch) -> None:
    """An error inside the transaction after the rows were copied rolls all of them back and
    detaches the scratch file, which stays for the next try; that try writes every row."""
    plan = plan_for(store, _sheet(30, 3), "c.csv", Link(new_cohort=cohort("C")), kind="attendance")
    real = forget.drop_forgotten

    def fail(cur, import_id):
        assert one_in(cur, "SELECT count(*) FROM attendance") == 90  # copied, not committed
        raise RuntimeError("disk full")

    monkeypatch.setattr(forget, "drop_forgotten", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        service.commit(store, plan)
    assert one(store, "SELECT count(*) FROM attendance") == 0
    assert one(store, "SELECT count(*) FROM imports") == 0
    assert plan.tables["attendance"].path.exists()
    monkeypatch.setattr(forget, "drop_forgotten", real)
    service.commit(store, plan)
    assert one(store, "SELECT count(*) FROM attendance") == 90


def one_in(cur, sql: str):
    """The single value of a query on a cursor (inside the commit's transaction)."""
    return cur.execute(sql).fetchone()[0]


def test_a_file_larger_than_the_memory_limit_imports_the_same_rows(store, monkeypatch) -> None:
    """With a limit far below what the rows take in memory, DuckDB spills to the scratch
    folder and the import writes exactly the rows it writes with the default limit."""
    data = _sheet(people=1_500, days=120)  # 180,000 rows
    link = Link(new_cohort=cohort("D"))
    profile = mapped_profile(store, data, "d.csv", "attendance")
    roomy = service.prepare(store, data, "d.csv", profile, link).tables["attendance"].to_pandas()
    monkeypatch.setenv(IMPORT_MEMORY_ENV_VAR, "20MB")
    plan = service.prepare(store, data, "d.csv", profile, link)
    assert plan.rejected == []
    tight = plan.tables["attendance"].to_pandas()
    cols = list(roomy.columns)
    assert len(tight) == 180_000
    assert (
        tight.sort_values(cols)
        .reset_index(drop=True)
        .equals(roomy.sort_values(cols).reset_index(drop=True))
    )
    service.commit(store, plan)
    minutes = 120 * sum(10 + i % 50 for i in range(1_500))
    assert rows(store, "SELECT count(*), sum(minutes) FROM attendance") == [(180_000, minutes)]


def test_a_limit_too_small_to_work_in_is_refused_with_the_setting(
    store, monkeypatch, tmp_path
) -> None:
    """Out of memory, the import says which setting to raise (it does not fall back to the
    decoder, which would hold the whole file in Python) and leaves no scratch folder."""
    monkeypatch.setenv(IMPORT_MEMORY_ENV_VAR, "1MB")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    data = _sheet(people=1_500, days=40)
    with pytest.raises(service.ImportRefused, match=IMPORT_MEMORY_ENV_VAR):
        plan_for(store, data, "e.csv", Link(new_cohort=cohort("E")), kind="attendance")
    assert list((tmp_path / "temp").iterdir()) == []


def test_scratch_folders_of_processes_that_are_gone_are_swept(monkeypatch, tmp_path) -> None:
    """An import killed midway leaves its folder; the next scratch deletes it, and keeps the
    folders of processes still running (this one's)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = tmp_path / f"formatfit-import-{gone.pid}-abc"
    mine = tmp_path / f"formatfit-import-{os.getpid()}-def"
    for folder in (orphan, mine):
        folder.mkdir()
        (folder / "scratch.duckdb").write_bytes(b"x")
    Scratch().remove()
    assert not orphan.exists() and mine.exists()
