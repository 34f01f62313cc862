"""Column names from one or more header rows: combined, cleaned, shortened and made unique."""

from __future__ import annotations

import re

from analysis.ingest.model import QUALTRICS, QUALTRICS_LEGACY
from analysis.ingest.tools import sub_header_ignored

MAX_NAME = 120  # longer question texts are shortened in the name and kept whole in `labels`
# The importer's own working columns beside the file's (build, targets, presence_sql): a file
# column of the same name (in any case: DuckDB names ignore case) gets a suffix instead.
RESERVED = frozenset(
    ("_row", "_person", "_cohort", "_group", "_wave", "_submitted", "_response", "_h", "_pid")
)
_WS = re.compile(r"\s+")
_LEGACY_TAG = re.compile(r"^V\d+$")
_TRAILING_BRACKET = re.compile(r"^(.*\S)\s*(\[[^\[\]]{1,60}\])$", re.DOTALL)


def clean(text: str | None) -> str:
    """A header cell on one line: whitespace (line breaks, NBSP) collapsed, BOM removed."""
    if not text:
        return ""
    return _WS.sub(" ", text.replace("\ufeff", "")).strip()


def shorten(text: str, limit: int = MAX_NAME) -> str:
    """Shorten at a word boundary with '…', keeping a trailing `[Subquestion]` or `| option`."""
    if len(text) <= limit:
        return text
    tail = ""
    if " | " in text:
        head, tail = text.rsplit(" | ", 1)
        tail = " | " + _cut(tail, limit // 2)
    else:
        match = _TRAILING_BRACKET.match(text)
        head, tail = (match.group(1), " " + match.group(2)) if match else (text, "")
    # The same budget for every option of a question keeps their names a common prefix.
    return _cut(head, limit - 48 if tail else limit) + tail


def _cut(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def combine_headers(
    header: list[list[str]], tool: str, width: int
) -> tuple[list[str], list[str | None]]:
    """Raw column names and question texts (None when there is none) for `width` columns."""
    rows = [(list(r) + [""] * width)[:width] for r in header]
    if not rows:
        return [""] * width, [None] * width
    if tool == QUALTRICS:
        names = [clean(c) for c in rows[0]]
        texts = [clean(c) or None for c in rows[1]] if len(rows) > 1 else [None] * width
        return names, texts
    if tool == QUALTRICS_LEGACY and len(rows) >= 2:
        names, texts = [], []
        for tag, text in zip(rows[0], rows[1], strict=True):
            tag, text = clean(tag), clean(text)
            if not tag or _LEGACY_TAG.match(tag):
                names.append(text)
                texts.append(None)
            else:
                names.append(tag)
                texts.append(text or None)
        return names, texts
    if len(rows) == 1:
        names = [clean(c) for c in rows[0]]
        return names, [None] * width
    return _stacked(rows, tool, width)


def _stacked(rows: list[list[str]], tool: str, width: int) -> tuple[list[str], list[str | None]]:
    """Several header rows: upper cells span the blanks to their right (merged cells)."""
    filled: list[list[str]] = []
    for row in rows[:-1]:
        current, out = "", []
        for cell in row:
            current = clean(cell) or current
            out.append(current)
        filled.append(out)
    names, texts = [], []
    for col in range(width):
        parts: list[str] = []
        for row in filled:
            if row[col] and row[col] not in parts:
                parts.append(row[col])
        last = clean(rows[-1][col])
        question = " | ".join(parts)
        if last and not sub_header_ignored(tool, last) and last not in parts:
            parts.append(last)
        names.append(" | ".join(parts))
        texts.append(question or None)
    return names, texts


def unique_names(raw: list[str], positions: list[int] | None = None) -> list[str]:
    """Shortened, non-empty, unique names: blanks become `Column 7`, repeats get ` (2)`.

    Names the importer uses for its own columns (RESERVED) count as taken.
    """
    positions = positions or list(range(1, len(raw) + 1))
    names = [
        shorten(name) if name else f"Column {pos}" for name, pos in zip(raw, positions, strict=True)
    ]
    taken = {n.casefold() for n in names} | RESERVED  # names are case-insensitive in DuckDB
    seen: set[str] = set(RESERVED)
    out = []
    for name in names:
        candidate, k = name, 2
        while candidate.casefold() in seen or (candidate != name and candidate.casefold() in taken):
            candidate = f"{name} ({k})"
            k += 1
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def build_labels(names: list[str], raw: list[str], texts: list[str | None]) -> dict[str, str]:
    """Column → the longer question text, where it says more than the column name."""
    labels: dict[str, str] = {}
    for name, raw_name, text in zip(names, raw, texts, strict=True):
        full = text or raw_name
        if full and full != name:
            labels[name] = full
    return labels
