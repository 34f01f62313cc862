"""Forgetting a person (issue 14, part 4): every row keyed by them goes, in one transaction,
the deletion is recorded without any key, and later imports drop them again with a count."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from analysis.derived import DERIVED
from analysis.ingest import service
from analysis.ingest.keys import EMAIL, EMPLOYEE_ID, NAME
from analysis.ingest.plan import Link
from analysis.people import forget, suppression
from analysis.programs import changes
from analysis.programs import undo as program_undo
from tests.ingest_support import (
    cohort,
    csv_bytes,
    import_bytes,
    key_of,
    one,
    plan_for,
    rows,
    write_rows,
)

APPLY = "I apply what I learned in my daily work"
SURVEY_HEADER = f"Id,Start time,Completion time,Email,{APPLY}"
SURVEY_ROWS = [
    "1,4/1/2025 9:00,4/1/2025 9:05,ann@example.org,Agree",
    "2,4/1/2025 9:00,4/1/2025 9:06,bob@example.org,Disagree",
]


def _every_value(store, skip: tuple[str, ...] = ("forgotten_people",)) -> list[str]:
    """Every non-null VARCHAR value in every table of the database (views left out)."""
    columns = rows(
        store,
        "SELECT c.table_name, c.column_name FROM duckdb_columns() c JOIN duckdb_tables() t "
        "USING (database_name, schema_name, table_name) WHERE c.data_type = 'VARCHAR' "
        "AND c.database_name = current_database() AND c.schema_name = 'main'",
    )
    values: list[str] = []
    for table, column in columns:
        if table in skip:
            continue
        values += [
            r[0] for r in rows(store, f'SELECT "{column}" FROM "{table}" WHERE "{column}" NOT NULL')
        ]
    return values


def _ann_and_bob(store) -> str:
    """Ann and Bob from five exports: a name-only meeting report (matched by name, before any
    roster said who they are), a roster with e-mail, employee id and name, an enrolment list,
    an attendance sheet by employee id and a Microsoft Forms survey. Returns the cohort id."""
    names = csv_bytes(
        "Name,Session date,Minutes", "Ann Archer,2025-03-03,40", "Bob Brown,2025-03-03,30"
    )
    link = Link(new_cohort=cohort("F", group_name="Trio A"), match_names=True)
    import_bytes(store, names, "names.csv", link, kind="attendance")
    cohort_id = one(store, "SELECT cohort_id FROM cohorts")
    roster = csv_bytes(
        "Email,Employee ID,Full name,Department",
        "ann@example.org,E1,Ann Archer,Sales",
        "bob@example.org,E2,Bob Brown,IT",
    )
    import_bytes(store, roster, "roster.csv", Link(), kind="roster")
    enrol = csv_bytes("Email,Group", "ann@example.org,Trio A", "bob@example.org,Trio A")
    import_bytes(store, enrol, "enrol.csv", Link(cohort_id=cohort_id), kind="enrolment")
    sheet = csv_bytes("Employee ID,Session date,Minutes", "E1,2025-03-10,40", "E2,2025-03-10,30")
    import_bytes(store, sheet, "sheet.csv", Link(cohort_id=cohort_id), kind="attendance")
    survey = csv_bytes(SURVEY_HEADER, *SURVEY_ROWS)
    import_bytes(store, survey, "Feedback.csv", Link(cohort_id=cohort_id, wave="post"))
    return cohort_id


def _keys(store, who: str) -> set[str]:
    email, employee, name = {
        "ann": ("ann@example.org", "E1", "Ann Archer"),
        "bob": ("bob@example.org", "E2", "Bob Brown"),
    }[who]
    return {
        key_of(store, EMAIL, email),
        key_of(store, EMPLOYEE_ID, employee),
        key_of(store, NAME, name),
    }


def _person_rows(store, keys: set[str]) -> int:
    return sum(v in keys for v in _every_value(store))


def _base_rows(store, keys: set[str]) -> int:
    """Values of these keys outside the derived tables (which a deletion drops whole)."""
    base = _every_value(store, skip=("forgotten_people", *forget.DERIVED_TABLES))
    return sum(v in keys for v in base)


@pytest.mark.parametrize(
    ("by", "identifier"),
    [(forget.BY_EMAIL, " Ann@Example.org "), (forget.BY_EMPLOYEE_ID, "E1")],
    ids=["by e-mail", "by employee id"],
)
def test_forgetting_leaves_no_row_with_any_of_their_keys_anywhere(store, by, identifier) -> None:
    """Ann's e-mail key, employee id key and name key are in 13 values across the tables;
    after forgetting her by either identifier none is left in any table (derived ones too),
    Bob's rows are all still there, and the dataset version moved on by one."""
    _ann_and_bob(store)
    for name, sql in DERIVED.items():  # as the pages' queries build them
        assert store.ensure_derived(name, sql)
    ann, bob = _keys(store, "ann"), _keys(store, "bob")
    # by hand: 1 roster row, 2 aliases (2 keys each), 2 enrolments, 2 attendance rows,
    # 1 response; the derived tables hold more
    assert _base_rows(store, ann) == 10
    assert _person_rows(store, ann) > 10
    bob_before, version = _base_rows(store, bob), store.dataset_version()
    derived = [f"derived_{name}" for name in DERIVED]

    result = forget.forget(store, by, identifier, "settings")

    assert _person_rows(store, ann) == 0
    assert _base_rows(store, bob) == bob_before
    assert result.rows == {
        "attendance": 2,  # the name-keyed meeting row and the employee-id sheet row
        "enrolment_records": 2,  # the enrolment list's and the one the name report made
        "person_aliases": 2,  # employee id -> e-mail, name -> e-mail
        "person_records": 1,
        "survey_answers": 1,
        "survey_responses": 1,
    }
    assert store.dataset_version() == version + 1
    assert store.row_counts()["people"] == 1
    assert store.row_counts()["survey_responses"] == 1
    # the list holds her three keys, the deletion record holds none of them
    assert {r[0] for r in rows(store, "SELECT person_key FROM forgotten_people")} == ann
    record = rows(store, "SELECT * FROM deletions")
    assert len(record) == 1 and record[0][2] == "settings" and record[0][3] == 9
    assert not any(k in repr(record) for k in ann)
    # the derived tables are rebuilt from what is left, not served stale
    for table in derived:
        assert one(store, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]) == 0
    for name, sql in DERIVED.items():
        assert store.ensure_derived(name, sql)
    assert _person_rows(store, ann) == 0
    presence = rows(store, "SELECT DISTINCT person_key FROM derived_presence")
    # Bob's e-mail-keyed enrolment and his name-keyed one (the meeting report's)
    assert {r[0] for r in presence} == {
        key_of(store, EMAIL, "bob@example.org"),
        key_of(store, NAME, "Bob Brown"),
    }


def test_the_suppression_file_beside_the_secret_holds_keys_only(store, tmp_path) -> None:
    """One line per key with the secret's fingerprint: no address, no name, no date."""
    _ann_and_bob(store)
    forget.forget(store, forget.BY_EMAIL, "ann@example.org", "settings")
    path = suppression.list_path(store.path)
    assert path == tmp_path / "secret.key.forgotten"
    text = path.read_text()
    assert "@" not in text and "Ann" not in text and "2026" not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert {e["key"] for e in entries} == _keys(store, "ann")
    assert {e["secret"] for e in entries} == {suppression.secret_fingerprint(store.path)}


def test_a_later_import_drops_the_forgotten_person_and_says_how_many_rows(store) -> None:
    """A re-export of the survey with one more respondent: Ann's response and answer are
    dropped (counted in the plan and the import's summary), Cy's come in."""
    cohort_id = _ann_and_bob(store)
    forget.forget(store, forget.BY_EMAIL, "ann@example.org", "settings")
    again = csv_bytes(
        SURVEY_HEADER, *SURVEY_ROWS, "3,4/1/2025 9:00,4/1/2025 9:07,cy@example.org,Agree"
    )
    plan = plan_for(store, again, "Feedback (2).csv", Link(cohort_id=cohort_id, wave="post"))
    assert plan.forgotten_expected == {"survey_answers": 1, "survey_responses": 1}
    import_id = service.commit(store, plan, accept_partial=True)
    assert plan.forgotten_dropped == {"survey_answers": 1, "survey_responses": 1}
    assert plan.forgotten_rows == 2
    summary = json.loads(
        one(store, "SELECT summary_json FROM imports WHERE import_id = ?", [import_id])
    )
    assert summary["forgotten_dropped"] == {"survey_answers": 1, "survey_responses": 1}
    assert one(store, "SELECT rows_written FROM imports WHERE import_id = ?", [import_id]) == 2
    assert _person_rows(store, _keys(store, "ann")) == 0
    cy = key_of(store, EMAIL, "cy@example.org")
    assert one(store, "SELECT count(*) FROM survey_responses WHERE person_key = ?", [cy]) == 1
    # by employee id or by name, too (an attendance sheet of ids, a name-matched report)
    sheet = csv_bytes(
        "Employee ID,Group,Session date,Minutes",
        "E1,Trio A,2025-03-17,40",
        "E2,Trio A,2025-03-17,30",
    )
    plan = plan_for(store, sheet, "sheet2.csv", Link(cohort_id=cohort_id), kind="attendance")
    expected = plan.forgotten_expected
    service.commit(store, plan, accept_partial=True)
    assert plan.forgotten_dropped["attendance"] == 1
    assert expected == plan.forgotten_dropped  # the preview said what the commit did
    names = csv_bytes("Name,Group,Session date,Minutes", "Archer Ann,Trio A,2025-03-24,40")
    link = Link(cohort_id=cohort_id, match_names=True)
    plan = plan_for(store, names, "names2.csv", link, kind="attendance")
    service.commit(store, plan, accept_partial=True)
    assert plan.forgotten_dropped["attendance"] == 1
    assert _person_rows(store, _keys(store, "ann")) == 0


def test_undoing_a_merge_or_an_import_after_forgetting_brings_nobody_back(store) -> None:
    """pX, enrolled twice by one import, has one enrolment set aside by a cohort merge; after
    pX is forgotten, undoing the merge and then the import leaves no row of pX."""
    start = date(2025, 3, 3)
    tables = {
        "programs": [("P", "Feedback", None, "applying_practice", 100, 8)],
        "cohorts": [
            (c, "P", f"Spring {c}", "small_group", "book_club", start, date(2025, 5, 1), 4, 8)
            for c in ("CA", "CB")
        ],
        "groups": [(f"G{c}", c, f"Club {c}", 2, None) for c in ("CA", "CB")],
        "person_records": [("pX", "Eng", "T", "IC", False), ("pY", "Eng", "T", "IC", False)],
        "enrolment_records": [("pX", c, f"G{c}", start, None) for c in ("CA", "CB")]
        + [("pY", "CA", "GCA", start, None)],
        "attendance": [("pX", "CB", "GCB", "session", start, True, 60.0)],
        "survey_items": [("app", "I used it at work", "application", "agree5", 1, 5, 4)],
        "survey_responses": [("r1", "pX", "CB", None, "d30", datetime(2025, 6, 2, 9))],
        "survey_answers": [("r1", "app", 5, None)],
    }
    write_rows(store, tables, "spring.csv")
    merge_id = changes.merge(store, "cohort", "CA", "CB")
    assert one(store, "SELECT count(*) FROM merged_enrolments WHERE person_key = 'pX'") == 1
    moved = json.loads(one(store, "SELECT moved_json FROM edits"))
    assert moved["responses"] == ["r1"]

    result = forget.forget_key(store, "pX", "command line")
    assert result.rows["merged_enrolments"] == 1
    assert json.loads(one(store, "SELECT moved_json FROM edits"))["responses"] == []

    program_undo.undo_change(store, merge_id)
    assert "pX" not in _every_value(store)
    assert "r1" not in _every_value(store)
    service.undo(store, 1)
    assert "pX" not in _every_value(store)
    assert merge_id == 2


def test_bad_identifiers_are_refused_and_change_nothing(store) -> None:
    """An e-mail without @ or an empty id: a clear message, the version stays."""
    _ann_and_bob(store)
    version, counts = store.dataset_version(), store.row_counts()
    with pytest.raises(ValueError, match="e-mail address"):
        forget.forget(store, forget.BY_EMAIL, "ann.example.org", "settings")
    with pytest.raises(ValueError, match="employee id"):
        forget.forget(store, forget.BY_EMPLOYEE_ID, "  ", "settings")
    assert store.dataset_version() == version and store.row_counts() == counts
    assert rows(store, "SELECT * FROM forgotten_people") == []


def test_forgetting_someone_unknown_still_keeps_them_out(store) -> None:
    """Nobody's rows go, the deletion is recorded (0 rows) and their later rows are dropped."""
    cohort_id = _ann_and_bob(store)
    result = forget.forget(store, forget.BY_EMAIL, "cy@example.org", "command line")
    assert result.rows == {} and result.total == 0
    assert forget.deletions(store)[0]["rows_removed"] == 0
    again = csv_bytes(SURVEY_HEADER, "9,4/2/2025 9:00,4/2/2025 9:07,cy@example.org,Agree")
    plan = plan_for(store, again, "late.csv", Link(cohort_id=cohort_id, wave="post"))
    service.commit(store, plan, accept_partial=True)
    assert plan.forgotten_rows == 2
    cy = key_of(store, EMAIL, "cy@example.org")
    assert one(store, "SELECT count(*) FROM survey_responses WHERE person_key = ?", [cy]) == 0


def test_the_preview_counts_what_forgetting_removes(store) -> None:
    """The confirmation's figures are exactly the deletion's."""
    _ann_and_bob(store)
    key = forget.person_key(store.path, forget.BY_EMPLOYEE_ID, "E1")
    found = forget.preview(store, key)
    assert found == forget.forget_key(store, key, "settings").rows


def test_no_byte_of_their_keys_stays_in_the_database_file(store) -> None:
    """Deleted rows linger in a DuckDB file's freed blocks: the file is rewritten, and each of
    Ann's keys is left only once, on the suppression list (DuckDB may compress it away)."""
    _ann_and_bob(store)
    ann = _keys(store, "ann")
    token = store.token
    forget.forget(store, forget.BY_EMAIL, "ann@example.org", "settings")
    assert store.token != token  # a new file: every memoised figure is recomputed
    store.close()
    data = store.path.read_bytes()
    assert all(data.count(k.encode()) <= 1 for k in ann), {k: data.count(k.encode()) for k in ann}
    assert not store.path.with_name(store.path.name + ".wal").exists()
