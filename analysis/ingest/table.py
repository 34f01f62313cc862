"""Turn detected records into a DecodedTable: header, data rows, dropped rows, text frame."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice

import numpy as np
import pandas as pd

from analysis.ingest.classify import RowFilter, is_index_column, is_summary
from analysis.ingest.decode import line_list
from analysis.ingest.dialect import delimiter_name, is_blank
from analysis.ingest.headers import build_labels, combine_headers, unique_names
from analysis.ingest.jsonlog import parse_json
from analysis.ingest.model import (
    MAX_COLUMNS,
    TOOL_KIND,
    DecodedTable,
    Detection,
    UnreadableFile,
)

_MAX_SUMMARY_ROWS = 5
_isspace = np.frompyfunc(str.isspace, 1, 1)


def build_table(
    records: Iterable[tuple[int, list[str]]],
    detection: Detection,
    max_rows: int | None,
    unit: str,
    at_end: bool = True,
    warnings: list[str] | None = None,
) -> DecodedTable:
    """Read the header and data rows from (row number, cells) records per `detection`.

    `warnings`: what decoding the text had to do, passed on with the table's own.
    """
    # Millions of small lists would trigger the cyclic GC over and over; they hold no cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        table = _build(records, detection, max_rows, unit, at_end)
    finally:
        if was_enabled:
            gc.enable()
    table.truncated = table.truncated or not at_end
    table.warnings[:0] = warnings or []
    return table


def _build(
    records: Iterable[tuple[int, list[str]]],
    detection: Detection,
    max_rows: int | None,
    unit: str,
    at_end: bool,
) -> DecodedTable:
    it = iter(records)
    for _ in islice(it, detection.skip_rows):
        pass
    header = [cells for _, cells in islice(it, detection.header_rows)]
    notes = list(detection.notes)
    shape = _Shape(header, ragged=detection.file_format == "csv")
    collected = _collect(it, detection, header, max_rows, unit, notes, shape)
    rows, numbers, dropped, truncated = collected
    tail = 0
    while at_end and not truncated and rows and tail < _MAX_SUMMARY_ROWS and is_summary(rows[-1]):
        rows.pop()
        dropped.append((numbers.pop(), "summary row"))
        tail += 1
    width = shape.used
    check_width(width)
    raw, texts = combine_headers(header, detection.tool, width)
    positions = list(range(1, width + 1))
    frame_rows = [r if len(r) == width else (r + [""] * width)[:width] for r in rows]
    if width and is_index_column(raw[0], [r[0] for r in frame_rows]):
        raw, texts, positions = raw[1:], texts[1:], positions[1:]
        frame_rows = [r[1:] for r in frame_rows]
        notes.append("dropped an unnamed index column (written by pandas)")
    names = unique_names(raw, positions)
    ragged = set(shape.ragged_rows)  # they have a warning of their own
    notes.extend(_drop_notes([d for d in dropped if d[0] not in ragged]))
    return DecodedTable(
        detection=replace(detection, notes=tuple(notes)),
        columns=names,
        labels=build_labels(names, raw, texts),
        frame=_frame(frame_rows, names),
        dropped_rows=sorted(dropped),
        row_numbers=numbers,
        truncated=truncated,
        warnings=_ragged_warning(shape, detection.delimiter, unit),
    )


def check_width(width: int) -> None:
    """Refuse a table wider than MAX_COLUMNS, saying so (UnreadableFile)."""
    if width > MAX_COLUMNS:
        raise UnreadableFile(
            f"This table has {width:,} columns; the importer takes at most {MAX_COLUMNS:,}. "
            "Export fewer questions or columns, or split the file."
        )


class _Shape:
    """The columns in use and the ragged rows, learnt row by row while the table is read.

    Columns in use are those named in the header or holding a value in some row: trailing
    unnamed, empty columns (a sheet saved with thousands of trailing delimiters) are not.
    In a text file, a row with values beyond the header's last cell is ragged: a delimiter in
    a cell without quotes, or two exports run together. It is rejected, not read into columns
    that are not there.
    """

    def __init__(self, header: list[list[str]], ragged: bool) -> None:
        self.cells = max((len(h) for h in header), default=0)  # the header's cells
        self.used = max((last_value(h, len(h)) for h in header), default=0)
        self.ragged = ragged and bool(header)
        self.ragged_rows: list[int] = []
        self.widest = 0  # cells in the widest ragged row

    def take(self, number: int, cells: list[str]) -> str | None:
        """The reason to reject a ragged row, else None (and the columns in use grow)."""
        n = len(cells)
        if n > self.used and _has_value(cells, self.used):
            if self.ragged and n > self.cells and _has_value(cells, self.cells):
                self.ragged_rows.append(number)
                self.widest = max(self.widest, n)
                return f"{last_value(cells, n)} cells where the header has {self.cells}"
            limit = self.cells if self.ragged else n
            self.used = max(self.used, last_value(cells, limit))
        return None


def _has_value(cells: list[str], start: int) -> bool:
    """True when a cell from `start` on holds more than whitespace (joined in C, not looped)."""
    return bool("".join(cells[start:]).strip())


def last_value(cells: list[str], limit: int) -> int:
    """1 + the index of the last cell before `limit` holding more than whitespace (0 if none)."""
    for i in range(min(limit, len(cells)) - 1, -1, -1):
        if cells[i] and not cells[i].isspace():
            return i + 1
    return 0


def _ragged_warning(shape: _Shape, delimiter: str, unit: str) -> list[str]:
    """One warning naming the ragged rows (each is also a rejected row with its reason)."""
    rows = shape.ragged_rows
    if not rows:
        return []
    n = len(rows)
    where = line_list(rows).replace("line", unit, 1)
    return [
        f"{n:,} {unit}{'s' if n > 1 else ''} {'have' if n > 1 else 'has'} more cells than the "
        f"header ({where}) and {'are' if n > 1 else 'is'} not imported: a "
        f"{delimiter_name(delimiter)} inside a cell may lack its quotes."
    ]


def _collect(
    it: Iterator[tuple[int, list[str]]],
    detection: Detection,
    header: list[list[str]],
    max_rows: int | None,
    unit: str,
    notes: list[str],
    shape: _Shape,
) -> tuple[list[list[str]], list[int], list[tuple[int, str]], bool]:
    """Data rows with their numbers, dropped rows with reasons, and whether max_rows cut it."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    dropped: list[tuple[int, str]] = []
    blanks: list[int] = []
    row_filter = RowFilter(detection.tool, header[0] if header else [])
    for number, cells in it:
        if is_blank(cells):
            blanks.append(number)  # reported only if a data row follows
            continue
        if row_filter.ends_section(cells):
            notes.append(f"stopped at the section {cells[0].strip()!r} ({unit} {number})")
            break
        if blanks:
            dropped.extend((n, "empty row") for n in blanks)
            blanks = []
        reason = row_filter.reason(cells) or shape.take(number, cells)
        if reason:
            dropped.append((number, reason))
            continue
        if max_rows is not None and len(rows) >= max_rows:
            return rows, numbers, dropped, True
        rows.append(cells if len(cells) <= shape.used else cells[: shape.used])
        numbers.append(number)
    return rows, numbers, dropped, False


def json_table(
    text: str, detection: Detection, max_rows: int | None, warnings: list[str] | None = None
) -> DecodedTable:
    """A table from JSON statements/events/records (see jsonlog)."""
    tool, columns, rows, json_notes = parse_json(text)
    truncated = max_rows is not None and len(rows) > max_rows
    rows = rows[:max_rows] if max_rows is not None else rows
    kind = TOOL_KIND.get(tool, detection.kind)
    notes = (*detection.notes, *json_notes)
    detection = replace(detection, tool=tool, kind=kind, notes=notes, header_rows=0)
    check_width(len(columns))
    names = unique_names(columns)
    frame = pd.DataFrame(rows, columns=names, dtype=object) if rows else _frame([], names)
    return DecodedTable(detection, names, {}, frame, [], truncated, warnings=list(warnings or []))


def _frame(rows: list[list[str]], names: list[str]) -> pd.DataFrame:
    """An object-dtype frame of text with None for empty or whitespace-only cells."""
    if not rows or not names:
        return pd.DataFrame({name: pd.Series([], dtype=object) for name in names}, dtype=object)
    values = np.empty((len(rows), len(names)), dtype=object)
    values[:] = rows
    empty = (values == "") | _isspace(values).astype(bool)
    values[empty] = None
    return pd.DataFrame(values, columns=names, dtype=object)


def _drop_notes(dropped: list[tuple[int, str]]) -> list[str]:
    """One note per kind of dropped row, e.g. 'dropped 2 Canvas points-possible rows'."""
    counts: dict[str, int] = {}
    for _, reason in dropped:
        counts[reason] = counts.get(reason, 0) + 1
    return [f"dropped {n} {reason}{'s' if n > 1 else ''}" for reason, n in counts.items()]
