"""Learning groups through the import: whether members work together (a column taken per group,
and a per-group setting after import), a survey's groups through the enrolment list in either
order, and attendance rows that take their group from the enrolment."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from analysis import application as app
from analysis.ingest import service
from analysis.ingest.groups import flags_from_column
from analysis.ingest.keys import EMAIL
from analysis.ingest.plan import Link
from analysis.ingest.rows import NO_GROUP
from analysis.privacy import SHOWN, PrivacyRule
from analysis.queries import Filters, run_query
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

RULE3 = PrivacyRule(min_group_size=3)
APPLY = "I apply what I learned in my daily work"
# Three trios of four: A and B are close colleagues, C is a mixed group.
MEMBERS = {"A": range(0, 4), "B": range(4, 8), "C": range(8, 12)}
CLOSE = {"A": "yes", "B": "yes", "C": "no"}
APPLIED = {0, 1, 2, 4, 5, 8}  # A 3 of 4, B 2 of 4, C 1 of 4


def _enrolment_list() -> bytes:
    lines = ["Email,Group,Works together"]
    for group, people in MEMBERS.items():
        lines += [f"p{i}@x.org,{group},{CLOSE[group]}" for i in people]
    return csv_bytes(*lines)


def _survey(extra: int = 3) -> bytes:
    """Everyone enrolled answers at 30 days, plus `extra` people who are not enrolled."""
    lines = [f"Email,Submitted,{APPLY}"]
    for i in range(12):
        lines.append(f"p{i}@x.org,2026-01-20,{'Agree' if i in APPLIED else 'Disagree'}")
    lines += [f"q{i}@x.org,2026-01-20,Strongly agree" for i in range(extra)]
    return csv_bytes(*lines)


def _cohort_id(store) -> str:
    return one(store, "SELECT cohort_id FROM cohorts")


def _enrol(store, link: Link) -> int:
    return import_bytes(store, _enrolment_list(), "enrolments.csv", link, kind="enrolment")


def _answer(store, link: Link) -> int:
    return import_bytes(store, _survey(), "pulse.csv", link, kind="survey")


def _survey_then_enrolments(store) -> None:
    _answer(store, Link(new_cohort=cohort("Trios"), wave="d30"))
    _enrol(store, Link(cohort_id=_cohort_id(store)))


def _enrolments_then_survey(store) -> None:
    _enrol(store, Link(new_cohort=cohort("Trios")))
    _answer(store, Link(cohort_id=_cohort_id(store), wave="d30"))


# --- a survey without a group column: each respondent's group from their enrolment -----------


@pytest.mark.parametrize("order", [_survey_then_enrolments, _enrolments_then_survey])
def test_a_survey_without_groups_counts_by_the_enrolment_in_either_order(store, order):
    """The responses keep no group at import; every figure finds it through the enrolment list,
    whichever of the two files came first. The 3 respondents who are not enrolled stay
    without a group (the cohort has several)."""
    order(store)
    assert rows(store, "SELECT DISTINCT group_id FROM survey_responses") == [(None,)]
    cells = run_query(store, "survey_cells_application", Filters())
    names = dict(rows(store, "SELECT group_id, name FROM groups"))
    per_group = cells.groupby(cells["group_id"].map(lambda g: names.get(g, "")))["respondents"]
    assert per_group.sum().to_dict() == {"": 3, "A": 4, "B": 4, "C": 4}

    level = app.group_level(store, Filters(), RULE3).set_index("format").loc["small_group"]
    assert level["groups"] == 3
    assert level["mean_group_rate"] == pytest.approx((3 / 4 + 2 / 4 + 1 / 4) / 3)

    close = app.application_by_segment(store, Filters(), RULE3, "closeness").set_index("level")
    assert (close.loc["close colleagues", ["respondents", "applied"]] == [8, 5]).all()
    assert (close.loc["mixed", ["respondents", "applied"]] == [4, 1]).all()
    assert close.loc["unknown", "respondents"] == 3
    assert set(close["status"]) == {SHOWN}
    size = app.application_by_segment(store, Filters(), RULE3, "group_size").set_index("level")
    assert size.loc["4–6", "respondents"] == 12  # each trio of four, from the enrolment list


def test_a_cohort_with_one_group_gives_it_to_every_answer(store):
    """Answers with no e-mail in a new cohort's one group (close colleagues, from the form):
    they count under that group although no person is known."""
    survey = csv_bytes(
        f"Submitted,{APPLY}",
        *[f"2026-01-2{i},{'Agree' if i < 2 else 'Disagree'}" for i in range(5)],
    )
    link = Link(new_cohort=cohort("Circle", works_together=True), wave="d30")
    import_bytes(store, survey, "circle.csv", link, kind="survey")
    close = app.application_by_segment(store, Filters(), RULE3, "closeness").set_index("level")
    assert (close.loc["close colleagues", ["respondents", "applied"]] == [5, 2]).all()


def test_a_survey_group_column_is_kept_over_the_enrolment(store):
    """A group the survey names is stored with the response and wins."""
    _enrol(store, Link(new_cohort=cohort("Trios")))
    survey = csv_bytes(f"Email,Group,{APPLY}", "p0@x.org,B,Agree", "p1@x.org,,Agree")
    link = Link(cohort_id=_cohort_id(store), wave="d30")
    import_bytes(store, survey, "s.csv", link, kind="survey")
    stored = rows(
        store,
        "SELECT g.name FROM survey_responses r LEFT JOIN groups g USING (group_id) "
        "ORDER BY r.person_key = ?",
        [key_of(store, EMAIL, "p0@x.org")],
    )
    assert stored == [(None,), ("B",)]


# --- attendance and enrolment rows take the group of the person's enrolment --------------------


def test_attendance_without_a_group_column_takes_each_persons_group(store):
    """A Zoom-like sheet for a cohort of three groups: enrolled people land in their group;
    someone not enrolled cannot be placed and is rejected with the reason (not a crash)."""
    _enrol(store, Link(new_cohort=cohort("Trios", scheduled_sessions=2)))
    sheet = csv_bytes(
        "Email,Session date,Minutes",
        "p0@x.org,2025-03-03,60",
        "p8@x.org,2025-03-05,60",
        "stranger@x.org,2025-03-05,60",
    )
    plan = plan_for(store, sheet, "zoom.csv", Link(cohort_id=_cohort_id(store)), "attendance")
    assert plan.rejected == [(4, NO_GROUP)]
    service.commit(store, plan, accept_partial=True)
    got = rows(
        store, "SELECT g.name, a.session_date FROM attendance a JOIN groups g USING (group_id)"
    )
    assert sorted((name, str(day)) for name, day in got) == [
        ("A", "2025-03-03"),
        ("C", "2025-03-05"),
    ]


# --- the "works together" column, taken per group ----------------------------------------------


@pytest.mark.parametrize(
    ("header", "yes", "no"),
    [
        ("Works together", "yes", "no"),
        ("Close colleagues", "true", "false"),
        ("Arbeiten zusammen", "ja", "nein"),
        ("Travaillent ensemble", "oui", "non"),
        ("Trabajan juntos", "sí", "no"),
        ("Work together", "1", "0"),
    ],
)
def test_works_together_column_sets_each_new_group(store, header, yes, no):
    """Proposed from its header in four languages; yes/no in each language, per group."""
    data = csv_bytes(
        f"Email,Group,{header}", f"a@x.org,A,{yes}", f"b@x.org,A,{yes.upper()}",
        f"c@x.org,B,{no}", "d@x.org,C,",
    )  # fmt: skip
    profile = mapped_profile(store, data, "e.csv", "enrolment")
    assert profile.columns[header].role == "works_together"
    plan = plan_for(store, data, "e.csv", Link(new_cohort=cohort("Pods")), profile=profile)
    assert plan.warnings == [] and plan.rejected == []
    service.commit(store, plan)
    assert dict(rows(store, "SELECT name, works_together FROM current_groups")) == {
        "A": True,
        "B": False,
        "C": None,
    }


def test_groups_whose_rows_disagree_get_no_flag_and_a_warning(store):
    """Rows of one group saying yes and no (or something else) are not a guess: the group is
    named in a warning and keeps no flag; every row is still imported."""
    data = csv_bytes(
        "Email,Group,Works together", "a@x.org,A,yes", "b@x.org,A,no", "c@x.org,B,maybe",
        "d@x.org,C,yes",
    )  # fmt: skip
    plan = plan_for(store, data, "e.csv", Link(new_cohort=cohort("Pods")), "enrolment")
    assert plan.rejected == [] and plan.counts()["enrolment_records"] == 4
    assert len(plan.warnings) == 2
    assert plan.warnings[0].startswith("Group “A”: its rows do not agree on one yes or no")
    assert "(“no”, “yes”)" in plan.warnings[0]
    assert plan.warnings[1].startswith("Group “B”") and "“maybe”" in plan.warnings[1]
    service.commit(store, plan)
    assert dict(rows(store, "SELECT name, works_together FROM current_groups")) == {
        "A": None,
        "B": None,
        "C": True,
    }


def test_flags_from_column_reads_blank_as_nothing():
    """Blank cells say nothing; rows without a group are left out."""
    groups = pd.Series(["g1", "g1", "g2", None, "g3"])
    values = pd.Series(["Oui", " ", "NEIN", "yes", None])
    assert flags_from_column(groups, values) == ({"g1": True, "g2": False}, {})


def test_a_later_file_changes_an_existing_group_and_undo_restores_it(store):
    """An attendance sheet says trio C works together after all: a setting of that import,
    noted in the plan; undoing the import puts the enrolment list's value back."""
    first = _enrol(store, Link(new_cohort=cohort("Trios")))
    sheet = csv_bytes(
        "Email,Session date,Minutes,Group,Works together",
        "p8@x.org,2025-03-03,60,C,yes",
        "p0@x.org,2025-03-03,60,A,yes",
    )
    plan = plan_for(store, sheet, "zoom.csv", Link(cohort_id=_cohort_id(store)), "attendance")
    assert "changes for 1 existing group: “C” (yes)" in " ".join(plan.notes)
    later = service.commit(store, plan)
    flags = "SELECT name, works_together FROM current_groups ORDER BY name"
    assert rows(store, flags) == [("A", True), ("B", True), ("C", True)]
    with pytest.raises(ValueError, match=f"imports {later} use"):
        service.undo(store, first)
    service.undo(store, later)
    assert rows(store, flags) == [("A", True), ("B", True), ("C", False)]


# --- the per-group setting after import --------------------------------------------------------


def test_setting_works_together_is_one_recorded_transaction_the_figures_follow(store):
    """Trio C set to close colleagues on the Import page: one import that moves the dataset
    version, the closeness figures count it at once, and undo restores the mixed group."""
    _enrolments_then_survey(store)
    before, version = snapshot(store), store.dataset_version()
    groups = service.cohort_groups(store, [_cohort_id(store)])
    assert groups["group"].tolist() == ["A", "B", "C"]
    assert groups["works_together"].tolist() == [True, True, False]
    c = groups.set_index("group").at["C", "group_id"]

    assert service.set_works_together(store, {c: False}) is None  # no change: nothing written
    assert store.dataset_version() == version
    setting = service.set_works_together(store, {c: True, groups.at[0, "group_id"]: True})
    assert store.dataset_version() == version + 1
    assert rows(store, "SELECT kind, rows_written FROM imports WHERE import_id = ?", [setting]) == [
        ("settings", 1)
    ]
    close = app.application_by_segment(store, Filters(), RULE3, "closeness").set_index("level")
    assert close.loc["close colleagues", "respondents"] == 12
    assert "mixed" not in close.index or close.loc["mixed", "respondents"] == 0
    assert service.import_cohorts(store, setting) == [_cohort_id(store)]

    service.undo(store, setting)
    assert snapshot(store) == before
    close = app.application_by_segment(store, Filters(), RULE3, "closeness").set_index("level")
    assert close.loc["mixed", "respondents"] == 4


def test_setting_an_unknown_group_writes_nothing(store):
    _enrol(store, Link(new_cohort=cohort("Trios")))
    before, version = snapshot(store), store.dataset_version()
    a = one(store, "SELECT group_id FROM groups WHERE name = 'A'")
    with pytest.raises(ValueError, match="no group 'g-nope'"):
        service.set_works_together(store, {a: None, "g-nope": True})
    with pytest.raises(ValueError, match="yes, no or unknown"):
        service.set_works_together(store, {a: "yes"})
    assert snapshot(store) == before and store.dataset_version() == version
    assert service.set_works_together(store, {a: None}) is not None  # back to unknown
    assert one(store, "SELECT works_together FROM current_groups WHERE group_id = ?", [a]) is None


# --- the calendar check counts session days per group ------------------------------------------

WEEKDAY = {"A": 0, "B": 1, "C": 2}  # trio A meets on Mondays, B on Tuesdays, C on Wednesdays


def _weekly_sheet(with_group: bool, extra_b: int = 0) -> bytes:
    """Six weekly sessions per trio from 3 March 2025 (one member each); B meets `extra_b` more."""
    lines = ["Email,Session date,Minutes" + (",Group" if with_group else "")]
    for group, person in (("A", 0), ("B", 4), ("C", 8)):
        weeks = 6 + (extra_b if group == "B" else 0)
        for w in range(weeks):
            day = date(2025, 3, 3) + timedelta(weeks=w, days=WEEKDAY[group])
            lines.append(f"p{person}@x.org,{day},60" + (f",{group}" if with_group else ""))
    return csv_bytes(*lines)


@pytest.mark.parametrize("with_group", [True, False])
def test_groups_meeting_on_different_days_each_hold_the_planned_sessions(store, with_group):
    """18 session days in the file, 6 per trio: no warning (the groups come from the file's
    group column, or from the enrolment list). A seventh Tuesday: one warning, naming B."""
    start, end = date(2025, 3, 1), date(2025, 5, 31)
    _enrol(store, Link(new_cohort=cohort("Trios", start, end, scheduled_sessions=6)))
    link = Link(cohort_id=_cohort_id(store))
    plan = plan_for(store, _weekly_sheet(with_group), "weekly.csv", link, "attendance")
    assert plan.rejected == [] and plan.counts()["attendance"] == 18
    assert plan.warnings == []
    plan = plan_for(store, _weekly_sheet(with_group, extra_b=1), "more.csv", link, "attendance")
    assert plan.warnings == [
        "Cohort “Trios” plans 6 sessions but its group “B” has 7 session days from "
        "04 Mar 2025 to 15 Apr 2025 in the file: check the number of sessions."
    ]


def test_settings_on_demo_groups_go_with_the_demo(store):
    """A setting that only touches demo groups is demo data: removing the demo removes it,
    and no data of one's own is left behind."""
    with store.transaction() as cur:
        demo = store.new_import(cur, "demo", file_name="data/demo", is_demo=True)
        for sql in (
            "INSERT INTO programs VALUES ('P', 'P', NULL, NULL, NULL, NULL, ?)",
            "INSERT INTO cohorts VALUES ('C', 'P', 'C', 'small_group', 'book_club', "
            "DATE '2025-01-01', DATE '2025-02-01', 4, 4, ?)",
            "INSERT INTO groups VALUES ('G', 'C', 'G', 4, NULL, ?)",
        ):
            cur.execute(sql, [demo])
    setting = service.set_works_together(store, {"G": True})
    assert rows(store, "SELECT is_demo FROM imports WHERE import_id = ?", [setting]) == [(True,)]
    store.remove_demo()
    assert not store.has_real_data()
    assert rows(store, "SELECT count(*) FROM group_settings") == [(0,)]
