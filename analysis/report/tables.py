"""Table downloads (CSV and Excel) whose text never runs as a formula in a spreadsheet.

Text from uploaded files reaches tables the app offers for download: a header or a cell such
as `=HYPERLINK("http://x","y")` would run as a formula when the file is opened in Excel or
LibreOffice. The OWASP CSV-injection rule applies to every text cell and header here: text that
starts with = + - @ tab or carriage return gets a leading single quote in CSV, and is written
as a typed string cell (with Excel's quote-prefix style, no visible quote) in XLSX. Numbers stay
numbers, so a difference of -12 points remains the number -12; missing values stay empty.

A table shown under a view carries that view's context like a chart's footer (the period, the
filters, the privacy rule, "data as of" and the dataset version): in CSV as one row above the
header, in XLSX as a second sheet, so a file passed on keeps its meaning.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8 (umlauts, accents) correctly
XLSX_MAX_TEXT = 32_767  # Excel's limit on the characters in one cell
SHEET_TITLE = "FormatFit"
CONTEXT_SHEET_TITLE = "Context"
Context = Sequence[tuple[str, str]]  # (what, value): ("Data as of", "2026-12-03 09:00 UTC")


def neutralise_text(text: str) -> str:
    """The text with a leading single quote when a spreadsheet would read it as a formula."""
    return QUOTE + text if text.startswith(FORMULA_STARTS) else text


def _python(value: object) -> object:
    """None for a missing value; numpy and pandas scalars as the Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating | np.datetime64 | np.timedelta64) and pd.isna(value):
        return None
    if isinstance(value, np.datetime64 | pd.Timestamp):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.timedelta64 | pd.Timedelta):
        return pd.Timedelta(value).to_pytimedelta()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _number(value: object) -> bool:
    return isinstance(value, int | float | Decimal)


def _csv_cell(value: object) -> object:
    """One cell for CSV: empty, a number, a date, or text that cannot start a formula."""
    value = _python(value)
    if value is None:
        return None
    if _number(value):
        return None if isinstance(value, float) and math.isinf(value) else value
    if isinstance(value, date | time):
        return value
    return neutralise_text(str(value))  # timedeltas too: "-1 day, 23:00:00" would be a formula


def _csv_column(column: pd.Series) -> pd.Series:
    """A column ready for to_csv: numbers and datetimes as they are, anything else cell by cell."""
    kind = column.dtype.kind
    if kind in "biuM":
        return column
    if kind == "f":
        return column.where(~np.isinf(column))  # "-inf" would read as a formula
    return column.astype(object).map(_csv_cell)


def context_line(context: Context) -> str:
    """The context in one line: 'Cohorts starting: Apr 2025 – Sep 2026 · Filters: …'."""
    return " · ".join(f"{what}: {value}" for what, value in context)


def csv_bytes(frame: pd.DataFrame, context: Context = ()) -> bytes:
    """The frame as UTF-8 CSV (with BOM, without index); no cell or header can run as a formula.

    With a context, the first row holds it in one cell, above the header."""
    out = pd.concat([_csv_column(frame.iloc[:, i]) for i in range(frame.shape[1])], axis=1)
    out.columns = [neutralise_text(str(c)) for c in frame.columns]
    # CRLF (RFC 4180) also makes the writer quote cells holding a lone carriage return
    body = out.to_csv(index=False, lineterminator="\r\n")
    if context:
        line = pd.DataFrame([[neutralise_text(context_line(context))]])
        body = line.to_csv(index=False, header=False, lineterminator="\r\n") + body
    return body.encode(CSV_ENCODING)


def _xlsx_value(value: object) -> object:
    """One cell's value for openpyxl: a Python number, a naive datetime, None or str."""
    value = _python(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, date | time | timedelta):
        return value
    return str(value)


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    """A write-only cell; text is always a string cell, never a formula."""
    value = _xlsx_value(value)
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    text = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_TEXT]
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl types any str that starts with "=" as a formula: force a string cell instead.
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # Excel keeps it text even when someone edits the cell
    return cell


def xlsx_bytes(frame: pd.DataFrame, context: Context = ()) -> bytes:
    """The frame as an Excel sheet (without index); text cells and headers are plain strings.

    With a context, a second sheet lists it, one (what, value) row each."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append([_xlsx_cell(sheet, str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    if context:
        about = book.create_sheet(CONTEXT_SHEET_TITLE)
        for what, value in context:
            about.append([_xlsx_cell(about, what), _xlsx_cell(about, value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
