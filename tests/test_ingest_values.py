"""Column meanings decided from the values, not only the header: an "identifier" that holds a few
repeated categories, and open-ended answers that are text, not scale labels. Files built here."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.ingest import service
from analysis.ingest.mapping import propose_mapping
from analysis.ingest.plan import Link
from tests.ingest_support import cohort, csv_bytes, import_bytes, mapped_profile, one, rows

DEPARTMENTS = ("Sales", "IT", "Finance", "HR", "Marketing")
APPLY = "What did you apply at work?"
LINK = Link(new_cohort=cohort("Pulse", date(2026, 9, 1), date(2026, 10, 15)), wave="d30")


def monkey_export(custom: list[str], applied: list[str]) -> bytes:
    """A SurveyMonkey export (two header rows) with Custom Data 1 and an open-ended question."""
    lines = [
        "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,"
        f"Last Name,Custom Data 1,How satisfied were you with the training?,{APPLY}",
        ",,,,,,,,,Response,Open-Ended Response",
    ]
    for i, (c, a) in enumerate(zip(custom, applied, strict=True)):
        lines.append(
            f"11{i:08d},4000,11/03/2026 10:{i:02d}:00 AM,11/03/2026 10:{i + 5:02d}:00 AM,"
            f'10.0.0.{i},,,,{c},Very satisfied,"{a}"'
        )
    return csv_bytes(*lines)


def _proposals(store, data: bytes) -> dict:
    table = service.preview(data, "pulse.csv")
    assert table.detection.tool == "surveymonkey"
    proposals, _ = service.propose(store, table)
    return {p.column: p for p in proposals}


SENTENCES = [f"I used the feedback model in my one-to-ones with person {i}" for i in range(28)]


def test_custom_data_with_department_names_is_a_category_not_a_person(store) -> None:
    """28 rows, 5 departments: a demographic item; no person keys, no aliases."""
    custom = [DEPARTMENTS[i % 5] for i in range(28)]
    data = monkey_export(custom, SENTENCES)
    prop = _proposals(store, data)["Custom Data 1"]
    assert (prop.role, prop.pii_action) == ("demographic", "keep")
    assert "5 values repeated over 28 rows" in prop.reason
    import_bytes(store, data, "pulse.csv", LINK, accept_partial=False)
    assert one(store, "SELECT count(*) FROM person_aliases") == 0
    assert rows(store, "SELECT count(*), count(person_key) FROM survey_responses") == [(28, 0)]
    stored = rows(
        store,
        "SELECT a.text, count(*) FROM survey_answers a JOIN survey_items i USING (item_id) "
        "WHERE i.role = 'demographic' GROUP BY a.text ORDER BY a.text",
    )
    assert stored == sorted((d, custom.count(d)) for d in DEPARTMENTS)


@pytest.mark.parametrize(
    ("values", "role", "action"),
    [
        ([f"E{1000 + i}" for i in range(28)], "person_id", "hash"),  # unique codes
        ([f"p{i}@example.org" for i in range(28)], "person_email", "hash"),  # e-mails
        ([f"E{1000 + i % 14}" for i in range(28)], "person_id", "hash"),  # codes, each twice
        (["Sales", "IT", "HR", "Legal"], "person_id", "hash"),  # too few rows to tell
    ],
)
def test_custom_data_that_identifies_people_stays_an_identifier(store, values, role, action):
    """Unique per row, e-mail shaped or coded with digits: still who answered."""
    data = monkey_export(values, SENTENCES[: len(values)])
    prop = _proposals(store, data)["Custom Data 1"]
    assert (prop.role, prop.pii_action) == (role, action)


def test_the_rule_is_the_same_for_any_identifier_header() -> None:
    """A generic survey's "Employee ID" holding departments is a category; an attendance log's
    user name repeated over sessions is still the person (one row per session, not per person)."""
    frame = pd.DataFrame({"Employee ID": [DEPARTMENTS[i % 5] for i in range(20)]}, dtype=object)
    survey = propose_mapping(["Employee ID"], {}, frame, "survey", "generic")[0]
    assert survey.role == "demographic"
    log = pd.DataFrame({"User ID": ["ann", "bo", "cy", "ann", "bo", "cy", "ann", "bo"]})
    assert propose_mapping(["User ID"], {}, log, "attendance", "generic")[0].role == "person_id"


@pytest.mark.parametrize(
    "answers",
    [
        SENTENCES[:10],  # sentences
        ["Retros", "Standups", "Nothing yet", "Coaching", "1:1s", "Feedback", "OKRs", "Demos"],
        [f"Idea {i}" for i in range(14)],  # more answers than any scale has options
    ],
    ids=["sentences", "short and all different", "many different"],
)
def test_open_ended_answers_are_a_text_item_not_scale_labels(store, answers) -> None:
    """The header reads as application, the answers are typed: a comment item with no labels
    to ask about, and rows that left it unanswered are imported like the others."""
    answered = [*answers, "", "", ""]  # three respondents left it blank
    custom = [f"E{1000 + i}" for i in range(len(answered))]
    data = monkey_export(custom, answered)
    prop = _proposals(store, data)[APPLY]
    assert (prop.role, prop.unknown_labels, prop.scale) == ("comment", (), None)
    plan = service.prepare(
        store,
        data,
        "pulse.csv",
        mapped_profile(store, data, "pulse.csv"),
        LINK,
        head=service.preview(data, "pulse.csv"),
    )
    assert plan.rejected == [] and plan.rows_accepted == len(answered)
    service.commit(store, plan)
    texts = rows(
        store,
        "SELECT a.text FROM survey_answers a JOIN survey_items i USING (item_id) "
        "WHERE i.role = 'comment' ORDER BY a.text",
    )
    assert [t for (t,) in texts] == sorted(answers)


def test_a_rated_question_with_choice_answers_still_asks_for_their_values(store) -> None:
    """Few labels repeated over many rows are a scale the app does not know: still asked."""
    frame = pd.DataFrame(
        {APPLY: ["Daily", "Weekly", "Never", "Weekly", "Daily", "Never", "Weekly", "Daily"]}
    )
    prop = propose_mapping([APPLY], {}, frame, "survey", "generic")[0]
    assert prop.role == "application"
    assert set(prop.unknown_labels) == {"Daily", "Weekly", "Never"}


def test_a_demographic_with_codes_is_a_category_not_a_scale() -> None:
    """Codes such as n / t (LimeSurvey writes answer codes) in a demographic column: one of
    them reading as "no" does not make the column a yes/no scale whose other codes reject
    every row; the codes are stored as categories."""
    frame = pd.DataFrame({"Country": ["t", None, "n", "t", "n"]}, dtype=object)
    prop = propose_mapping(["Country"], {}, frame, "survey", "generic")[0]
    assert (prop.role, prop.scale, prop.unknown_labels) == ("demographic", None, ())
