"""Rows that are not data (summary, points-possible, test-student rows) and the kind of a table."""

from __future__ import annotations

import re

from analysis.ingest.dialect import looks_like_date, to_number
from analysis.ingest.model import (
    ATTENDANCE,
    CANVAS_GRADEBOOK,
    GENERIC,
    ROSTER,
    SURVEY,
    TEAMS_ATTENDANCE,
    TOOL_KIND,
    UNKNOWN,
    ZOOM,
)
from analysis.ingest.tools import norm

_SUMMARY = re.compile(
    r"^(grand\s+)?(total|totals|subtotal|sum|average|avg|mean|median|count|summary|"
    r"gesamt|summe|insgesamt|durchschnitt|totaal|gemiddelde|moyenne|somme|promedio)\b",
    re.IGNORECASE,
)
# A numbered section title ("3. In-Meeting Activities"); the same pattern runs in DuckDB.
SECTION_TITLE = r"^\d{1,4}\. \s*\S"
_SECTION = re.compile(SECTION_TITLE)
SECTION_TOOLS = (TEAMS_ATTENDANCE, ZOOM)  # reports whose tables end at the next section
_POSTING = {"manual posting", "automatic posting"}
_IDENTITY = re.compile(
    r"\b(e-?mail|mail|employee (id|number|no)|staff (id|number)|personnel|person id|user ?id|"
    r"username|login|upn|emp ?id|employee)\b"
)
_ORG = re.compile(
    r"\b(department|dept|team|role|job title|title|position|manager|division|business unit|"
    r"function|grade|level|cost cent(er|re)|org unit|location|abteilung|service)\b"
)
_PERSON = re.compile(r"\b(name|e-?mail|participant|attendee|learner|student|employee|user)\b")
_ATTEND_STRONG = re.compile(
    r"\b(attended|attendance|present|joined|join time|check-?in|sign-?in)\b"
)
_ATTEND_WEAK = re.compile(r"\b(session|duration|minutes|join|leave|left)\b")
_QUESTION_START = re.compile(
    r"^(how|what|which|why|do|did|does|would|will|are|is|have|please|rate|to what|overall|i )"
)


class RowFilter:
    """Says why a row in the data area is not a data row (None when it is one); built once."""

    def __init__(self, tool: str, header: list[str]) -> None:
        self.canvas = tool == CANVAS_GRADEBOOK
        self.sections = tool in SECTION_TOOLS
        self.header = list(header) if len(header) > 1 else None

    def reason(self, cells: list[str]) -> str | None:
        """The reason to drop `cells`, or None to keep them."""
        if self.canvas:
            key = norm(cells[0]) if cells else ""
            if key == "points possible":
                return "Canvas points-possible row"
            if not key and any(norm(c) in _POSTING for c in cells):
                return "Canvas posting-policy row"
            if key in ("student, test", "test student"):
                return "Canvas test student"
        if cells == self.header:  # exports concatenated with their headers
            return "repeated header row"
        return None

    def ends_section(self, cells: list[str]) -> bool:
        """True for a section title (`3. In-Meeting Activities`) that ends an attendance table."""
        if not self.sections or not cells:
            return False
        return bool(_SECTION.match(cells[0])) and not any(cells[1:])


def is_summary(cells: list[str | None]) -> bool:
    """True for a trailing `Total`/`Average` row: its first filled cell names an aggregate."""
    for cell in cells:
        if cell and not cell.isspace():
            return bool(_SUMMARY.match(cell.strip()))
    return False


def is_index_column(header: str, values: list[str | None]) -> bool:
    """True for an unnamed 0, 1, 2… column that pandas' `to_csv` writes in front of the data."""
    if header.strip() or not values:
        return False
    start = values[0]
    if start not in ("0", "1"):
        return False
    offset = int(start)
    return all(v == str(i + offset) for i, v in enumerate(values))


def guess_kind(tool: str, columns: list[str], rows: list[list[str | None]]) -> str:
    """The tool's kind, or for generic files a guess: roster, attendance, survey or unknown."""
    if tool != GENERIC:
        return TOOL_KIND[tool]
    names = [norm(c) for c in columns]
    identity = any(_IDENTITY.search(n) for n in names)
    person = identity or any(_PERSON.search(n) for n in names)
    if person and (
        any(_ATTEND_STRONG.search(n) for n in names)
        or sum(1 for n in names if _ATTEND_WEAK.search(n)) >= 2
    ):
        return ATTENDANCE
    if identity and any(_ORG.search(n) for n in names):
        return ROSTER
    questions = sum(1 for c in columns if c.endswith("?") or _QUESTION_START.match(norm(c)))
    if questions >= 2 or (len(columns) >= 5 and _text_answer_columns(rows, len(columns)) >= 4):
        return SURVEY
    return UNKNOWN


def _text_answer_columns(rows: list[list[str | None]], width: int) -> int:
    """Columns whose answers are words from a short list (Likert-like) or longer free text."""
    count = 0
    for col in range(width):
        values = [r[col] for r in rows if col < len(r) and r[col]]
        if len(values) < 2:
            continue
        texts = [v for v in values if to_number(v, False) is None and not looks_like_date(v)]
        if "@" in "".join(values[:20]) or len(texts) < 0.8 * len(values):
            continue
        distinct = len(set(texts))
        if distinct <= max(10, len(texts) // 2) or sum(map(len, texts)) / len(texts) > 20:
            count += 1
    return count
