"""Date layouts: the meeting tools' locales, read the same by pandas (surveys, rosters) and by
DuckDB (attendance, LMS logs) from one list of formats (analysis/ingest/datetimes.py)."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest import datetimes
from analysis.ingest.staging import date_formats, timestamp_sql

NOV3 = datetime(2026, 11, 3, 16, 8, 12)
NOV3_MIN = datetime(2026, 11, 3, 16, 8)
# (who writes it, the cell, the date order the file's other dates or the person settled on)
LAYOUTS = [
    ("Teams en-US", "11/03/26, 04:08:12 PM", None, NOV3),
    ("Teams en-US", "11/3/26, 4:08:12 PM", False, NOV3),
    ("Teams en-US (ICU)", "11/3/2026, 4:08:12\u202fPM", None, NOV3),
    ("Teams en-GB", "03/11/2026, 16:08:12", True, NOV3),
    ("Teams en-GB", "03/11/26, 16:08:12", True, NOV3),
    ("Teams de", "03.11.26, 16:08:12", True, NOV3),
    ("Teams de", "3.11.2026, 16:08:12", None, NOV3),
    ("Teams de", "03.11.2026 16:08:12", True, NOV3),
    ("Teams fr", "03/11/2026 16:08:12", True, NOV3),
    ("Teams fr", "03/11/2026 16:08", True, NOV3_MIN),
    ("Teams es", "3/11/26, 16:08:12", True, NOV3),
    ("Teams es", "3/11/26 16:08", True, NOV3_MIN),
    ("Teams es-MX", "3/11/2026, 4:08:12 p.\u00a0m.", True, NOV3),
    ("Teams es-US", "11/3/2026 4:08:12 p. m.", False, NOV3),
    ("Teams en-CA", "2026-11-03, 4:08:12 p.m.", None, NOV3),
    ("Zoom en-US", "11/03/2026 04:08:12 PM", None, NOV3),
    ("Zoom en-US", "11/3/2026 4:08:12 PM", False, NOV3),
    ("Zoom en-US", "Nov 3, 2026 04:08:12 PM", True, NOV3),
    ("Zoom en-GB", "03/11/2026 16:08:12", True, NOV3),
    ("Zoom de", "03.11.2026 16:08", None, NOV3_MIN),
    ("Zoom API", "2026-11-03T16:08:12Z", None, NOV3),
    ("Meet", "2026-11-03 16:08:12", True, NOV3),
    ("Meet en-US", "Nov 3, 2026, 4:08:12 PM", None, NOV3),
    ("Meet en-GB", "3 Nov 2026, 16:08:12", None, NOV3),
    ("Meet de", "3. Nov. 2026, 16:08:12", None, NOV3),
    ("Meet fr", "3 nov. 2026 16:08:12", None, NOV3),
    ("Meet es", "3 de nov. de 2026, 16:08:12", None, NOV3),
    ("Meet es", "3 de noviembre de 2026 16:08", None, NOV3_MIN),
    ("Kobo", "2026-11-03T16:08:12.000+06:00", None, NOV3),
]


def _duckdb(values: list[str], day_first: bool | None) -> list[datetime | None]:
    """The attendance path: formats chosen from the values, parsed by DuckDB's try_strptime."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
        sql = timestamp_sql("v", date_formats(values, day_first), values)
        return [r[0] for r in con.execute(f"SELECT {sql} FROM t ORDER BY i").fetchall()]
    finally:
        con.close()


def _pandas(values: list[str], day_first: bool | None) -> list[datetime | None]:
    """The survey path: datetimes.parse_dates on a column of text cells."""
    parsed = datetimes.parse_dates(pd.Series(values, dtype=object), day_first)
    return [None if pd.isna(t) else t.to_pydatetime() for t in parsed]


@pytest.mark.parametrize(("tool", "value", "day_first", "expected"), LAYOUTS)
def test_each_meeting_tool_layout_reads_the_same_in_both_paths(tool, value, day_first, expected):
    """Two- and four-digit years, commas, 12/24-hour clocks, a.m./p.m., month names."""
    assert _pandas([value], day_first) == [expected], tool
    assert _duckdb([value], day_first) == [expected], tool


def test_the_date_order_decides_ambiguous_dates_only():
    """11/03/26 is 3 November month-first (or undecided: US first) and 11 March day-first."""
    value = "11/03/26, 04:08:12 PM"
    for day_first, expected in (
        (None, NOV3),
        (False, NOV3),
        (True, datetime(2026, 3, 11, 16, 8, 12)),
    ):
        assert _pandas([value], day_first) == _duckdb([value], day_first) == [expected]
    # A day above 12 settles it whatever was assumed, and dotted dates are always day-first.
    assert _pandas(["13/11/2026 16:08"], None) == [datetime(2026, 11, 13, 16, 8)]
    assert _duckdb(["03.11.2026 16:08:12"], None) == [NOV3]


def test_values_no_format_reads_are_not_guessed():
    """A bare number, a word or an impossible date is unreadable: NaT/NULL, never 'today'."""
    values = ["3", "soon", "32/01/2026", "13/13/2026", "2026-02-30", "25:00 11/03/2026"]
    for day_first in (None, True, False):
        assert _pandas(values, day_first) == [None] * len(values)
    assert _duckdb(["2026-11-03", *values], None) == [datetime(2026, 11, 3), *[None] * len(values)]


def test_two_and_four_digit_years_in_one_column():
    """DuckDB would read `26` under %Y as the year 26: the %y twin is tried first."""
    values = ["3/11/2026 16:08", "4/11/26 16:08"]
    want = [datetime(2026, 11, 3, 16, 8), datetime(2026, 11, 4, 16, 8)]
    assert date_formats(values[:1], True) == ["%d/%m/%Y %H:%M"]
    assert _duckdb(values, True) == want
    assert _pandas(values, True) == want


def test_pandas_path_reads_layouts_beyond_the_first_sample():
    """A column that changes layout after the first 2,000 distinct values is still read."""
    iso = [
        f"2026-01-01 {h:02d}:{m:02d}:{s:02d}"
        for h in range(1)
        for m in range(60)
        for s in range(40)
    ]
    late = ["03.11.2026 16:08:12"]
    parsed = _pandas(iso + late, None)
    assert len(iso) > datetimes.SAMPLE and parsed[-1] == NOV3 and None not in parsed


def test_every_format_has_one_shape_and_reads_its_own_output():
    """Each format writes a value it reads back (Python and DuckDB alike)."""
    con = duckdb.connect()
    try:
        for fmt in datetimes.FORMATS:
            text = NOV3.strftime(fmt)
            assert datetimes.choose_formats([text], None, limit=len(datetimes.FORMATS)), fmt
            got = con.execute("SELECT try_strptime(?, ?)", [text, fmt]).fetchone()[0]
            assert got is not None and got.date() == NOV3.date(), fmt
    finally:
        con.close()


@settings(deadline=None)  # a DuckDB connection per example: slow on a busy machine
@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2060, 12, 31)),
    st.sampled_from(datetimes.FORMATS),
)
def test_any_date_written_in_any_format_reads_back(when: datetime, fmt: str) -> None:
    """Whatever the layout, pandas and DuckDB read back what the format wrote (to its precision)."""
    text = when.strftime(fmt)
    expected = datetime.strptime(text, fmt)
    day_first = fmt in datetimes.DAY_FIRST_FORMATS
    assert _pandas([text], day_first) == [expected]
    assert _duckdb([text], day_first) == [expected]


@pytest.mark.parametrize("word", ["infinity", "-infinity", "epoch", " Infinity ", "EPOCH"])
def test_words_duckdb_reads_as_special_timestamps_are_no_date_in_either_path(word):
    """DuckDB's try_strptime reads these as 1900-01-01 whatever the format; a date they are not.
    A real date beside them still reads, in both paths."""
    values = ["2026-11-03 16:08:12", word]
    assert _duckdb(values, None) == [NOV3, None]
    assert _pandas(values, None) == [NOV3, None]
