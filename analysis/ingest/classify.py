"""Rows that are not data: summary, points-possible, test-student rows, later sections."""

from __future__ import annotations

import re

from analysis.ingest.model import (
    CANVAS_GRADEBOOK,
    TEAMS_ATTENDANCE,
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
