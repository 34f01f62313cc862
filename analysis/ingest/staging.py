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

from analysis.ingest.classify import SECTION_TITLE, SECTION_TOOLS
from analysis.ingest.datetimes import choose_formats, clean_sql, needs_cleaning, sql_formats
from analysis.ingest.decode import decode_report
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
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT * FROM frame_rows")
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


def section_columns(head: DecodedTable) -> list[str]:
    """Columns marking section titles and blank rows, for a report whose table ends at the
    next section (Teams' "3. In-Meeting Activities"); none for other files.

    The preview stops there (classify.RowFilter.ends_section); `cut_at_section` makes the
    rows DuckDB reads stop at the same place.
    """
    if head.detection.tool not in SECTION_TOOLS or not head.columns:
        return []
    first = head.columns[0]
    empty = [f"coalesce(trim({quote(c)}), '') = ''" for c in head.columns]
    title = " AND ".join(
        [f"regexp_matches(coalesce({quote(first)}, ''), {literal(SECTION_TITLE)})", *empty[1:]]
    )
    return [
        f"CASE WHEN {title} THEN {quote(first)} END AS _section",
        f"({' AND '.join(empty)}) AS _blank",
    ]


def cut_at_section(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """Delete the rows from the first section title on (and the blank rows before it) from a
    table made with `section_columns`; returns the section's title, or None when there is none.

    rowid keeps its values after a DELETE, so the rows left keep their row numbers.
    """
    found = con.execute(
        f"SELECT rowid, _section FROM {table} WHERE _section IS NOT NULL ORDER BY rowid LIMIT 1"
    ).fetchone()
    if found is not None:
        con.execute(
            f"DELETE FROM {table} WHERE rowid > (SELECT coalesce(max(rowid), -1) FROM {table} "
            "WHERE rowid < ? AND NOT _blank)",
            [found[0]],
        )
    con.execute(f"ALTER TABLE {table} DROP COLUMN _section")
    con.execute(f"ALTER TABLE {table} DROP COLUMN _blank")
    return None if found is None else str(found[1]).strip()


def date_formats(values: list[str], day_first: bool | None) -> list[str]:
    """Up to three strptime formats (see datetimes.FORMATS) that read the sample values."""
    return choose_formats(values, day_first)


def timestamp_sql(column: str, formats: list[str], sample: list[str]) -> str:
    """SQL turning a text column into a TIMESTAMP with the chosen formats (NULL if none fits)."""
    if not formats:
        return "CAST(NULL AS TIMESTAMP)"
    fmts = ", ".join(literal(f) for f in sql_formats(formats))
    # The common case: no clean-up (strptime skips surrounding blanks; '' gives NULL).
    value = clean_sql(text(column)) if needs_cleaning(sample) else quote(column)
    # DuckDB reads the words 'infinity', '-infinity' and 'epoch' as 1900-01-01 whatever the
    # format: no date. NULLIF keeps it to one parse (a CASE testing the words cost 5-9% of a 1M
    # import); a session on 1 January 1900 is no session either (spreadsheets' day zero)
    return f"NULLIF(try_strptime({value}, [{fmts}]), TIMESTAMP '1900-01-01')"


_NUMBER = r"(\d+(?:[.,]\d+)?)"
# Durations, with how many minutes each group is worth: ISO 8601 as xAPI writes it (PT3M15S,
# P1DT2H), with units as Teams and Meet write them (1h 2m 31s, 54 min 28 s, 1 Std. 5 Min.),
# and as a clock (1:02:31, hours first).
_DURATIONS: tuple[tuple[str, tuple[float, ...]], ...] = (
    (
        r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
        r"(?:(\d+(?:\.\d+)?)S)?)?$",
        (1440, 60, 1, 1 / 60),
    ),
    (
        rf"(?i)^(?:{_NUMBER} ?(?:h|hrs?|hours?|std|stunden?|heures?|horas?)\.?)? ?"
        rf"(?:{_NUMBER} ?(?:m|mins?|minutes?|minuten|minutos?)\.?)? ?"
        rf"(?:{_NUMBER} ?(?:s|secs?|seconds?|sek|sekunden?|secondes?|segundos?)\.?)?$",
        (60, 1, 1 / 60),
    ),
    (r"^(\d+):(\d{2}):(\d{2})$", (60, 1, 1 / 60)),
)


def minutes_sql(
    column: str, sample: list[str], decimal_comma: bool, per_number: float = 1.0
) -> str:
    """SQL turning a text column of minutes into a DOUBLE (NULL when it is not a number).

    Plain numbers ("45", " 12.5 ", "12,5" with a decimal comma; times `per_number`, 60 for a
    column of hours) and the durations in _DURATIONS that the sample holds ("PT3M15S" and
    "3m 15s" are 3.25 minutes) are read; years and months in a duration are not.
    """
    raw = quote(column)  # TRY_CAST skips surrounding blanks and gives NULL for ''
    if decimal_comma:
        raw = f"replace(replace({text(column)}, '.', ''), ',', '.')"
    number = f"TRY_CAST({raw} AS DOUBLE)"
    if per_number != 1:
        number = f"{number} * {float(per_number)!r}"
    values = [v.strip().upper() for v in sample if v and v.strip()]
    cases = []
    for pattern, weights in _DURATIONS:
        if not any(re.match(pattern, v) for v in values if not re.fullmatch(r"[\d.,]+", v)):
            continue
        v, pat = f"upper({text(column)})", literal(pattern)
        parts = [
            f"coalesce(TRY_CAST(replace(NULLIF(regexp_extract({v}, {pat}, {i}), ''), ',', '.') "
            f"AS DOUBLE), 0) * {w!r}"
            for i, w in enumerate(weights, start=1)
        ]
        cases.append(f"WHEN regexp_full_match({v}, {pat}) THEN {' + '.join(parts)}")
    if not cases:
        return number
    return f"CASE {' '.join(cases)} ELSE {number} END"
