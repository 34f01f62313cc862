"""Table downloads never carry live formulas: text is neutralised, numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.report.tables import csv_bytes, neutralise_text, xlsx_bytes

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1"]


def _csv_rows(data: bytes) -> list[list[str]]:
    """Read the CSV back with the standard library (not pandas, which wrote it)."""
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx_cells(data: bytes, rows: int | None = None) -> list[list[openpyxl.cell.Cell]]:
    """The sheet's cells row by row (`rows`: read that many, empty trailing rows included)."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(max_row=rows or sheet.max_row)]


def _same_text(read: str, written: str) -> bool:
    """XML turns a carriage return into a line feed; the text is otherwise unchanged."""
    return read in (written, written.replace("\r", "\n"))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_csv_quotes_text_cells_and_headers_that_start_like_a_formula(prefix):
    """Each dangerous first character gets one leading single quote, in headers and cells."""
    frame = pd.DataFrame({f"{prefix}head": [f"{prefix}cell", "plain"], "n": [1, 2]})
    rows = _csv_rows(csv_bytes(frame))
    assert rows == [[f"'{prefix}head", "n"], [f"'{prefix}cell", "1"], ["plain", "2"]]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_xlsx_writes_text_that_starts_like_a_formula_as_a_string(prefix):
    """openpyxl would type "=…" as a formula; here every text cell and header is a string."""
    frame = pd.DataFrame({f"{prefix}head": [f"{prefix}cell", "plain"], "n": [1, 2]})
    header, first, second = _xlsx_cells(xlsx_bytes(frame))
    for cell, text in ((header[0], f"{prefix}head"), (first[0], f"{prefix}cell")):
        assert cell.data_type == "s"
        assert _same_text(cell.value, text)
        assert cell.quotePrefix  # stays text when someone edits the cell in Excel
    assert (second[0].value, second[0].data_type, second[0].quotePrefix) == ("plain", "s", False)


def test_xlsx_holds_no_formula_element_for_hostile_text():
    """The sheet's XML itself: not one <f> (formula) element, whatever the text."""
    frame = pd.DataFrame({h: HOSTILE for h in HOSTILE})
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(frame))) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    assert sheet.count('t="inlineStr"') == len(HOSTILE) * (len(HOSTILE) + 1)


def test_numbers_stay_numbers_and_text_like_minus_twelve_points_does_not():
    """-12 (int, float, or inside a text column) is a number; "-12 points" is neutralised text."""
    frame = pd.DataFrame(
        {
            "difference_pts": [-12.0, 3.5],
            "respondents": [-12, 40],
            "mixed": [-12, "-12 points"],
            "verdict": ["-12 points", "Small groups − Everyone at once"],
        }
    )
    rows = _csv_rows(csv_bytes(frame))
    assert rows[1] == ["-12.0", "-12", "-12", "'-12 points"]
    assert rows[2] == ["3.5", "40", "'-12 points", "Small groups − Everyone at once"]
    raw = csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert raw[1].startswith("-12.0,-12,-12,")  # written bare, not quoted as text
    _, first, second = _xlsx_cells(xlsx_bytes(frame))
    assert [(c.value, c.data_type) for c in first[:3]] == [(-12, "n"), (-12, "n"), (-12, "n")]
    assert (first[3].value, first[3].data_type, first[3].quotePrefix) == ("-12 points", "s", True)
    assert (second[2].value, second[2].data_type) == ("-12 points", "s")
    assert (second[0].value, second[1].value) == (3.5, 40)


def test_missing_values_stay_empty():
    """None, NaN, NA and NaT are empty cells, never the text "nan" or "None"."""
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, np.nan], dtype=object),
            "number": [1.0, np.nan, None],
            "nullable": pd.array([1, pd.NA, None], dtype="Int64"),
            "when": pd.to_datetime(["2026-10-01", None, None]),
        }
    )
    rows = _csv_rows(csv_bytes(frame))
    assert rows[2:] == [["", "", "", ""], ["", "", "", ""]]
    assert rows[1] == ["a", "1.0", "1", "2026-10-01"]
    cells = _xlsx_cells(xlsx_bytes(frame), rows=4)
    assert [c.value for c in cells[1]] == ["a", 1, 1, datetime(2026, 10, 1)]
    assert [c.value for c in cells[2]] == [None] * 4
    assert [c.value for c in cells[3]] == [None] * 4


def test_infinities_are_empty_not_the_formula_minus_inf():
    """A spreadsheet reads "-inf" as a formula (#NAME?); infinities are left empty."""
    frame = pd.DataFrame({"x": [-np.inf, np.inf, 1.0]})
    assert _csv_rows(csv_bytes(frame))[1:] == [[""], [""], ["1.0"]]
    assert [r[0].value for r in _xlsx_cells(xlsx_bytes(frame))[1:]] == [None, None, 1]


def test_ordinary_text_is_unchanged():
    """Text that cannot start a formula (even with = or - inside) is written as it is."""
    for text in ("Small groups", "a=b", "e-mail", " =1", "'quoted", ""):
        assert neutralise_text(text) == text
    frame = pd.DataFrame({"comparison": ["a=b", "Zoë – ok"]})
    assert _csv_rows(csv_bytes(frame))[1:] == [["a=b"], ["Zoë – ok"]]


def test_control_characters_excel_refuses_are_dropped_from_xlsx():
    """openpyxl refuses control characters; they are dropped, then the quote rule applies."""
    frame = pd.DataFrame({"x": ["\x01=1+1", "ok\x0b"]})
    _, first, second = _xlsx_cells(xlsx_bytes(frame))
    assert (first[0].value, first[0].data_type, first[0].quotePrefix) == ("=1+1", "s", True)
    assert second[0].value == "ok"


CONTEXT = [
    ("Cohorts starting", "Apr 2025 – Sep 2026"),
    ("Filters", 'Dept: =HYPERLINK("http://x","y")'),  # a department name from an uploaded file
    ("Privacy rule", "Survey figures count only whole groups of 5+ respondents"),
    ("Data as of", "2026-12-03 09:00 UTC"),
    ("Dataset version", "v7"),
]


def test_csv_context_is_one_row_above_the_header():
    """Row 1 holds the whole context in one cell; the table's header and rows follow unchanged."""
    frame = pd.DataFrame({"Wave": ["30 days after"], "Answers": [412]})
    rows = _csv_rows(csv_bytes(frame, CONTEXT))
    assert rows[0] == [
        'Cohorts starting: Apr 2025 – Sep 2026 · Filters: Dept: =HYPERLINK("http://x","y") · '
        "Privacy rule: Survey figures count only whole groups of 5+ respondents · "
        "Data as of: 2026-12-03 09:00 UTC · Dataset version: v7"
    ]
    assert (
        rows[1:] == _csv_rows(csv_bytes(frame)) == [["Wave", "Answers"], ["30 days after", "412"]]
    )


def test_csv_context_row_that_starts_like_a_formula_is_quoted():
    """The context row passes the same rule as every cell."""
    rows = _csv_rows(csv_bytes(pd.DataFrame({"a": [1]}), [("=cmd", "x")]))
    assert rows[0] == ["'=cmd: x"]


def test_xlsx_context_is_a_second_sheet_of_plain_strings():
    """The table stays on the first sheet; the second, 'Context', lists what and value."""
    frame = pd.DataFrame({"Wave": ["30 days after"], "Answers": [412]})
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, CONTEXT)))
    assert book.sheetnames == ["FormatFit", "Context"]
    table = [[c.value for c in row] for row in book["FormatFit"].iter_rows()]
    assert table == [["Wave", "Answers"], ["30 days after", 412]]
    about = list(book["Context"].iter_rows())
    assert [[c.value for c in row] for row in about] == [list(pair) for pair in CONTEXT]
    assert all(c.data_type == "s" for row in about for c in row)  # never a formula


def test_no_context_no_extra_row_or_sheet():
    """Tables that do not follow the view (an uploaded file's rows) stay as they were."""
    frame = pd.DataFrame({"a": [1]})
    assert _csv_rows(csv_bytes(frame))[0] == ["a"]
    assert openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).sheetnames == ["FormatFit"]
