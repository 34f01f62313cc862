"""Meeting attendance reports as Teams writes them today: sections, locale dates, durations with
units. Every file is built here; the rows read stop where the preview stops, whichever reader
(bytes from the page, a path from the command line, DuckDB or the decoder) reads them."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from analysis import cli
from analysis.ingest import service
from analysis.ingest.keys import EMAIL
from analysis.ingest.plan import Link
from analysis.ingest.staging import minutes_sql
from tests.ingest_support import cohort, key_of, mapped_profile, rows

HEADER = "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole"
ACTIVITIES = "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole"


def _participant(i: int, join: str, leave: str, duration: str) -> str:
    return f"Person {i}\t{join}\t{leave}\t{duration}\tp{i}@example.org\tp{i}@example.org\tAttendee"


def teams_report(
    participants: list[str], *, encoding: str = "utf-16", times: tuple[str, str] | None = None
) -> bytes:
    """A Teams attendance report: summary, participants, then in-meeting activities whose
    people (x1, x2) appear nowhere else, so reading past the participants would show.
    `times`: the activities' join and leave cells (default: en-US)."""
    join, leave = times or ("11/03/26, 04:08:12 PM", "11/03/26, 04:30:00 PM")
    lines = [
        "1. Summary",
        "Meeting title\tBook club",
        f"Attended participants\t{len(participants)}",
        "Start time\t11/3/26, 4:00:12 PM",
        "Meeting duration\t1h 2m 31s",
        "",
        "2. Participants",
        HEADER,
        *participants,
        "",
        "3. In-Meeting Activities",
        ACTIVITIES,
        *(f"Extra {i}\t{join}\t{leave}\t21m 48s\tx{i}@example.org\tAttendee" for i in (1, 2)),
    ]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


US = [
    _participant(1, "11/03/26, 04:08:12 PM", "11/03/26, 05:02:40 PM", "54m 28s"),
    _participant(2, "11/03/26, 04:10:00 PM", "11/03/26, 05:10:30 PM", "1h 0m 30s"),
]
LINK = Link(
    new_cohort=cohort("Book club", date(2026, 11, 1), date(2026, 12, 20), scheduled_sessions=6)
)


def _attendance(store) -> list[tuple]:
    return sorted(rows(store, "SELECT person_key, session_date, round(minutes, 2) FROM attendance"))


def _expected(store, minutes: dict[int, float], day: date = date(2026, 11, 3)) -> list[tuple]:
    return sorted((key_of(store, EMAIL, f"p{i}@example.org"), day, m) for i, m in minutes.items())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
@pytest.mark.parametrize("reader", ["bytes", "path", "decoder"])
def test_teams_report_reads_participants_only(store, tmp_path, encoding, reader) -> None:
    """`11/03/26, 04:08:12 PM` is read, `54m 28s` is 54.47 minutes, and the in-meeting
    activities below the participants are neither imported nor rejected."""
    data = teams_report(US, encoding=encoding)
    path = tmp_path / "Book club - Attendance report.csv"
    path.write_bytes(data)
    profile = mapped_profile(store, data, path.name)
    head = service.preview(data, path.name)
    assert head.detection.tool == "teams_attendance"
    if reader == "decoder":  # DuckDB's reader refused: the Python decoder reads the rows
        from analysis.ingest import presence_sql

        plan = presence_sql._shape(
            store,
            data,
            path.name,
            head,
            profile,
            LINK,
            service.hasher_for(store),
            None,
            None,
            fast=False,
        )[0]
        assert len(plan["_rejected"]) == 0
        return
    plan = service.prepare(
        store, data if reader == "bytes" else None, path.name, profile, LINK, path=path, head=head
    )
    assert (plan.rows_read, plan.rejected) == (2, [])
    service.commit(store, plan)
    assert _attendance(store) == _expected(store, {1: 54.47, 2: 60.5})


def test_a_section_beyond_the_preview_still_ends_the_rows(store, tmp_path) -> None:
    """250 participants: the preview (200 rows) never sees section 3, the full read stops at it."""
    people = [
        _participant(i, "11/03/26, 04:00:00 PM", "11/03/26, 04:45:00 PM", "45m") for i in range(250)
    ]
    data = teams_report(people, encoding="utf-8")
    path = tmp_path / "Large meeting - Attendance report.csv"
    path.write_bytes(data)
    head = service.preview(data, path.name)
    assert head.truncated and not any("3. In-Meeting" in n for n in head.detection.notes)
    profile = mapped_profile(store, data, path.name)
    for given in (data, None):
        plan = service.prepare(store, given, path.name, profile, LINK, path=path, head=head)
        assert (plan.rows_read, plan.rows_rejected) == (250, 0)
        assert "stopped at the section '3. In-Meeting Activities'" in plan.notes
    service.commit(store, plan)
    assert rows(store, "SELECT count(*), min(minutes), max(minutes) FROM attendance") == [
        (250, 45.0, 45.0)
    ]


def test_command_line_reads_the_same_rows(store, tmp_path, monkeypatch, capsys) -> None:
    """The command line (preview from the path, then prepare) imports the two participants."""
    path = tmp_path / "Book club - Attendance report.csv"
    path.write_bytes(teams_report(US))
    args = ["import", str(path), "--cohort", "Book club", "--program", "Feedback",
            "--variant", "book_club", "--start", "2026-11-01", "--end", "2026-12-20",
            "--sessions", "6", "--db", str(tmp_path / "cli.duckdb")]  # fmt: skip
    assert cli.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["rows_read"], report["rows_rejected"], report["imported"]) == (2, 0, True)
    assert report["writes"]["attendance"] == 2


@pytest.mark.parametrize(
    ("locale", "join", "leave", "duration", "minutes"),
    [
        ("en-GB", "03/11/2026, 16:08:12", "03/11/2026, 17:02:40", "54m 28s", 54.47),
        ("de", "03.11.26, 16:08:12", "03.11.26, 17:02:40", "54 Min. 28 Sek.", 54.47),
        ("fr", "03/11/2026 16:08:12", "03/11/2026 17:02:40", "54 min 28 s", 54.47),
        ("es", "3/11/26, 16:08:12", "3/11/26, 17:02:40", "54 min 28 s", 54.47),
        (
            "es-MX",
            "3/11/2026, 4:08:12 p.\u00a0m.",
            "3/11/2026, 5:02:40 p.\u00a0m.",
            "0:54:28",
            54.47,
        ),
    ],
)
def test_teams_reports_in_other_locales(store, locale, join, leave, duration, minutes) -> None:
    """Day-first dates with 24-hour or a.m./p.m. clocks and localised durations. 03/11 is
    ambiguous: a Teams list without AM/PM is day-first, and dotted dates always are."""
    data = teams_report([_participant(1, join, leave, duration)], times=(join, leave))
    head = service.preview(data, "report.csv")
    assert (head.detection.tool, head.detection.day_first) == ("teams_attendance", True), locale
    profile = mapped_profile(store, data, "report.csv")
    plan = service.prepare(store, data, "report.csv", profile, LINK, head=head)
    assert plan.rejected == [], locale
    service.commit(store, plan)
    assert _attendance(store) == _expected(store, {1: minutes})


@pytest.mark.parametrize(
    ("value", "minutes"),
    [
        ("54m 28s", 54 + 28 / 60),
        ("1h 2m 31s", 62 + 31 / 60),
        ("2h", 120.0),
        ("45s", 0.75),
        ("1 hr 5 min", 65.0),
        ("1 Std. 5 Min.", 65.0),
        ("1,5 h", 90.0),
        ("1:02:31", 62 + 31 / 60),
        ("PT3M15S", 3.25),
        ("45", 45.0),
        ("later", None),
    ],
)
def test_durations_with_units(value, minutes) -> None:
    """Teams, Meet and xAPI durations; a plain number stays minutes; anything else is NULL."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t AS SELECT ? AS v", [value])
        sql = minutes_sql("v", [value, "10"], decimal_comma=True)
        got = con.execute(f"SELECT {sql} FROM t").fetchone()[0]
    finally:
        con.close()
    assert got == pytest.approx(minutes) if minutes is not None else got is None
