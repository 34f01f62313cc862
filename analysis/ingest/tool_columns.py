"""Each tool's own meta columns (matched exactly on `scales.label_key`) and column shapes.

Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms, LimeSurvey, KoboToolbox, Typeform,
Zoom, Teams, Google Meet, Moodle and Canvas: what their fixed columns mean.
"""

from __future__ import annotations

import re

from analysis.ingest.mapping_rules import (
    COMPLETION_STATUS,
    DATE,
    FIRST_NAME,
    GROUP,
    IGNORE,
    IP_ADDRESS,
    JOIN_TIME,
    LAST_NAME,
    LEAVE_TIME,
    LOCATION,
    MINUTES,
    PERSON_EMAIL,
    PERSON_ID,
    PERSON_NAME,
    RESPONSE_ID,
    SCORE,
    USER_ACTION,
)

# Tool names as analysis.ingest.model spells them, plus the short names people type.
TOOL_ALIASES = {
    "kobo": "kobotoolbox", "teams": "teams_attendance", "moodle": "moodle_log",
    "canvas": "canvas_gradebook", "ms_forms": "microsoft_forms", "gforms": "google_forms",
    "meet": "google_meet",
}  # fmt: skip

_Q = "Qualtrics"
QUALTRICS_META: dict[str, tuple[str, str]] = {
    "startdate": (DATE, f"{_Q}: when the respondent opened the survey"),
    "enddate": (DATE, f"{_Q}: when the response ended"),
    "recordeddate": (DATE, f"{_Q}: when the response was recorded"),
    "status": (IGNORE, f"{_Q} response type (IP address, preview, test); not an answer"),
    "ipaddress": (IP_ADDRESS, f"{_Q} IP address"),
    "progress": (IGNORE, f"{_Q}: percentage of the survey completed"),
    "duration (in seconds)": (IGNORE, f"{_Q}: time taken"),
    "finished": (IGNORE, f"{_Q}: 1 when the respondent reached the end"),
    "responseid": (RESPONSE_ID, f"{_Q} response id"),
    "responseset": (IGNORE, f"{_Q} response set"),
    "recipientlastname": (LAST_NAME, f"{_Q} contact's last name"),
    "recipientfirstname": (FIRST_NAME, f"{_Q} contact's first name"),
    "recipientemail": (PERSON_EMAIL, f"{_Q} contact's e-mail"),
    "externalreference": (PERSON_ID, f"{_Q} external reference (usually the employee id)"),
    "externaldatareference": (PERSON_ID, f"{_Q} external reference (usually the employee id)"),
    "locationlatitude": (LOCATION, f"{_Q} location (latitude)"),
    "locationlongitude": (LOCATION, f"{_Q} location (longitude)"),
    "locationaccuracy": (LOCATION, f"{_Q} location accuracy"),
    "distributionchannel": (IGNORE, f"{_Q}: how the survey was sent"),
    "userlanguage": (IGNORE, f"{_Q}: the language the survey was shown in"),
}
SURVEYMONKEY_META = {
    "respondentid": (RESPONSE_ID, "SurveyMonkey respondent id"),
    "respondent id": (RESPONSE_ID, "SurveyMonkey respondent id"),
    "collectorid": (IGNORE, "SurveyMonkey collector id"),
    "collector id": (IGNORE, "SurveyMonkey collector id"),
    "start date": (DATE, "SurveyMonkey: when the respondent started"),
    "end date": (DATE, "SurveyMonkey: when the response ended"),
    "startdate": (DATE, "SurveyMonkey: when the respondent started"),
    "enddate": (DATE, "SurveyMonkey: when the response ended"),
    "ip address": (IP_ADDRESS, "SurveyMonkey IP address"),
    "email address": (PERSON_EMAIL, "SurveyMonkey e-mail address"),
    "first name": (FIRST_NAME, "SurveyMonkey first name"),
    "last name": (LAST_NAME, "SurveyMonkey last name"),
    "custom data": (PERSON_ID, "SurveyMonkey custom data (usually an id passed in the link)"),
    "custom data 1": (PERSON_ID, "SurveyMonkey custom data (usually an id passed in the link)"),
}
GOOGLE_FORMS_META = {
    "timestamp": (DATE, "Google Forms: when the response was submitted"),
    "email address": (PERSON_EMAIL, "Google Forms collected e-mail"),
    "score": (IGNORE, "Google Forms quiz score"),
}
MICROSOFT_FORMS_META = {
    "id": (RESPONSE_ID, "Microsoft Forms response number"),
    "start time": (DATE, "Microsoft Forms: when the respondent started"),
    "completion time": (DATE, "Microsoft Forms: when the response was submitted"),
    "email": (PERSON_EMAIL, "Microsoft Forms respondent e-mail"),
    "name": (PERSON_NAME, "Microsoft Forms respondent name"),
    "last modified time": (IGNORE, "Microsoft Forms: last edit of the response"),
    "total points": (IGNORE, "Microsoft Forms quiz points"),
    "quiz feedback": (IGNORE, "Microsoft Forms quiz feedback"),
}
LIMESURVEY_META = {
    "response id": (RESPONSE_ID, "LimeSurvey response id"),
    "id": (RESPONSE_ID, "LimeSurvey response id"),
    "date submitted": (DATE, "LimeSurvey: when the response was submitted"),
    "submitdate": (DATE, "LimeSurvey: when the response was submitted"),
    "last page": (IGNORE, "LimeSurvey: last page seen"),
    "lastpage": (IGNORE, "LimeSurvey: last page seen"),
    "start language": (IGNORE, "LimeSurvey: survey language"),
    "startlanguage": (IGNORE, "LimeSurvey: survey language"),
    "seed": (IGNORE, "LimeSurvey randomisation seed"),
    "date started": (DATE, "LimeSurvey: when the respondent started"),
    "startdate": (DATE, "LimeSurvey: when the respondent started"),
    "date last action": (IGNORE, "LimeSurvey: last activity"),
    "datestamp": (IGNORE, "LimeSurvey: last activity"),
    "ip address": (IP_ADDRESS, "LimeSurvey IP address"),
    "ipaddr": (IP_ADDRESS, "LimeSurvey IP address"),
    "referrer url": (IGNORE, "LimeSurvey referrer"),
    "refurl": (IGNORE, "LimeSurvey referrer"),
    "token": (PERSON_ID, "LimeSurvey participant token"),
    "total time": (IGNORE, "LimeSurvey timing"),
}
KOBO_META = {
    "start": (DATE, "Kobo: when the form was opened"),
    "end": (DATE, "Kobo: when the form was completed"),
    "today": (IGNORE, "Kobo: device date"),
    "_submission_time": (DATE, "Kobo: when the submission reached the server"),
    "_uuid": (RESPONSE_ID, "Kobo submission id"),
    "_id": (IGNORE, "Kobo internal row id"),
    "username": (IGNORE, "Kobo device user"),
    "deviceid": (IGNORE, "Kobo device id"),
    "simserial": (IGNORE, "Kobo SIM serial (device data)"),
    "subscriberid": (IGNORE, "Kobo subscriber id (device data)"),
    "phonenumber": (IGNORE, "Kobo phone number (device data)"),
    "audit": (IGNORE, "Kobo audit log"),
    "point": (LOCATION, "Kobo geopoint"),
    "geopoint": (LOCATION, "Kobo geopoint"),
}
TYPEFORM_META = {
    "#": (RESPONSE_ID, "Typeform response token"),
    "start date (utc)": (DATE, "Typeform: when the respondent started"),
    "submit date (utc)": (DATE, "Typeform: when the response was submitted"),
    "stage date (utc)": (IGNORE, "Typeform: stage date"),
    "network id": (IP_ADDRESS, "Typeform network id (derived from the IP address)"),
    "tags": (IGNORE, "Typeform tags"),
    "response type": (IGNORE, "Typeform response type"),
    "ending": (IGNORE, "Typeform ending shown"),
}
ZOOM_META = {
    "name (original name)": (PERSON_NAME, "Zoom participant name"),
    "user name (original name)": (PERSON_NAME, "Zoom participant name"),
    "user email": (PERSON_EMAIL, "Zoom participant e-mail"),
    "email": (PERSON_EMAIL, "Zoom participant e-mail"),
    "join time": (JOIN_TIME, "Zoom join time"),
    "leave time": (LEAVE_TIME, "Zoom leave time"),
    "duration (minutes)": (MINUTES, "Zoom minutes in the meeting"),
    "guest": (IGNORE, "Zoom: joined without an account in the organisation"),
    "recording consent": (IGNORE, "Zoom recording consent"),
    "in waiting room": (IGNORE, "Zoom waiting room flag"),
    "meeting id": (IGNORE, "Zoom meeting id"),
    "topic": (IGNORE, "Zoom meeting topic"),
    "participants": (IGNORE, "Zoom participant count"),
}
TEAMS_META = {
    "full name": (PERSON_NAME, "Teams attendee name"),
    "name": (PERSON_NAME, "Teams attendee name"),
    "user action": (USER_ACTION, "Teams: Joined or Left"),
    "timestamp": (DATE, "Teams: time of each Joined/Left event"),
    "first join": (JOIN_TIME, "Teams first join"),
    "last leave": (LEAVE_TIME, "Teams last leave"),
    "in-meeting duration": (MINUTES, "Teams time in the meeting"),
    "email": (PERSON_EMAIL, "Teams attendee e-mail"),
    "participant id (upn)": (PERSON_EMAIL, "Teams sign-in name (an e-mail address)"),
    "role": (IGNORE, "Teams meeting role (organiser, presenter, attendee), not a job role"),
}
MEET_META = {
    "participant name": (PERSON_NAME, "Google Meet participant"),
    "participant email": (PERSON_EMAIL, "Google Meet participant e-mail"),
    "first seen": (JOIN_TIME, "Google Meet first seen"),
    "last seen": (LEAVE_TIME, "Google Meet last seen"),
    "time in call": (MINUTES, "Google Meet time in call"),
}
MOODLE_META = {
    "time": (DATE, "Moodle: time of the logged event"),
    "user full name": (PERSON_NAME, "Moodle user"),
    "affected user": (IGNORE, "Moodle: another user the event touched (a name)"),
    "event context": (IGNORE, "Moodle event context"),
    "component": (IGNORE, "Moodle component"),
    "event name": (USER_ACTION, "Moodle: what the person did (e.g. Course viewed)"),
    "description": (IGNORE, "Moodle event description (holds internal user ids)"),
    "origin": (IGNORE, "Moodle origin (web, cli, ws)"),
    "ip address": (IP_ADDRESS, "Moodle IP address"),
}
CANVAS_META = {
    "student": (PERSON_NAME, "Canvas student name"),
    "id": (PERSON_ID, "Canvas user id"),
    "sis user id": (PERSON_ID, "Canvas SIS user id"),
    "sis login id": (PERSON_ID, "Canvas SIS login"),
    "integration id": (PERSON_ID, "Canvas integration id"),
    "section": (GROUP, "Canvas section"),
    "root account": (IGNORE, "Canvas root account"),
}
LEARNING_RECORD_META = {  # the columns jsonlog flattens xAPI statements and tracking events to
    "actor": (PERSON_ID, "the learner's account (username, account name or mailbox)"),
    "timestamp": (DATE, "when the learning event happened"),
    "verb": (USER_ACTION, "what the learner did: the xAPI verb or the event's name"),
    "completion": (COMPLETION_STATUS, "true when the statement says its object was completed"),
    "duration": (MINUTES, "time spent, an ISO 8601 duration such as PT3M15S"),
}
TOOL_META: dict[str, dict[str, tuple[str, str]]] = {
    "qualtrics": QUALTRICS_META,
    "qualtrics_legacy": QUALTRICS_META,
    "surveymonkey": SURVEYMONKEY_META,
    "google_forms": GOOGLE_FORMS_META,
    "microsoft_forms": MICROSOFT_FORMS_META,
    "limesurvey": LIMESURVEY_META,
    "kobotoolbox": KOBO_META,
    "typeform": TYPEFORM_META,
    "zoom": ZOOM_META,
    "teams_attendance": TEAMS_META,
    "google_meet": MEET_META,
    "moodle_log": MOODLE_META,
    "canvas_gradebook": CANVAS_META,
    "xapi": LEARNING_RECORD_META,
    "openedx_tracking": LEARNING_RECORD_META,
}
# Tool columns recognised by shape rather than exact name.
TOOL_PATTERNS: dict[str, list[tuple[str, re.Pattern[str], str]]] = {
    "qualtrics": [
        (IGNORE, re.compile(r"^q_"), "Qualtrics embedded meta data"),
        (IGNORE, re.compile(r" - (parent )?topics$|sentiment( polarity| score)?$"), "Text iQ"),
    ],
    "kobotoolbox": [
        (LOCATION, re.compile(r"^_.*_(latitude|longitude|altitude|precision)$"), "Kobo geopoint"),
        (IGNORE, re.compile(r"^_|^meta/|^__version__$|_url$"), "Kobo meta column"),
    ],
    "limesurvey": [(IGNORE, re.compile(r"^(group|question) time"), "LimeSurvey timing")],
    "surveymonkey": [
        (
            PERSON_ID,
            re.compile(r"^custom data \d+$"),
            "SurveyMonkey custom data (passed in the link)",
        )
    ],
    "microsoft_forms": [(IGNORE, re.compile(r"^(points|feedback) - "), "Microsoft Forms quiz")],
    "canvas_gradebook": [
        (SCORE, re.compile(r"(current|final) score$"), "Canvas course score"),
        (IGNORE, re.compile(r"\(\d+\)$|points$|grade$|unposted"), "Canvas assignment column"),
    ],
}
TOOL_PATTERNS["qualtrics_legacy"] = TOOL_PATTERNS["qualtrics"]
