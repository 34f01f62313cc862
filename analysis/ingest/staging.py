"""Load every data row of an upload into a scratch DuckDB table, as text, with its row number.

Large attendance and activity files are shaped in SQL rather than row by row in Python: the
file is staged here once (DuckDB's CSV reader on a UTF-8 copy), and only distinct values
(identifiers, cohorts) travel to Python for hashing and lookup.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analysis.ingest.datetimes import choose_formats, clean_sql, needs_cleaning, sql_formats
from analysis.ingest.decode import decode
from analysis.ingest.detect import read_table
from analysis.ingest.model import DecodedTable
from analysis.ingest.plan import whole_file

STAGE = "stage"
# Encodings DuckDB's reader takes as they are (others are decoded in Python first).
_DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8"}


def scratch() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB for shaping one upload (never the app's database)."""
    return duckdb.connect(":memory:")


@dataclass
class Source:
    """Where the staged rows come from: a SQL relation with the file's columns.

    Decoded frames carry their own `_row`; DuckDB's CSV reader has none, so rows are numbered
    by their position in the table they land in (rowid, file order) plus `row_offset`.
    """

    sql: str
    params: list = field(default_factory=list)
    dropped: list[tuple[int, str]] = field(default_factory=list)
    temp_path: str | None = None
    row_offset: int | None = None  # None: the relation has a `_row` column

    def close(self) -> None:
        """Remove the temporary UTF-8 copy, if one was made."""
        if self.temp_path and os.path.exists(self.temp_path):
            os.unlink(self.temp_path)


def stage_upload(
    con: duckdb.DuckDBPyConnection,
    data: bytes | None,
    file_name: str,
    head: DecodedTable,
    overrides: dict | None,
    *,
    path: Path | None = None,
    fast: bool = True,
) -> Source:
    """The rows of an upload as a relation: DuckDB's CSV reader where it can, else the decoder.

    `path` is the file on disk when there is one (the command line), which spares a copy;
    `data` may then be None (read from `path` only if it must be decoded in Python).
    """
    d = head.detection
    if fast and d.file_format == "csv" and d.header_rows >= 1 and head.columns:
        return _csv_source(data, head, path)
    table = read_table(whole_file(data, path), file_name, overrides)
    frame = table.frame.copy()
    frame.insert(0, "_row", table.source_rows())
    con.register("frame_rows", frame)
    con.execute(f"CREATE OR REPLACE TABLE {STAGE} AS SELECT * FROM frame_rows")
    con.unregister("frame_rows")
    return Source(STAGE, [], list(table.dropped_rows))


def _csv_source(data: bytes | None, head: DecodedTable, path: Path | None) -> Source:
    """DuckDB's reader with the detected dialect and the head's columns (no second sniffing).

    A file whose later rows do not fit raises duckdb.Error when read; the caller then falls
    back to the decoder.
    """
    d = head.detection
    temp = None
    if path is None or d.encoding not in _DUCKDB_ENCODINGS:
        raw = whole_file(data, path)
        payload = raw if d.encoding in _DUCKDB_ENCODINGS else decode(raw, d.encoding).encode()
        fd, temp = tempfile.mkstemp(suffix=".csv")
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
    first = d.skip_rows + d.header_rows
    types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(head.columns)))
    reader = (
        f"read_csv(?, auto_detect = false, header = false, skip = {int(first)}, delim = ?, "
        f"quote = '\"', escape = '\"', null_padding = true, columns = {{{types}}})"
    )
    names = ", ".join(f"c{i} AS {quote(name)}" for i, name in enumerate(head.columns))
    sql = f"(SELECT {names} FROM {reader})"
    source_path = temp or str(path)
    return Source(sql, [source_path, d.delimiter], list(head.dropped_rows), temp, first + 1)


def quote(name: str) -> str:
    """A double-quoted identifier (quotes doubled): column names from files are data."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A single-quoted SQL string literal (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def text(column: str) -> str:
    """SQL for a column's trimmed text, NULL when blank."""
    return f"NULLIF(trim({quote(column)}), '')"


def date_formats(values: list[str], day_first: bool | None) -> list[str]:
    """Up to three strptime formats (see datetimes.FORMATS) that read the sample values."""
    return choose_formats(values, day_first)


def timestamp_sql(column: str, formats: list[str], sample: list[str]) -> str:
    """SQL turning a text column into a TIMESTAMP with the chosen formats (NULL if none fits)."""
    if not formats:
        return "CAST(NULL AS TIMESTAMP)"
    fmts = ", ".join(literal(f) for f in sql_formats(formats))
    if not needs_cleaning(sample):
        # The common case: no clean-up (strptime skips surrounding blanks; '' gives NULL).
        return f"try_strptime({quote(column)}, [{fmts}])"
    return f"try_strptime({clean_sql(text(column))}, [{fmts}])"


# ISO 8601 durations as xAPI writes them (PT3M15S, P1DT2H): days, hours, minutes, seconds.
_ISO_DURATION = (
    r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
    r"(?:(\d+(?:\.\d+)?)S)?)?$"
)


def minutes_sql(column: str, sample: list[str], decimal_comma: bool) -> str:
    """SQL turning a text column of minutes into a DOUBLE (NULL when it is not a number).

    Plain numbers ("45", " 12.5 ", "12,5" with a decimal comma) and ISO 8601 durations
    ("PT3M15S" is 3.25 minutes) are read; years and months in a duration are not.
    """
    if sample and all(re.match(_ISO_DURATION, v.strip().upper()) for v in sample if v.strip()):
        v = f"upper({text(column)})"
        part = [
            f"coalesce(TRY_CAST(NULLIF(regexp_extract({v}, '{_ISO_DURATION}', {i}), '') "
            "AS DOUBLE), 0)"
            for i in range(1, 5)
        ]
        total = f"{part[0]} * 1440 + {part[1]} * 60 + {part[2]} + {part[3]} / 60.0"
        return f"CASE WHEN regexp_full_match({v}, '{_ISO_DURATION}') THEN {total} END"
    raw = quote(column)  # TRY_CAST skips surrounding blanks and gives NULL for ''
    if decimal_comma:
        raw = f"replace(replace({text(column)}, '.', ''), ',', '.')"
    return f"TRY_CAST({raw} AS DOUBLE)"
