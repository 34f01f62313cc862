"""CSV dialect detection on decoded text: delimiter, decimal comma, date order, binary check."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from analysis.ingest.model import MAX_CELL_CHARS, UnreadableFile

# Python's default (131,072 characters) refuses real cells: a pasted document, a long comment.
csv.field_size_limit(MAX_CELL_CHARS)

_DATE = re.compile(r"^\s*(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?!\d)")
_AM_PM = re.compile(r"\b[AaPp]\.?[Mm]\b\.?")
_COMMA_DECIMAL = re.compile(r"^\s*[-+]?\d{1,3}(?:\.\d{3})*,\d+\s*$|^\s*[-+]?\d+,\d+\s*$")
_DOT_DECIMAL = re.compile(r"^\s*[-+]?\d{1,3}(?:,\d{3})*\.\d+\s*$|^\s*[-+]?\d+\.\d+\s*$")
_THOUSANDS_ONLY = re.compile(r"^\s*[-+]?\d{1,3},\d{3}\s*$")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def delimiter_name(delimiter: str) -> str:
    """A word for a delimiter, for messages ('tab' rather than an invisible character)."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def iter_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based first line, cells) for each CSV record; quoted line breaks stay in cells."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', doublequote=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise UnreadableFile(
                    f"Line {line}: a cell is longer than {MAX_CELL_CHARS >> 20} MB "
                    f"({MAX_CELL_CHARS:,} characters), the most the importer reads; a quote "
                    "may be opened and never closed."
                ) from exc
            raise UnreadableFile(
                f"Line {line}: the file cannot be split into cells ({exc}); "
                "a quote may be opened and never closed."
            ) from exc
        yield line, row
        line = reader.line_num + 1


def sample_records(text: str, delimiter: str, truncated: bool, limit: int) -> list[list[str]]:
    """Up to `limit` records of a sample; the last one is dropped when the sample was cut off."""
    rows: list[list[str]] = []
    for _, row in iter_records(text, delimiter):
        rows.append(row)
        if len(rows) > limit:
            break
    if truncated and rows:
        rows.pop()
    return rows[:limit]


def is_blank(row: Sequence[str | None]) -> bool:
    """True when every cell of the row is empty or whitespace."""
    if row and row[0] and not row[0].isspace():
        return False  # the usual case, decided without a generator
    return all(not cell or cell.isspace() for cell in row)


def consistency(rows: list[list[str]]) -> tuple[float, int]:
    """(share of non-blank rows with the modal field count of 2 or more, that count)."""
    widths = Counter(len(r) for r in rows if not is_blank(r))
    total = sum(widths.values())
    multi = {w: n for w, n in widths.items() if w >= 2}
    if not multi:
        return 0.0, 0
    width, count = max(multi.items(), key=lambda item: (item[1], item[0]))
    return count / total, width


def single_column_share(rows: list[list[str]]) -> float:
    """Share of non-blank rows that are a single cell."""
    filled = [r for r in rows if not is_blank(r)]
    return sum(1 for r in filled if len(r) == 1) / len(filled) if filled else 1.0


def looks_binary(text: str) -> bool:
    """True when decoded text holds NULs or many control/unassigned characters."""
    if not text:
        return False
    if "\x00" in text:
        return True
    bad = 0
    for ch in set(text):  # each distinct character once: a sample has a few hundred
        if ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs"):
            bad += text.count(ch)
    return bad / len(text) > 0.02


def detect_dates(values: Iterable[str | None]) -> bool | None:
    """Day-first (True), month-first (False) or undecided (None) from d/m/y-style date values."""
    day_first = month_first = False
    for value in values:
        if not value:
            continue
        match = _DATE.match(value)
        if not match or len(match.group(1)) > 2:
            continue  # ISO year-first dates carry no evidence about the order
        first, second = int(match.group(1)), int(match.group(2))
        if 12 < first <= 31 and 1 <= second <= 12:
            day_first = True
        elif 12 < second <= 31 and 1 <= first <= 12:
            month_first = True
        if day_first and month_first:
            return None
    if day_first != month_first:
        return day_first
    return None


def looks_like_date(value: str | None) -> bool:
    """True for a d/m/y-style (or y-m-d) date at the start of the value."""
    return bool(value and _DATE.match(value))


def has_am_pm(values: Iterable[str | None]) -> bool:
    """True when any time value carries AM/PM (12-hour clocks are a US-locale hint)."""
    return any(value and _AM_PM.search(value) for value in values)


def detect_decimal_comma(values: Iterable[str | None], delimiter: str) -> bool:
    """True when numbers use a comma as the decimal separator (`3,5`, `1.234,56`)."""
    comma = dot = 0
    for value in values:
        if not value or len(value) > 24:
            continue
        if _COMMA_DECIMAL.match(value):
            # `1,234` in a comma-delimited file is far more likely a thousands separator.
            if not (delimiter == "," and _THOUSANDS_ONLY.match(value)):
                comma += 1
        elif _DOT_DECIMAL.match(value) and value.count(".") == 1:
            dot += 1
    return comma > 0 and comma >= dot


def to_number(value: str | None, decimal_comma: bool) -> float | None:
    """Parse a numeric cell with the detected decimal separator; None when it is not a number."""
    if value is None:
        return None
    text = value.strip().replace("\xa0", "").replace(" ", "")
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        if not _THOUSANDS.match(text):
            return None
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None
