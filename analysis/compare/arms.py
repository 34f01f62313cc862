"""Comparison arms: a format or variant, a set of cohorts or a program, a segment within them.

An arm is a view like any other (the sidebar's `Filters`) plus at most one segment level, so
every survey figure of an arm passes through the one privacy step. `parse_arm` reads the
command line's `KEY=VALUE,KEY=VALUE` form: different keys narrow the arm, a key given twice
takes either value (`cohort=C1,cohort=C2` is the two cohorts together).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from analysis.domain import FORMATS, VARIANT_LABELS, VARIANTS, format_label
from analysis.queries import Filters, run_query
from analysis.store import Store

# key → (segment level column, level for 'yes', level for 'no')
SEGMENT_KEYS: dict[str, tuple[str, str, str]] = {
    "works_together": ("closeness", "close colleagues", "mixed"),
    "leader": ("leadership", "leaders", "individual contributors"),
    "relevant": ("relevance", "relevant", "not relevant"),
    "motivated": ("motivation", "motivated", "not motivated"),
}
# Segments that come from survey answers: only survey metrics can use them (an engagement
# rate of 'people who said it was relevant' would count survey answers outside the privacy step).
SURVEY_SEGMENTS = frozenset({"relevance", "motivation"})
FILTER_KEYS = ("format", "variant", "program", "cohort", "department")
KEYS = (*FILTER_KEYS, *SEGMENT_KEYS)
SEGMENT_WORDS: dict[tuple[str, str], str] = {
    ("closeness", "close colleagues"): "close colleagues",
    ("closeness", "mixed"): "mixed groups",
    ("leadership", "leaders"): "leaders",
    ("leadership", "individual contributors"): "individual contributors",
    ("relevance", "relevant"): "found it relevant",
    ("relevance", "not relevant"): "did not find it relevant",
    ("motivation", "motivated"): "motivated",
    ("motivation", "not motivated"): "not motivated",
}
_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n"}
_NOTHING = ("\x00none",)  # a filter value no row has: an intersection that is empty


class ArmError(ValueError):
    """An arm that cannot be read (unknown key or value, two segments)."""


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: filters and at most one segment level, and its name."""

    formats: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()  # program ids
    cohorts: tuple[str, ...] = ()  # cohort ids
    departments: tuple[str, ...] = ()
    segment: tuple[str, str] | None = None  # (level column, level), e.g. ('leadership', 'leaders')
    label: str = field(default="", compare=False)

    def filters(self, base: Filters | None = None) -> Filters:
        """The arm as a view, narrowed by the page's own filters when given."""
        base = base or Filters()
        return replace(
            base,
            formats=_both(base.formats, self.formats),
            variants=_both(base.variants, self.variants),
            programs=_both(base.programs, self.programs),
            cohorts=_both(base.cohorts, self.cohorts),
            departments=_both(base.departments, self.departments),
        )

    def keys(self) -> set[str]:
        """The keys the arm is defined by ('department', 'leader', …)."""
        out = {k for k, v in zip(FILTER_KEYS, self._values(), strict=True) if v}
        if self.segment:
            out |= {k for k, (col, _, _) in SEGMENT_KEYS.items() if col == self.segment[0]}
        return out

    def _values(self) -> tuple[tuple[str, ...], ...]:
        return (self.formats, self.variants, self.programs, self.cohorts, self.departments)

    def describe(self) -> dict:
        """The arm's definition, for JSON output."""
        out = {k: list(v) for k, v in zip(FILTER_KEYS, self._values(), strict=True) if v}
        if self.segment:
            out["segment"] = {"column": self.segment[0], "level": self.segment[1]}
        return out


def _both(base: tuple[str, ...], arm: tuple[str, ...]) -> tuple[str, ...]:
    if not base:
        return arm
    if not arm:
        return base
    return tuple(v for v in arm if v in base) or _NOTHING


def arm(
    *,
    format: str | tuple[str, ...] = (),
    variant: str | tuple[str, ...] = (),
    program: str | tuple[str, ...] = (),
    cohort: str | tuple[str, ...] = (),
    department: str | tuple[str, ...] = (),
    segment: tuple[str, str] | None = None,
    label: str = "",
) -> Arm:
    """An arm from ids (no database needed): `arm(variant='book_club')`."""

    def t(v: str | tuple[str, ...]) -> tuple[str, ...]:
        return (v,) if isinstance(v, str) else tuple(v)

    a = Arm(t(format), t(variant), t(program), t(cohort), t(department), segment)
    return replace(a, label=label or default_label(a))


def parse_arm(text: str, db: Store | None = None) -> Arm:
    """An arm from 'variant=book_club,leader=yes' (programs and cohorts by name or id)."""
    values: dict[str, list[str]] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not value:
            raise ArmError(f"'{part}' is not KEY=VALUE")
        if key not in KEYS:
            raise ArmError(f"unknown key {key!r} (one of {', '.join(KEYS)})")
        values.setdefault(key, []).append(value)
    if not values:
        raise ArmError("an arm needs at least one KEY=VALUE")
    segments = [k for k in values if k in SEGMENT_KEYS]
    if len(segments) > 1:
        raise ArmError(f"an arm takes one segment, not {' and '.join(segments)}")
    segment = None
    if segments:
        key = segments[0]
        chosen = values[key]
        if len(chosen) > 1:
            raise ArmError(f"{key} takes one value, yes or no")
        col, yes, no = SEGMENT_KEYS[key]
        flag = chosen[0].lower()
        if flag not in _YES | _NO:
            raise ArmError(f"{key} is yes or no, not {chosen[0]!r}")
        segment = (col, yes if flag in _YES else no)
    for fmt in values.get("format", []):
        if fmt not in FORMATS:
            raise ArmError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    for var in values.get("variant", []):
        if var not in VARIANTS:
            raise ArmError(f"unknown variant {var!r} (one of {', '.join(VARIANTS)})")
    programs = _resolve(db, "program", values.get("program", []))
    cohorts = _resolve(db, "cohort", values.get("cohort", []))
    a = Arm(
        tuple(values.get("format", [])),
        tuple(values.get("variant", [])),
        programs,
        cohorts,
        tuple(values.get("department", [])),
        segment,
    )
    return replace(a, label=default_label(a, db))


def _names(db: Store, kind: str) -> dict[str, str]:
    """Id -> name of every program or cohort (named queries: the lake's on Spark)."""
    known = run_query(db, f"filter_{kind}s", Filters(), copy=False)
    return dict(zip(known[f"{kind}_id"], known["name"], strict=True))


def _resolve(db: Store | None, kind: str, names: list[str]) -> tuple[str, ...]:
    """Ids for names or ids of programs or cohorts (case-insensitive names)."""
    if not names:
        return ()
    if db is None:
        return tuple(names)
    known = _names(db, kind)
    by_name = {str(n).lower(): i for i, n in known.items()}
    ids = set(known)
    out = []
    for name in names:
        if name in ids:
            out.append(name)
        elif name.lower() in by_name:
            out.append(by_name[name.lower()])
        else:
            raise ArmError(f"no {kind} named {name!r}")
    return tuple(out)


def default_label(a: Arm, db: Store | None = None) -> str:
    """'Book club', 'Group coaching, close colleagues', 'Finance, self-directed, motivated'."""
    names = {}
    if db is not None and (a.programs or a.cohorts):
        names = {**_names(db, "program"), **_names(db, "cohort")}
    groups = [
        a.departments,
        [format_label(f) for f in a.formats],
        [VARIANT_LABELS.get(v, v) for v in a.variants],
        [names.get(p, p) for p in a.programs],
        [names.get(c, c) for c in a.cohorts],
    ]
    parts = [" + ".join(g) for g in groups if g]  # one key's values together: either of them
    text = ", ".join(parts) if parts else "Everyone"
    if a.segment:
        text += ", " + SEGMENT_WORDS.get(a.segment, a.segment[1])
    return text[0].upper() + text[1:]
