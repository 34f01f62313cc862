"""Multi-select answers: one column per option (SurveyMonkey, Typeform) or joined in one cell.

Joined styles: Google Forms ", " (options may contain commas themselves, so the option set is
learned from the cells), Microsoft Forms ";" and KoboToolbox space-separated codes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.ingest.scales import distinct_labels, label_key

COLUMNS = "columns"  # one column per option; a cell repeats the option (or a marker) or is empty
COLUMNS_SINGLE = "columns_single"  # the same layout, but one choice per row (expanded Likert)
COMMA = "comma"
SEMICOLON = "semicolon"
SPACE = "space"
STYLES: tuple[str, ...] = (COLUMNS, COLUMNS_SINGLE, COMMA, SEMICOLON, SPACE)

QUESTION_SEPARATOR = " | "  # how the decoder names "Question | Option" continuation columns
_RESPONSE_SUBHEADS = ("response", "open-ended response")
_MARKERS = frozenset({"1", "x", "yes", "true", "selected", "checked"})
_SPLIT = {COMMA: re.compile(r"\s*,\s*"), SEMICOLON: re.compile(r"\s*;\s*")}
_CODE_TOKENS = re.compile(r"^[\w.-]+( [\w.-]+)*$")
_ALL_THAT_APPLY = re.compile(
    r"all that apply|select (all|any|multiple)|check all|mehrfach|mehrere antworten|"
    r"plusieurs reponses|varias (respuestas|opciones)"
)
MAX_OPTIONS = 25
MAX_OPTION_PARTS = 4  # an option holds at most 3 separators ("Yes, but only online")
SINGLE_MIN_ROWS = 10


@dataclass(frozen=True)
class MultiSelect:
    """One multi-select question: its style, source columns, options and doubtful values."""

    style: str
    question: str
    columns: tuple[str, ...]
    options: tuple[str, ...]
    uncertain: tuple[str, ...] = ()  # cells taken as one option although they hold a separator
    reason: str = ""


def question_and_option(header: str) -> tuple[str, str | None]:
    """Split a decoder header "Question | Option" into its parts; (header, None) without one."""
    if QUESTION_SEPARATOR not in header:
        return header, None
    question, option = header.rsplit(QUESTION_SEPARATOR, 1)
    if option.strip().casefold() in _RESPONSE_SUBHEADS:
        return question, None
    return question, option


def _parts(value: str, style: str) -> list[str]:
    """The separator-split pieces of a joined cell."""
    if style == SPACE:
        return value.split()
    return [p for p in _SPLIT[style].split(value.strip()) if p]


def _segment(parts: list[str], known: Mapping[str, str]) -> tuple[list[str], int]:
    """Fewest-unknown, then fewest-pieces split of parts into known options (joined by ", ")."""
    n = len(parts)
    best: list[tuple[int, int, list[str]] | None] = [(0, 0, [])] + [None] * n
    for i in range(1, n + 1):
        for j in range(max(0, i - MAX_OPTION_PARTS), i):
            prev = best[j]
            if prev is None:
                continue
            key = label_key(", ".join(parts[j:i]))
            if key in known:
                cand = (prev[0], prev[1] + 1, [*prev[2], known[key]])
            elif i - j == 1:
                cand = (prev[0] + 1, prev[1] + 1, [*prev[2], parts[j]])
            else:
                continue
            if best[i] is None or cand[:2] < best[i][:2]:
                best[i] = cand
    unknown, _, pieces = best[n]
    return pieces, unknown


def split_multi(value: object, style: str, known_options: Iterable[str] = ()) -> list[str]:
    """The options chosen in one joined cell, in order, without duplicates.

    With known options, a known option that contains the separator stays whole ("Yes, but
    only online"); parts that match no known option are returned as they are.
    """
    if style not in (COMMA, SEMICOLON, SPACE):
        raise ValueError(f"split_multi handles joined cells, not style {style!r}")
    if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
        return []
    parts = _parts(str(value), style)
    known = {label_key(o): o for o in known_options}
    pieces = _segment(parts, known)[0] if known and style != SPACE else parts
    return list(dict.fromkeys(p.strip() for p in pieces if p.strip()))


def learn_options(
    values: Iterable[object], style: str, max_options: int | None = None
) -> tuple[list[str], list[str]]:
    """The option set of a joined column, learned from its cells, and the doubtful cells.

    A cell that cannot be split into options seen on their own is taken as one option; when it
    holds the separator it is also listed as doubtful, so the import form can ask. Stops early
    once more than `max_options` are found (free text, not a checkbox question).
    """
    labels = distinct_labels(values)
    if style != COMMA:  # codes and Forms choices never hold their own separator
        return list(dict.fromkeys(t for lab in labels for t in _parts(lab, style))), []
    options: dict[str, str] = {}
    uncertain: list[str] = []
    for lab in sorted(labels, key=lambda s: len(_parts(s, style))):
        parts = _parts(lab, style)
        pieces, unknown = _segment(parts, options)
        if len(pieces) >= 2 and unknown == 0:
            continue  # a combination of options already seen
        whole = ", ".join(parts)
        if label_key(whole) not in options:
            options[label_key(whole)] = whole
            if len(parts) > 1:
                uncertain.append(lab)
            if max_options is not None and len(options) > max_options:
                break
    return list(options.values()), uncertain


def _joined(column: str, values: list[str], style: str, hinted: bool) -> MultiSelect | None:
    """A joined multi-select in one column, if its cells really are option combinations."""
    options, uncertain = learn_options(values, style, MAX_OPTIONS)
    if not options or len(options) > MAX_OPTIONS:
        return None
    cells = [v for v in values if str(v).strip()]
    chosen = [split_multi(v, style, options) for v in cells]
    combos = sum(1 for c in chosen if len(c) > 1)
    support = Counter(o for c in chosen for o in set(c))
    if style == SPACE:
        if not all(_CODE_TOKENS.match(str(v).strip()) for v in cells):
            return None
        alone = {label_key(v) for v in cells if len(str(v).split()) == 1}
        lower = all(str(v) == str(v).lower() for v in cells)
        if not hinted and (
            not lower or sum(label_key(o) in alone for o in options) < len(options) / 2
        ):
            return None  # capitalised words or tokens never chosen alone: text, not codes
    if not hinted:
        if combos < 2 or max(len(o) for o in options) > 60:
            return None
        if sum(1 for o in options if support[o] >= 2) < 0.7 * len(options):
            return None  # free text with separators: most "options" occur once
    elif combos < 1:
        return None
    why = {COMMA: "options joined with commas", SEMICOLON: "options joined with semicolons",
           SPACE: "option codes separated by spaces"}[style]  # fmt: skip
    return MultiSelect(style, column, (column,), tuple(options), tuple(uncertain), why)


def _same_option(cell: str, option: str) -> bool:
    """A cell repeats the option; the decoder may have shortened a long option with '…'."""
    key, opt = label_key(cell), label_key(option)
    if option.rstrip().endswith(("…", "...")):
        return key.startswith(opt)
    return key == opt


def _option_column(values: list[str], option: str, prefixed: bool) -> bool | None:
    """True if every filled cell repeats the option (or a marker); None when all are empty."""
    if not values:
        return None
    markers = _MARKERS if prefixed else frozenset()
    return all(_same_option(v, option) or label_key(v) in markers for v in values)


def _groups(columns: list[str], labels: Mapping[str, str], sample: pd.DataFrame) -> list[list]:
    """Runs of consecutive option columns that belong to one question (at least one filled).

    The decoder names a continuation column "Question | Option" and keeps the full question in
    `labels`; Typeform-style option columns are named by the option alone.
    """
    runs: list[list[tuple[str, str | None, str, bool]]] = [[]]
    for col in columns:
        prefix, option = question_and_option(col)
        prefixed = option is not None
        text = option if prefixed else col
        values = distinct_labels(_column(sample, col)) if col in sample else []
        is_option = _option_column(values, text, prefixed)
        if not (is_option or (is_option is None and prefixed)):
            runs.append([])
            continue
        key = (labels.get(col) or prefix) if prefixed else None
        if runs[-1] and runs[-1][-1][1] != key:
            runs.append([])
        runs[-1].append((col, key, text, bool(is_option)))
    return [[e[:3] for e in r] for r in runs if len(r) >= 2 and any(e[3] for e in r)]


def _filled(cell: object) -> bool:
    """A cell with something in it (not None, NaN or blank)."""
    return cell is not None and cell == cell and bool(str(cell).strip())


def _column(sample: pd.DataFrame, col: str) -> pd.Series:
    """One column of the sample; the first when a name is duplicated."""
    found = sample[col]
    return found.iloc[:, 0] if isinstance(found, pd.DataFrame) else found


def detect_multi_select(
    columns: list[str], labels: Mapping[str, str], sample: pd.DataFrame, tool: str = "generic"
) -> list[MultiSelect]:
    """The multi-select questions among the columns, option-per-column groups first."""
    found: list[MultiSelect] = []
    grouped: set[str] = set()
    for run in _groups(columns, labels, sample):
        cols = tuple(c for c, _, _ in run)
        per_row = [sum(_filled(c) for c in row) for row in sample[list(cols)].itertuples(False)]
        single = max(per_row, default=0) <= 1 and per_row.count(1) >= SINGLE_MIN_ROWS
        question = run[0][1] or f"{run[0][2]} …"
        why = "one column per option; each row fills at most one" if single else (
            "one column per option; a cell repeats the option when chosen"
        )  # fmt: skip
        found.append(MultiSelect(COLUMNS_SINGLE if single else COLUMNS, question, cols,
                                 tuple(o for _, _, o in run), (), why))  # fmt: skip
        grouped.update(cols)
    for col in columns:
        if col in grouped or col not in sample:
            continue
        values = [str(v) for v in _column(sample, col).dropna() if str(v).strip()]
        if not values:
            continue
        header = label_key(labels.get(col) or col)  # the full question when the name is short
        hinted = bool(_ALL_THAT_APPLY.search(header))
        # Microsoft Forms ends every multi-choice answer with ";": that alone is the sign.
        trailing = sum(v.rstrip().endswith(";") for v in values) > len(values) / 2
        if tool == "kobotoolbox":
            style = SPACE
        elif tool == "microsoft_forms" or trailing:
            style, hinted = SEMICOLON, hinted or trailing
        else:
            style = COMMA
        match = _joined(col, values, style, hinted)
        if match is not None:
            found.append(match)
    return found


def selections_from_columns(frame: pd.DataFrame, group: MultiSelect) -> list[list[str]]:
    """The options each row chose in an option-per-column group."""
    if group.style not in (COLUMNS, COLUMNS_SINGLE):
        raise ValueError("selections_from_columns needs an option-per-column group")
    out: list[list[str]] = []
    sub = frame[list(group.columns)]
    for row in sub.itertuples(index=False):
        out.append([opt for opt, cell in zip(group.options, row, strict=True) if _filled(cell)])
    return out
