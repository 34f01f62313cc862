"""Turn detected records into a DecodedTable: header, data rows, dropped rows, text frame."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice

import numpy as np
import pandas as pd

from analysis.ingest.classify import RowFilter, is_index_column, is_summary
from analysis.ingest.dialect import is_blank
from analysis.ingest.headers import build_labels, combine_headers, unique_names
from analysis.ingest.jsonlog import parse_json
from analysis.ingest.model import QUALTRICS_LEGACY, TOOL_KIND, DecodedTable, Detection

_MAX_SUMMARY_ROWS = 5
_isspace = np.frompyfunc(str.isspace, 1, 1)


def build_table(
    records: Iterable[tuple[int, list[str]]],
    detection: Detection,
    max_rows: int | None,
    unit: str,
    at_end: bool = True,
) -> DecodedTable:
    """Read the header and data rows from (row number, cells) records per `detection`."""
    # Millions of small lists would trigger the cyclic GC over and over; they hold no cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        table = _build(records, detection, max_rows, unit, at_end)
    finally:
        if was_enabled:
            gc.enable()
    table.truncated = table.truncated or not at_end
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
    rows, numbers, dropped, truncated = _collect(it, detection, header, max_rows, unit, notes)
    tail = 0
    while at_end and not truncated and rows and tail < _MAX_SUMMARY_ROWS and is_summary(rows[-1]):
        rows.pop()
        dropped.append((numbers.pop(), "summary row"))
        tail += 1
    width = _width(header, rows)
    raw, texts = combine_headers(header, detection.tool, width)
    if (
        detection.tool == QUALTRICS_LEGACY
        and width > 1
        and not raw[-1]
        and all(len(r) < width or not r[width - 1] for r in rows)
    ):
        width -= 1  # the legacy export ends every line with a comma: a nameless empty column
        raw, texts = raw[:width], texts[:width]
    positions = list(range(1, width + 1))
    frame_rows = [r if len(r) == width else (r + [""] * width)[:width] for r in rows]
    if width and is_index_column(raw[0], [r[0] for r in frame_rows]):
        raw, texts, positions = raw[1:], texts[1:], positions[1:]
        frame_rows = [r[1:] for r in frame_rows]
        notes.append("dropped an unnamed index column (written by pandas)")
    names = unique_names(raw, positions)
    notes.extend(_drop_notes(dropped))
    return DecodedTable(
        detection=replace(detection, notes=tuple(notes)),
        columns=names,
        labels=build_labels(names, raw, texts),
        frame=_frame(frame_rows, names),
        dropped_rows=sorted(dropped),
        row_numbers=numbers,
        truncated=truncated,
    )


def _collect(
    it: Iterator[tuple[int, list[str]]],
    detection: Detection,
    header: list[list[str]],
    max_rows: int | None,
    unit: str,
    notes: list[str],
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
        reason = row_filter.reason(cells)
        if reason:
            dropped.append((number, reason))
            continue
        if max_rows is not None and len(rows) >= max_rows:
            return rows, numbers, dropped, True
        rows.append(cells)
        numbers.append(number)
    return rows, numbers, dropped, False


def json_table(text: str, detection: Detection, max_rows: int | None) -> DecodedTable:
    """A table from JSON statements/events/records (see jsonlog)."""
    tool, columns, rows, json_notes = parse_json(text)
    truncated = max_rows is not None and len(rows) > max_rows
    rows = rows[:max_rows] if max_rows is not None else rows
    kind = TOOL_KIND.get(tool, detection.kind)
    notes = (*detection.notes, *json_notes)
    detection = replace(detection, tool=tool, kind=kind, notes=notes, header_rows=0)
    names = unique_names(columns)
    frame = pd.DataFrame(rows, columns=names, dtype=object) if rows else _frame([], names)
    return DecodedTable(detection, names, {}, frame, [], truncated)


def _width(header: list[list[str]], rows: list[list[str]]) -> int:
    """Header width, widened only where data rows carry non-empty cells beyond it."""
    width = max((len(h) for h in header), default=0)
    extra = width
    for row in rows:
        if len(row) > extra:
            for i in range(len(row) - 1, extra - 1, -1):
                if row[i] and not row[i].isspace():
                    extra = i + 1
                    break
    if not header:
        extra = max(extra, max((len(r) for r in rows), default=0))
    return max(width, extra)


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
