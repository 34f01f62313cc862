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
from datetime import datetime
from pathlib import Path

import duckdb

from analysis.ingest.decode import decode_report
from analysis.ingest.detect import read_table
from analysis.ingest.model import DecodedTable
from analysis.ingest.plan import whole_file

STAGE = "stage"
# Encodings DuckDB's reader takes as they are (others are decoded in Python first).
_DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8"}
_TZ = r"(Z|UTC|GMT|[+-]\d{2}:?\d{2})$"
_DATE_FORMATS_US = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y, %H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%y %H:%M",
    "%m/%d/%y",
)
_DATE_FORMATS_EU = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y, %H:%M:%S",
    "%d/%m/%Y, %H:%M",
    "%d/%m/%Y",
    "%d/%m/%y, %H:%M",
    "%d/%m/%y %H:%M",
    "%d/%m/%y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
)
_DATE_FORMATS_ISO = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
)


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
    warnings: list[str] = field(default_factory=list)  # what reading the file had to do
    raw: bool = False  # DuckDB reads the file's own bytes (NULs and all)

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
    return Source(STAGE, [], list(table.dropped_rows), warnings=list(table.warnings))


def _csv_source(data: bytes | None, head: DecodedTable, path: Path | None) -> Source:
    """DuckDB's reader with the detected dialect and the head's columns (no second sniffing).

    A file whose later rows do not fit raises duckdb.Error when read; the caller then falls
    back to the decoder.
    """
    d = head.detection
    temp = None
    raw_bytes = d.encoding in _DUCKDB_ENCODINGS
    warnings: list[str] = []
    if path is None or not raw_bytes:
        raw = whole_file(data, path)
        if raw_bytes:
            payload = raw
        else:
            decoded = decode_report(raw, d.encoding)
            payload, warnings = decoded.text.encode(), decoded.warnings()
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
    dropped = list(head.dropped_rows)
    return Source(
        sql, [source_path, d.delimiter], dropped, temp, first + 1, warnings, raw=raw_bytes
    )


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
    """Up to three strptime formats (DuckDB's dialect) that read the sample values, best first."""
    cleaned = [re.sub(_TZ, "", v.strip()).strip().replace("T", " ") for v in values if v]
    if day_first is True:
        candidates = (*_DATE_FORMATS_ISO, *_DATE_FORMATS_EU)
    elif day_first is False:
        candidates = (*_DATE_FORMATS_ISO, *_DATE_FORMATS_US)
    else:
        candidates = (*_DATE_FORMATS_ISO, *_DATE_FORMATS_US, *_DATE_FORMATS_EU)
    chosen: list[str] = []
    left = set(cleaned)
    while left and len(chosen) < 3:  # greedy: the format reading most of what is still unread
        best = max(candidates, key=lambda f: sum(_parses(v, f) for v in left))
        read = {v for v in left if _parses(v, best)}
        if not read:
            break  # the rest is unreadable: those rows are rejected, never guessed
        chosen.append(best)
        left -= read
    return chosen


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def timestamp_sql(column: str, formats: list[str], sample: list[str]) -> str:
    """SQL turning a text column into a TIMESTAMP with the chosen formats (NULL if none fits)."""
    if not formats:
        return "CAST(NULL AS TIMESTAMP)"
    fmts = ", ".join(literal(f) for f in formats)
    if not any(re.search(_TZ, v) or "T" in v for v in sample):
        # The common case: no clean-up (strptime skips surrounding blanks; '' gives NULL).
        return f"try_strptime({quote(column)}, [{fmts}])"
    value = f"replace(regexp_replace({text(column)}, '{_TZ}', ''), 'T', ' ')"
    return f"try_strptime(trim({value}), [{fmts}])"


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
