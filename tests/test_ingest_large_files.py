"""A file on disk (the command line) is previewed from its start and, when DuckDB can read it,
never read whole into Python: the preview and the import are the same as from its bytes."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import openpyxl
import pytest

from analysis.ingest import service
from analysis.ingest.keys import EMAIL
from analysis.ingest.plan import Link, file_digest
from tests.ingest_support import cohort, key_of, mapped_profile, rows, snapshot

HEAD = 300_000  # instead of 8 MiB, so that files of a few hundred kilobytes are "large"


@pytest.fixture(autouse=True)
def small_head(monkeypatch) -> None:
    monkeypatch.setattr(service, "HEAD_BYTES", HEAD)


def _attendance_csv(n: int, encoding: str = "utf-8", name_width: int = 0) -> bytes:
    """n attendance rows for 97 people over 60 days; `name_width` pads the names."""
    lines = ["Email;Name;Session date;Duration (Minutes)"]
    for i in range(n):
        day = date(2025, 1, 6) + timedelta(days=i % 60)
        name = f"Zoë Weiß {i % 97}".ljust(name_width, "·")
        lines.append(f"p{i % 97}@example.org;{name};{day:%d.%m.%Y};{10 + i % 50},5")
    return ("\n".join(lines) + "\n").encode(encoding)


def _same_preview(a, b) -> None:
    assert a.detection == b.detection
    assert a.columns == b.columns and a.labels == b.labels
    assert a.frame.equals(b.frame)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_large_csv_file_is_previewed_from_its_start(tmp_path, encoding) -> None:
    data = _attendance_csv(20_000, encoding)
    assert len(data) > 2 * HEAD
    path = tmp_path / "attendance.csv"
    path.write_bytes(data)
    table, whole = service.preview_file(path)
    assert whole is None  # not read whole
    _same_preview(table, service.preview(data, path.name))
    assert table.n_rows == service.PREVIEW_ROWS


def test_a_small_file_is_read_whole_once(tmp_path) -> None:
    data = _attendance_csv(50)
    path = tmp_path / "small.csv"
    path.write_bytes(data)
    table, whole = service.preview_file(path)
    assert whole == data
    _same_preview(table, service.preview(data, path.name))


def _xlsx(n: int) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Email", "Session date", "Duration (Minutes)"])
    for i in range(n):
        ws.append([f"p{i}@example.org", date(2025, 1, 6) + timedelta(days=i % 9), 30 + i % 7])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _json_log(n: int) -> bytes:
    events = [
        {"username": f"p{i % 40}", "time": f"2025-01-{1 + i % 28:02d}T10:00:00", "event": "x" * 80}
        for i in range(n)
    ]
    return json.dumps(events).encode()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("workbook.xlsx", lambda: _xlsx(30_000)),
        ("events.json", lambda: _json_log(4_000)),
        ("long_rows.csv", lambda: _attendance_csv(400, name_width=3_000)),
    ],
)
def test_files_whose_start_is_not_enough_are_read_whole(tmp_path, name, make) -> None:
    """Excel and JSON files, and CSV rows too long for the start, fall back to the whole file."""
    data = make()
    assert len(data) > HEAD
    path = tmp_path / name
    path.write_bytes(data)
    table, whole = service.preview_file(path)
    assert whole == data
    _same_preview(table, service.preview(data, name))


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_importing_a_path_equals_importing_its_bytes(tmp_path, store, encoding) -> None:
    """The command line's way (a path, no bytes) writes exactly what the Upload page's way does,
    for a file DuckDB reads itself (UTF-8) and one decoded in Python first (Windows-1252)."""
    data = _attendance_csv(20_000, encoding)
    path = tmp_path / "attendance.csv"
    path.write_bytes(data)
    profile = mapped_profile(store, data, path.name, "attendance")
    table, whole = service.preview_file(path)
    assert whole is None
    by_path = service.prepare(
        store, None, path.name, profile, Link(new_cohort=cohort("A")), path=path, head=table
    )
    by_bytes = service.prepare(store, data, path.name, profile, Link(new_cohort=cohort("A")))
    assert by_path.file_sha256 == by_bytes.file_sha256 == file_digest(data)
    assert by_path.rejected == by_bytes.rejected == []
    assert by_path.counts() == by_bytes.counts()
    for name, frame in by_bytes.tables.items():
        other = by_path.tables[name]
        other = other.to_pandas() if hasattr(other, "to_pandas") else other
        frame = frame.to_pandas() if hasattr(frame, "to_pandas") else frame
        cols = list(frame.columns)
        assert (
            other[cols]
            .sort_values(cols)
            .reset_index(drop=True)
            .equals(frame.sort_values(cols).reset_index(drop=True))
        ), name
    before = snapshot(store)
    service.commit(store, by_path)
    assert snapshot(store) != before
    days = {(i % 97, i % 60) for i in range(20_000)}  # one row per person and day
    minutes = sum(10 + i % 50 + 0.5 for i in range(20_000))
    assert rows(store, "SELECT count(*), sum(minutes) FROM attendance") == [(len(days), minutes)]
    p0 = key_of(store, EMAIL, "p0@example.org")
    p0_days = len({d for p, d in days if p == 0})
    assert rows(store, "SELECT count(*) FROM attendance WHERE person_key = ?", [p0]) == [(p0_days,)]
