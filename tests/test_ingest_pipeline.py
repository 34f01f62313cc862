"""End-to-end importer tests on files written here: awkward encodings and layouts, broken rows,
re-uploads and Likert labels (undo and a killed import: test_ingest_writes.py; personal data:
test_ingest_exports.py)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date, datetime

import duckdb
import openpyxl
import pytest

from analysis.ingest import presence_sql, service, staging
from analysis.ingest.keys import EMAIL, NAME
from analysis.ingest.plan import Link
from analysis.ingest.rows import NO_GROUP
from analysis.store import Store
from tests.ingest_support import (
    cohort,
    csv_bytes,
    import_bytes,
    key_of,
    mapped_profile,
    one,
    plan_for,
    rows,
    snapshot,
)

APPLY = "I apply what I learned in my daily work"


def _attendance(store: Store) -> list[tuple]:
    """(person key, session date, minutes) of every attendance row, sorted."""
    return sorted(rows(store, "SELECT person_key, session_date, minutes FROM attendance"))


# --- awkward files -----------------------------------------------------------------------------


def test_utf16_tab_separated_teams_list(store) -> None:
    """UTF-16 LE with BOM, tabs, 'd/m/yyyy, hh:mm:ss': two people, minutes from Joined/Left."""
    text = "\n".join(
        [
            "Full Name\tUser Action\tTimestamp",
            "Schmidt Jürgen\tJoined\t03/04/2025, 09:00:00",
            "Schmidt Jürgen\tLeft\t03/04/2025, 09:30:30",
            "Weiß Anna\tJoined\t03/04/2025, 09:05:00",
            "Schmidt Jürgen\tJoined\t03/04/2025, 10:00:00",
            "Weiß Anna\tLeft\t03/04/2025, 09:50:00",
            "Schmidt Jürgen\tLeft\t03/04/2025, 10:15:00",
        ]
    )
    data = b"\xff\xfe" + text.encode("utf-16-le")
    link = Link(new_cohort=cohort("Teams"), match_names=True)
    import_bytes(store, data, "meetingAttendanceList.csv", link, accept_partial=False)
    day = date(2025, 4, 3)
    assert _attendance(store) == sorted(
        [
            (key_of(store, NAME, "Jürgen Schmidt"), day, 45.5),
            (key_of(store, NAME, "Anna Weiß"), day, 45.0),
        ]
    )


def test_semicolon_windows_1252_sheet_with_decimal_commas_and_day_first_dates(store) -> None:
    """E-Mail;Name;Datum;Minuten in Windows-1252: 25.03.2025 is 25 March, 45,5 is 45.5."""
    data = csv_bytes(
        "E-Mail;Name;Datum;Minuten",
        "jürgen.schmidt@firma.de;Jürgen Schmidt;25.03.2025;45,5",
        "anna.weiss@firma.de;Anna Weiß;25.03.2025;60",
        "anna.weiss@firma.de;Anna Weiß;03.02.2025;1.234,5",
        encoding="cp1252",
        newline="\r\n",
    )
    assert data.count("ü".encode("cp1252")) == 2  # really not UTF-8
    import_bytes(
        store, data, "Anwesenheit.csv", Link(new_cohort=cohort("Sheet")), kind="attendance"
    )
    jurgen, anna = (
        key_of(store, EMAIL, e) for e in ("jürgen.schmidt@firma.de", "anna.weiss@firma.de")
    )
    assert _attendance(store) == sorted(
        [
            (jurgen, date(2025, 3, 25), 45.5),
            (anna, date(2025, 3, 25), 60.0),
            (anna, date(2025, 2, 3), 1234.5),
        ]
    )


def test_generated_zoom_report_sums_rejoins(store) -> None:
    """A Zoom participants report: a rejoin on the same day is one row with summed minutes."""
    data = csv_bytes(
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest",
        "Ann Lee,ann@example.org,03/04/2025 09:00:00 AM,03/04/2025 09:40:00 AM,40,No",
        "Bo Kim,bo@example.org,03/04/2025 09:01:00 AM,03/04/2025 10:00:00 AM,59,No",
        "Ann Lee,ann@example.org,03/04/2025 09:45:00 AM,03/04/2025 10:00:00 AM,15,No",
        "Ann Lee,ann@example.org,03/05/2025 09:00:00 AM,03/05/2025 09:30:00 AM,30,No",
    )
    import_bytes(store, data, "participants_123.csv", Link(new_cohort=cohort("Zoom")))
    ann, bo = key_of(store, EMAIL, "ann@example.org"), key_of(store, EMAIL, "bo@example.org")
    got = rows(store, "SELECT person_key, session_date, minutes FROM attendance")
    want = [
        (ann, date(2025, 3, 4), 55.0),
        (ann, date(2025, 3, 5), 30.0),
        (bo, date(2025, 3, 4), 59.0),
    ]
    assert sorted(got) == sorted(want)


@pytest.mark.parametrize("path", ["duckdb reader", "decoder", "hash collision"])
def test_one_person_written_many_ways_is_one_row_per_day(store, monkeypatch, path) -> None:
    """Blanks around cells and capitals in e-mails do not split a person: identifiers are
    trimmed and keyed once per distinct spelling, and the day's minutes are summed over them.
    A missing date and an unreadable one are rejected with their own reasons and row numbers.
    The same holds when DuckDB's CSV reader gives up and the rows come from the decoder, and
    when rows are joined to their keys on the identifiers because two spellings share a hash."""
    if path == "decoder":

        def refuse(*_args):
            raise duckdb.InvalidInputException("the reader disagrees with the detection")

        monkeypatch.setattr(staging, "_csv_source", refuse)
    if path == "hash collision":
        monkeypatch.setattr(presence_sql, "_no_collision", lambda _hashes: False)
    data = csv_bytes(
        "Email,Session date,Duration (Minutes)",
        "ann@example.org,2025-03-04,40",
        "  Ann@Example.org ,2025-03-04, 15 ",
        "ANN@EXAMPLE.ORG, 2025-03-05 ,30",
        "bo@example.org,,20",
        "bo@example.org,the fourth,25",
        " bo@example.org,2025-03-04,59",
        "   ,2025-03-04,10",
    )
    plan = plan_for(store, data, "minutes.csv", Link(new_cohort=cohort("Spelling")))
    assert sorted(plan.rejected) == [
        (5, "no session date"),
        (6, "Session date: unreadable date"),
        (8, "no e-mail or employee id"),
    ]
    service.commit(store, plan, accept_partial=True)
    ann, bo = key_of(store, EMAIL, "ann@example.org"), key_of(store, EMAIL, "bo@example.org")
    assert _attendance(store) == sorted(
        [(ann, date(2025, 3, 4), 55.0), (ann, date(2025, 3, 5), 30.0), (bo, date(2025, 3, 4), 59.0)]
    )
    assert one(store, "SELECT count(*) FROM enrolments") == 2


def test_iso_times_stay_year_month_day_in_a_day_first_file(store) -> None:
    """A day-first sheet's ISO submission times (with UTC offsets that differ) are not swapped
    into day-first order and keep their wall-clock time."""
    data = csv_bytes(
        f"E-Mail;Start;Submitted;{APPLY}",
        "a@x.org;25.02.2025;2025-03-04T10:00:00+01:00;Agree",
        "b@x.org;13.02.2025;2025-03-05T11:30:00+01:00;Disagree",
        "c@x.org;02.02.2025;2025-03-06T09:15:00.250+02:00;Strongly agree",
    )
    assert service.preview(data, "u.csv").detection.day_first is True
    import_bytes(store, data, "u.csv", Link(new_cohort=cohort("ISO"), wave="post"), kind="survey")
    assert sorted(rows(store, "SELECT submitted_at FROM survey_responses")) == [
        (datetime(2025, 3, 4, 10, 0),),
        (datetime(2025, 3, 5, 11, 30),),
        (datetime(2025, 3, 6, 9, 15, 0, 250000),),
    ]


def _forms_xlsx(answers: list[tuple[str, str]]) -> bytes:
    """A Microsoft Forms download: Id, Start time, Completion time, Email, Name, questions."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Id", "Start time", "Completion time", "Email", "Name", APPLY, "Ich wende es an"])
    for i, (en, de) in enumerate(answers, start=1):
        done = datetime(2025, 4, 1, 9, i)
        ws.append([i, datetime(2025, 4, 1, 9, 0), done, f"p{i}@example.org", f"Person {i}", en, de])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_microsoft_forms_xlsx_with_english_and_german_agreement_labels(store) -> None:
    """Agreement labels in both languages land as 1–5 on the same scale."""
    answers = [
        ("Strongly agree", "Stimme voll und ganz zu"),
        ("Disagree", "Stimme nicht zu"),
        ("Neither agree nor disagree", "Weder noch"),
        ("Agree", "Stimme zu"),
        ("Strongly disagree", "Stimme überhaupt nicht zu"),
    ]
    link = Link(new_cohort=cohort("Forms"), wave="post")
    import_bytes(store, _forms_xlsx(answers), "Feedback(1-5).xlsx", link, accept_partial=False)
    got = rows(
        store,
        "SELECT r.person_key, i.text, a.value, i.scale FROM survey_answers a "
        "JOIN survey_items i USING (item_id) JOIN survey_responses r USING (response_id)",
    )
    values = [5.0, 2.0, 3.0, 4.0, 1.0]
    want = [
        (key_of(store, EMAIL, f"p{i}@example.org"), text, v, "agree5")
        for i, v in enumerate(values, start=1)
        for text in (APPLY, "Ich wende es an")
    ]
    assert sorted(got) == sorted(want)
    assert rows(store, "SELECT role FROM survey_items WHERE text = ?", [APPLY]) == [
        ("application",)
    ]
    submitted = rows(store, "SELECT min(submitted_at), max(submitted_at) FROM survey_responses")
    assert submitted == [(datetime(2025, 4, 1, 9, 1), datetime(2025, 4, 1, 9, 5))]


# --- broken rows -------------------------------------------------------------------------------

SURVEY_WITH_BROKEN_ROWS = csv_bytes(
    f"Email,Submitted,{APPLY}",
    "ann@example.org,2025-04-01 09:00,Agree",
    "bob@example.org,2025-04-01 09:30,Strongly agree",
    "cy@example.org,the day after,Disagree",
    "di@example.org,2025-04-02 10:00,Agree",
    "ed@example.org,2025-04-02 11:00,Kind of",
    "fay@example.org,2025-04-03 08:00,Neither agree nor disagree",
)
SHEET_WITH_BROKEN_ROW = csv_bytes(
    "E-Mail;Datum;Minuten",
    "ann@example.org;24.03.2025;45,5",
    "bob@example.org;32.03.2025;60",
    "cy@example.org;25.03.2025;30",
)


@pytest.mark.parametrize(
    ("data", "kind", "rejected", "kept"),
    [
        (
            SURVEY_WITH_BROKEN_ROWS,
            "survey",
            [(4, "Submitted: unreadable date"), (6, "Kind of is not a label")],
            {"ann@example.org": 4.0, "bob@example.org": 5.0, "di@example.org": 4.0,
             "fay@example.org": 3.0},
        ),
        (
            SHEET_WITH_BROKEN_ROW,
            "attendance",
            [(3, "Datum: unreadable date")],
            {"ann@example.org": 45.5, "cy@example.org": 30.0},
        ),
    ],
)  # fmt: skip
def test_broken_rows_need_consent_and_are_listed(store, data, kind, rejected, kept) -> None:
    """Without accept_partial nothing changes; with it exactly the valid rows land."""
    base = csv_bytes("E-Mail;Datum;Minuten", "zed@example.org;01.01.2025;5")
    import_bytes(store, base, "base.csv", Link(new_cohort=cohort("Base")), kind="attendance")
    before, version = snapshot(store), store.dataset_version()
    plan = plan_for(store, data, "broken.csv", Link(new_cohort=cohort("Broken")), kind=kind)
    assert [row for row, _ in sorted(plan.rejected)] == [row for row, _ in rejected]
    for (_, why), (_, expected) in zip(sorted(plan.rejected), rejected, strict=True):
        assert expected in why
    with pytest.raises(service.RejectedRowsNotAccepted):
        service.commit(store, plan)
    assert snapshot(store) == before and store.dataset_version() == version
    import_id = service.commit(store, plan, accept_partial=True)
    if kind == "survey":
        sql = ("SELECT r.person_key, a.value FROM survey_answers a "
               "JOIN survey_responses r USING (response_id) WHERE a.import_id = ?")  # fmt: skip
    else:
        sql = "SELECT person_key, minutes FROM attendance WHERE import_id = ?"
    got, want = rows(store, sql, [import_id]), {key_of(store, EMAIL, e): v for e, v in kept.items()}
    assert len(got) == len(want) and dict(got) == want
    logged = one(store, "SELECT rows_rejected FROM imports WHERE import_id = ?", [import_id])
    assert logged == len(rejected)


def test_rows_without_a_learning_group_are_rejected_with_the_reason(store) -> None:
    """A blank group cell, or a cohort of several groups and no group column, for someone not
    enrolled in one of its groups: the rows are listed with the reason, the others import
    (attendance and enrolments both need a group; an enrolled person's group is inferred)."""
    enrolments = csv_bytes(
        "Email,Group", "ann@example.org,Trio A", "bob@example.org,Trio B", "cy@example.org,"
    )
    plan = plan_for(store, enrolments, "e.csv", Link(new_cohort=cohort("G")), kind="enrolment")
    assert plan.rejected == [(4, NO_GROUP)]
    import_id = service.commit(store, plan, accept_partial=True)
    cohort_id = one(store, "SELECT cohort_id FROM cohorts WHERE import_id = ?", [import_id])
    assert one(store, "SELECT count(*) FROM groups WHERE cohort_id = ?", [cohort_id]) == 2
    with_groups = csv_bytes(
        "Email;Group;Session date;Duration (Minutes)",
        "ann@example.org;Trio A;03.03.2025;40",
        "bob@example.org;;03.03.2025;30",
        "dan@example.org;;03.03.2025;30",
    )
    plan = plan_for(store, with_groups, "a.csv", Link(cohort_id=cohort_id), kind="attendance")
    assert plan.rejected == [(4, NO_GROUP)]  # bob's blank cell: his enrolment's group
    assert plan.counts()["attendance"] == 2
    # no group column: each person's group is their enrolment's; dan is not enrolled
    without = csv_bytes(
        "Email;Session date", "ann@example.org;04.03.2025", "dan@example.org;04.03.2025"
    )
    plan = plan_for(store, without, "b.csv", Link(cohort_id=cohort_id), kind="attendance")
    assert plan.rejected == [(3, NO_GROUP)]
    assert plan.counts()["attendance"] == 1


# --- uploading again ---------------------------------------------------------------------------

FORMS_ROWS = [
    "1,4/1/2025 9:00,4/1/2025 9:05,ann@example.org,Agree",
    "2,4/1/2025 9:00,4/1/2025 9:06,bob@example.org,Disagree",
    "3,4/1/2025 9:00,4/1/2025 9:07,cy@example.org,Strongly agree",
]
FORMS_HEADER = f"Id,Start time,Completion time,Email,{APPLY}"
SHEETS_ROWS = [
    "4/1/2025 9:05:00,ann@example.org,Agree",
    "4/1/2025 9:06:00,bob@example.org,Disagree",
    "4/1/2025 9:07:00,cy@example.org,Strongly agree",
]
SHEETS_HEADER = f"Timestamp,Email Address,{APPLY}"


def test_same_file_twice_adds_nothing(store) -> None:
    """prepare names the earlier import, commit refuses, nothing changes."""
    data = csv_bytes(FORMS_HEADER, *FORMS_ROWS)
    first = import_bytes(store, data, "Feedback.csv", Link(new_cohort=cohort("F"), wave="post"))
    before, counts = snapshot(store), store.row_counts()
    plan = plan_for(store, data, "Feedback (copy).csv", Link(new_cohort=cohort("F"), wave="post"))
    assert plan.duplicate_of == first and not plan.tables
    with pytest.raises(service.AlreadyImported, match=f"import {first}"):
        service.commit(store, plan, accept_partial=True)
    assert snapshot(store) == before and store.row_counts() == counts


@pytest.mark.parametrize(
    ("header", "lines", "new"),
    [
        (FORMS_HEADER, FORMS_ROWS, "4,4/2/2025 9:00,4/2/2025 9:08,di@example.org,Agree"),
        (SHEETS_HEADER, SHEETS_ROWS, "4/2/2025 9:08:00,di@example.org,Agree"),
    ],
    ids=["with a response id", "without one"],
)
def test_re_export_with_one_more_row_adds_only_that_row(store, header, lines, new) -> None:
    """Responses already imported are recognised (by id, or by who, when and what)."""
    first = import_bytes(
        store, csv_bytes(header, *lines), "v1.csv", Link(new_cohort=cohort("F"), wave="post")
    )
    cohort_id = one(store, "SELECT cohort_id FROM cohorts WHERE import_id = ?", [first])
    before = snapshot(store)
    plan = plan_for(
        store, csv_bytes(header, *lines, new), "v2.csv", Link(cohort_id=cohort_id, wave="post")
    )
    assert sorted(plan.rejected) == [
        (r, "duplicate of a response already imported") for r in (2, 3, 4)
    ]
    second = service.commit(store, plan, accept_partial=True)
    after = snapshot(store)
    added = {t: [r for r in after[t] if r not in before[t]] for t in after}
    assert len(added["survey_responses"]) == 1 and len(added["survey_answers"]) == 1
    assert added["survey_items"] == [] and added["cohorts"] == []
    assert rows(store, "SELECT r.person_key, a.value FROM survey_answers a JOIN survey_responses r "
                "USING (response_id) WHERE a.import_id = ?", [second]) == [
        (key_of(store, EMAIL, "di@example.org"), 4.0)
    ]  # fmt: skip


def test_a_second_join_leave_list_skips_the_days_already_imported(store) -> None:
    """Join/leave events (no minutes column) for a person and day imported before: those rows
    are listed as duplicates, the new day is planned (found by the fuzz test: it crashed)."""
    header = "Email,Name,User Action,Timestamp"
    first = csv_bytes(
        header,
        "ann@example.org,Ann,Joined,2025-03-03 10:00",
        "ann@example.org,Ann,Left,2025-03-03 10:45",
    )
    import_id = import_bytes(store, first, "a.csv", Link(new_cohort=cohort("T")), kind="attendance")
    cohort_id = one(store, "SELECT cohort_id FROM cohorts WHERE import_id = ?", [import_id])
    second = csv_bytes(
        header,
        "ann@example.org,Ann,Joined,2025-03-03 11:00",
        "ann@example.org,Ann,Left,2025-03-03 11:10",
        "bob@example.org,Bob,Joined,2025-03-04 11:00",
        "bob@example.org,Bob,Left,2025-03-04 11:30",
    )
    plan = plan_for(store, second, "b.csv", Link(cohort_id=cohort_id), kind="attendance")
    assert sorted(plan.rejected) == [
        (r, "duplicate of attendance already imported") for r in (2, 3)
    ]
    service.commit(store, plan, accept_partial=True)
    assert _attendance(store) == sorted(
        [
            (key_of(store, EMAIL, "ann@example.org"), date(2025, 3, 3), 45.0),
            (key_of(store, EMAIL, "bob@example.org"), date(2025, 3, 4), 30.0),
        ]
    )


@pytest.mark.parametrize("repeats_a_day", [True, False])
def test_a_second_export_with_minutes_writes_only_its_new_days(store, repeats_a_day) -> None:
    """A later export (a minutes column) into the same cohort: a person and day imported
    before are rejected as duplicates and not counted twice, whether or not the file repeats
    one; new days are summed over spellings of the same e-mail as in a first import."""
    header = "Email,Session date,Duration (Minutes)"
    first = csv_bytes(header, "ann@example.org,2025-03-03,45", "bob@example.org,2025-03-03,20")
    import_id = import_bytes(store, first, "a.csv", Link(new_cohort=cohort("M")), kind="attendance")
    cohort_id = one(store, "SELECT cohort_id FROM cohorts WHERE import_id = ?", [import_id])
    lines = ["ann@example.org,2025-03-04,10", "Ann@Example.org,2025-03-04,5"]
    if repeats_a_day:
        lines.append("bob@example.org,2025-03-03,20")
    plan = plan_for(store, csv_bytes(header, *lines), "b.csv", Link(cohort_id=cohort_id))
    want_rejected = [(4, "duplicate of attendance already imported")] if repeats_a_day else []
    assert sorted(plan.rejected) == want_rejected
    service.commit(store, plan, accept_partial=True)
    ann, bob = key_of(store, EMAIL, "ann@example.org"), key_of(store, EMAIL, "bob@example.org")
    assert _attendance(store) == sorted(
        [
            (ann, date(2025, 3, 3), 45.0),
            (ann, date(2025, 3, 4), 15.0),
            (bob, date(2025, 3, 3), 20.0),
        ]
    )


# --- Likert labels -----------------------------------------------------------------------------

LIKERT = csv_bytes(
    f"Email,{APPLY}",
    "a@example.org,Agree",
    "b@example.org,Kinda agree",
    "c@example.org,Disagree",
    "d@example.org,Strongly agree",
    "e@example.org,Neither agree nor disagree",
)


def test_unknown_likert_label_is_reported_and_rejected_until_given_a_value(store) -> None:
    """'Kinda agree' is asked about, rejects its row, and counts as 4 once the profile says so."""
    table = service.preview(LIKERT, "likert.csv")
    proposals, _ = service.propose(store, table)
    item = next(p for p in proposals if p.column == APPLY)
    assert (item.role, item.scale.scale.name, item.unknown_labels) == (
        "application", "agree5", ("Kinda agree",)
    )  # fmt: skip
    link = Link(new_cohort=cohort("Likert"), wave="d30")
    plan = plan_for(store, LIKERT, "likert.csv", link, kind="survey")
    assert len(plan.rejected) == 1 and plan.rejected[0][0] == 3
    assert "Kinda agree" in plan.rejected[0][1] and APPLY in plan.rejected[0][1]
    profile = mapped_profile(store, LIKERT, "likert.csv", kind="survey")
    choice = replace(profile.columns[APPLY], extra_labels={"Kinda agree": 4})
    profile = replace(profile, columns={**profile.columns, APPLY: choice})
    service.save_profile(store, profile)
    plan = plan_for(store, LIKERT, "likert.csv", link, profile=profile)
    assert plan.rejected == []
    service.commit(store, plan)
    values = rows(store, "SELECT r.person_key, a.value FROM survey_answers a "
                  "JOIN survey_responses r USING (response_id)")  # fmt: skip
    want = {"a": 4.0, "b": 4.0, "c": 2.0, "d": 5.0, "e": 3.0}
    assert dict(values) == {key_of(store, EMAIL, f"{k}@example.org"): v for k, v in want.items()}
    # The next export of the same form is offered the saved answer for the label.
    again, saved = service.propose(store, service.preview(LIKERT, "likert (2).csv"))
    assert saved == profile
    assert next(p for p in again if p.column == APPLY).extra_labels == {"Kinda agree": 4}


# --- completions from LMS logs -----------------------------------------------------------------


def _completed(store: Store) -> dict[str, date | None]:
    """completed_on per e-mail of everyone enrolled."""
    got = dict(rows(store, "SELECT person_key, completed_on FROM enrolments"))
    return {
        e: got.get(key_of(store, EMAIL, e), "not enrolled")
        for e in ("a@x.org", "b@x.org", "c@x.org", "d@x.org")
    }


@pytest.mark.parametrize(
    ("lines", "completed"),
    [
        (
            [
                "Email,Time,Event name",
                "a@x.org,2025-03-01 10:00,Course viewed",
                "a@x.org,2025-03-05 11:00,Course module completion updated",
                "a@x.org,2025-03-09 12:00,Course completed",
                "a@x.org,2025-03-12 12:00,Course completed",
                "b@x.org,2025-03-02 09:00,Course completion updated",
                "c@x.org,2025-03-03 09:00,Quiz attempt submitted",
                "d@x.org,2025-03-04 09:00,Course incomplete",
            ],
            {"a@x.org": date(2025, 3, 9), "b@x.org": None, "c@x.org": None, "d@x.org": None},
        ),
        (
            [
                "Email,Date,Status",
                "a@x.org,2025-03-01,Completed",
                "b@x.org,2025-03-02,Incomplete",
                "c@x.org,2025-03-03,true",
                "d@x.org,2025-03-04,Not completed",
            ],
            {"a@x.org": date(2025, 3, 1), "b@x.org": None, "c@x.org": date(2025, 3, 3),
             "d@x.org": None},
        ),
    ],
    ids=["event names", "status column"],
)  # fmt: skip
def test_an_lms_log_completes_the_course_only_when_it_says_so(store, lines, completed) -> None:
    """ "Course completed", or a status that is a completion word or true, completes the
    enrolment on its (first) day; a module's completion, a change to the completion settings,
    other events and "incomplete" or "not completed" do not."""
    data = csv_bytes(*lines)
    import_bytes(store, data, "log.csv", Link(new_cohort=cohort("LMS")), kind="lms_log")
    assert _completed(store) == completed


def _statement(who: str, when: str, verb: str, object_type: str, **result) -> dict:
    return {
        "actor": {"mbox": f"mailto:{who}"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {"id": f"https://lms.example/{object_type}/1",
                   "definition": {"type": f"http://adlnet.gov/expapi/activities/{object_type}"}},
        "timestamp": when,
        "result": result,
    }  # fmt: skip


def test_xapi_completes_the_course_only_when_the_course_is_the_object(store) -> None:
    """A completed course (by verb or by result.completion) completes the enrolment; a
    completed video does not. Durations become minutes."""
    statements = [
        _statement("a@x.org", "2025-03-01T10:00:00Z", "completed", "course", duration="PT1H30M"),
        _statement("b@x.org", "2025-03-02T10:00:00Z", "completed", "media", duration="PT3M15S"),
        _statement("c@x.org", "2025-03-03T10:00:00Z", "experienced", "course", completion=True),
        _statement("d@x.org", "2025-03-04T10:00:00Z", "attempted", "course", completion=False),
    ]
    data = json.dumps({"statements": statements}).encode()
    import_bytes(store, data, "statements.json", Link(new_cohort=cohort("LRS")))
    assert _completed(store) == {
        "a@x.org": date(2025, 3, 1), "b@x.org": None, "c@x.org": date(2025, 3, 3), "d@x.org": None,
    }  # fmt: skip
    a, b = key_of(store, EMAIL, "a@x.org"), key_of(store, EMAIL, "b@x.org")
    minutes = dict(rows(store, "SELECT person_key, minutes FROM attendance"))
    assert (minutes[a], minutes[b]) == (90.0, 3.25)


# --- a cohort's calendar that does not fit the file ----------------------------------------------

THREE_DAYS = csv_bytes(
    "Email,Session date,Duration (Minutes)",
    "a@x.org,2025-03-04,60",
    "b@x.org,2025-03-04,55",
    "a@x.org,2025-03-11,60",
    "a@x.org,2025-04-20,45",
)


@pytest.mark.parametrize(
    ("sessions", "start", "end", "warned"),
    [
        (3, date(2025, 3, 1), date(2025, 4, 30), []),
        (0, date(2025, 3, 1), date(2025, 4, 30), ["has no scheduled sessions"]),
        (2, date(2025, 3, 1), date(2025, 4, 30), ["plans 2 sessions but the file has 3"]),
        (3, date(2025, 3, 1), date(2025, 3, 31), ["1 of the file's 3 session days fall outside"]),
    ],
)
def test_a_calendar_that_does_not_fit_the_file_is_flagged(store, sessions, start, end, warned):
    """Session count and dates left at the form's defaults would make engagement wrong: the
    plan says so (with the file's own days) before anything is written."""
    link = Link(new_cohort=cohort("Calendar", start, end, scheduled_sessions=sessions,
                                  format="everyone_at_once", variant="org_wide"))  # fmt: skip
    plan = plan_for(store, THREE_DAYS, "calendar.csv", link)
    assert len(plan.warnings) == len(warned)
    for got, want in zip(plan.warnings, warned, strict=True):
        assert want in got and "“Calendar”" in got
    if sessions == 0:
        assert "3 session days from 04 Mar 2025 to 20 Apr 2025" in plan.warnings[0]


def test_a_one_day_file_is_described_as_one_day(store):
    link = Link(new_cohort=cohort("One day", date(2025, 4, 1), date(2025, 4, 30)))
    plan = plan_for(store, csv_bytes(*THREE_DAYS.decode().splitlines()[:3]), "day.csv", link)
    assert "The file has one session day, 04 Mar 2025:" in plan.warnings[0]
    assert plan.warnings[1].startswith("The file's one session day (04 Mar 2025) falls outside")


def test_the_first_email_filled_in_each_row_is_the_person(store):
    """Two e-mail columns (an empty RecipientEmail beside an e-mail question, or the reverse
    in some rows): each row is keyed by the first one filled, so no answer loses its person."""
    data = csv_bytes(
        f"Submitted,Recipient Email,Your work e-mail address,{APPLY}",
        "2025-04-01 09:00,,ann@example.org,Agree",
        "2025-04-01 09:30,bob@example.org,,Disagree",
        "2025-04-01 10:00,cy@example.org,cy@example.org,Agree",
        "2025-04-01 10:30,anonymous,di@example.org,Agree",
    )
    import_bytes(store, data, "two emails.csv", Link(new_cohort=cohort("Two"), wave="post"))
    got = sorted(k for (k,) in rows(store, "SELECT person_key FROM survey_responses"))
    want = sorted(key_of(store, EMAIL, f"{p}@example.org") for p in ("ann", "bob", "cy", "di"))
    assert got == want


@pytest.mark.parametrize(
    ("header", "values", "waves"),
    [
        ("Which survey is this?", ["Before", "Right after", "30 days after", "90 days after"],
         ["pre", "post", "d30", "d90"]),
        ("Wave", ["60 days after", "60 days", "d60", "60"], ["d60"] * 4),
    ],
)  # fmt: skip
def test_the_wave_question_and_the_wave_names_give_each_row_its_wave(store, header, values, waves):
    """The survey kit's "Which survey is this?" is a wave column, and the wave names the app
    shows ("30 days after") are known waves; the dates would say otherwise."""
    lines = [f"Submitted,Email,{header},{APPLY}"]
    lines += [f"2025-04-0{n + 1} 09:00,p{n}@example.org,{v},Agree" for n, v in enumerate(values)]
    link = Link(new_cohort=cohort("Waves", date(2026, 1, 1), date(2026, 2, 1)))  # dates: pre
    plan = plan_for(store, csv_bytes(*lines), "waves.csv", link)
    assert not plan.rejected
    assert plan.tables["survey_responses"].sort_values("submitted_at")["wave"].tolist() == waves
