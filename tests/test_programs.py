"""Editing and merging programs, cohorts and groups: the figures move, every row is kept once,
and undo (of the edit, the merge, or an import after a merge) puts back exactly what it should."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis import metrics
from analysis.ingest import service
from analysis.privacy import PrivacyRule
from analysis.programs import catalogue, changes
from analysis.programs.fields import InvalidEdit
from analysis.queries import Filters
from analysis.store import Store
from tests.ingest_support import attendance_strays, snapshot, write_rows
from tests.programs_support import PEOPLE_A, PEOPLE_B, build_duplicates, count, per_table
from tests.tiny import build_tiny_store

RULE = PrivacyRule(min_group_size=3)


@pytest.fixture
def tiny(tmp_path):
    store = build_tiny_store(tmp_path / "tiny.duckdb")
    yield store
    store.close()


@pytest.fixture
def dup(tmp_path):
    store = Store(tmp_path / "dup.duckdb")
    yield store, *build_duplicates(store)
    store.close()


def _figures(store: Store) -> pd.DataFrame:
    """What the Overview shows per format: enrolled, engaged, completed, application."""
    df = metrics.overview(store, Filters(), RULE)
    cols = ["format", "enrolled", "engaged", "completed", "respondents", "applied"]
    return df[cols].set_index("format")


def test_editing_a_cohorts_format_and_variant_moves_the_figures(tiny):
    """The book club (3 enrolled, 3 engaged, 2 completed, 3 answers, 2 applied) edited to an
    org-wide cohort: its people leave small groups and join everyone at once (4 + 3 enrolled,
    2 + 3 engaged, 1 + 2 completed, 3 + 3 answers, 2 + 2 applied), one new dataset version."""
    before = _figures(tiny)
    assert before.loc["small_group"].tolist() == [3, 3, 2, 3, 2]
    assert before.loc["everyone_at_once"].tolist() == [4, 2, 1, 3, 2]
    version = tiny.dataset_version()
    change = changes.edit(
        tiny, "cohort", "C_G", {"format": "everyone_at_once", "variant": "org_wide"}
    )
    assert tiny.dataset_version() == version + 1
    after = _figures(tiny)
    assert after.loc["small_group", "enrolled"] == 0
    assert after.loc["everyone_at_once"].tolist() == [7, 5, 3, 6, 4]
    pd.testing.assert_series_equal(after.loc["self_directed"], before.loc["self_directed"])
    by_variant = metrics.engagement_by_variant(tiny, Filters()).set_index("variant")
    assert "book_club" not in by_variant.index and by_variant.loc["org_wide", "enrolled"] == 7
    row = tiny.imports().iloc[0]
    assert (row["import_id"], row["kind"]) == (change, "edit")
    assert row["file_name"] == "Edit of cohort “C_G”: format, variant"


def test_undoing_an_edit_restores_the_figures(tiny):
    """Sessions 4 → 2 makes p3 (2 sessions) engaged; undo gives back every figure and row."""
    before, rows = _figures(tiny), snapshot(tiny)
    change = changes.edit(tiny, "cohort", "C_A", {"scheduled_sessions": 2})
    assert _figures(tiny).loc["everyone_at_once", "engaged"] == 3
    service.undo(tiny, change)  # the import history's undo
    pd.testing.assert_frame_equal(_figures(tiny), before)
    assert snapshot(tiny) == rows
    assert count(tiny, "edits") == 0


def test_program_and_group_edits_are_undoable_changes(tiny):
    """A program's cost and goal, a group's name, size and closeness: each edit one change;
    undone in reverse order they leave the data as it was."""
    rows = snapshot(tiny)
    first = changes.edit(tiny, "program", "P1", {"cost_per_person": 250.5, "goal": None})
    second = changes.edit(
        tiny, "group", "GC_G", {"name": "Trio <b>1</b>", "size": 4, "works_together": True}
    )
    assert changes.edit(tiny, "group", "GC_G", {"size": 4}) is None  # nothing changed
    assert tiny.fetch("SELECT cost_per_person, goal FROM programs")[0] == (250.5, None)
    group = catalogue.groups(tiny, "C_G").iloc[0]
    assert (group["name"], group["size"], group["works_together"]) == ("Trio <b>1</b>", 4, True)
    with pytest.raises(ValueError, match="undo them first"):
        service.undo(tiny, 1)  # the import that made the program and the group
    service.undo(tiny, second)
    service.undo(tiny, first)
    assert snapshot(tiny) == rows


@pytest.mark.parametrize(
    ("entity", "key", "values", "message"),
    [
        ("cohort", "C_G", {"variant": "org_wide"}, "not a variant of small groups"),
        ("cohort", "C_G", {"format": "weekly"}, "not a learning format"),
        ("cohort", "C_G", {"end_date": date(2024, 1, 1)}, "on or after the start date"),
        ("cohort", "C_G", {"scheduled_sessions": -1}, "at least 0"),
        ("cohort", "C_G", {"planned_weeks": 2.5}, "whole number"),
        ("cohort", "C_G", {"program_id": "nope"}, "program that exists"),
        ("program", "P1", {"name": "  "}, "cannot be empty"),
        ("program", "P1", {"hours": "many"}, "not a number"),
        ("group", "GC_G", {"size": 0}, "at least 1"),
        ("cohort", "gone", {"planned_weeks": 3}, "no cohort"),
    ],
)
def test_invalid_values_are_refused_in_words(tiny, entity, key, values, message):
    """Each wrong value says which field and why; nothing is written."""
    version = tiny.dataset_version()
    with pytest.raises(InvalidEdit, match=message):
        changes.edit(tiny, entity, key, values)
    assert tiny.dataset_version() == version and count(tiny, "imports") == 1


def test_merging_duplicate_cohorts_keeps_every_row_once(dup):
    """A (5 people) and B (3 people, pX in both): merged into A, every attendance row,
    enrolment record, response and answer is there once; the enrolments count pX once."""
    store, _, _ = dup
    before = per_table(store)
    in_a = {t: count(store, t, "cohort_id = 'CA'") for t in ("attendance", "survey_responses")}
    in_b = {t: count(store, t, "cohort_id = 'CB'") for t in ("attendance", "survey_responses")}
    plan = changes.merge_plan(store, "cohort", "CB", "CA")
    assert (plan.keep, plan.fold, plan.keep_people, plan.fold_people) == ("CA", "CB", 5, 3)
    assert plan.differing() == ["name", "program_id", "variant", "scheduled_sessions"]
    merge = changes.merge(store, "cohort", "CB", "CA", {"name": "Spring book club"})
    assert set(attendance_strays(store).values()) == {0}
    after = per_table(store)
    assert after == {**before, "enrolments": len(set(PEOPLE_A) | set(PEOPLE_B)), "cohorts": 1}
    for table in ("attendance", "survey_responses"):
        assert count(store, table, "cohort_id = 'CA'") == in_a[table] + in_b[table]
        assert count(store, table, "cohort_id = 'CB'") == 0
    assert count(store, "enrolment_records", "cohort_id = 'CA'") == 8
    assert count(store, "groups", "cohort_id = 'CA'") == 2
    assert store.fetch("SELECT name, variant, scheduled_sessions FROM cohorts") == [
        ("Spring book club", "book_club", 4)  # the larger cohort's values unless picked
    ]
    # pX attended week 0 in both: two rows kept, one session day counted
    assert count(store, "attendance", "person_key = 'pX' AND session_date = '2025-03-03'") == 2
    eng = metrics.engagement_by_variant(store, Filters()).set_index("variant")
    assert eng.loc["book_club", "enrolled"] == 7
    assert store.imports().iloc[0][["import_id", "kind"]].tolist() == [merge, "merge"]


def test_the_person_picks_the_merged_cohorts_values(dup):
    """Picking B's variant and sessions: the merged cohort carries them."""
    store, _, _ = dup
    changes.merge(
        store, "cohort", "CA", "CB", {"variant": "course_buddies", "scheduled_sessions": 5}
    )
    assert store.fetch("SELECT cohort_id, variant, scheduled_sessions FROM cohorts") == [
        ("CA", "course_buddies", 5)
    ]
    with pytest.raises(InvalidEdit, match="two different"):
        changes.merge(store, "cohort", "CA", "CA")


def test_undoing_the_merge_brings_both_cohorts_back(dup):
    """After a merge (and an edit of a moved group), undoing the merge gives back both cohorts
    exactly as they were, rows and fields."""
    store, _, _ = dup
    rows, figures = snapshot(store), _figures(store)
    merge = changes.merge(store, "cohort", "CA", "CB", {"scheduled_sessions": 5})
    edit = changes.edit(store, "cohort", "CA", {"planned_weeks": 9})
    with pytest.raises(ValueError, match=f"changes {edit} came later"):
        service.undo(store, merge)
    service.undo(store, edit)
    service.undo(store, merge)
    assert snapshot(store) == rows
    pd.testing.assert_frame_equal(_figures(store), figures)
    assert {t: count(store, t) for t in ("edits", "merged_cohorts", "merged_enrolments")} == {
        "edits": 0, "merged_cohorts": 0, "merged_enrolments": 0
    }  # fmt: skip


def test_undoing_an_import_after_a_merge_removes_exactly_its_rows(dup):
    """B undone after the merge: the merged cohort holds exactly A's rows again; undoing A is
    refused while the merge keeps B's data in A's cohort; then the merge undoes cleanly."""
    store, a, b = dup
    tables = ("attendance", "enrolment_records", "survey_responses")
    a_rows = {t: count(store, t, "import_id = ?", [a]) for t in tables}
    merge = changes.merge(store, "cohort", "CA", "CB")
    with pytest.raises(ValueError, match=f"{merge}"):
        service.undo(store, a)
    service.undo(store, b)
    for table, n in a_rows.items():
        assert count(store, table, "cohort_id = 'CA'") == n
        assert count(store, table, "import_id = ?", [b]) == 0
    assert count(store, "groups") == 1 and count(store, "merged_cohorts") == 0
    assert count(store, "enrolments") == len(PEOPLE_A)
    service.undo(store, merge)
    assert store.fetch("SELECT cohort_id FROM cohorts") == [("CA",)]
    assert count(store, "attendance") == a_rows["attendance"]


def test_an_enrolment_from_one_import_in_both_cohorts_waits_for_the_undo(dup):
    """A roster enrolled pZ in both cohorts: merged, pZ is enrolled once (B's record set
    aside, counted there); undoing the merge puts the record back in B."""
    store, _, _ = dup

    both = [("pZ", "CA", "GA", None, None), ("pZ", "CB", "GB", None, None)]
    write_rows(store, {"enrolment_records": both}, "roster.csv")
    rows = snapshot(store)
    merge = changes.merge(store, "cohort", "CA", "CB")
    assert count(store, "enrolment_records", "person_key = 'pZ'") == 1
    assert count(store, "merged_enrolments", "person_key = 'pZ'") == 1
    assert count(store, "enrolments", "person_key = 'pZ'") == 1
    service.undo(store, merge)
    assert snapshot(store) == rows


def test_merging_programs_moves_their_cohorts_and_undoes(dup):
    """Program B merged into A (A's name kept): both cohorts in A; undo gives B back."""
    store, _, _ = dup
    rows = snapshot(store)
    merge = changes.merge(store, "program", "PA", "PB", {"hours": 12})
    assert store.fetch("SELECT DISTINCT program_id FROM cohorts") == [("PA",)]
    assert store.fetch("SELECT program_id, hours FROM programs") == [("PA", 12.0)]
    listed = catalogue.programs(store)
    assert listed[["name", "cohorts", "enrolled"]].values.tolist() == [
        ["Feedback skills A", 2, 7]
    ]  # pX once
    service.undo(store, merge)
    assert snapshot(store) == rows


def test_each_program_and_cohort_lists_the_imports_that_feed_it(dup):
    """Before the merge each cohort names its own file; after it the merged cohort names
    both, with their rows there; edits and merges are not files and are not listed."""
    store, a, _ = dup
    own = catalogue.cohort_sources(store, "CA")
    assert own[["import_id", "file_name", "created"]].values.tolist() == [
        [a, "zoom-spring.csv", True]
    ]
    assert own[["attendance", "enrolments", "responses", "rows"]].values.tolist() == [
        [16, 5, 6, 27]
    ]
    changes.merge(store, "cohort", "CA", "CB")
    fed = catalogue.cohort_sources(store, "CA")
    assert fed["file_name"].tolist() == ["zoom-spring.csv", "forms-spring.csv"]
    assert fed["rows"].tolist() == [27, 19] and fed["created"].tolist() == [True, False]
    words = catalogue.source_words(fed.iloc[1])
    assert (
        words.startswith("forms-spring.csv · ")
        and "19 rows (12 attendance, 3 enrolments, 4 survey responses)" in words
    )
    program = catalogue.program_sources(store, "PB")
    assert program["file_name"].tolist() == ["forms-spring.csv"] and program["rows"].tolist() == [0]


def test_changes_to_demo_data_leave_with_it(dup):
    """Edits and merges of demo data are demo data: Remove demo data leaves nothing behind."""
    store, _, _ = dup
    with store.transaction() as cur:
        cur.execute("UPDATE imports SET is_demo = TRUE")
    changes.edit(store, "group", "GA", {"works_together": False})
    changes.merge(store, "cohort", "CA", "CB")
    assert store.imports()["is_demo"].all()
    store.remove_demo()
    tables = ("imports", "edits", "merged_cohorts", "merged_enrolments", "group_settings")
    assert {t: count(store, t) for t in tables} == dict.fromkeys(tables, 0)
    assert per_table(store) == dict.fromkeys(per_table(store), 0)


def test_names_the_same_but_for_case_and_spacing_are_offered_as_duplicates(dup):
    """'Spring book club A' and ' spring  BOOK club a' pair up; a different name does not."""
    store, _, _ = dup
    changes.edit(store, "cohort", "CB", {"name": " spring  BOOK club a"})
    frame = catalogue.cohorts(store)
    assert catalogue.same_names(frame, "cohort_id") == [("CB", "CA")]  # in the list's order
    assert catalogue.same_names(catalogue.programs(store), "program_id") == []


def test_changes_that_touch_each_other_are_undone_in_reverse_order(dup):
    """The cohort merge takes B's program for the merged cohort; a program merge then folds
    that program. Undoing the cohort merge first is refused (the program merge moved its
    cohort); in reverse order both undo to the data as it was."""
    store, _, _ = dup
    rows = snapshot(store)
    cohorts = changes.merge(store, "cohort", "CA", "CB", {"program_id": "PB"})
    programs = changes.merge(store, "program", "PA", "PB")
    with pytest.raises(ValueError, match=f"changes {programs} came later"):
        service.undo(store, cohorts)
    service.undo(store, programs)
    service.undo(store, cohorts)
    assert snapshot(store) == rows


def test_a_merge_cannot_be_undone_while_an_import_made_its_cohort_again(dup):
    """After the merge an import creates a cohort with the folded one's id (same name and
    start): undoing the merge says which import to undo first, and writes nothing."""
    store, _, _ = dup
    merge = changes.merge(store, "cohort", "CA", "CB")
    again = {
        "cohorts": [
            ("CB", "PB", "Spring book club B", "small_group", "book_club", date(2025, 3, 3),
             date(2025, 4, 28), 5, 8)
        ]
    }  # fmt: skip
    write_rows(store, again, "again.csv")
    rows = snapshot(store)
    with pytest.raises(ValueError, match="import 4 created the cohort “Spring book club B”"):
        service.undo(store, merge)
    assert snapshot(store) == rows
    service.undo(store, 4)
    service.undo(store, merge)
    assert count(store, "cohorts") == 2


def test_two_real_exports_merged_then_one_undone(store):
    """An enrolment list made "Spring club", a Zoom-like sheet made "Spring club (Zoom)" with
    one of the same people: merged, every row is kept once; undoing the sheet's import removes
    exactly its rows; undoing the merge then leaves the data as after the first import."""
    from analysis.ingest.plan import Link
    from tests.ingest_support import cohort, csv_bytes, import_bytes

    roster = csv_bytes("Email,Group", "a@x.org,Club", "b@x.org,Club", "c@x.org,Club")
    spring = Link(new_cohort=cohort("Spring club"))
    first = import_bytes(store, roster, "roster.csv", spring, kind="enrolment")
    after_first = snapshot(store)
    sheet = csv_bytes(
        "Email,Session date,Learning group",
        "a@x.org,2025-03-03,Club",
        "a@x.org,2025-03-10,Club",
        "d@x.org,2025-03-03,Club",
    )
    zoom = Link(new_cohort=cohort("Spring club (Zoom)", scheduled_sessions=2))
    second = import_bytes(store, sheet, "zoom.csv", zoom, kind="attendance")
    before = per_table(store)
    assert before["cohorts"] == 2 and before["attendance"] == 3
    ids = dict(store.fetch("SELECT name, cohort_id FROM cohorts"))
    merge = changes.merge(store, "cohort", ids["Spring club (Zoom)"], ids["Spring club"])
    assert before["enrolments"] == 5  # the sheet enrolled a@ and d@ in its cohort
    assert per_table(store) == {**before, "cohorts": 1, "enrolments": 4}  # a@ once
    assert count(store, "attendance", "cohort_id = ?", [ids["Spring club"]]) == 3
    assert count(store, "merged_cohorts") == 1
    service.undo(store, second)
    no_log = {t: v for t, v in snapshot(store).items() if t != "imports"}
    assert no_log == {t: v for t, v in after_first.items() if t != "imports"}
    service.undo(store, merge)
    assert snapshot(store) == after_first
    assert first in store.imports()["import_id"].tolist()


def test_a_cohorts_dates_edited_work_out_its_derived_waves_again(store):
    """A survey imported into a cohort with wrong dates (today's year, as the old form
    defaulted) had its waves worked out from them: every answer 'pre'. Editing the cohort's
    dates to the real ones works them out again (post and 30 days); a second survey whose wave
    was chosen keeps it; undoing the edit puts every wave back."""
    from analysis.ingest.plan import Link
    from tests.ingest_support import cohort, csv_bytes, import_bytes

    wrong = cohort("Spring club", start=date(2026, 3, 2), end=date(2026, 4, 27))
    roster = csv_bytes("Email,Group", *(f"p{i}@x.org,Club" for i in range(6)))
    import_bytes(store, roster, "roster.csv", Link(new_cohort=wrong), kind="enrolment")
    cid = store.fetch("SELECT cohort_id FROM cohorts")[0][0]
    survey = csv_bytes(
        "Timestamp,Email,I have used what I learned at work",
        *(f"2025-05-0{1 + i % 3} 10:00,p{i}@x.org,Agree" for i in range(3)),
        *(f"2025-05-2{i} 10:00,p{i}@x.org,Agree" for i in range(3, 6)),
    )
    derived = import_bytes(store, survey, "survey.csv", Link(cohort_id=cid), kind="survey")
    chosen = csv_bytes(
        "Timestamp,Email,I have used what I learned at work",
        *(f"2025-07-01 10:00,p{i}@x.org,Agree" for i in range(6)),
    )
    import_bytes(store, chosen, "d60.csv", Link(cohort_id=cid, wave="d60"), kind="survey")

    def waves() -> dict[str, int]:
        return dict(store.fetch("SELECT wave, count(*) FROM survey_responses GROUP BY wave"))

    assert waves() == {"pre": 6, "d60": 6}
    assert count(store, "derived_waves") == 6
    change = changes.edit(
        store, "cohort", cid, {"start_date": date(2025, 3, 3), "end_date": date(2025, 4, 28)}
    )
    assert waves() == {"post": 3, "d30": 3, "d60": 6}  # the chosen 60-day wave stays
    service.undo(store, change)
    assert waves() == {"pre": 6, "d60": 6}
    service.undo(store, derived + 1)  # the chosen survey, then the derived one
    service.undo(store, derived)
    assert count(store, "derived_waves") == 0
