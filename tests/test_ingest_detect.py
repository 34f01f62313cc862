"""The importer's decoding and detection layer, on every real export and on awkward built cases."""

from __future__ import annotations

import io
import json
import os
import random
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest import (
    DecodedTable,
    UnreadableFile,
    decode,
    detect_dates,
    detect_encoding,
    read_table,
    sniff,
    to_number,
)

EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"


def _exports() -> Path:
    """The shared exports folder; its absence fails in CI and skips elsewhere."""
    if not EXPORTS.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the shared exports are missing: {EXPORTS}")
        pytest.skip(f"no shared exports at {EXPORTS}")
    return EXPORTS


def _read(rel: str, **kwargs: object) -> DecodedTable:
    path = _exports() / rel
    return read_table(path.read_bytes(), path.name, **kwargs)


# file -> (encoding, delimiter, header rows, skip rows, tool, kind, data rows, columns, day-first)
EXPECTED: dict[str, tuple] = {
    "canvas/canvas-valid.csv": (
        "utf-8", ",", 1, 0, "canvas_gradebook", "gradebook", 3, 7, None,
    ),
    "google_forms/DS-4002-sp24-survey-results.csv": (
        "utf-8", ",", 1, 0, "google_forms", "survey", 91, 7, False,
    ),
    "google_forms/DS-4002-sp24-survey-results.xlsx": (
        "utf-8", ",", 1, 0, "google_forms", "survey", 91, 7, None,
    ),
    "google_forms/Is hotdog a sandwich_ (Responses).xlsx": (
        "utf-8", ",", 1, 0, "google_forms", "survey", 207, 3, None,
    ),
    "google_forms/hot_dog_survey_spring25.xlsx - Form Responses 1.csv": (
        "utf-8", ",", 1, 0, "google_forms", "survey", 64, 9, False,
    ),
    "kobo/paleocore-sss_artifact-form_-_all_versions_-_False_-_2022-08-01-05-36-18.csv": (
        "utf-8", ";", 1, 0, "kobotoolbox", "survey", 3203, 88, None,
    ),
    "limesurvey/survey_100001_R_data_file.csv": (
        "utf-8-sig", ",", 1, 0, "limesurvey", "survey", 3, 646, None,
    ),
    "limesurvey/survey_998192_R_data_file.csv": (
        "utf-8-sig", ",", 1, 0, "limesurvey", "survey", 7, 71, None,
    ),
    "microsoft_forms/Hot-Dog-Form-Fa24.csv": (
        "cp1252", ",", 1, 0, "microsoft_forms", "survey", 187, 8, None,
    ),
    "moodle/example_platform_logs.csv": (
        "utf-8", ",", 1, 0, "moodle_log", "lms_log", 20, 9, True,
    ),
    "openedx_tracking_log/edx.course.enrollment.activated.json": (
        "utf-8", ",", 0, 0, "openedx_tracking", "lms_log", 1, 16, None,
    ),
    "openedx_tracking_log/edx.grades.course.grade_calculated_letter_grade.json": (
        "utf-8", ",", 0, 0, "openedx_tracking", "lms_log", 1, 16, None,
    ),
    "qualtrics/qualtrics_sample.csv": (
        "utf-8", ",", 3, 0, "qualtrics", "survey", 1, 20, None,
    ),
    "qualtrics/qualtrics_sample_legacy.csv": (
        "utf-8-sig", ",", 2, 0, "qualtrics_legacy", "survey", 1, 15, None,
    ),
    "surveymonkey/MIDWEST.csv": (
        "utf-8", ",", 2, 0, "surveymonkey", "survey", 2778, 53, None,
    ),
    "surveymonkey/StarWars.csv": (
        "mac_roman", ",", 2, 0, "surveymonkey", "survey", 1186, 38, None,
    ),
    "surveymonkey/food-world-cup-data.csv": (
        "mac_roman", ",", 1, 0, "surveymonkey", "survey", 1373, 48, None,
    ),
    "surveymonkey/religion-survey-results.csv": (
        "utf-8", ",", 2, 0, "surveymonkey", "survey", 1039, 48, None,
    ),
    "surveymonkey/sleeping-alone-data.csv": (
        "mac_roman", ",", 2, 0, "surveymonkey", "survey", 1093, 31, None,
    ),
    "surveymonkey/steak-risk-survey.csv": (
        "utf-8", ",", 2, 0, "surveymonkey", "survey", 550, 15, None,
    ),
    "teams/meetingAttendanceList.csv": (
        "utf-16-le", "\t", 1, 0, "teams_attendance", "attendance", 38, 3, True,
    ),
    "xapi/openedx_xapi_complete_video.json": (
        "utf-8", ",", 0, 0, "xapi", "lms_log", 1, 16, None,
    ),
    "xapi/openedx_xapi_edx.course.enrollment.activated.json": (
        "utf-8", ",", 0, 0, "xapi", "lms_log", 1, 16, None,
    ),
    "xapi/openedx_xapi_edx.grades.course.grade_calculated_letter_grade.json": (
        "utf-8", ",", 0, 0, "xapi", "lms_log", 1, 16, None,
    ),
    "zoom/participants_heroes.csv": (
        "utf-8", ",", 1, 0, "zoom", "attendance", 31, 7, False,
    ),
    "zoom/participants_heroes_full.csv": (
        "utf-8", ",", 1, 3, "zoom", "attendance", 31, 7, False,
    ),
}  # fmt: skip

MULTILINE_ANSWER = "Idk, seems right\nalso, 2 bread w/ stuff in it"  # a quoted line break
MIDWEST_NOT_MUCH = "How much, if at all, do you personally identify as a Midwesterner? | Not much"
FOOD_INTEREST = (
    "How much, if at all, are you interested in cuisines from different parts of the world?"
)
RELATIONSHIP = "Which of the following best describes your current relationship status?"

# file -> [(data row index, column, exact decoded value)]
CELLS: dict[str, list[tuple[int, str, str | None]]] = {
    "canvas/canvas-valid.csv": [
        (0, "Student", "Lovelace, Ada"),
        (1, "H2 (15461093)", None),
        (2, "SIS Login ID", "kjj3"),
    ],
    "google_forms/DS-4002-sp24-survey-results.csv": [(0, "Timestamp", "1/18/2024 14:18")],
    "google_forms/DS-4002-sp24-survey-results.xlsx": [
        (0, "Timestamp", "2024-01-18 14:18:57.066"),
        (1, "What is the rationale behind your opinion?", None),
    ],
    "google_forms/Is hotdog a sandwich_ (Responses).xlsx": [
        (0, "Timestamp", "2025-08-29 17:17:56.622"),
        (0, "What year are you in?", "4"),
        (0, "Is hotdog a sandwich?", "Yes"),
    ],
    "google_forms/hot_dog_survey_spring25.xlsx - Form Responses 1.csv": [
        (0, "Timestamp", "1/15/2025 21:53:05"),
        (9, "What is the rationale behind your opinion?", MULTILINE_ANSWER),
    ],
    "kobo/paleocore-sss_artifact-form_-_all_versions_-_False_-_2022-08-01-05-36-18.csv": [
        (0, "start", "2021-12-06T10:00:09.772+06:00"),
        (0, "Site_name", "Semizbugu 10A"),
        (3202, "_index", "3203"),
    ],
    "limesurvey/survey_100001_R_data_file.csv": [
        (0, "Where do you live?", "af00"),
        (0, "Column 10", "unknw"),
        (1, "Date submitted", None),
    ],
    "limesurvey/survey_998192_R_data_file.csv": [
        (0, "Start language", "en"),
        (1, "Start language", "nl-informal"),
    ],
    "microsoft_forms/Hot-Dog-Form-Fa24.csv": [
        (0, "Start time", "9/1/2024 11:27"),
        (0, "Email", "anonymous"),
        (0, "Name", None),
        (57, "What is your major?", "Computer Science’s "),
    ],
    "moodle/example_platform_logs.csv": [
        (0, "Time", "23/01/23, 12:09"),
        (0, "User full name", "User 58"),
        (0, "Event name", "Log report viewed"),
    ],
    "openedx_tracking_log/edx.course.enrollment.activated.json": [
        (0, "actor", "edx"),
        (0, "verb", "edx.course.enrollment.activated"),
        (0, "course", "course-v1:edX+DemoX+Demo_Course"),
        (0, "timestamp", "2020-07-15T06:36:01.917775+00:00"),
    ],
    "openedx_tracking_log/edx.grades.course.grade_calculated_letter_grade.json": [
        (0, "actor", "edX"),
        (0, "score_scaled", "1.0"),
        (0, "grade", "Pass"),
        (0, "timestamp", "2023-08-23T20:37:45.526615+00:00"),
    ],
    "qualtrics/qualtrics_sample.csv": [
        (0, "ResponseId", "R_2YPOQ602ER1jkf1"),
        (0, "Q2", "Hello World!"),
        (0, "Q2 - Topics", None),
    ],
    "qualtrics/qualtrics_sample_legacy.csv": [
        (0, "ResponseSet", "Standard-Antwortsatz"),
        (0, "Q2", "Hello World!"),
    ],
    "surveymonkey/MIDWEST.csv": [
        (0, "RespondentID", "3126807211"),
        (0, MIDWEST_NOT_MUCH, "Not much"),
    ],
    "surveymonkey/StarWars.csv": [
        (0, "RespondentID", "3292879998"),
        (0, "Which character shot first?", "I don't understand this question"),
    ],
    "surveymonkey/food-world-cup-data.csv": [
        (0, "RespondentID", "3308895255"),
        (3, FOOD_INTEREST, "Not much\xa0"),
    ],
    "surveymonkey/religion-survey-results.csv": [
        (0, "What is your present religion, if any?", "None of these"),
        (0, "What is your present religion, if any? | None of these", "Wesleyan Christian"),
    ],
    "surveymonkey/sleeping-alone-data.csv": [
        (0, "StartDate", "7/10/14 18:37"),
        (0, RELATIONSHIP, "Single, but cohabiting with a significant other"),
    ],
    "surveymonkey/steak-risk-survey.csv": [
        (0, "RespondentID", "3237565956"),
        (0, "Do you ever smoke cigarettes?", None),
    ],
    "teams/meetingAttendanceList.csv": [
        (0, "Full Name", "Mustermann Max"),
        (0, "Timestamp", "11/12/2020, 12:27:24"),
        (37, "Full Name", "Müller Hans"),
        (37, "User Action", "Left"),
    ],
    "xapi/openedx_xapi_complete_video.json": [
        (0, "verb", "completed"),
        (0, "completion", "true"),
        (0, "duration", "PT03M15S"),
        (0, "course", "http://localhost:18000/course/course-v1:edX+DemoX+Demo_Course"),
    ],
    "xapi/openedx_xapi_edx.course.enrollment.activated.json": [
        (0, "actor", "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb"),
        (0, "verb_id", "http://adlnet.gov/expapi/verbs/registered"),
        (0, "object_name", "Demonstration Course"),
    ],
    "xapi/openedx_xapi_edx.grades.course.grade_calculated_letter_grade.json": [
        (0, "verb", "earned"),
        (0, "score_scaled", "1.0"),
        (0, "score_max", "1.0"),
        (0, "grade", "Pass"),
    ],
    "zoom/participants_heroes.csv": [
        (0, "Join Time", "11/19/2021 09:54:15 AM"),
        (6, "Name (Original Name)", "011_Green Goblin (Norman Osborn)"),
    ],
    "zoom/participants_heroes_full.csv": [
        (0, "Name (Original Name)", "015_Loki (Loki Laufeyson)"),
        (0, "Join Time", "11/19/2021 9:54:15 AM"),
        (6, "Name (Original Name)", "011_Green Goblin (Norman Osborn)"),
        (30, "Duration (Minutes)", "98"),
    ],
}


def test_every_shared_export_has_expectations() -> None:
    """A new file in the shared folder must get expectations here, not go untested."""
    files = {
        p.relative_to(_exports()).as_posix()
        for p in _exports().rglob("*")
        if p.is_file() and p.name != "PROVENANCE.md"
    }
    assert files == set(EXPECTED)
    assert set(CELLS) == set(EXPECTED)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_shared_export_detection(rel: str) -> None:
    encoding, delimiter, header_rows, skip_rows, tool, kind, n_rows, n_cols, day_first = EXPECTED[
        rel
    ]
    table = _read(rel)
    d = table.detection
    assert (d.encoding, d.delimiter, d.header_rows, d.skip_rows) == (
        encoding,
        delimiter,
        header_rows,
        skip_rows,
    )
    assert (d.tool, d.kind, d.day_first) == (tool, kind, day_first)
    assert len(table.frame) == n_rows
    assert len(table.columns) == n_cols
    assert list(table.frame.columns) == table.columns
    assert len({c.casefold() for c in table.columns}) == n_cols  # unique, case-insensitively
    assert all(c.strip() for c in table.columns)
    for row, column, value in CELLS[rel]:
        assert table.frame.at[row, column] == value, (row, column)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_preview_is_the_head_of_the_full_read(rel: str) -> None:
    full, preview = _read(rel), _read(rel, max_rows=4)
    assert preview.columns == full.columns
    assert preview.frame.equals(full.frame.head(4))
    assert preview.truncated == (len(full.frame) > 4)


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("surveymonkey/StarWars.csv", "mac_roman"),
        ("surveymonkey/sleeping-alone-data.csv", "mac_roman"),
        ("surveymonkey/food-world-cup-data.csv", "mac_roman"),
        ("microsoft_forms/Hot-Dog-Form-Fa24.csv", "cp1252"),
        ("teams/meetingAttendanceList.csv", "utf-16-le"),
        ("qualtrics/qualtrics_sample_legacy.csv", "utf-8-sig"),
        ("qualtrics/qualtrics_sample.csv", "utf-8"),
    ],
)
def test_detect_encoding_of_real_files(rel: str, expected: str) -> None:
    data = (_exports() / rel).read_bytes()
    assert detect_encoding(data) == expected
    assert detect_encoding(data[:65536]) == expected


def test_macroman_and_cp1252_characters_decode_as_the_tool_wrote_them() -> None:
    star_wars = _read("surveymonkey/StarWars.csv")
    assert "Do you consider yourself to be a fan of the Expanded Universe?åÊ" in star_wars.columns
    food = _read("surveymonkey/food-world-cup-data.csv")
    assert food.columns[1] == (
        "Generally speaking, how would you rate your level of knowledge of cuisines from "
        "different parts of the world?"
    )  # MacRoman 0xCA is a no-break space, tidied to a space in the column name
    sleeping = _read("surveymonkey/sleeping-alone-data.csv")
    assert any('statement:Î_"our sex life' in text for text in sleeping.labels.values())
    text = decode((_exports() / "microsoft_forms/Hot-Dog-Form-Fa24.csv").read_bytes())
    assert text.count("’") == 1 and "\r" not in text


def test_multi_row_headers_are_combined_with_labels() -> None:
    qualtrics = _read("qualtrics/qualtrics_sample.csv")
    assert qualtrics.columns[:3] == ["StartDate", "EndDate", "Status"]
    assert qualtrics.labels["Q1"] == "This is a multiple choice question."
    assert qualtrics.labels["RecipientLastName"] == "Nachname des Empfängers"
    legacy = _read("qualtrics/qualtrics_sample_legacy.csv")
    assert legacy.columns[:2] == ["ResponseID", "ResponseSet"]
    assert legacy.columns[-1] == "LocationAccuracy"  # the trailing comma's empty column is gone
    assert legacy.labels == {
        "Q1": "This is a multiple choice question.",
        "Q2": "This is a free text question.",
    }
    star_wars = _read("surveymonkey/StarWars.csv")
    name = star_wars.columns[3]
    assert name.endswith(" | Star Wars: Episode I The Phantom Menace")
    assert star_wars.labels[name] == (
        "Which of the following Star Wars films have you seen? Please select all that apply."
    )
    assert star_wars.frame.at[0, name] == "Star Wars: Episode I  The Phantom Menace"
    midwest = _read("surveymonkey/MIDWEST.csv")
    assert midwest.columns[-1] == "Location (Census Region) | Pacific"


def test_duplicate_and_empty_headers_become_unique_names() -> None:
    lime = _read("limesurvey/survey_100001_R_data_file.csv")
    assert lime.columns[9] == "Column 10"
    assert lime.columns[10] == "[Other]"
    base = "If I get help for drug-related problems, ..."
    repeated = [c for c in lime.columns if c == base or c.startswith(base + " (")]
    assert repeated[:3] == [
        "If I get help for drug-related problems, ...",
        "If I get help for drug-related problems, ... (2)",
        "If I get help for drug-related problems, ... (3)",
    ]
    long = _read("limesurvey/survey_998192_R_data_file.csv")
    consent = long.columns[7]
    assert len(consent) <= 120 and consent.endswith("…")
    assert len(long.labels[consent]) == 1227  # the 1,235-character header, whitespace tidied


def test_rows_that_are_not_data_are_dropped_with_reasons() -> None:
    canvas = _read("canvas/canvas-valid.csv")
    assert canvas.dropped_rows == [
        (2, "Canvas posting-policy row"),
        (3, "Canvas points-possible row"),
        (7, "Canvas test student"),
    ]
    assert canvas.frame["Student"].tolist() == [
        "Lovelace, Ada",
        "Hopper, Grace",
        "Johnson, Katherine",
    ]
    moodle = _read("moodle/example_platform_logs.csv")
    assert moodle.columns[0] == "Time"  # pandas' unnamed index column is dropped
    assert "dropped an unnamed index column (written by pandas)" in moodle.detection.notes
    zoom = _read("zoom/participants_heroes_full.csv")
    assert "skipped Zoom meeting block (3 rows)" in zoom.detection.notes
    assert (zoom.frame["Recording Consent"] == "NA").sum() == 6


def test_csv_and_xlsx_of_the_same_google_form_agree() -> None:
    csv_table = _read("google_forms/DS-4002-sp24-survey-results.csv")
    xlsx_table = _read("google_forms/DS-4002-sp24-survey-results.xlsx")
    assert csv_table.columns == xlsx_table.columns
    assert csv_table.frame.iloc[:, 1:].equals(xlsx_table.frame.iloc[:, 1:])
    assert xlsx_table.detection.sheet == "Form Responses 1"


def test_sniff_on_a_prefix_matches_the_full_detection() -> None:
    rel = "kobo/paleocore-sss_artifact-form_-_all_versions_-_False_-_2022-08-01-05-36-18.csv"
    data = (_exports() / rel).read_bytes()
    head = sniff(data[:20000], "kobo.csv")
    assert head == _read(rel).detection
    assert (head.delimiter, head.tool) == (";", "kobotoolbox")


def test_overrides_change_each_setting() -> None:
    teams = _read("teams/meetingAttendanceList.csv", overrides={"day_first": False})
    assert teams.detection.day_first is False
    flat = _read("surveymonkey/steak-risk-survey.csv", overrides={"header_rows": 1})
    assert flat.detection.header_rows == 1
    assert flat.frame.iat[0, 1] == "Response" and len(flat.frame) == 551
    latin = _read("surveymonkey/food-world-cup-data.csv", overrides={"encoding": "latin-1"})
    assert latin.detection.encoding == "latin-1"
    assert latin.frame.iat[3, 2] == "Not muchÊ"
    generic = _read("zoom/participants_heroes_full.csv", overrides={"tool": "generic"})
    assert (generic.detection.tool, generic.detection.kind) == ("generic", "unknown")
    assert generic.columns[0] == "Meeting ID"
    skipped = _read(
        "zoom/participants_heroes_full.csv", overrides={"tool": "generic", "skip_rows": 3}
    )
    assert skipped.detection.kind == "attendance" and len(skipped.frame) == 31
    with pytest.raises(UnreadableFile, match="delimiter"):
        _read("zoom/participants_heroes.csv", overrides={"delimiter": ":"})
    with pytest.raises(UnreadableFile, match="Unknown setting"):
        _read("zoom/participants_heroes.csv", overrides={"colour": "red"})


# ---- awkward files built in code -------------------------------------------------------------

TEAMS_TEXT = (
    "Full Name\tUser Action\tTimestamp\n"
    "Müller Hans\tJoined\t03/02/2021, 09:01:12\n"
    "Müller Hans\tLeft\t03/02/2021, 10:15:40\n"
    "Øster Åse\tJoined\t03/02/2021, 09:03:00"
)


def test_utf16_tab_separated_teams_list() -> None:
    data = TEAMS_TEXT.replace("\n", "\r\n").encode("utf-16")  # with a BOM, like Teams
    table = read_table(data, "meetingAttendanceList.csv")
    d = table.detection
    assert (d.encoding, d.delimiter, d.tool, d.kind) == (
        "utf-16-le",
        "\t",
        "teams_attendance",
        "attendance",
    )
    assert d.day_first is True  # 24-hour clock and no AM/PM: the day-first locale
    assert table.frame["Full Name"].tolist() == ["Müller Hans", "Müller Hans", "Øster Åse"]
    assert table.frame.at[1, "Timestamp"] == "03/02/2021, 10:15:40"


def test_utf16_be_with_and_without_bom() -> None:
    for data in (TEAMS_TEXT.encode("utf-16-be"), b"\xfe\xff" + TEAMS_TEXT.encode("utf-16-be")):
        table = read_table(data, "list.txt")
        assert table.detection.encoding == "utf-16-be"
        assert table.frame.iat[2, 0] == "Øster Åse"
        assert table.columns == ["Full Name", "User Action", "Timestamp"]


def test_us_teams_list_with_am_pm_is_month_first() -> None:
    text = "Full Name\tUser Action\tTimestamp\nLee Ann\tJoined\t12/13/2020, 1:27:24 PM\n"
    table = read_table(text.encode("utf-16-le"), "list.csv")
    assert table.detection.encoding == "utf-16-le"
    assert table.detection.day_first is False


def test_semicolon_cp1252_sheet_with_decimal_commas_and_day_first_dates() -> None:
    text = (
        "Name;Abteilung;Bewertung;Datum;Kommentar\r\n"
        "Müller;Vertrieb;3,5;25.03.2025;„gut“\r\n"
        "José;Marketing;4,0;02.04.2025;O’Brien’s idea\r\n"
        "Zoë;Einkauf;1.234,5;07.04.2025;\r\n"
    )
    table = read_table(text.encode("cp1252"), "export.csv")
    d = table.detection
    assert (d.encoding, d.delimiter, d.decimal_comma, d.day_first) == ("cp1252", ";", True, True)
    assert table.frame["Name"].tolist() == ["Müller", "José", "Zoë"]
    assert table.frame.at[1, "Kommentar"] == "O’Brien’s idea"
    assert table.frame.at[2, "Kommentar"] is None
    assert [to_number(v, d.decimal_comma) for v in table.frame["Bewertung"]] == [3.5, 4.0, 1234.5]


def test_macroman_sheet_is_told_apart_from_cp1252() -> None:
    text = "Name,Team\nMüller,Vertrieb\nJosé,Café crew\nZoë,naïve\n"
    assert detect_encoding(text.encode("mac_roman")) == "mac_roman"
    assert detect_encoding(text.encode("cp1252")) == "cp1252"
    table = read_table(text.encode("mac_roman"), "x.csv")
    assert table.frame["Name"].tolist() == ["Müller", "José", "Zoë"]


def test_zoom_report_with_meeting_block_and_blank_line() -> None:
    text = (
        "Topic,ID,Host,Duration (minutes),Start time,End time,Participants\r\n"
        "Weekly sync,812 3456 7890,host@example.com,60,03/25/2025 09:00:00 AM,"
        "03/25/2025 10:00:00 AM,2\r\n"
        "\r\n"
        "Name (original name),Email,Join time,Leave time,Duration (minutes),Guest\r\n"
        "Ana Lima,ana@example.com,03/25/2025 09:01:00 AM,03/25/2025 09:59:00 AM,58,No\r\n"
        "Bo Chen (Bo),bo@example.com,03/25/2025 09:02:00 AM,03/25/2025 09:40:00 AM,38,No\r\n"
    )
    table = read_table(text.encode(), "participants_812.csv")
    d = table.detection
    assert (d.tool, d.kind, d.skip_rows, d.header_rows) == ("zoom", "attendance", 3, 1)
    assert d.day_first is False
    assert "skipped Zoom meeting block (3 rows)" in d.notes
    assert table.frame["Name (original name)"].tolist() == ["Ana Lima", "Bo Chen (Bo)"]


def test_teams_report_with_sections_stops_at_the_next_section() -> None:
    text = (
        "1. Summary\n"
        "Meeting title\tBook club\n"
        "Attended participants\t2\n"
        "\n"
        "2. Participants\n"
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tRole\n"
        "Ana Lima\t3/25/25, 9:01:00 AM\t3/25/25, 9:59:00 AM\t58m\tana@example.com\tOrganizer\n"
        "Bo Chen\t3/25/25, 9:02:00 AM\t3/25/25, 9:40:00 AM\t38m\tbo@example.com\tAttendee\n"
        "\n"
        "3. In-Meeting Activities\n"
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
        "Ana Lima\t3/25/25, 9:01:00 AM\t3/25/25, 9:59:00 AM\t58m\tana@example.com\tOrganizer\n"
    )
    table = read_table(text.encode("utf-16"), "Book club - Attendance report.csv")
    d = table.detection
    assert (d.tool, d.delimiter, d.skip_rows) == ("teams_attendance", "\t", 5)
    assert table.frame["Name"].tolist() == ["Ana Lima", "Bo Chen"]
    assert any("3. In-Meeting Activities" in note for note in d.notes)


def _forms_workbook() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    setup = book.active
    setup.title = "setUp"
    setup.append(["Question", "Type"])
    setup.append(["How useful was the session?", "Likert"])
    sheet = book.create_sheet("Form1")
    sheet.append(["Id", "Start time", "Completion time", "Email", "Name", "How useful was it?"])
    sheet.append(
        [
            1,
            datetime(2025, 3, 25, 9, 15),
            datetime(2025, 3, 25, 9, 17, 30),
            "a@x.org",
            "Ana",
            "Very",
        ]
    )
    sheet.append(
        [2, datetime(2025, 3, 26, 14, 0), datetime(2025, 3, 26, 14, 2), "b@x.org", None, 4]
    )
    sheet.append([3, 45741.5, 45741.55, "c@x.org", "Cy", "Somewhat"])  # bare serials, no format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_microsoft_forms_xlsx_with_real_datetimes() -> None:
    data = _forms_workbook()
    table = read_table(data, "upload.bin")  # detected by content, not by the name
    d = table.detection
    assert (d.file_format, d.sheet, d.tool, d.kind) == (
        "xlsx",
        "Form1",
        "microsoft_forms",
        "survey",
    )
    assert table.frame["Start time"].tolist() == [
        "2025-03-25 09:15:00",
        "2025-03-26 14:00:00",
        "2025-03-25 12:00:00",
    ]
    assert table.frame["Completion time"].tolist()[:2] == [
        "2025-03-25 09:17:30",
        "2025-03-26 14:02:00",
    ]
    assert table.frame["Id"].tolist() == ["1", "2", "3"]
    assert table.frame["Name"].tolist() == ["Ana", None, "Cy"]
    assert table.frame["How useful was it?"].tolist() == ["Very", "4", "Somewhat"]
    assert sniff(data, "upload.bin").tool == "microsoft_forms"


def test_utf8_bom_pipe_delimited_roster() -> None:
    text = (
        "Email|Employee ID|Department|Role\nana@x.org|E1|Sales|Manager\nbo@x.org|E2|IT|Engineer\n"
    )
    table = read_table(b"\xef\xbb\xbf" + text.encode(), "people.txt")
    d = table.detection
    assert (d.encoding, d.delimiter, d.tool, d.kind) == ("utf-8-sig", "|", "generic", "roster")
    assert table.columns[0] == "Email"  # no BOM left in the first name
    assert table.frame["Department"].tolist() == ["Sales", "IT"]


def test_generic_file_quirks_duplicates_blanks_summary_and_quoted_breaks() -> None:
    text = (
        "Attendance export\r\n"
        "\r\n"
        "Name,Name,,Session date,Attended\r\n"
        '"Lima, Ana",Ana,x,01/04/2025,"yes,\r\nlate"\r\n'
        "\r\n"
        "Chen Bo,Bo,,13/04/2025,no\r\n"
        "Name,Name,,Session date,Attended\r\n"
        "Total,,,,1\r\n"
    )
    table = read_table(text.encode(), "signup.csv")
    d = table.detection
    assert (d.skip_rows, d.kind, d.day_first) == (2, "attendance", True)
    assert table.columns == ["Name", "Name (2)", "Column 3", "Session date", "Attended"]
    assert table.frame["Attended"].tolist() == ["yes,\nlate", "no"]
    assert table.dropped_rows == [(6, "empty row"), (8, "repeated header row"), (9, "summary row")]


def test_survey_and_unknown_generic_kinds() -> None:
    survey = "Start,How useful was it?,Would you recommend it?,Comment\n1,Very,Yes,ok\n2,Not,No,\n"
    assert read_table(survey.encode(), "s.csv").detection.kind == "survey"
    numbers = "a,b,c\n1,2,3\n4,5,6\n"
    assert read_table(numbers.encode(), "n.csv").detection.kind == "unknown"


@pytest.mark.parametrize(
    ("header", "tool"),
    [
        ("First name,Last name,Email,Duration,Time joined,Time exited", "google_meet"),
        ("#,What is your role?,Start Date (UTC),Submit Date (UTC),Network ID", "typeform"),
        ("Response ID,Date submitted,Last page,Start language,Q1", "limesurvey"),
        ("start,end,q1,_id,_uuid,_submission_time", "kobotoolbox"),
        ("Timestamp,Email Address,How useful was it?", "google_forms"),
        ("Time,User full name,Affected user,Event context,Component,Event name", "moodle_log"),
        ("Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (123)", "canvas_gradebook"),
        ("Id,Start time,Completion time,Email,Name,Q1", "microsoft_forms"),
    ],
)
def test_tool_signatures(header: str, tool: str) -> None:
    width = header.count(",") + 1
    row = ",".join(["1"] + ["x"] * (width - 1))
    table = read_table(f"{header}\n{row}\n".encode(), "export.csv")
    assert table.detection.tool == tool
    assert len(table.frame) == 1


def test_json_statements_lines_records_and_refusals() -> None:
    statement = {
        "actor": {"mbox": "mailto:ana@example.com"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"en-US": "completed"},
        },
        "object": {"id": "https://lms.example.com/course/42", "definition": {"type": "course"}},
        "result": {"completion": True, "score": {"scaled": 0.9}},
        "timestamp": "2025-03-25T10:00:00Z",
    }
    lines = "\n".join(json.dumps(statement) for _ in range(3)).encode()
    table = read_table(lines, "statements.jsonl")
    assert (table.detection.tool, table.detection.kind, len(table.frame)) == ("xapi", "lms_log", 3)
    assert table.frame.at[0, "actor"] == "ana@example.com"  # mbox without "mailto:"
    assert table.frame.at[0, "score_scaled"] == "0.9"
    lrs = json.dumps({"statements": [statement], "more": ""}).encode()
    assert len(read_table(lrs, "lrs.json").frame) == 1
    records = json.dumps([{"email": "a@x.org", "minutes": 30}, {"email": "b@x.org"}]).encode()
    flat = read_table(records, "attendance.json")
    assert flat.columns == ["email", "minutes"] and flat.frame.at[1, "minutes"] is None
    with pytest.raises(UnreadableFile, match="neither xAPI"):
        read_table(json.dumps({"config": {"a": {"b": [1, 2]}}}).encode(), "settings.json")
    with pytest.raises(UnreadableFile, match="Not valid JSON"):
        read_table(b'{"actor": {"name": "x"', "broken.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".xls"),
        (b"PK\x03\x04" + bytes(60), "ZIP archive"),
        (b"PK\x03\x04\x14\x00xl/workbook.xml" + bytes(60), "damaged or incomplete"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"<!DOCTYPE html><html><table></table></html>", "HTML"),
        (random.Random(7).randbytes(4096), "binary"),
        (
            b"a,b\nthis is prose, with commas, here\nand; more; text | yes\nok\n" * 3,
            "No consistent delimiter",
        ),
    ],
)
def test_unreadable_files_get_a_one_line_reason(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message) as caught:
        read_table(data, "upload.csv")
    assert "\n" not in str(caught.value)


def test_detect_dates() -> None:
    assert detect_dates(["25/03/2025", "01/04/2025"]) is True
    assert detect_dates(["03/25/2025 9:00 AM", "04/01/2025"]) is False
    assert detect_dates(["01/02/2025", "11.12.2020"]) is None  # no part above 12
    assert detect_dates(["25/03/2025", "03/25/2025"]) is None  # contradictory
    assert detect_dates(["2025-03-25", None, "", "n/a"]) is None  # ISO says nothing
    assert detect_dates(["23/01/23, 12:09"]) is True


def test_decode_strips_boms_and_normalises_newlines() -> None:
    assert decode(b"\xef\xbb\xbfa,b\r\n1,2\r3\n") == "a,b\n1,2\n3\n"
    assert decode("x\r\ny".encode("utf-16")) == "x\ny"
    assert decode("é".encode("cp1252"), "windows-1252") == "é"


def test_large_file_preview_reads_only_the_start() -> None:
    header = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
    rows = "".join(
        f"P{i},p{i}@x.org,11/19/2021 10:00:00 AM,11/19/2021 11:00:00 AM,{i % 60}\n"
        for i in range(60000)
    )
    data = (header + rows).encode()
    preview = read_table(data, "big.csv", max_rows=50)
    assert len(preview.frame) == 50 and preview.truncated
    full = read_table(data, "big.csv")
    assert len(full.frame) == 60000 and not full.truncated
    assert full.frame.at[59999, "Name (Original Name)"] == "P59999"
    assert preview.frame.equals(full.frame.head(50))


def test_a_bad_byte_after_the_sample_triggers_redetection() -> None:
    body = "Name,Team\n" + "Ana,Sales\n" * 8000 + "Zoë,Caf\x92s\n"
    data = body.replace("Zoë", "Zo\xeb").encode("latin-1")  # cp1252 bytes, past the 64 KB sample
    assert len(data) > 65536
    table = read_table(data, "late.csv")
    assert table.detection.encoding == "cp1252"
    assert table.frame.iat[-1, 0] == "Zoë" and table.frame.iat[-1, 1] == "Caf’s"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_any_bytes_give_a_table_or_unreadable_file(data: bytes) -> None:
    _table_or_refusal(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=8), max_size=5),
        max_size=8,
    ),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["utf-8", "utf-16", "cp1252", "mac_roman"]),
)
def test_any_text_table_gives_a_table_or_unreadable_file(
    rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    text = "\n".join(delimiter.join(row) for row in rows)
    _table_or_refusal(text.encode(encoding, errors="replace"))


def _table_or_refusal(data: bytes) -> None:
    try:
        table = read_table(data, "fuzz.csv")
    except UnreadableFile as exc:
        message = str(exc)
        assert message and "\n" not in message
        assert "could not be read (" not in message  # no internal error was caught
        return
    assert isinstance(table, DecodedTable)
    assert list(table.frame.columns) == table.columns
    assert len({c.casefold() for c in table.columns}) == len(table.columns)
    assert all(
        v is None or (isinstance(v, str) and v.strip()) for v in table.frame.to_numpy().ravel()
    )


def test_the_preview_shows_empty_cells_empty() -> None:
    """The Import page's preview: an empty cell reads as nothing, never 'None' or 'nan'."""
    table = read_table(b"Email,Team,Score\na@x.org,,3\nb@x.org,Blue,\n", "p.csv")
    shown = table.preview()
    assert shown.values.tolist() == [["a@x.org", "", "3"], ["b@x.org", "Blue", ""]]
