"""What the importer detects about an uploaded file, and the decoded table it hands on."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

ENCODINGS: tuple[str, ...] = (
    "utf-8",
    "utf-8-sig",
    "utf-16-le",
    "utf-16-be",
    "cp1252",
    "mac_roman",
    "latin-1",
)
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

QUALTRICS = "qualtrics"
QUALTRICS_LEGACY = "qualtrics_legacy"
SURVEYMONKEY = "surveymonkey"
GOOGLE_FORMS = "google_forms"
MICROSOFT_FORMS = "microsoft_forms"
LIMESURVEY = "limesurvey"
TYPEFORM = "typeform"
KOBOTOOLBOX = "kobotoolbox"
ZOOM = "zoom"
TEAMS_ATTENDANCE = "teams_attendance"
GOOGLE_MEET = "google_meet"
MOODLE_LOG = "moodle_log"
CANVAS_GRADEBOOK = "canvas_gradebook"
OPENEDX_TRACKING = "openedx_tracking"
XAPI = "xapi"
GENERIC = "generic"

SURVEY, ATTENDANCE, LMS_LOG, GRADEBOOK, ROSTER, ENROLMENT, UNKNOWN = (
    "survey",
    "attendance",
    "lms_log",
    "gradebook",
    "roster",
    "enrolment",
    "unknown",
)
KINDS: tuple[str, ...] = (SURVEY, ATTENDANCE, LMS_LOG, GRADEBOOK, ROSTER, ENROLMENT, UNKNOWN)

# The kind each named tool's export always is; `generic` is guessed from its columns.
TOOL_KIND: dict[str, str] = {
    QUALTRICS: SURVEY,
    QUALTRICS_LEGACY: SURVEY,
    SURVEYMONKEY: SURVEY,
    GOOGLE_FORMS: SURVEY,
    MICROSOFT_FORMS: SURVEY,
    LIMESURVEY: SURVEY,
    TYPEFORM: SURVEY,
    KOBOTOOLBOX: SURVEY,
    ZOOM: ATTENDANCE,
    TEAMS_ATTENDANCE: ATTENDANCE,
    GOOGLE_MEET: ATTENDANCE,
    MOODLE_LOG: LMS_LOG,
    CANVAS_GRADEBOOK: GRADEBOOK,
    OPENEDX_TRACKING: LMS_LOG,
    XAPI: LMS_LOG,
}
TOOLS: tuple[str, ...] = (*TOOL_KIND, GENERIC)

TOOL_LABELS: dict[str, str] = {
    QUALTRICS: "Qualtrics",
    QUALTRICS_LEGACY: "Qualtrics (legacy format)",
    SURVEYMONKEY: "SurveyMonkey",
    GOOGLE_FORMS: "Google Forms",
    MICROSOFT_FORMS: "Microsoft Forms",
    LIMESURVEY: "LimeSurvey",
    TYPEFORM: "Typeform",
    KOBOTOOLBOX: "KoboToolbox",
    ZOOM: "Zoom participant report",
    TEAMS_ATTENDANCE: "Microsoft Teams attendance list",
    GOOGLE_MEET: "Google Meet attendance",
    MOODLE_LOG: "Moodle log",
    CANVAS_GRADEBOOK: "Canvas gradebook",
    OPENEDX_TRACKING: "Open edX tracking log",
    XAPI: "xAPI statements",
    GENERIC: "Other / generic",
}

ENCODING_LABELS: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "cp1252": "Windows-1252",
    "mac_roman": "MacRoman",
    "latin-1": "Latin-1 (ISO-8859-1)",
}


class UnreadableFile(ValueError):
    """A file the importer cannot turn into a table; the message is one line for the person."""


@dataclass(frozen=True)
class Detection:
    """The settings detected for one file; each one can be overridden before anything is written."""

    encoding: str
    delimiter: str
    decimal_comma: bool
    header_rows: int
    skip_rows: int
    day_first: bool | None
    tool: str
    kind: str
    notes: tuple[str, ...] = ()
    file_format: str = "csv"  # csv | xlsx | json
    sheet: str | None = None

    @property
    def tool_label(self) -> str:
        """The tool's display name."""
        return TOOL_LABELS.get(self.tool, self.tool)


@dataclass
class DecodedTable:
    """The decoded data rows of one file with unique column names, ready for column mapping."""

    detection: Detection
    columns: list[str]
    labels: dict[str, str]
    frame: pd.DataFrame
    dropped_rows: list[tuple[int, str]] = field(default_factory=list)
    truncated: bool = False  # True when max_rows stopped the read before the end of the file
    row_numbers: list[int] = field(default_factory=list)  # each data row's line/row in the file

    def source_rows(self) -> list[int]:
        """The file's own row number for each data row (1-based), for rejection reports."""
        if len(self.row_numbers) == len(self.frame):
            return list(self.row_numbers)
        first = self.detection.skip_rows + self.detection.header_rows + 1
        return list(range(first, first + len(self.frame)))

    @property
    def n_rows(self) -> int:
        """Number of data rows read."""
        return len(self.frame)
