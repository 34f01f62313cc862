"""The date and time layouts the importer reads, in one place for both ways rows are read.

Surveys, rosters and enrolment lists are parsed with pandas; attendance reports and LMS logs
in DuckDB SQL (`try_strptime`). Both take their formats from `FORMATS` and choose them with
`choose_formats`, on values cleaned the same way (`clean` in Python, `clean_sql` in SQL), so
a date one path reads the other reads too, and a value no format reads is rejected, never
guessed.

The layouts are those Teams, Zoom and Google Meet write in the en-US, en-GB, de, fr and es
locales: year-month-day (ISO 8601, with `T`, fractions of a second and a UTC offset),
month-first and day-first dates with `/`, `.` or `-` and two- or four-digit years, English
month names (`Nov 3, 2026`), a space or a comma between date and time, 24-hour clocks and
12-hour clocks with AM/PM, a.m./p.m., `p. m.` or a no-break space before the marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache, lru_cache

import pandas as pd

MAX_FORMATS = 3  # formats tried per column: more would say the column is not one layout
SAMPLE = 2000  # distinct values the chooser looks at per round

_YMD = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d")
# Month names say which part is the month, whatever the order setting (English names only).
_NAMED = ("%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y")
# Dotted dates (03.11.2026) are day-first wherever they are written: no month-first form.
_MDY = tuple(f"%m{s}%d{s}{y}" for y in ("%Y", "%y") for s in "/-")
_DMY = tuple(f"%d{s}%m{s}{y}" for y in ("%Y", "%y") for s in "/.-")
_TIMES = ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p")
_JOINERS = (" ", ", ")


def _with_times(dates: Iterable[str]) -> tuple[str, ...]:
    return tuple(
        f"{d}{j}{t}" if t else d
        for d in dates
        for t in ("", *_TIMES)
        for j in _JOINERS[: 1 + bool(t)]
    )


UNAMBIGUOUS_FORMATS = _with_times((*_YMD, *_NAMED))  # the same in every locale
MONTH_FIRST_FORMATS = _with_times(_MDY)
DAY_FIRST_FORMATS = _with_times(_DMY)
FORMATS: tuple[str, ...] = (*UNAMBIGUOUS_FORMATS, *MONTH_FIRST_FORMATS, *DAY_FIRST_FORMATS)

# The clean-up, as patterns Python's re and DuckDB's RE2 read alike (applied in this order).
_SPACES = ("[\\s\u00a0\u202f]+", " ")  # no-break spaces (ICU puts U+202F before PM) → space
_OFFSET = (
    r"(\d:\d\d(?::\d\d(?:[.,]\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d\d:?\d\d)$",
    r"\1",
)  # a UTC offset after a time is dropped: the wall-clock time is kept
_ISO_T = (r"^(\d{4}-\d{1,2}-\d{1,2})T", r"\1 ")
_MERIDIEM = (r"(\d)\s*([AaPp])\.?\s?[Mm]\.?$", r"\1 \2M")  # 4:08 p. m. / 4:08pm → 4:08 pM
# German, French and Spanish month names (full or abbreviated, any case) → English `%b`.
_MONTHS = {
    "Jan": "januar|janvier|janv|enero|ene|jan",
    "Feb": "februar|fevrier|février|fevr|févr|febrero|feb",
    "Mar": "märz|maerz|marz|mrz|mär|mars|marzo|mar",
    "Apr": "april|avril|avr|abril|abr|apr",
    "May": "mai|mayo|may",
    "Jun": "juni|juin|junio|jun",
    "Jul": "juli|juillet|juil|julio|jul",
    "Aug": "august|août|aout|agosto|ago|aug",
    "Sep": "september|septembre|septiembre|setiembre|sept|sep|set",
    "Oct": "oktober|octobre|octubre|okt|oct",
    "Nov": "november|novembre|noviembre|nov",
    "Dec": "dezember|décembre|decembre|diciembre|dez|déc|dec|dic",
}
_MONTH_WORDS = tuple(
    (f"(?i)(^|[ .,/-])({names})\\.?( |,|-|$)", f"\\1{en}\\3") for en, names in _MONTHS.items()
)
_DAY_DOT = (r"(\d)\. ([A-Za-zÀ-ÿ])", r"\1 \2")  # German "3. Nov. 2026"
_SPANISH_DE = (r"(?i) de ", " ")  # Spanish "3 de noviembre de 2026"
_CLEAN = (_SPACES, _OFFSET, _ISO_T, _MERIDIEM, _DAY_DOT, _SPANISH_DE, *_MONTH_WORDS)
_CLEAN_RE = tuple((re.compile(p), r) for p, r in _CLEAN)

# strptime directives as the shapes they read (a cheap filter before strptime itself)
_DIRECTIVES = {
    "%Y": r"\d{4}",
    "%y": r"\d{2}",
    "%m": r"\d{1,2}",
    "%d": r"\d{1,2}",
    "%H": r"\d{1,2}",
    "%I": r"\d{1,2}",
    "%M": r"\d{2}",
    "%S": r"\d{2}",
    "%f": r"\d{1,6}",
    "%p": r"[AaPp][Mm]",
    "%b": r"[A-Za-z]{3}",
    "%B": r"[A-Za-z]{3,9}",
}
_DIRECTIVE = re.compile(r"%[A-Za-z]")
_DIGIT = re.compile(r"\d")


def clean(value: str) -> str:
    """A date value as the formats expect it: single spaces, no UTC offset, `AM`/`PM`."""
    text = value.strip()
    for pattern, repl in _CLEAN_RE:
        text = pattern.sub(repl, text)
    return text.strip()


def clean_sql(expr: str) -> str:
    """SQL applying `clean` to a text expression (for DuckDB)."""
    expr = f"trim({expr})"
    for pattern, repl in _CLEAN:  # 'g': every match, as Python's re.sub
        expr = f"regexp_replace({expr}, {_lit(pattern)}, {_lit(repl)}, 'g')"
    return f"trim({expr})"


def needs_cleaning(values: Iterable[str]) -> bool:
    """True when some value reads differently once cleaned (blanks at the ends aside)."""
    return any(clean(v) != v.strip() for v in values if v)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def candidates(day_first: bool | None) -> tuple[str, ...]:
    """The formats to try, best first: ISO, then the date order said (both when unknown)."""
    if day_first is True:
        return (*UNAMBIGUOUS_FORMATS, *DAY_FIRST_FORMATS)
    if day_first is False:
        return (*UNAMBIGUOUS_FORMATS, *MONTH_FIRST_FORMATS)
    return FORMATS


@cache
def _shape(fmt: str) -> re.Pattern[str]:
    parts, last = [], 0
    for m in _DIRECTIVE.finditer(fmt):
        parts += [re.escape(fmt[last : m.start()]), _DIRECTIVES[m.group()]]
        last = m.end()
    parts.append(re.escape(fmt[last:]))
    return re.compile("".join(parts))


@lru_cache(maxsize=4096)
def _formats_for_shape(key: str) -> frozenset[str]:
    """The formats whose shape fits a value with this shape key (digits as 9)."""
    return frozenset(f for f in FORMATS if _shape(f).fullmatch(key))


def _reads(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def choose_formats(
    values: Iterable[str], day_first: bool | None, limit: int = MAX_FORMATS
) -> list[str]:
    """Up to `limit` formats that read the (cleaned) values, best first.

    Greedy: the format reading most of the values still unread, ties to the earlier one in
    `candidates(day_first)`. Values no format reads stay unread.
    """
    order = candidates(day_first)
    rank = {f: i for i, f in enumerate(order)}
    readers: dict[str, set[str]] = {}
    for v in {clean(v) for v in values if v}:
        for f in _formats_for_shape(_DIGIT.sub("9", v)):
            if f in rank and _reads(v, f):
                readers.setdefault(f, set()).add(v)
    chosen: list[str] = []
    left = set().union(*readers.values()) if readers else set()
    while left and len(chosen) < limit:
        best = min(readers, key=lambda f: (-len(readers[f] & left), rank[f]))
        chosen.append(best)
        left -= readers[best]
    return chosen


def sql_formats(formats: list[str]) -> list[str]:
    """The formats for DuckDB's try_strptime: a two-digit-year twin before each `%Y` format.

    DuckDB reads `26` as the year 26 under `%Y`; trying `%y` first reads it as 2026, and a
    four-digit year still fails `%y` and falls through to `%Y`.
    """
    out: list[str] = []
    for f in formats:
        twin = f.replace("%Y", "%y")
        if twin != f and twin in FORMATS and twin not in out:
            out.append(twin)
        if f not in out:
            out.append(f)
    return out


def parse_dates(values: pd.Series, day_first: bool | None) -> pd.Series:
    """Timestamps from text cells in the formats `choose_formats` picks; NaT where none reads.

    Dates already typed as dates (from Excel) are kept as they are.
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    text = values.astype(object).where(values.notna(), None).dropna()
    if text.empty:
        return out
    lookup: dict[object, pd.Timestamp] = {}
    strings: dict[object, str] = {}
    for v in pd.unique(text):
        if isinstance(v, datetime | date | pd.Timestamp):
            lookup[v] = pd.Timestamp(v)
        elif str(v).strip():
            strings[v] = clean(str(v))
    cleaned = pd.Series(sorted(set(strings.values())), dtype=object)
    parsed = pd.Series(pd.NaT, index=cleaned.index, dtype="datetime64[us]")
    chosen: list[str] = []
    while len(chosen) < MAX_FORMATS:
        left = cleaned[parsed.isna()]
        new = [
            f
            for f in choose_formats(left.head(SAMPLE), day_first, MAX_FORMATS - len(chosen))
            if f not in chosen
        ]
        if left.empty or not new:
            break
        for fmt in new:
            todo = parsed.isna()
            got = pd.to_datetime(cleaned[todo], format=fmt, errors="coerce")
            parsed[todo] = got.astype("datetime64[us]")
        chosen += new
    by_text = dict(zip(cleaned, parsed, strict=True))
    lookup.update({raw: by_text[c] for raw, c in strings.items()})
    return pd.to_datetime(values.map(lookup), errors="coerce").astype("datetime64[us]")
