"""Excel workbooks (.xlsx) as rows of text: openpyxl in read-only mode, dates as ISO text."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from analysis.ingest.model import UnreadableFile

XLSX_MAGIC = b"PK\x03\x04"
_EMPTY_RUN_LIMIT = 1000  # formatted-but-empty rows at the end of a sheet are not read one by one
_DATE_HEADER = re.compile(r"(time|date|timestamp|datum|fecha|zeit|heure|submitted)", re.IGNORECASE)
_SERIAL_MIN, _SERIAL_MAX = 20000.0, 80000.0  # 1954 to 2119: plausible Excel serial dates


@dataclass
class Sheet:
    """One worksheet's rows as text cells, with their 1-based sheet row numbers."""

    name: str
    rows: Iterator[tuple[int, list[str]]]
    close: Any


def is_xlsx(data: bytes) -> bool:
    """True for a ZIP container holding an Excel workbook (by content, not by file name)."""
    if not data.startswith(XLSX_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def cell_text(value: Any) -> str:
    """An Excel cell value as the text a person would see (ISO dates, `4` not `4.0`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        spec = "milliseconds" if value.microsecond else "seconds"
        return value.isoformat(sep=" ", timespec=spec)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def open_sheet(data: bytes, sheet: str | None = None) -> Sheet:
    """The chosen sheet, else the Microsoft Forms responses sheet, else the first one with data."""
    try:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        reason = type(exc).__name__
        raise UnreadableFile(f"This Excel file could not be opened ({reason}).") from exc
    try:
        chosen = _choose(book, sheet)
    except Exception:
        book.close()
        raise
    return Sheet(chosen.title, _rows(chosen, book.epoch), book.close)


def _choose(book: Any, sheet: str | None) -> Any:
    """The requested sheet, or the best guess at the one holding the responses."""
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise UnreadableFile(f"The workbook has no sheet named {sheet!r}.")
        return book[sheet]
    with_data = []
    for ws in book.worksheets:
        first = _first_row(ws)
        if first is None:
            continue
        cells = [str(v).strip().lower() for v in first if v is not None]
        if cells[:3] == ["id", "start time", "completion time"]:
            return ws  # Microsoft Forms: the responses sheet, not setUp or the hidden GUID sheet
        if getattr(ws, "sheet_state", "visible") == "visible":
            with_data.append(ws)
    if not with_data:
        raise UnreadableFile("The Excel workbook has no sheet with data.")
    return with_data[0]


def _first_row(ws: Any) -> tuple[Any, ...] | None:
    """The first row with a value among the sheet's first 50 rows, or None."""
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        if any(v is not None and str(v).strip() for v in row):
            return row
        if i >= 50:
            break
    return None


def _rows(ws: Any, epoch: datetime) -> Iterator[tuple[int, list[str]]]:
    """Rows as text; numbers in date/time columns that look like serial dates become ISO text."""
    from openpyxl.utils.datetime import from_excel

    date_cols: set[int] | None = None
    empty_run = 0
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        values = list(row)
        while values and (values[-1] is None or values[-1] == ""):
            values.pop()
        if not values:
            empty_run += 1
            if empty_run >= _EMPTY_RUN_LIMIT:
                return
            yield number, []
            continue
        empty_run = 0
        if date_cols is None and sum(isinstance(v, str) and v.strip() != "" for v in values) >= 2:
            date_cols = {
                i for i, v in enumerate(values) if isinstance(v, str) and _DATE_HEADER.search(v)
            }
            yield number, [cell_text(v) for v in values]
            continue
        if date_cols:
            for i in date_cols:
                v = values[i] if i < len(values) else None
                number_like = isinstance(v, float | int) and not isinstance(v, bool)
                if number_like and _SERIAL_MIN <= v <= _SERIAL_MAX:
                    values[i] = from_excel(v, epoch)
        yield number, [cell_text(v) for v in values]
