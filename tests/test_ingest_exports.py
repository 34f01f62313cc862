"""End-to-end imports of the real exports in ../shared/exports: preview → propose → prepare →
commit, with counts and values worked out by hand from the files (see PROVENANCE.md)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from analysis.ingest import service
from analysis.ingest.keys import EMAIL, EMPLOYEE_ID, NAME
from analysis.ingest.plan import Link
from analysis.store import Store
from tests.ingest_support import (
    EXPORTS,
    HEROES,
    cohort,
    csv_bytes,
    import_bytes,
    import_zoom_heroes,
    key_of,
    one,
    plan_for,
    rows,
    snapshot,
    varchar_values,
)

# file → (data rows, rows rejected, a phrase every rejection reason contains). Data rows counted
# with the csv module / openpyxl; rejections: spring25 has five answers off Yes/No (Yesss,
# Nope, Yeah, Noooo, Yesssssss); religion and sleeping-alone each repeat one whole row;
# LimeSurvey 100001 has "maybe" on a Yes/No item and an empty response (its country codes
# "n" and "t" are a demographic's categories, not a Yes/No scale); 998192 one
# response with no answers.
SURVEYS = {
    "google_forms/DS-4002-sp24-survey-results.csv": (91, 0, ""),
    "google_forms/DS-4002-sp24-survey-results.xlsx": (91, 0, ""),
    "google_forms/Is hotdog a sandwich_ (Responses).xlsx": (207, 0, ""),
    "google_forms/hot_dog_survey_spring25.xlsx - Form Responses 1.csv": (64, 5, "Yes / No"),
    "kobo/paleocore-sss_artifact-form_-_all_versions_-_False_-_2022-08-01-05-36-18.csv": (
        3203,
        0,
        "",
    ),
    "limesurvey/survey_100001_R_data_file.csv": (3, 2, ""),
    "limesurvey/survey_998192_R_data_file.csv": (7, 1, "no answers"),
    "microsoft_forms/Hot-Dog-Form-Fa24.csv": (187, 0, ""),
    "qualtrics/qualtrics_sample.csv": (1, 0, ""),
    "qualtrics/qualtrics_sample_legacy.csv": (1, 0, ""),
    "surveymonkey/MIDWEST.csv": (2778, 0, ""),
    "surveymonkey/StarWars.csv": (1186, 0, ""),
    "surveymonkey/food-world-cup-data.csv": (1373, 0, ""),
    "surveymonkey/religion-survey-results.csv": (1039, 1, "duplicate of an earlier row"),
    "surveymonkey/sleeping-alone-data.csv": (1093, 1, "duplicate of an earlier row"),
    "surveymonkey/steak-risk-survey.csv": (550, 0, ""),
}
# file → (item text, stored value or text, how many answers hold it), counted from the files.
CELLS = {
    "google_forms/DS-4002-sp24-survey-results.csv": (
        "Do you believe that a hotdog falls under the category of a sandwich?",
        1.0,
        30,
    ),
    "google_forms/Is hotdog a sandwich_ (Responses).xlsx": ("Is hotdog a sandwich?", 0.0, 150),
    "google_forms/hot_dog_survey_spring25.xlsx - Form Responses 1.csv": (
        "Do you believe that a hotdog falls under the category of a sandwich?",
        1.0,
        21,
    ),
    "microsoft_forms/Hot-Dog-Form-Fa24.csv": ("Is a hotdog a sandwich", 1.0, 61),
    "qualtrics/qualtrics_sample.csv": ("This is a free text question.", "Hello World!", 1),
    "surveymonkey/StarWars.csv": (
        "Have you seen any of the 6 films in the Star Wars franchise?",
        0.0,
        250,
    ),
}
TEAMS = "teams/meetingAttendanceList.csv"
ZOOM = ("zoom/participants_heroes.csv", "zoom/participants_heroes_full.csv")


def _read(name: str) -> bytes:
    return (EXPORTS / name).read_bytes()


def _answers(store: Store, item_text: str) -> Counter:
    """How often each value (or text) was stored for the item with this text."""
    got = rows(
        store,
        "SELECT a.value, a.text FROM survey_answers a "
        "JOIN survey_items i USING (item_id) WHERE i.text = ?",
        [item_text],
    )
    return Counter(text if value is None else value for value, text in got)


@pytest.mark.parametrize("name", SURVEYS)
def test_survey_export_imports_one_response_per_accepted_row(store, name) -> None:
    """Responses = data rows − rejected rows, each rejection with its reason; cells land."""
    data_rows, rejected, reason = SURVEYS[name]
    data = _read(name)
    plan = plan_for(store, data, name, Link(new_cohort=cohort("Survey"), wave="d30"))
    assert (plan.kind, plan.rows_read, plan.rows_rejected) == ("survey", data_rows, rejected)
    assert all(reason in why and why for _, why in plan.rejected)
    if data_rows == rejected:  # no valid row: nothing to import, nothing written
        with pytest.raises(service.NothingToImport):
            service.commit(store, plan, accept_partial=True)
        assert one(store, "SELECT count(*) FROM imports") == 0
        return
    import_id = service.commit(store, plan, accept_partial=True)
    assert one(store, "SELECT count(*) FROM survey_responses") == data_rows - rejected
    assert rows(store, "SELECT DISTINCT wave FROM survey_responses") in ([("d30",)], [])
    logged = rows(
        store, "SELECT rows_rejected, file_name FROM imports WHERE import_id = ?", [import_id]
    )
    assert logged == [(rejected, name)]
    if name in CELLS:
        item, value, count = CELLS[name]
        assert _answers(store, item)[value] == count


def test_google_forms_csv_and_xlsx_store_the_same_answers(store) -> None:
    """The CSV and the Sheets XLSX of one form give the same answers, item by item."""
    base = "google_forms/DS-4002-sp24-survey-results"
    for i, ext in enumerate((".csv", ".xlsx")):
        import_bytes(
            store, _read(base + ext), base + ext, Link(new_cohort=cohort(f"GF{i}"), wave="post")
        )
    per_cohort = rows(
        store,
        "SELECT c.name, i.text, a.value, a.text FROM survey_answers a "
        "JOIN survey_items i USING (item_id) JOIN survey_responses r USING (response_id) "
        "JOIN cohorts c USING (cohort_id)",
    )
    csv = Counter(r[1:] for r in per_cohort if r[0] == "GF0")
    xlsx = Counter(r[1:] for r in per_cohort if r[0] == "GF1")
    assert sum(csv.values()) == 519 and csv == xlsx


def test_qualtrics_ip_address_and_location_are_not_stored(store) -> None:
    """The sample's IP address and coordinates are dropped at import."""
    name = "qualtrics/qualtrics_sample.csv"
    import_bytes(store, _read(name), name, Link(new_cohort=cohort("Q"), wave="post"))
    text = "\n".join(varchar_values(store))
    assert "130.92.34.66" not in text and "47.115" not in text and "7.2315" not in text


def _minutes(store: Store, kind: str, raw: str) -> list[tuple]:
    """(session date, minutes) rows of one person, found by their hashed identifier."""
    key = key_of(store, kind, raw)
    return rows(store, "SELECT session_date, minutes FROM attendance WHERE person_key = ?", [key])


@pytest.mark.parametrize("name", ZOOM)
def test_zoom_rejoins_collapse_to_one_row_per_person_and_day(store, name) -> None:
    """31 joins by 27 people on 19 Nov 2021: 27 rows; a rejoiner's minutes are summed."""
    plan = plan_for(store, _read(name), name, Link(new_cohort=cohort("Zoom")))
    assert (plan.kind, plan.rows_read, plan.rows_rejected) == ("attendance", 31, 0)
    service.commit(store, plan)
    day = date(2021, 11, 19)
    assert rows(
        store,
        "SELECT count(*), count(DISTINCT person_key), min(session_date), "
        "max(session_date), sum(minutes) FROM attendance",
    ) == [(27, 27, day, day, 2452)]
    assert _minutes(store, EMAIL, "power-girl_kryptonian@dc.com") == [(day, 114 + 111)]
    assert _minutes(store, EMAIL, "Swarm_Mutant@Marvel.com") == [(day, 10 + 98)]
    assert _minutes(store, EMAIL, "dazzler_mutant@marvel.com") == [(day, 2 + 27)]
    assert _minutes(store, EMAIL, "cyborg-superman_cyborg@dc.com") == [(day, 52 + 34)]
    assert one(store, "SELECT count(*) FROM enrolments") == 27


def test_teams_list_imports_only_with_name_matching(store) -> None:
    """Without confirmed name matching every row is refused, saying so; with it, minutes
    come from Joined/Left pairs (worked out by hand below)."""
    data = _read(TEAMS)
    refused = plan_for(store, data, TEAMS, Link(new_cohort=cohort("Teams")))
    assert (refused.rows_read, refused.rows_rejected) == (38, 38)
    assert all("name" in why for _, why in refused.rejected)
    with pytest.raises(service.NothingToImport):
        service.commit(store, refused, accept_partial=True)
    assert one(store, "SELECT count(*) FROM imports") == 0
    plan = plan_for(store, data, TEAMS, Link(new_cohort=cohort("Teams"), match_names=True))
    assert plan.rows_rejected == 0
    service.commit(store, plan)
    day = date(2020, 12, 11)  # 11/12/2020 is day-first in this list
    assert rows(
        store,
        "SELECT count(*), count(DISTINCT person_key), min(session_date), "
        "max(session_date) FROM attendance",
    ) == [(5, 5, day, day)]
    # 12:27:24–12:45:18, 13:45:41–13:56:48, 15:42:10–15:42:48, 15:53:25–15:59:01
    max_minutes = (17 * 60 + 54 + 11 * 60 + 7 + 38 + 5 * 60 + 36) / 60
    assert _minutes(store, NAME, "Max Mustermann") == [(day, pytest.approx(max_minutes))]
    # 12:28:09–12:38:11, 15:45:58–15:46:58, 15:56:39–15:56:46
    assert _minutes(store, NAME, "Musterfrau Franziska") == [(day, pytest.approx(669 / 60))]


def test_moodle_log_imports_as_activity(store) -> None:
    """Rows without a user ('-') are rejected; User 58 and User 287 were active on 23 Jan 2023."""
    name = "moodle/example_platform_logs.csv"
    plan = plan_for(store, _read(name), name, Link(new_cohort=cohort("Moodle"), match_names=True))
    assert (plan.kind, plan.rows_read, plan.rows_rejected) == ("lms_log", 20, 13)
    assert {row for row, _ in plan.rejected} == set(range(5, 18))  # file lines of rows 3–15
    service.commit(store, plan, accept_partial=True)
    day = date(2023, 1, 23)
    assert rows(store, "SELECT DISTINCT kind FROM attendance") == [("activity",)]
    assert _minutes(store, NAME, "User 58") == [(day, None)]
    assert _minutes(store, NAME, "User 287") == [(day, None)]
    assert one(store, "SELECT count(*) FROM attendance") == 2


def test_canvas_gradebook_is_refused_and_nothing_is_written(store) -> None:
    """Scores are not participation: ImportRefused with the reason, database unchanged."""
    name = "canvas/canvas-valid.csv"
    before = snapshot(store)
    with pytest.raises(service.ImportRefused, match="gradebook holds scores"):
        plan_for(store, _read(name), name, Link(new_cohort=cohort("Canvas")))
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("name", "actor", "day", "minutes"),
    [
        ("openedx_tracking_log/edx.course.enrollment.activated.json", "edx", date(2020, 7, 15),
         None),
        ("openedx_tracking_log/edx.grades.course.grade_calculated_letter_grade.json", "edX",
         date(2023, 8, 23), None),
        ("xapi/openedx_xapi_complete_video.json", "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb",
         date(2020, 7, 15), 3.25),  # "duration": "PT03M15S"
        ("xapi/openedx_xapi_edx.course.enrollment.activated.json",
         "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb", date(2020, 7, 15), None),
        ("xapi/openedx_xapi_edx.grades.course.grade_calculated_letter_grade.json",
         "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb", date(2023, 8, 23), None),
    ],
)  # fmt: skip
def test_learning_records_import_one_activity_day(store, name, actor, day, minutes) -> None:
    """Each JSON event or statement gives one activity row for its (hashed) actor, with the
    minutes of an xAPI duration. None of them completes the course: the completed statement
    is about a video, the others enrol and grade."""
    plan = plan_for(store, _read(name), name, Link(new_cohort=cohort("LRS")))
    assert (plan.kind, plan.rows_read, plan.rows_rejected) == ("lms_log", 1, 0)
    service.commit(store, plan)
    assert rows(store, "SELECT kind FROM attendance") == [("activity",)]
    assert _minutes(store, EMPLOYEE_ID, actor) == [(day, minutes)]
    assert rows(store, "SELECT count(*), count(completed_on) FROM enrolments") == [(1, 0)]


# --- personal data -----------------------------------------------------------------------------

# The same people answering a survey: e-mails in other case, names as Zoom shows them.
HERO_SURVEY = csv_bytes(
    "Email,Name,Submitted,I apply what I learned in my daily work",
    "Loki_Asgardian@Marvel.com,Loki Laufeyson,2021-11-20 09:00,Agree",
    "power-girl_kryptonian@dc.com,Kara Zor-L,2021-11-20 09:05,Strongly agree",
    "new.person@example.org,Norman Osborn,2021-11-20 09:10,Disagree",
)


NOVEMBER = cohort("Heroes", date(2021, 11, 1), date(2021, 11, 30))


def _heroes_and_their_survey(store: Store) -> None:
    """The Zoom report, then the survey into the same cohort."""
    import_zoom_heroes(store, Link(new_cohort=NOVEMBER))
    survey = Link(new_cohort=NOVEMBER, wave="post")
    import_bytes(store, HERO_SURVEY, "survey.csv", survey, kind="survey")


def _raw_identifiers() -> set[str]:
    """Every e-mail (case-folded) and every name word longer than 3 letters in both files."""
    zoom = (EXPORTS / HEROES).read_text()
    raw = set()
    for line in [*zoom.splitlines()[1:], *HERO_SURVEY.decode().splitlines()[1:]]:
        name, email = line.split(",")[:2]
        if "@" not in email:  # the survey's columns are the other way round
            name, email = email, name
        raw.add(email.casefold())
        words = name.replace("(", " ").replace(")", " ").split()
        raw.update(w.casefold() for w in words if len(w) > 3 and not w[:3].isdigit())
    return raw


def test_no_raw_email_or_name_is_stored(store) -> None:
    """After a Zoom report and a survey with e-mails and names, no VARCHAR value holds any."""
    raw = _raw_identifiers()
    assert {"loki_asgardian@marvel.com", "laufeyson", "osborn", "goblin"} <= raw
    _heroes_and_their_survey(store)
    assert one(store, "SELECT count(*) FROM survey_responses") == 3
    stored = [v.casefold() for v in varchar_values(store)]
    assert len(stored) > 100 and "heroes" in stored  # the scan does see the cohort's name
    assert sorted({r for r in raw for v in stored if r in v}) == []


def test_same_email_same_key_and_another_secret_other_keys(store, tmp_path, monkeypatch) -> None:
    """An e-mail in two files joins to one person; with another secret no key is the same."""
    _heroes_and_their_survey(store)
    both = rows(store, "SELECT DISTINCT r.person_key FROM survey_responses r "
                "JOIN attendance a USING (person_key) ORDER BY 1")  # fmt: skip
    heroes = ("loki_asgardian@marvel.com", "power-girl_kryptonian@dc.com")
    assert both == sorted((key_of(store, EMAIL, e),) for e in heroes)
    keys = {r[0] for r in rows(store, "SELECT person_key FROM attendance")}
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "other.key"))
    other = Store(tmp_path / "other" / "formatfit.duckdb")
    try:
        import_zoom_heroes(other, Link(new_cohort=NOVEMBER))
        other_keys = {r[0] for r in rows(other, "SELECT person_key FROM attendance")}
    finally:
        other.close()
    assert len(keys) == len(other_keys) == 27 and not keys & other_keys
