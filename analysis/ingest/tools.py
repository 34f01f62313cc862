"""Which tool wrote an export: header signatures, where the header sits and how many rows it has."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from analysis.ingest.model import (
    CANVAS_GRADEBOOK,
    GENERIC,
    GOOGLE_FORMS,
    GOOGLE_MEET,
    KOBOTOOLBOX,
    LIMESURVEY,
    MICROSOFT_FORMS,
    MOODLE_LOG,
    QUALTRICS,
    QUALTRICS_LEGACY,
    SURVEYMONKEY,
    TEAMS_ATTENDANCE,
    TYPEFORM,
    ZOOM,
)

SEARCH_ROWS = 30  # a header further down than this is not looked for
_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Layout:
    """Where the header is: the tool whose signature matched, rows above it, rows in it."""

    tool: str
    skip_rows: int
    header_rows: int


def norm(cell: str | None) -> str:
    """A header cell compared case- and whitespace-insensitively."""
    if not cell:
        return ""
    return _WS.sub(" ", cell.replace("\ufeff", "")).strip().lower()


# Each matcher gets (rows, index of the candidate header row, normalised cells of that row,
# their set) and returns the number of header rows when the tool's signature is there, else 0.
Matcher = Callable[[list[list[str]], int, list[str], set[str]], int]


def _next_cells(rows: list[list[str]], i: int, offset: int = 1) -> list[str]:
    return [norm(c) for c in rows[i + offset]] if i + offset < len(rows) else []


def _qualtrics(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    if not ({"startdate", "enddate"} <= s and s & {"responseid", "_recordid", "finished"}):
        return 0
    n = 1
    labels = _next_cells(rows, i)
    start = cells.index("startdate")
    if labels and start < len(labels) and not _DIGIT.search(labels[start]):
        n = 2
        imports = _next_cells(rows, i, 2)
        if imports and imports[0].startswith('{"importid"'):
            n = 3
    return n


def _qualtrics_legacy(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    following = _next_cells(rows, i)
    if cells[:3] == ["v1", "v2", "v3"] and following[:1] == ["responseid"]:
        return 2
    return 0


_MONKEY_SUB = {"response", "open-ended response"}


def _surveymonkey(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    following = _next_cells(rows, i)
    if not following or following[0] not in ("", "response"):
        # A flattened export keeps SurveyMonkey's first column and its 10-digit respondent ids.
        ids = following[:1] and following[0].isdigit() and len(following[0]) >= 9
        return 1 if cells[:1] in (["respondentid"], ["respondent id"]) and ids else 0
    subs = sum(1 for c in following if c in _MONKEY_SUB)
    blanks_on_top = sum(1 for c in cells if not c)
    if subs >= 1 and (blanks_on_top or subs >= len(following) // 2):
        return 2
    if subs >= 1 and {"respondent id", "collector id"} <= s:  # meta columns, few questions
        return 2
    return 0


def _microsoft_forms(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    return 1 if cells[:3] == ["id", "start time", "completion time"] else 0


_LIME_TEXT = {
    "response id",
    "date submitted",
    "last page",
    "start language",
    "date started",
    "date last action",
    "seed",
}
_LIME_CODES = {"id", "submitdate", "lastpage", "startlanguage", "startdate", "datestamp", "seed"}


def _limesurvey(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    return 1 if len(s & _LIME_TEXT) >= 3 or len(s & _LIME_CODES) >= 4 else 0


_TYPEFORM = {
    "#",
    "network id",
    "submit date (utc)",
    "start date (utc)",
    "stage date (utc)",
    "response type",
}


def _typeform(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    return 1 if len(s & _TYPEFORM) >= 2 and s & {"submit date (utc)", "network id"} else 0


def _kobo(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    return 1 if {"_uuid", "_submission_time"} <= s else 0


def _zoom(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    named = any("(original name)" in c for c in cells)
    return 1 if named and s & {"join time", "join time (utc)"} else 0


_TEAMS_OLD = (
    {"full name", "user action", "timestamp"},
    {"vollständiger name", "benutzeraktion", "zeitstempel"},
    {"nom complet", "action de l'utilisateur", "horodatage"},
    {"nombre completo", "acción del usuario", "marca de tiempo"},
)


def _teams(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    if any(sig <= s for sig in _TEAMS_OLD):
        return 1
    if {"first join", "last leave"} <= s:
        return 1
    if {"join time", "leave time", "duration"} <= s and s & {"role", "participant id (upn)"}:
        return 1
    return 0


def _google_meet(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    if {"time joined", "time exited"} <= s:
        return 1
    if {"first name", "last name", "duration"} <= s and s & {"email", "time joined"}:
        return 1
    return 0


def _moodle(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    return 1 if {"event context", "event name"} <= s else 0


def _canvas(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    if "student" in s and s & {"sis user id", "sis login id"}:
        return 1
    following = _next_cells(rows, i) + _next_cells(rows, i, 2)
    return 1 if "student" in s and "points possible" in following else 0


_TIMESTAMP = {
    "timestamp",
    "marca temporal",
    "zeitstempel",
    "horodateur",
    "carimbo de data/hora",
    "tijdstempel",
    "informazioni cronologiche",
    "sygnatura czasowa",
}


def _google_forms(rows: list[list[str]], i: int, cells: list[str], s: set[str]) -> int:
    return 1 if cells and cells[0] in _TIMESTAMP and sum(1 for c in cells if c) >= 2 else 0


# Order matters: specific signatures before loose ones (a `Timestamp` first column is common).
MATCHERS: dict[str, Matcher] = {
    QUALTRICS: _qualtrics,
    QUALTRICS_LEGACY: _qualtrics_legacy,
    SURVEYMONKEY: _surveymonkey,
    MICROSOFT_FORMS: _microsoft_forms,
    LIMESURVEY: _limesurvey,
    TYPEFORM: _typeform,
    KOBOTOOLBOX: _kobo,
    ZOOM: _zoom,
    TEAMS_ATTENDANCE: _teams,
    GOOGLE_MEET: _google_meet,
    MOODLE_LOG: _moodle,
    CANVAS_GRADEBOOK: _canvas,
    GOOGLE_FORMS: _google_forms,
}
DEFAULT_HEADER_ROWS: dict[str, int] = {QUALTRICS: 3, QUALTRICS_LEGACY: 2, SURVEYMONKEY: 2}


def find_layout(rows: list[list[str]], tool: str | None = None) -> Layout | None:
    """The first tool signature in the first rows (only `tool`'s when given), else None."""
    matchers = {tool: MATCHERS[tool]} if tool in MATCHERS else MATCHERS
    if tool == GENERIC:
        return None
    for i, row in enumerate(rows[:SEARCH_ROWS]):
        cells = [norm(c) for c in row]
        present = set(cells)
        for name, matcher in matchers.items():
            n = matcher(rows, i, cells, present)
            if n:
                return Layout(name, i, n)
    return None


def generic_layout(rows: list[list[str]]) -> Layout:
    """Header = the first row about as full as the data below it (title lines above are skipped)."""
    filled = [sum(1 for c in r if c and not c.isspace()) for r in rows]
    body = sorted(n for n in filled[1:] if n) or [max(filled, default=0)]
    median = body[len(body) // 2]
    for i, n in enumerate(filled[:SEARCH_ROWS]):
        if n >= max(1, min(2, median), median / 2):
            return Layout(GENERIC, i, 1)
    return Layout(GENERIC, 0, 1)


def sub_header_ignored(tool: str, text: str) -> bool:
    """True for second-row cells that add nothing to the question (SurveyMonkey `Response`)."""
    return norm(text) in _MONKEY_SUB
