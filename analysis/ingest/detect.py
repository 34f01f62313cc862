"""Detect how an uploaded export is laid out and decode it into a table of text cells.

Detection works on a sample (the first 64 KB, at most 2,000 records) so a preview of a large
file is quick; every detected setting can be overridden and the file read again.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import replace
from itertools import chain, islice
from typing import Any

from analysis.ingest.decode import decode_with_report, detect_encoding, normalise_encoding
from analysis.ingest.dialect import (
    consistency,
    delimiter_name,
    detect_dates,
    detect_decimal_comma,
    has_am_pm,
    is_blank,
    iter_records,
    looks_binary,
    sample_records,
    single_column_share,
)
from analysis.ingest.headers import combine_headers, unique_names
from analysis.ingest.jsonlog import looks_like_json
from analysis.ingest.kinds import guess_kind
from analysis.ingest.model import (
    DELIMITERS,
    ENCODING_LABELS,
    GENERIC,
    GOOGLE_FORMS,
    MOODLE_LOG,
    OPENEDX_TRACKING,
    QUALTRICS,
    TEAMS_ATTENDANCE,
    TOOL_KIND,
    TOOLS,
    UNKNOWN,
    XAPI,
    ZOOM,
    DecodedTable,
    Detection,
    UnreadableFile,
)
from analysis.ingest.table import build_table, json_table
from analysis.ingest.tools import DEFAULT_HEADER_ROWS, Layout, find_layout, generic_layout
from analysis.ingest.xlsx import XLSX_MAGIC, is_xlsx, open_sheet

__all__ = [
    "DecodedTable",
    "Detection",
    "UnreadableFile",
    "detect_dates",
    "read_table",
    "sniff",
]

SAMPLE_BYTES = 65536
SAMPLE_ROWS = 2000
OVERRIDE_KEYS = (
    "encoding",
    "delimiter",
    "decimal_comma",
    "header_rows",
    "skip_rows",
    "day_first",
    "tool",
    "sheet",
)
_REPLACED_NOTE = "some bytes could not be decoded and show as �"
_REFUSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0", "This is an old Excel .xls (Office 97-2003) file: save it as .xlsx."),
    (b"%PDF", "This is a PDF document, not a data export: download the CSV or Excel export."),
    (b"\x1f\x8b", "This file is gzip-compressed: unpack it and upload the file inside."),
    (b"Rar!", "This is a RAR archive: unpack it and upload the file inside."),
    (b"\x89PNG", "This is an image, not a data export."),
    (b"\xff\xd8\xff", "This is an image, not a data export."),
)


def sniff(data_head: bytes, file_name: str, overrides: dict | None = None) -> Detection:
    """Detect the settings from the first bytes of a file (a prefix is enough for text files)."""
    ov = _check_overrides(overrides)
    _refuse_by_magic(data_head, file_name)
    if data_head.startswith(XLSX_MAGIC):
        if is_xlsx(data_head):
            sheet = open_sheet(data_head, ov.get("sheet"))
            try:
                rows = [cells for _, cells in islice(sheet.rows, SAMPLE_ROWS)]
            finally:
                sheet.close()
            return _detect_rows(rows, ov, "utf-8", ",", [], "xlsx", sheet.name)
        note = "Excel workbook: the whole file is needed to detect its layout"
        return Detection("utf-8", ",", False, 1, 0, None, GENERIC, UNKNOWN, (note,), "xlsx")
    head = data_head[:SAMPLE_BYTES]
    return _sniff_text(head, len(data_head) > SAMPLE_BYTES, ov)


class NeedWholeFile(Exception):
    """The first bytes of a file were not enough for its preview: read all of it."""


def read_table(
    data: bytes,
    file_name: str,
    overrides: dict | None = None,
    max_rows: int | None = None,
    *,
    partial: bool = False,
) -> DecodedTable:
    """Detect and decode a CSV/TSV, XLSX or JSON export into a table; UnreadableFile if it can't.

    `partial`: `data` is only the start of the file. The first `max_rows` of a CSV file are
    read from it when they are all there, the same as from the whole file; otherwise (an Excel
    or JSON file, rows longer than the start) NeedWholeFile is raised.
    """
    try:
        return _read_table(data, file_name, overrides, max_rows, partial)
    except (UnreadableFile, NeedWholeFile):
        raise
    except Exception as exc:  # the person gets one line, never a traceback
        detail = " ".join(str(exc).split())[:160]
        raise UnreadableFile(
            f"{file_name} could not be read ({type(exc).__name__}: {detail})."
        ) from exc


def _read_table(
    data: bytes, file_name: str, overrides: dict | None, max_rows: int | None, partial: bool
) -> DecodedTable:
    ov = _check_overrides(overrides)
    max_rows = None if max_rows is None else max(0, int(max_rows))
    if partial and (max_rows is None or data.startswith(XLSX_MAGIC) or not _CONTENT.search(data)):
        raise NeedWholeFile
    _refuse_by_magic(data, file_name)
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, ov, max_rows)
    truncated = partial or len(data) > SAMPLE_BYTES
    detection = _sniff_text(data[:SAMPLE_BYTES], truncated, ov)
    if max_rows is not None and truncated and detection.file_format == "csv":
        preview = _preview(data, detection, max_rows)
        if preview is not None:
            return preview
    if partial:
        raise NeedWholeFile
    text, replaced = decode_with_report(data, detection.encoding)
    if replaced and truncated and "encoding" not in ov:
        # The sample was clean but a byte further on is not: look at the whole file instead.
        encoding = detect_encoding(data)
        if encoding != detection.encoding:
            text, replaced = decode_with_report(data, encoding)
            note = f"encoding re-detected on the whole file: {ENCODING_LABELS[encoding]}"
            detection = replace(detection, encoding=encoding, notes=(*detection.notes, note))
    if replaced and _REPLACED_NOTE not in detection.notes:
        detection = replace(detection, notes=(*detection.notes, _REPLACED_NOTE))
    if detection.file_format == "json":
        return json_table(text, detection, max_rows)
    return build_table(iter_records(text, detection.delimiter), detection, max_rows, "line")


def _preview(data: bytes, detection: Detection, max_rows: int) -> DecodedTable | None:
    """The first rows of a large text file, decoding only as much of it as they need."""
    need = detection.skip_rows + detection.header_rows + max_rows + 50
    size = SAMPLE_BYTES * 4
    while size < len(data):
        text, replaced = _decode_head(data[:size], detection.encoding, True)
        if replaced:
            return None  # let the full read re-detect the encoding
        records = list(islice(iter_records(text, detection.delimiter), need + 1))
        if len(records) > need:  # the last record may be cut off by the prefix: not used
            return build_table(records[:need], detection, max_rows, "line", at_end=False)
        size *= 4
    return None


def _read_xlsx(data: bytes, ov: dict[str, Any], max_rows: int | None) -> DecodedTable:
    if not is_xlsx(data):
        raise UnreadableFile(
            "This Excel file is damaged or incomplete: it cannot be opened as a workbook."
        )
    sheet = open_sheet(data, ov.get("sheet"))
    try:
        sample = list(islice(sheet.rows, SAMPLE_ROWS))
        detection = _detect_rows([c for _, c in sample], ov, "utf-8", ",", [], "xlsx", sheet.name)
        return build_table(chain(sample, sheet.rows), detection, max_rows, "row")
    finally:
        sheet.close()


def _sniff_text(head: bytes, truncated: bool, ov: dict[str, Any]) -> Detection:
    """Detection for a text file from its first bytes."""
    encoding = ov.get("encoding") or detect_encoding(head)
    text, replaced = _decode_head(head, encoding, truncated)
    if looks_binary(text):
        if "encoding" in ov:
            label = ENCODING_LABELS[encoding]
            raise UnreadableFile(f"The file does not decode as {label}: choose another encoding.")
        raise UnreadableFile("This looks like binary data, not a CSV, Excel or JSON export.")
    if not text.strip():
        raise UnreadableFile("The file is empty.")
    if text.count("\ufffd") > max(3, len(text) // 10):
        raise UnreadableFile(
            f"The file does not decode as {ENCODING_LABELS[encoding]}: choose another encoding."
        )
    notes = []
    if encoding != "utf-8":
        notes.append(f"decoded from {ENCODING_LABELS[encoding]}")
    if replaced:
        notes.append(_REPLACED_NOTE)
    if looks_like_json(text) and "delimiter" not in ov and _json_like(text):
        tool = XAPI if '"actor"' in text and '"verb"' in text else GENERIC
        if tool == GENERIC and '"context"' in text and ('"event_type"' in text or '"name"' in text):
            tool = OPENEDX_TRACKING
        kind = TOOL_KIND.get(tool, UNKNOWN)
        return Detection(encoding, ",", False, 0, 0, None, tool, kind, tuple(notes), "json")
    delimiter, rows = _choose_delimiter(text, truncated, ov)
    return _detect_rows(rows, ov, encoding, delimiter, notes, "csv", None)


def _decode_head(head: bytes, encoding: str, truncated: bool) -> tuple[str, bool]:
    """Decode a sample; a character cut off at the end of a truncated sample is not an error."""
    if not truncated:
        return decode_with_report(head, encoding)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return decode_with_report(head, encoding)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text, False


def _json_like(text: str) -> bool:
    """A `{`/`[` start that is JSON rather than a CSV whose first header happens to start so."""
    first_line = text.lstrip().split("\n", 1)[0].strip()
    if first_line in ("{", "[") or '":' in first_line:
        return True
    return not any(d in first_line for d in ",;\t|")


def _choose_delimiter(
    text: str, truncated: bool, ov: dict[str, Any]
) -> tuple[str, list[list[str]]]:
    """The delimiter: given, else the one under which a tool signature appears, else consistency."""
    if "delimiter" in ov:
        return ov["delimiter"], sample_records(text, ov["delimiter"], truncated, SAMPLE_ROWS)
    parsed = {d: sample_records(text, d, truncated, SAMPLE_ROWS) for d in DELIMITERS}
    for delimiter, rows in parsed.items():
        layout = find_layout(rows, ov.get("tool"))
        if layout and len(rows[layout.skip_rows]) >= 2:
            return delimiter, rows
    best, best_key = ",", (0.0, 0, 0)
    for rank, (delimiter, rows) in enumerate(parsed.items()):
        share, width = consistency(rows)
        key = (round(share, 2), width, -rank)
        if width >= 2 and key > best_key:
            best, best_key = delimiter, key
    if best_key[0] < 0.5 and all(single_column_share(r) >= 0.9 for r in parsed.values()):
        return ",", parsed[","]  # one column: nothing to split on
    if best_key[0] < 0.5:
        raise UnreadableFile(
            "No consistent delimiter: with comma, semicolon, tab or pipe the rows have "
            "different numbers of cells, so this does not look like a table."
        )
    return best, parsed[best]


def _detect_rows(
    rows: list[list[str]],
    ov: dict[str, Any],
    encoding: str,
    delimiter: str,
    notes: list[str],
    file_format: str,
    sheet: str | None,
) -> Detection:
    """Header position, tool, kind, decimal comma and date order from sample records."""
    tool_override = ov.get("tool")
    layout = find_layout(rows, tool_override)
    if layout is None:
        layout = generic_layout(rows)
        if tool_override and tool_override != GENERIC:
            n_header = DEFAULT_HEADER_ROWS.get(tool_override, 1)
            layout = Layout(tool_override, layout.skip_rows, n_header)
        elif sheet and sheet.lower().startswith("form responses"):
            layout = Layout(GOOGLE_FORMS, layout.skip_rows, 1)
    tool = tool_override or layout.tool
    skip = ov.get("skip_rows", layout.skip_rows)
    n_header = ov.get("header_rows", layout.header_rows)
    notes = list(notes)
    if sheet:
        notes.append(f"sheet {sheet!r}")
    if skip:
        block = "Zoom meeting block" if tool == ZOOM else "rows above the header"
        notes.append(f"skipped {block} ({skip} rows)")
    if n_header > 1:
        detail = ", export tags as names" if tool == QUALTRICS else ""
        notes.append(f"{n_header} header rows combined{detail}")
    header = rows[skip : skip + n_header]
    body = [r for r in rows[skip + n_header :] if not is_blank(r)]
    values = [cell for r in body for cell in r if cell]
    decimal_comma = ov.get("decimal_comma", detect_decimal_comma(values, delimiter))
    if decimal_comma:
        notes.append("decimal comma (3,5 means 3.5)")
    day_first = ov["day_first"] if "day_first" in ov else _day_first(tool, values, notes)
    width = max((len(r) for r in header + body[:200]), default=0)
    raw, _ = combine_headers(header, tool, width)
    kind = guess_kind(tool, unique_names(raw), body[:200])
    if file_format == "csv":
        notes.insert(0, f"{delimiter_name(delimiter)}-separated")
    return Detection(
        encoding=encoding,
        delimiter=delimiter,
        decimal_comma=bool(decimal_comma),
        header_rows=n_header,
        skip_rows=skip,
        day_first=day_first,
        tool=tool,
        kind=kind,
        notes=tuple(notes),
        file_format=file_format,
        sheet=sheet,
    )


def _day_first(tool: str, values: list[str], notes: list[str]) -> bool | None:
    """Date order from the evidence, else the tool's known default for ambiguous dates."""
    found = detect_dates(values)
    if found is not None:
        notes.append("dates are day-first" if found else "dates are month-first")
        return found
    dated = [v for v in values if v[:1].isdigit() and ("/" in v or "." in v)]
    if tool == TEAMS_ATTENDANCE and dated and not has_am_pm(dated):
        notes.append("dates look ambiguous; day-first assumed (24-hour Teams list)")
        return True
    if tool == MOODLE_LOG and dated:
        notes.append("dates look ambiguous; day-first assumed (Moodle's default format)")
        return True
    return None


def _check_overrides(overrides: dict | None) -> dict[str, Any]:
    """Validated overrides; None values mean 'detect it'."""
    ov = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = set(ov) - set(OVERRIDE_KEYS)
    if unknown:
        raise UnreadableFile(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    if "encoding" in ov:
        ov["encoding"] = normalise_encoding(str(ov["encoding"]))
    if "delimiter" in ov:
        ov["delimiter"] = {"tab": "\t", "\\t": "\t"}.get(ov["delimiter"], ov["delimiter"])
        if ov["delimiter"] not in DELIMITERS:
            raise UnreadableFile("The delimiter must be comma, semicolon, tab or pipe.")
    for key in ("header_rows", "skip_rows"):
        if key in ov and (not isinstance(ov[key], int) or not 0 <= ov[key] <= 100):
            raise UnreadableFile(f"{key.replace('_', ' ').capitalize()} must be 0 to 100.")
    for key in ("decimal_comma", "day_first"):
        if key in ov and not isinstance(ov[key], bool):
            raise UnreadableFile(f"{key.replace('_', ' ').capitalize()} must be true or false.")
    if "tool" in ov and ov["tool"] not in TOOLS:
        raise UnreadableFile(f"Unknown tool {ov['tool']!r}.")
    return ov


_CONTENT = re.compile(rb"[^ \t\r\n\x00]")


def _refuse_by_magic(data: bytes, file_name: str) -> None:
    """Refuse files that are clearly not exports, with what to do instead."""
    for magic, message in _REFUSED_MAGIC:
        if data.startswith(magic):
            raise UnreadableFile(message)
    if data.startswith(XLSX_MAGIC) and b"xl/" not in data[:65536]:
        if file_name.lower().endswith(".ods") or b"opendocument.spreadsheet" in data[:200]:
            raise UnreadableFile("This is an OpenDocument spreadsheet: save it as .xlsx or CSV.")
        raise UnreadableFile("This is a ZIP archive but not an Excel workbook (.xlsx).")
    if not _CONTENT.search(data):  # a search, not strip(): no copy of a large file
        raise UnreadableFile("The file is empty.")
    start = data[:512].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html")):
        raise UnreadableFile("This is a web page (HTML), not a CSV, Excel or JSON export.")
