"""Linking an import to its cohort: dates and sessions from the file, and names that already
exist (ignoring case and spacing) are the existing program or cohort, on the command line and
on the Import page."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analysis.ingest import mapping_rules as R
from analysis.ingest.linking import FileDates, file_dates, name_key
from tests.app_support import open_app
from tests.conftest import run_cli

CIRCLES = {  # group: its session days (circle B meets once more)
    "Circle A": ["2025-03-03", "2025-03-10", "2025-03-17", "2025-03-24"],
    "Circle B": ["2025-03-05", "2025-03-12", "2025-03-19", "2025-03-26", "2025-04-02"],
}


def _attendance(path: Path, prefix: str = "") -> Path:
    rows = ["Email,Session date,Learning group,Present"]
    for group, days in CIRCLES.items():
        for d in days:
            rows += [
                f"{prefix}{group[-1].lower()}{p}@example.org,{d},{group},{'yes' if p % 4 else 'no'}"
                for p in range(6)
            ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_names_compare_ignoring_case_and_spacing():
    assert name_key("  Leading   Teams ") == name_key("leading teams") == "leading teams"
    assert name_key("Leading Teams 2") != name_key("Leading Teams")


def test_the_files_dates_and_sessions_per_group():
    """First and last session day; the most session days any one group has (B: 5)."""
    rows = [(g, d) for g, days in CIRCLES.items() for d in days for _ in range(3)]
    frame = pd.DataFrame(rows, columns=["Group", "Day"])
    roles = {R.SESSION_DATE: "Day", R.GROUP: "Group"}
    found = file_dates(frame, roles, "attendance", day_first=None)
    assert found == FileDates(date(2025, 3, 3), date(2025, 4, 2), 5, "Day", len(frame), False)
    assert found.words() == (
        "Proposed from the file's Day: 3 Mar 2025 to 2 Apr 2025, 5 session days."
    )
    no_groups = file_dates(frame, {R.SESSION_DATE: "Day"}, "attendance", day_first=None)
    assert no_groups.sessions == 9  # every distinct day when the file names no group
    assert file_dates(frame, roles, "survey", day_first=None) is None  # answers are not sessions


def _cohorts(db: Path) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(
            "SELECT c.cohort_id, c.name, p.name AS program, c.start_date, c.end_date, "
            "c.scheduled_sessions FROM cohorts c JOIN programs p USING (program_id) "
            "ORDER BY c.name"
        ).df()


def _import(*args: str, db: Path) -> dict:
    out = run_cli("import", *args, db=db)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_command_line_takes_a_new_cohorts_dates_from_the_file(tmp_path):
    db = tmp_path / "db.duckdb"
    report = _import(str(_attendance(tmp_path / "a.csv")), "--cohort", "Spring circles",
                     "--program", "Coaching", "--variant", "group_coaching", db=db)  # fmt: skip
    assert report["imported"] and report["link"]["dates_from_file"] == {
        "start": "2025-03-03",
        "end": "2025-04-02",
        "sessions": 5,
        "column": "Session date",
        "partial": False,
        "used_for": ["start", "end", "sessions"],
    }
    row = _cohorts(db).iloc[0]
    assert (row["start_date"].date(), row["end_date"].date(), row["scheduled_sessions"]) == (
        date(2025, 3, 3),
        date(2025, 4, 2),
        5,
    )


def test_given_dates_win_over_the_files(tmp_path):
    db = tmp_path / "db.duckdb"
    report = _import(str(_attendance(tmp_path / "a.csv")), "--cohort", "Spring circles",
                     "--program", "Coaching", "--variant", "group_coaching",
                     "--start", "2025-03-01", "--sessions", "6", db=db)  # fmt: skip
    assert report["link"]["dates_from_file"]["used_for"] == ["end"]
    row = _cohorts(db).iloc[0]
    assert (row["start_date"].date(), row["end_date"].date(), row["scheduled_sessions"]) == (
        date(2025, 3, 1),
        date(2025, 4, 2),
        6,
    )


def test_an_existing_name_is_the_existing_program_and_cohort(tmp_path):
    """'coaching ' is the program Coaching, and '  spring  CIRCLES' the cohort Spring circles:
    the second file's rows join it instead of a duplicate; --new-cohort makes another."""
    db = tmp_path / "db.duckdb"
    first = _import(str(_attendance(tmp_path / "a.csv")), "--cohort", "Spring circles",
                    "--program", "Coaching", "--variant", "group_coaching", db=db)  # fmt: skip
    assert first["link"]["program"] == {"name": "Coaching", "existing": False}
    second = _import(str(_attendance(tmp_path / "b.csv", prefix="x")), "--cohort",
                     "  spring  CIRCLES", db=db)  # fmt: skip
    assert second["link"]["cohort"] == {
        "id": first["cohort_id"],
        "name": "Spring circles",
        "existing": True,
        "matched": "name",
    }
    assert second["cohort_id"] == first["cohort_id"] and not second["cohort_created"]
    third = _import(str(_attendance(tmp_path / "c.csv", prefix="y")), "--cohort", "Autumn circles",
                    "--program", "coaching ", "--variant", "group_coaching", db=db)  # fmt: skip
    assert third["link"]["program"] == {
        "id": third["link"]["program"]["id"],
        "name": "Coaching",
        "existing": True,
    }
    assert "program 'coaching ' is the existing 'Coaching'" in third["plan_notes"]
    fourth = _import(str(_attendance(tmp_path / "d.csv", prefix="z")), "--cohort",
                     "Spring Circles", "--new-cohort", "--program", "Coaching", "--variant",
                     "group_coaching", "--start", "2026-03-02", "--end", "2026-04-01",
                     db=db)  # fmt: skip
    assert fourth["cohort_created"] and fourth["cohort_id"] != first["cohort_id"]
    cohorts = _cohorts(db)
    assert cohorts["program"].tolist() == ["Coaching"] * 3  # one program, never a second
    assert sorted(cohorts["name"]) == ["Autumn circles", "Spring Circles", "Spring circles"]
    # now two cohorts share the name: the command asks which
    out = run_cli("import", str(_attendance(tmp_path / "e.csv", prefix="w")), "--cohort",
                  "spring circles", db=db)  # fmt: skip
    assert out.returncode == 1
    assert "2 cohorts are named 'spring circles': give one's id with --cohort" in out.stderr


def _shown(markdown: str) -> str:
    """Markdown source as displayed: backslash escapes and word joiners removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _page(tmp_path, monkeypatch):
    return open_app(tmp_path, monkeypatch, "pages/upload.py")


def _upload(at, path: Path) -> None:
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception


def test_the_import_page_proposes_the_files_dates(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch)
    _upload(at, _attendance(tmp_path / "circles.csv"))
    dates = {d.label: d.value for d in at.date_input}
    assert dates["Start"] == date(2025, 3, 3) and dates["End"] == date(2025, 4, 2)
    assert next(n for n in at.number_input if n.label == "Scheduled sessions").value == 5
    assert any(
        "Proposed from the file's Session date: 3 Mar 2025 to 2 Apr 2025, 5 session days."
        in _shown(c.value)
        for c in at.caption
    )


def test_the_import_page_offers_an_existing_name(tmp_path, monkeypatch):
    """On the demo data, typing a program's and a cohort's names differently cased and spaced
    offers the existing ones; the rows are then checked against the existing cohort."""
    at = _page(tmp_path, monkeypatch)
    _upload(at, _attendance(tmp_path / "b.csv"))
    next(t for t in at.text_input if t.label == "Program").set_value("feedback  that LANDS").run()
    joins = "Joins the existing program “Feedback that Lands”."
    assert any(joins in _shown(c.value) for c in at.caption)
    cohort = "feedback that lands: pilot team first,  apr 2025"
    next(t for t in at.text_input if t.label == "Cohort name").set_value(cohort).run()
    assert not at.exception, at.exception
    offered = [_shown(i.value) for i in at.info if "already exists" in _shown(i.value)]
    assert len(offered) == 1 and "these rows are added to it" in offered[0]
    assert "starts 08 Apr 2025" in offered[0]
    assert not [d for d in at.date_input if d.label == "Start"]  # no new cohort's details
    next(b for b in at.button if b.label == "Check the import").click().run()
    assert not at.exception, at.exception
    assert not at.error
    # choosing a separate cohort brings the new cohort's details back
    next(c for c in at.checkbox if c.label.startswith("Create a separate cohort")).check().run()
    assert [d.value for d in at.date_input if d.label == "Start"] == [date(2025, 3, 3)]
