"""Column-meaning proposals, multi-select answers and saved mapping profiles (scales: see
test_ingest_scales.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.domain import ITEM_ROLES, READINESS_OPTIONS
from analysis.ingest.mapping import (
    ROLE_LABELS,
    ROLES,
    ColumnChoice,
    MappingProfile,
    apply_profile,
    describe_action,
    item_role,
    profile_from_proposals,
    profile_signature,
    propose_mapping,
)
from analysis.ingest.multiselect import (
    COLUMNS,
    COLUMNS_SINGLE,
    COMMA,
    SEMICOLON,
    SPACE,
    detect_multi_select,
    learn_options,
    selections_from_columns,
    split_multi,
)
from analysis.ingest.scales import SCALES, apply_scale, custom_scale, detect_scale

EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"


def _monkey(path: str, encoding: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A SurveyMonkey 2-header-row export named the way the decoder names it (Question | Option)."""
    text = (EXPORTS / path).read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text)))
    names, labels, question = [], {}, ""
    for top, sub in zip(rows[0], rows[1], strict=True):
        question = top.strip() or question
        opt = sub.strip()
        name = question if opt in ("", "Response", "Open-Ended Response") else f"{question} | {opt}"
        names.append(name)
        if name != question:
            labels[name] = question
    frame = pd.DataFrame(rows[2:], columns=range(len(names))).replace("", None)
    frame.columns = names
    return frame, labels


def test_star_wars_favourability_is_not_guessed():
    """'Very favorably' … is no known scale: no match, and the proposal asks about each label."""
    frame, labels = _monkey("surveymonkey/StarWars.csv", "mac_roman")
    han = next(c for c in frame.columns if c.endswith("| Han Solo"))
    assert detect_scale(frame[han]) is None
    props = {p.column: p for p in propose_mapping(list(frame.columns), labels, frame,
                                                   "survey", "surveymonkey")}  # fmt: skip
    assert props[han].scale is None and props[han].role == "other_item"
    assert set(props[han].unknown_labels) == {
        "Very favorably", "Somewhat favorably", "Neither favorably nor unfavorably (neutral)",
        "Somewhat unfavorably", "Very unfavorably",
    }  # fmt: skip
    fav = custom_scale("favourability5", {"Very unfavorably": 1, "Somewhat unfavorably": 2,
                       "Neither favorably nor unfavorably (neutral)": 3,
                       "Somewhat favorably": 4, "Very favorably": 5}, positive_min=4)  # fmt: skip
    out = apply_scale(frame[han], fav)
    assert out.ok and out.not_applicable == (frame[han] == "Unfamiliar (N/A)").sum()


# --- column-meaning proposals ----------------------------------------------------------------


def _roles(props) -> dict[str, tuple[str, str]]:
    return {p.column: (p.role, p.pii_action) for p in props}


def test_qualtrics_meta_columns_real_file():
    """Qualtrics: IP and location dropped, e-mail and external reference hashed, one date kept."""
    raw = pd.read_csv(EXPORTS / "qualtrics/qualtrics_sample.csv", dtype=str)
    labels = raw.iloc[0].to_dict()
    frame = raw.iloc[2:].reset_index(drop=True)
    props = propose_mapping(list(frame.columns), labels, frame, "survey", "qualtrics")
    assert _roles(props) == {
        "StartDate": ("ignore", "drop"), "EndDate": ("date", "keep"),
        "Status": ("ignore", "drop"), "IPAddress": ("ip_address", "drop"),
        "Progress": ("ignore", "drop"), "Duration (in seconds)": ("ignore", "drop"),
        "Finished": ("ignore", "drop"), "RecordedDate": ("ignore", "drop"),
        "ResponseId": ("response_id", "keep"), "RecipientLastName": ("last_name", "drop"),
        "RecipientFirstName": ("first_name", "drop"), "RecipientEmail": ("person_email", "hash"),
        "ExternalReference": ("person_id", "hash"), "LocationLatitude": ("location", "drop"),
        "LocationLongitude": ("location", "drop"), "DistributionChannel": ("ignore", "drop"),
        "UserLanguage": ("ignore", "drop"), "Q1": ("other_item", "keep"),
        "Q2": ("comment", "keep"), "Q2 - Topics": ("ignore", "drop"),
    }  # fmt: skip
    email = next(p for p in props if p.column == "RecipientEmail")
    assert email.action == (
        "E-mail: replaced by a keyed hash, so rows join per person; the address is not stored."
    )


def test_qualtrics_legacy_real_file():
    """Legacy Qualtrics (V1… tags, names in row 2): EmailAddress is an e-mail, not an address."""
    rows = list(csv.reader(io.StringIO(
        (EXPORTS / "qualtrics/qualtrics_sample_legacy.csv").read_text(encoding="utf-8-sig")
    )))  # fmt: skip
    names = [
        name if tag.startswith("V") else tag for tag, name in zip(rows[0], rows[1], strict=True)
    ]
    frame = pd.DataFrame(rows[2:], columns=names)
    roles = _roles(propose_mapping(names, {}, frame, "survey", "qualtrics_legacy"))
    assert roles["EmailAddress"] == ("person_email", "hash")
    assert roles["Name"] == ("person_name", "drop")
    assert roles["ExternalDataReference"] == ("person_id", "hash")
    assert roles["LocationAccuracy"] == ("location", "drop")
    assert roles[""] == ("ignore", "drop")


def test_surveymonkey_headers_and_learning_items():
    """SurveyMonkey meta columns plus L&D questions: roles from the wording, scales from values."""
    frame = pd.DataFrame({
        "RespondentID": ["11", "12", "13"], "CollectorID": ["9", "9", "9"],
        "Start Date": ["01/10/2025 09:00", "01/10/2025 09:05", "01/10/2025 09:07"],
        "End Date": ["01/10/2025 09:04", "01/10/2025 09:09", "01/10/2025 09:12"],
        "IP Address": ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
        "Email Address": ["a@x.org", "b@x.org", "c@x.org"], "First Name": ["A", "B", "C"],
        "Last Name": ["D", "E", "F"], "Custom Data 1": ["E-1", "E-2", "E-3"],
        "I have applied what I learned in my daily work": ["Agree", "Strongly agree", "Disagree"],
        "The course was relevant to my current role": ["Agree", "Agree", "Strongly agree"],
        "How likely are you to recommend this program to a colleague?": ["9", "10", "6"],
        "My learning group held me accountable": ["Often", "Always", "Sometimes"],
        "What prevented you from applying it?": ["Time", "No project", "Time"],
        "Any other comments?": ["Great", "More examples please", ""],
    })  # fmt: skip
    props = {p.column: p for p in propose_mapping(list(frame.columns), {}, frame, "survey",
                                                   "surveymonkey")}  # fmt: skip
    assert {c: (p.role, p.pii_action) for c, p in props.items()} == {
        "RespondentID": ("response_id", "keep"), "CollectorID": ("ignore", "drop"),
        "Start Date": ("ignore", "drop"), "End Date": ("date", "keep"),
        "IP Address": ("ip_address", "drop"), "Email Address": ("person_email", "hash"),
        "First Name": ("first_name", "drop"), "Last Name": ("last_name", "drop"),
        "Custom Data 1": ("person_id", "hash"),
        "I have applied what I learned in my daily work": ("application", "keep"),
        "The course was relevant to my current role": ("relevance", "keep"),
        "How likely are you to recommend this program to a colleague?": ("recommend", "keep"),
        "My learning group held me accountable": ("accountability", "keep"),
        "What prevented you from applying it?": ("barrier", "keep"),
        "Any other comments?": ("comment", "keep"),
    }  # fmt: skip
    assert props["I have applied what I learned in my daily work"].scale.scale.name == "agree5"
    assert props[
        "How likely are you to recommend this program to a colleague?"
    ].scale.scale.name == ("recommend11")
    assert props["My learning group held me accountable"].scale.scale.name == "frequency5"
    assert props["How likely are you to recommend this program to a colleague?"].action == (
        "Recommend (0-10): stored as 0–10 on Recommend (0 to 10); 9 or higher counts as positive."
    )


def test_google_forms_timestamp_email_and_checkboxes():
    """Google Forms: Timestamp is the date, e-mail hashed, a checkbox question is multi-select."""
    frame = pd.DataFrame({
        "Timestamp": ["1/15/2025 21:53:05", "1/15/2025 21:54:43", "1/16/2025 08:01:00",
                      "1/16/2025 09:12:44"],
        "Email Address": ["a@x.org", "b@x.org", "c@x.org", "d@x.org"],
        "Which formats did you try? (Select all that apply)": [
            "Book club", "Book club, Course with a buddy", "Course with a buddy", "Book club"],
        "Did you use what you learned at work?": ["Yes", "No", "Yes", "Yes"],
    })  # fmt: skip
    props = {p.column: p for p in propose_mapping(list(frame.columns), {}, frame, "survey",
                                                   "google_forms")}  # fmt: skip
    assert props["Timestamp"].role == "date" and props["Email Address"].pii_action == "hash"
    multi = props["Which formats did you try? (Select all that apply)"]
    assert multi.multi_select == COMMA
    assert multi.options == ("Book club", "Course with a buddy")
    used = props["Did you use what you learned at work?"]
    assert used.role == "application" and used.scale.scale.name == "yesno"


def test_microsoft_forms_real_file():
    """Microsoft Forms: Id, times, 'anonymous' e-mail (no address → not kept) and a blank name."""
    frame = pd.read_csv(EXPORTS / "microsoft_forms/Hot-Dog-Form-Fa24.csv", encoding="cp1252")
    props = propose_mapping(list(frame.columns), {}, frame, "survey", "microsoft_forms")
    roles = _roles(props)
    assert roles["Id"] == ("response_id", "keep")
    assert roles["Start time"] == ("ignore", "drop")
    assert roles["Completion time"] == ("date", "keep")
    assert roles["Email"] == ("ignore", "drop")
    assert roles["Name"] == ("person_name", "drop")
    assert next(p for p in props if p.column == "Email").reason == (
        "no e-mail addresses in the sample (e.g. 'anonymous')"
    )


def test_zoom_participant_report_real_file():
    """Zoom: name dropped (used only for confirmed matching), e-mail hashed, times and minutes."""
    frame = pd.read_csv(EXPORTS / "zoom/participants_heroes.csv")
    props = propose_mapping(list(frame.columns), {}, frame, "attendance", "zoom")
    assert _roles(props) == {
        "Name (Original Name)": ("person_name", "drop"), "User Email": ("person_email", "hash"),
        "Join Time": ("join_time", "keep"), "Leave Time": ("leave_time", "keep"),
        "Duration (Minutes)": ("minutes", "keep"), "Guest": ("ignore", "drop"),
        "Recording Consent": ("ignore", "drop"),
    }  # fmt: skip
    assert props[0].action == (
        "Name: used only to match people once you confirm each match; not stored."
    )


def test_teams_attendance_real_file_and_meeting_role():
    """Teams: Full Name, User Action, Timestamp (event time); a meeting 'Role' is no job role."""
    frame = pd.read_csv(EXPORTS / "teams/meetingAttendanceList.csv", encoding="utf-16", sep="\t")
    assert _roles(propose_mapping(list(frame.columns), {}, frame, "attendance", "teams")) == {
        "Full Name": ("person_name", "drop"), "User Action": ("user_action", "keep"),
        "Timestamp": ("date", "keep"),
    }  # fmt: skip
    newer = pd.DataFrame({"Name": ["A"], "First Join": ["1/2/24, 9:00 AM"],
                          "Last Leave": ["1/2/24, 10:00 AM"], "In-Meeting Duration": ["1h"],
                          "Email": ["a@x.org"], "Role": ["Attendee"]})  # fmt: skip
    roles = _roles(
        propose_mapping(list(newer.columns), {}, newer, "attendance", "teams_attendance")
    )
    assert roles["Role"] == ("ignore", "drop") and roles["First Join"] == ("join_time", "keep")


def test_german_survey():
    """A German survey: roles from German wording, German agreement labels, 0-10 recommend."""
    agree = ["Stimme zu", "Stimme voll und ganz zu", "Stimme eher nicht zu", "Weder noch"]
    frame = pd.DataFrame({
        "Zeitstempel": ["15.01.2025 09:00:00"] * 4,
        "E-Mail-Adresse": ["a@x.de", "b@x.de", "c@x.de", "d@x.de"],
        "Abteilung": ["Vertrieb", "IT", "IT", "HR"],
        "Ich habe das Gelernte in meiner Arbeit angewendet.": agree,
        "Ich fühle mich sicher, die Methode selbst einzusetzen.": agree,
        "Der Kurs war relevant für meine aktuelle Arbeit.": agree,
        "Wie wahrscheinlich ist es, dass Sie den Kurs weiterempfehlen?": ["8", "9", "10", "3"],
        "Was hat Sie daran gehindert, es anzuwenden?": ["Zeit", "Zeit", "Kein Projekt", ""],
        "Meine Lerngruppe hat mich in die Pflicht genommen.": agree,
        "Altersgruppe": ["18-29", "30-44", "30-44", "45-60"],
        "Kommentar": ["Sehr gut", "Mehr Praxis bitte", "", "Gut"],
    })  # fmt: skip
    props = {p.column: p for p in propose_mapping(list(frame.columns), {}, frame, "survey",
                                                   "generic")}  # fmt: skip
    assert {c: p.role for c, p in props.items()} == {
        "Zeitstempel": "date", "E-Mail-Adresse": "person_email", "Abteilung": "department",
        "Ich habe das Gelernte in meiner Arbeit angewendet.": "application",
        "Ich fühle mich sicher, die Methode selbst einzusetzen.": "confidence",
        "Der Kurs war relevant für meine aktuelle Arbeit.": "relevance",
        "Wie wahrscheinlich ist es, dass Sie den Kurs weiterempfehlen?": "recommend",
        "Was hat Sie daran gehindert, es anzuwenden?": "barrier",
        "Meine Lerngruppe hat mich in die Pflicht genommen.": "accountability",
        "Altersgruppe": "demographic", "Kommentar": "comment",
    }  # fmt: skip
    applied = props["Ich habe das Gelernte in meiner Arbeit angewendet."]
    assert applied.scale.scale.name == "agree5" and applied.scale.language == "de"
    assert applied.action == (
        "Application: stored as 1–5 on Agreement (5 points); 'Stimme zu' or higher counts as "
        "positive."
    )


def test_hr_roster():
    """An HR roster: e-mail and employee id hashed, name dropped, org fields kept."""
    frame = pd.DataFrame({
        "Email": ["a@x.org", "b@x.org", "c@x.org"], "Employee ID": ["E1", "E2", "E3"],
        "Full name": ["Ann A", "Bo B", "Cy C"], "Department": ["Sales", "IT", "IT"],
        "Team": ["North", "Platform", "Data"], "Job title": ["AE", "SRE", "Analyst"],
        "People manager": ["Yes", "No", "No"], "Manager email": ["m@x.org", "n@x.org", "n@x.org"],
        "Cohort": ["2025-A", "2025-A", "2025-B"], "Hire date": ["2020-01-01"] * 3,
    })  # fmt: skip
    props = propose_mapping(list(frame.columns), {}, frame, "roster", "generic")
    assert _roles(props) == {
        "Email": ("person_email", "hash"), "Employee ID": ("person_id", "hash"),
        "Full name": ("person_name", "drop"), "Department": ("department", "keep"),
        "Team": ("team", "keep"), "Job title": ("job_role", "keep"),
        "People manager": ("manager_flag", "keep"), "Manager email": ("ignore", "drop"),
        "Cohort": ("cohort", "keep"), "Hire date": ("ignore", "drop"),
    }  # fmt: skip


def test_survey_questions_about_team_or_manager_stay_items():
    """'My team …' or 'How supportive was your manager?' on a scale are items, not org fields."""
    frame = pd.DataFrame({
        "My team supported me": ["Agree", "Strongly agree", "Disagree"],
        "How supportive was your manager?": ["Very satisfied", "Satisfied", "Dissatisfied"],
        "Are you a people manager?": ["Yes", "No", "No"],
        "Which team are you in?": ["North", "South", "North"],
    })  # fmt: skip
    roles = {p.column: p.role for p in propose_mapping(list(frame.columns), {}, frame, "survey",
                                                       "generic")}  # fmt: skip
    assert roles == {"My team supported me": "other_item",
                     "How supportive was your manager?": "other_item",
                     "Are you a people manager?": "manager_flag",
                     "Which team are you in?": "team"}  # fmt: skip


def test_values_reveal_personal_data_whatever_the_header():
    """E-mails, IP addresses and geopoints are found by value under any header."""
    frame = pd.DataFrame({"contact": ["a@x.org", "b@y.com"], "src": ["1.2.3.4", "5.6.7.8"],
                          "gps here": ["47.1445 77.8249 637.9 0.0", "47.1446 77.8250 638.0 0.0"],
                          "readiness": [READINESS_OPTIONS[4], READINESS_OPTIONS[0]]})  # fmt: skip
    roles = _roles(propose_mapping(list(frame.columns), {}, frame, "survey", "generic"))
    assert roles == {
        "contact": ("person_email", "hash"), "src": ("ip_address", "drop"),
        "gps here": ("location", "drop"), "readiness": ("readiness", "keep"),
    }  # fmt: skip


def test_roles_outside_the_import_kind_are_ignored():
    """An attendance import has no survey items: a rating column is not imported there."""
    frame = pd.DataFrame({"Name": ["A"], "Date": ["2025-01-02"], "I applied it": ["Agree"]})
    props = propose_mapping(list(frame.columns), {}, frame, "attendance", "generic")
    assert _roles(props) == {"Name": ("person_name", "drop"),
                             "Date": ("session_date", "keep"),
                             "I applied it": ("ignore", "drop")}  # fmt: skip


def test_role_vocabulary_matches_the_domain():
    """Every item role maps onto domain.ITEM_ROLES, and every role has an on-screen label."""
    item_roles = ["application", "engagement", "relevance", "readiness", "confidence",
                  "accountability", "motivation", "barrier", "recommend", "comment",
                  "demographic", "other_item"]  # fmt: skip
    assert sorted(item_role(r) for r in item_roles) == sorted(ITEM_ROLES)
    assert set(ROLE_LABELS) == set(ROLES)
    assert describe_action("ip_address", "drop", "survey") == "IP address: dropped; not stored."
    assert describe_action("person_id", "drop", "survey") == (
        "Person identifier: dropped; rows from this file will not join to people."
    )


# --- multi-select --------------------------------------------------------------------------


def test_google_forms_option_containing_a_comma():
    """Options are learned from single answers, so 'Yes, but only online' stays one option."""
    cells = ["Yes, but only online", "Pairing", "Book club", "Pairing, Yes, but only online",
             "Book club, Pairing", "Book club, Yes, but only online, Pairing"]  # fmt: skip
    options, uncertain = learn_options(cells, COMMA)
    assert options == ["Pairing", "Book club", "Yes, but only online"]
    assert uncertain == ["Yes, but only online"]  # held a comma: the form asks to confirm
    assert split_multi(cells[5], COMMA, options) == ["Book club", "Yes, but only online", "Pairing"]
    assert split_multi("Pairing, Something new", COMMA, options) == ["Pairing", "Something new"]
    assert split_multi("", COMMA, options) == [] and split_multi(None, COMMA) == []


def test_kobo_space_separated_codes_real_file():
    """Kobo select_multiple: space-separated XML codes in one cell."""
    name = "paleocore-sss_artifact-form_-_all_versions_-_False_-_2022-08-01-05-36-18.csv"
    frame = pd.read_csv(EXPORTS / "kobo" / name, sep=";", dtype=str)
    found = {m.columns[0]: m for m in detect_multi_select(list(frame.columns), {}, frame,
                                                           "kobotoolbox")}  # fmt: skip
    assert found["Flake_type"].style == SPACE
    assert {"flake", "blade", "other", "bladelet"} <= set(found["Flake_type"].options)
    assert "Site_name" not in found and "Period" not in found  # capitalised words: text
    assert split_multi("double_patina core_on_flake_blade", SPACE) == [
        "double_patina", "core_on_flake_blade",
    ]  # fmt: skip


def test_surveymonkey_option_columns_real_file():
    """StarWars: six film columns repeat the title when seen; selections read per row."""
    frame, labels = _monkey("surveymonkey/StarWars.csv", "mac_roman")
    groups = detect_multi_select(list(frame.columns), labels, frame, "surveymonkey")
    films = next(g for g in groups if g.question.startswith("Which of the following Star Wars"))
    assert films.style == COLUMNS and len(films.columns) == 6
    assert films.options[3] == "Star Wars: Episode IV  A New Hope"
    picks = selections_from_columns(frame, films)
    assert len(picks[0]) == 6  # the first respondent saw all six
    assert max(len(p) for p in picks) == 6 and min(len(p) for p in picks) == 0
    # The character matrix holds ratings, not repeated options: no group.
    assert not any(g.question.startswith("Please state whether") for g in groups)


def test_expanded_single_choice_columns_real_file():
    """MIDWEST: 'A lot'/'Some'/'Not much'/'Not at all' columns, one filled per row."""
    frame, labels = _monkey("surveymonkey/MIDWEST.csv", "mac_roman")
    groups = detect_multi_select(list(frame.columns), labels, frame, "surveymonkey")
    midwest = next(g for g in groups if "Midwesterner" in g.question)
    assert midwest.style == COLUMNS_SINGLE
    assert midwest.options == ("A lot", "Some", "Not much", "Not at all")
    states = next(g for g in groups if g.question.startswith("Which of the following states"))
    assert states.style == COLUMNS and len(states.columns) == 20


def test_typeform_option_columns_named_by_the_option():
    """Typeform: each option is a column named by the option, holding it when chosen."""
    frame = pd.DataFrame({"#": ["t1", "t2", "t3"], "Slack": ["Slack", None, "Slack"],
                          "Teams": [None, "Teams", "Teams"], "Zoom": [None, None, None],
                          "Submit Date (UTC)": ["2025-01-02 10:00:00"] * 3})  # fmt: skip
    (group,) = detect_multi_select(list(frame.columns), {}, frame, "typeform")
    assert group.style == COLUMNS and group.columns == ("Slack", "Teams")
    assert selections_from_columns(frame, group) == [["Slack"], ["Teams"], ["Slack", "Teams"]]


def test_microsoft_forms_semicolons_and_free_text_with_commas():
    """Forms joins with ';' (trailing too); a free-text place with commas is not multi-select."""
    frame = pd.DataFrame({"Tools": ["Slack;Teams;", "Teams;", "Slack;", "Zoom;Slack;"]})
    (found,) = detect_multi_select(["Tools"], {}, frame, "microsoft_forms")
    assert found.style == SEMICOLON and found.options == ("Slack", "Teams", "Zoom")
    assert split_multi("Zoom;Slack;", SEMICOLON, found.options) == ["Zoom", "Slack"]
    hotdog = pd.read_csv(EXPORTS / "google_forms/DS-4002-sp24-survey-results.csv", dtype=str)
    born = "What state or country were you born in?"
    assert detect_multi_select([born], {}, hotdog, "google_forms") == []


@given(
    st.lists(st.sampled_from(["Alpha", "Beta, gamma", "Delta", "Yes, but rarely", "Zeta"]),
             min_size=1, max_size=5, unique=True)
)  # fmt: skip
def test_split_multi_recovers_any_selection(chosen):
    """Joining any selection with ', ' and splitting with the option set gives it back."""
    options = ["Alpha", "Beta, gamma", "Delta", "Yes, but rarely", "Zeta"]
    assert split_multi(", ".join(chosen), COMMA, options) == chosen


# --- profiles ------------------------------------------------------------------------------


def test_profile_signature_ignores_order_case_and_spacing_not_columns():
    """Same columns in another order or case → same signature; one more column → different."""
    cols = ["Timestamp", "Email Address", "I applied it"]
    sig = profile_signature(cols)
    assert sig == profile_signature(["i applied  it", "EMAIL ADDRESS", "Timestamp"])
    assert sig != profile_signature([*cols, "Department"])
    assert profile_signature(["A", "A"]) != profile_signature(["A"])
    assert sig.startswith("v1:") and len(sig) == 23


def test_profile_json_round_trip_and_reapply():
    """A profile saved from confirmed proposals comes back equal and re-applies its choices."""
    frame = pd.DataFrame({"Timestamp": ["1/2/2025 10:00:00"], "Email Address": ["a@x.org"],
                          "I applied it": ["Agree"], "Vibe": ["Meh"]})  # fmt: skip
    props = propose_mapping(list(frame.columns), {}, frame, "survey", "google_forms")
    props[3] = props[3].__class__(**{**props[3].__dict__, "role": "application",
                                     "extra_labels": {"Meh": 3.0}})  # fmt: skip
    profile = profile_from_proposals("Pulse survey", "google_forms", "survey", props)
    text = profile.to_json()
    back = MappingProfile.from_json(text)
    assert back == profile and json.loads(text)["columns"]["Vibe"]["extra_labels"] == {"Meh": 3.0}
    assert back.matches(["vibe", "I applied it", "Email Address", "Timestamp"])
    fresh = propose_mapping(list(frame.columns), {}, frame, "survey", "google_forms")
    again = {p.column: p for p in apply_profile(fresh, back)}
    assert again["Vibe"].role == "application" and again["Vibe"].extra_labels == {"Meh": 3.0}
    assert again["Email Address"].pii_action == "hash" and again["Vibe"].confidence == 1.0


def test_profile_cannot_keep_personal_data():
    """A stored profile cannot turn an e-mail into a kept column or invent roles."""
    with pytest.raises(ValueError):
        ColumnChoice("person_email", "keep")
    with pytest.raises(ValueError):
        ColumnChoice("ip_address", "hash")
    bad = {"version": 1, "name": "x", "tool": "t", "kind": "survey", "signature": "v1:0",
           "columns": {"Email": {"role": "person_email", "pii_action": "keep"}}}  # fmt: skip
    with pytest.raises(ValueError):
        MappingProfile.from_json(json.dumps(bad))
    with pytest.raises(ValueError):
        MappingProfile.from_json("[1, 2]")
    assert ColumnChoice("person_email", "drop").pii_action == "drop"  # stricter is allowed


def test_custom_scale_choice_round_trips_and_resolves():
    """A scale the person defined (favourability) is stored with its labels and cut-off."""
    labels = {"Very unfavorably": 1.0, "Somewhat favorably": 4.0, "Very favorably": 5.0,
              "Unfamiliar (N/A)": None}  # fmt: skip
    choice = ColumnChoice("other_item", scale="favourability5", extra_labels=labels,
                          positive_min=4.0)  # fmt: skip
    profile = MappingProfile("p", "surveymonkey", "survey", "v1:x", {"Han Solo": choice})
    back = MappingProfile.from_json(profile.to_json()).columns["Han Solo"]
    assert back == choice
    scale = back.resolve_scale()
    assert (scale.name, scale.scale_min, scale.scale_max, scale.positive_min) == (
        "favourability5", 1.0, 5.0, 4.0,
    )  # fmt: skip
    out = apply_scale(["Very favorably", "Unfamiliar (N/A)", "Meh"], scale, back.extra_labels)
    assert out.values == [5.0, None, None] and [o.label for o in out.off_scale] == ["Meh"]
    assert ColumnChoice("application", scale="agree5").resolve_scale() is SCALES["agree5"]
    with pytest.raises(ValueError):
        ColumnChoice("other_item", scale="favourability5", extra_labels=labels)  # no cut-off


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("What year are you in?", ["1", "2", "3", "4", "2", "3"]),
        ("If you are an undergraduate, what is your current academic year?",
         ["First year", "Second year", "Fourth year", "Third year"]),
        ("Semester", ["1", "3", "5", "2"]),
    ],
)  # fmt: skip
def test_year_of_study_is_a_demographic_not_a_rating(header, values):
    """A 1–4 year of study is a category to split by, never proposed as an agreement scale."""
    frame = pd.DataFrame({header: values})
    (prop,) = propose_mapping([header], {}, frame, "survey", "google_forms")
    assert prop.role == "demographic" and prop.scale is None
    assert prop.action.startswith("Demographic: stored to split figures")
