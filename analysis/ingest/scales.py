"""Likert scales: label normalisation, scale detection and label-to-number mapping.

A label is only ever turned into a number through a known scale, the person's own answer for
that label (`extra_labels`), or an explicit number in the label ("4", "5 (Strongly agree)").
Anything else is reported as unknown so the import form can ask about it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analysis.ingest.scales_data import (
    LANGUAGES,
    NOT_APPLICABLE,
    NUMERIC_POINTS,
    SCALE_TABLES,
    gendered_forms,
)

_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u02bc": "'", "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
    }
)  # fmt: skip
_TRAILING = " \t.!?;:,\u2026"


def normalise_label(text: object) -> str:
    """A label as compared: NFKC, case-folded, straight quotes, single spaces, no end punctuation.

    Accents are kept here (the label is still readable); `label_key` also drops them.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = unicodedata.normalize("NFKC", s.casefold().translate(_QUOTES))
    s = " ".join(s.split())
    while True:
        stripped = s.rstrip(_TRAILING).lstrip()
        if stripped == s:
            return s
        s = stripped


def label_key(text: object) -> str:
    """The lookup key of a label: `normalise_label` without accents ("Très" and "Tres" match)."""
    s = normalise_label(text)
    if s.isascii():
        return s  # no accents to drop (and NFKC + NFKD of ASCII is itself)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return normalise_label(s)


NOT_APPLICABLE_KEYS: frozenset[str] = frozenset(
    label_key(form) for labels in NOT_APPLICABLE.values() for lab in labels
    for form in gendered_forms(lab)
)  # fmt: skip


def is_not_applicable(label: object) -> bool:
    """True for "N/A", "Don't know", "Weiß nicht", "Ne sais pas", "No sé" and the like."""
    return label_key(label) in NOT_APPLICABLE_KEYS


_NUM = r"[+-]?\d+(?:[.,]\d+)?"
_CODE_FORMS = (
    re.compile(rf"^(?P<num>{_NUM})$"),
    re.compile(rf"^(?P<num>{_NUM})\s*\((?P<text>[^\d(].*)\)$"),  # 5 (strongly agree)
    re.compile(rf"^(?P<num>{_NUM})\s*(?:-|=|:|\.|\))\s*(?P<text>[^\d\s].*)$"),  # 1 - disagree
    re.compile(rf"^(?P<text>[^\d].*?)\s*\((?P<num>{_NUM})\)$"),  # strongly agree (5)
    re.compile(rf"^(?P<text>[^\d].*?)\s+(?:-|=|:)\s*(?P<num>{_NUM})$"),  # strongly agree = 5
)


def parse_numeric_code(label: object) -> tuple[float, str | None] | None:
    """The number in a numeric-coded label and its text part: "5 (Strongly agree)" → (5, ...)."""
    key = normalise_label(label)
    for form in _CODE_FORMS:
        m = form.match(key)
        if m:
            text = m.groupdict().get("text")
            if text is not None and not re.search(r"[^\W\d_]", text):
                return None  # "1 - 2" or "18-29": a range, not a coded label
            return float(m.group("num").replace(",", ".")), text
    return None


@dataclass(frozen=True)
class Scale:
    """A known answer scale: its labels (normalised key → value), range and positive cut-off."""

    name: str
    kind: str
    title: str
    labels: Mapping[str, float] = field(repr=False)
    scale_min: float
    scale_max: float
    positive_min: float
    points: tuple[float, ...]
    language_labels: Mapping[str, tuple[tuple[str, float], ...]] = field(
        default_factory=dict, repr=False
    )
    label_languages: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def display_label(self, value: float, language: str = "en") -> str:
        """The canonical label of a point in a language, else the number itself."""
        for lab, v in self.language_labels.get(language, ()):
            if v == value:
                return lab
        return f"{value:g}"

    def describe(self) -> str:
        """One line for the UI: "Agreement (5 points): 1–5, 4 or more counts as positive"."""
        return (
            f"{self.title}: {self.scale_min:g}–{self.scale_max:g}, "
            f"{self.positive_min:g} or more counts as positive"
        )


def _build(name: str) -> Scale:
    """A Scale from its table; refuses a label that two points of one scale share."""
    kind, title, positive_min, table = SCALE_TABLES[name]
    labels: dict[str, float] = {}
    languages: dict[str, set[str]] = {}
    per_language: dict[str, tuple[tuple[str, float], ...]] = {}
    for language in LANGUAGES:
        pairs = []
        for value, names in table.get(language, {}).items():
            for lab in names:
                for form in gendered_forms(lab):
                    key = label_key(form)
                    if labels.get(key, value) != value or key in NOT_APPLICABLE_KEYS:
                        raise ValueError(f"{name}: label {form!r} is ambiguous")
                    labels[key] = float(value)
                    languages.setdefault(key, set()).add(language)
                pairs.append((lab, float(value)))
        per_language[language] = tuple(pairs)
    low, high = NUMERIC_POINTS.get(name, (min(labels.values()), max(labels.values())))
    points = tuple(float(p) for p in range(int(low), int(high) + 1))
    langs = {k: frozenset(v) for k, v in languages.items()}
    return Scale(name, kind, title, labels, float(low), float(high), float(positive_min), points,
                 per_language, langs)  # fmt: skip


SCALES: dict[str, Scale] = {name: _build(name) for name in SCALE_TABLES}


def custom_scale(
    name: str, labels: Mapping[str, float], positive_min: float, title: str = ""
) -> Scale:
    """A scale the person defines for labels the app does not know (e.g. "Very favorably")."""
    keyed = {label_key(k): float(v) for k, v in labels.items()}
    if not keyed:
        raise ValueError("a custom scale needs at least one label")
    points = tuple(sorted(set(keyed.values())))
    en = tuple((k, float(v)) for k, v in labels.items())
    langs = dict.fromkeys(keyed, frozenset({"en"}))
    return Scale(name, "custom", title or name, keyed, points[0], points[-1], float(positive_min),
                 points, {"en": en}, langs)  # fmt: skip


def scale_by_name(name: str) -> Scale:
    """A known scale by name (agree5, frequency5, ..., yesno); KeyError for an unknown one."""
    return SCALES[name]


@dataclass(frozen=True)
class LabelValue:
    """How one label maps on a scale: status is ok, not_applicable, empty or unknown."""

    status: str
    value: float | None = None
    reason: str = ""


def _is_blank(label: object) -> bool:
    return (
        label is None or (isinstance(label, float) and math.isnan(label)) or not str(label).strip()
    )


def map_label(
    label: object, scale: Scale, extra_labels: Mapping[str, float | None] | None = None
) -> LabelValue:
    """The value of one answer on a scale, or why it has none (never a guess)."""
    if _is_blank(label):
        return LabelValue("empty")
    key = label_key(label)
    extra = {label_key(k): v for k, v in (extra_labels or {}).items()}
    if key in extra:  # the person's own answer for this label wins
        v = extra[key]
        return LabelValue("not_applicable") if v is None else LabelValue("ok", float(v))
    if key in NOT_APPLICABLE_KEYS:
        return LabelValue("not_applicable")
    if key in scale.labels:
        return LabelValue("ok", scale.labels[key])
    coded = (float(label), None) if isinstance(label, int | float) else parse_numeric_code(label)
    if coded is None:
        return LabelValue("unknown", reason=f"{label!s} is not a label of {scale.title}")
    number, text = coded
    if number not in scale.points:
        return LabelValue(
            "unknown",
            reason=f"{number:g} is not a point of {scale.title} "
            f"({scale.scale_min:g}–{scale.scale_max:g})",
        )
    text_value = scale.labels.get(label_key(text)) if text else None
    if text_value is not None and text_value != number:
        return LabelValue(
            "unknown",
            reason=f"{label!s}: the number {number:g} and the label ({text_value:g} on "
            f"{scale.title}) disagree",
        )
    return LabelValue("ok", number)


@dataclass(frozen=True)
class ScaleMatch:
    """The best known scale for a column: per-label mapping, labels to ask about, coverage."""

    scale: Scale
    mapping: Mapping[str, float | None]
    unknown_labels: tuple[str, ...]
    coverage: float
    language: str | None = None
    alternatives: tuple[str, ...] = ()
    numeric_only: bool = False
    reasons: Mapping[str, str] = field(default_factory=dict)

    def preview(self) -> list[tuple[str, str]]:
        """(label, what it becomes) rows for the import form, unknown labels last."""
        rows = []
        for lab, v in self.mapping.items():
            if v is None:
                rows.append((lab, "missing (not applicable)"))
            else:
                rows.append((lab, f"{v:g}" + (" (positive)" if v >= self.scale.positive_min
                                             else "")))  # fmt: skip
        rows += [(lab, "unknown: tell the app what it means") for lab in self.unknown_labels]
        return rows


def distinct_labels(values: Iterable[object]) -> list[str]:
    """The distinct non-empty answers, as text, in first-seen order."""
    seen: dict[str, None] = {}
    for v in values:
        if _is_blank(v):
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        seen.setdefault(str(v), None)
    return list(seen)


def _text_key(label: str) -> str:
    """The key of a label's words: "5 (Strongly agree)" → "strongly agree"; "4" → ""."""
    coded = parse_numeric_code(label)
    if coded is None:
        return label_key(label)
    return label_key(coded[1]) if coded[1] else ""


# Scales tried for numbers-only columns, smallest range first; readiness and 4/6-point scales
# are never inferred from bare numbers.
_NUMERIC_CANDIDATES = ("yesno", "agree5", "agree7", "recommend11")
MIN_COVERAGE = 0.5
MAX_DISTINCT = 60  # more distinct answers than this is text or a measure, never a Likert item


def _score(scale: Scale, labels: list[str]) -> tuple[tuple, dict, list, dict, str | None]:
    """Rank key, mapping, unknown labels, reasons and language of one scale on the labels."""
    mapping: dict[str, float | None] = {}
    unknown: list[str] = []
    reasons: dict[str, str] = {}
    by_point: dict[tuple[float, str], set[str]] = {}
    text_hits = 0
    lang_hits = dict.fromkeys(LANGUAGES, 0)
    for lab in labels:
        res = map_label(lab, scale)
        if res.status == "not_applicable":
            mapping[lab] = None
        elif res.status == "ok":
            mapping[lab] = res.value
            key = _text_key(lab)
            if key in scale.labels:
                text_hits += 1
                for language in scale.label_languages.get(key, ()):
                    lang_hits[language] += 1
                    by_point.setdefault((res.value, language), set()).add(key)
        else:
            unknown.append(lab)
            reasons[lab] = res.reason
    # Two wordings of one point in one language ("Agree" and "Somewhat agree" on a 5-point
    # scale) mean the column uses a finer scale: ask rather than merge them. Yes/No has only
    # spellings ("Y", "Yes"), not wordings.
    for keys in by_point.values():
        if len(keys) > 1 and scale.kind != "yesno":
            for lab in [lab for lab in mapping if _text_key(lab) in keys]:
                del mapping[lab]
                unknown.append(lab)
                reasons[lab] = f"shares a point with another label on {scale.title}"
    rated = [lab for lab in labels if lab not in mapping or mapping[lab] is not None]
    known = sum(1 for lab in rated if lab in mapping)
    coverage = known / len(rated) if rated else 0.0
    used = {v for v in mapping.values() if v is not None}
    all_points = used == set(scale.points)
    language = max(lang_hits, key=lambda k: lang_hits[k]) if text_hits else None
    return (coverage, text_hits > 0, all_points), mapping, unknown, reasons, language


# Scales a person rates on (agreement, frequency, satisfaction, …): answers on one of them are
# a survey question's, never a yes/no flag or a category.
RATING_SCALES = frozenset({"agree5", "agree4", "agree7", "frequency5", "likelihood5",
                           "satisfaction5", "relevance5", "readiness6", "recommend11"})  # fmt: skip


def detect_scale(
    values: Iterable[object], candidates: Iterable[str] | None = None
) -> ScaleMatch | None:
    """The known scale that covers the distinct non-empty answers best, or None if none fits.

    None when fewer than half of the rated labels are known, or no answer is a label or number
    of any scale: the column is then a text item, or a scale the person has to define.
    """
    labels = distinct_labels(values)
    if not labels or len(labels) > MAX_DISTINCT:
        return None
    names = list(candidates) if candidates is not None else list(SCALES)
    rated = [lab for lab in labels if not is_not_applicable(lab)]
    numeric_only = bool(rated) and all(_text_key(lab) == "" for lab in rated)
    if numeric_only and candidates is None:
        names = list(_NUMERIC_CANDIDATES)
    scored = []
    for order, name in enumerate(names):
        key, mapping, unknown, reasons, language = _score(SCALES[name], labels)
        if not numeric_only and not key[1]:
            continue  # numbers alone never pick a worded scale when words are present
        scored.append(((key[0], key[2], -order), name, mapping, unknown, reasons, language))
    if not scored:
        return None
    scored.sort(key=lambda s: s[0], reverse=True)
    best_key, name, mapping, unknown, reasons, language = scored[0]
    # Bare numbers off every scale are counts or measures, not ratings.
    needed = 1.0 if numeric_only else MIN_COVERAGE
    if best_key[0] < needed or all(v is None for v in mapping.values()):
        return None
    alternatives = tuple(s[1] for s in scored[1:] if s[0][0] == best_key[0])  # as well covered
    return ScaleMatch(
        SCALES[name], mapping, tuple(unknown), best_key[0], language, alternatives,
        numeric_only, reasons,
    )  # fmt: skip


@dataclass(frozen=True)
class OffScaleValue:
    """One row whose answer has no value on the chosen scale, and why."""

    row: int
    label: str
    reason: str


class UnknownLabelError(ValueError):
    """Raised by `apply_scale(strict=True)` when answers are off the scale."""

    def __init__(self, off_scale: list[OffScaleValue]) -> None:
        self.off_scale = off_scale
        labels = sorted({o.label for o in off_scale})
        super().__init__(f"{len(off_scale)} answers off the scale: {', '.join(labels[:5])}")


@dataclass(frozen=True)
class ScaledColumn:
    """The numbers of a column (None = empty, not applicable or off the scale) and the problems."""

    values: list[float | None]
    off_scale: list[OffScaleValue]
    not_applicable: int = 0

    @property
    def ok(self) -> bool:
        """True when every non-empty answer has a value or is explicitly not applicable."""
        return not self.off_scale


def apply_scale(
    values: Iterable[object],
    scale: Scale,
    extra_labels: Mapping[str, float | None] | None = None,
    *,
    strict: bool = False,
) -> ScaledColumn:
    """Map every answer to its number; off-scale answers become None and are listed by row.

    `extra_labels` holds the person's answers for labels the scale does not know (None there
    means "treat as not applicable"). With strict=True, off-scale answers raise instead.
    """
    out: list[float | None] = []
    off: list[OffScaleValue] = []
    n_na = 0
    cache: dict[object, LabelValue] = {}
    for row, v in enumerate(values):
        hashable = v if isinstance(v, str | int | float) or v is None else str(v)
        if hashable not in cache:
            cache[hashable] = map_label(v, scale, extra_labels)
        res = cache[hashable]
        out.append(res.value if res.status == "ok" else None)
        n_na += res.status == "not_applicable"
        if res.status == "unknown":
            off.append(OffScaleValue(row, str(v), res.reason))
    if strict and off:
        raise UnknownLabelError(off)
    return ScaledColumn(out, off, n_na)
