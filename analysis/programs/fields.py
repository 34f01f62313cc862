"""What defines a program, cohort or group, and the checks an edited value must pass.

Every field here changes a figure: the format and variant place a cohort in the charts, the
dates select it by start month and date its survey waves, sessions and weeks are the
engagement rate's denominators, cost and hours feed the cost per person who applied, and a
group's size and closeness are segments of the Application page.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from analysis.domain import (
    FORMATS,
    GOALS,
    VARIANT_FORMAT,
    VARIANT_LABELS,
    VARIANTS,
    format_label,
)

# Editable fields per entity, in the order a form shows them.
FIELDS: dict[str, tuple[str, ...]] = {
    "program": ("name", "goal", "cost_per_person", "hours"),
    "cohort": (
        "name",
        "program_id",
        "format",
        "variant",
        "start_date",
        "end_date",
        "scheduled_sessions",
        "planned_weeks",
    ),
    "group": ("name", "size", "works_together"),
}
# Each entity's table and key (groups are read through current_groups for their flag).
TABLE = {"program": "programs", "cohort": "cohorts", "group": "groups"}
KEY = {"program": "program_id", "cohort": "cohort_id", "group": "group_id"}
LABELS: dict[str, str] = {
    "name": "name",
    "goal": "goal",
    "cost_per_person": "cost per person",
    "hours": "hours",
    "program_id": "program",
    "format": "format",
    "variant": "variant",
    "start_date": "start date",
    "end_date": "end date",
    "scheduled_sessions": "scheduled sessions",
    "planned_weeks": "planned weeks",
    "size": "size",
    "works_together": "works together",
}
NAME_MAX = 200


class InvalidEdit(ValueError):
    """A value the data cannot take; the message says which and why, in words."""


def variants_for(fmt: str) -> tuple[str, ...]:
    """The variants a cohort of this format may have (its own, and `other`)."""
    return tuple(v for v in VARIANTS if VARIANT_FORMAT.get(v, fmt) == fmt)


def plain(value: object) -> object:
    """A stored value as a plain Python value (None for missing; dates as dates)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _number(value: object, what: str, *, whole: bool, low: float, allow_none: bool) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        if allow_none:
            return None
        raise InvalidEdit(f"{what}: a number is needed")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidEdit(f"{what}: {value!r} is not a number") from None
    if not math.isfinite(number) or number < low:
        raise InvalidEdit(f"{what}: must be at least {low:g}")
    if whole:
        if number != int(number):
            raise InvalidEdit(f"{what}: must be a whole number")
        return int(number)
    return number


def _date(value: object, what: str) -> date:
    try:
        got = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise InvalidEdit(f"{what}: {value!r} is not a date") from None
    if pd.isna(got):
        raise InvalidEdit(f"{what}: a date is needed")
    return got.date()


def clean(entity: str, row: dict[str, object], programs: set[str]) -> dict[str, object]:
    """The row's editable fields checked and in stored form; InvalidEdit says what is wrong.

    `programs`: the program ids that exist (a cohort must belong to one of them).
    """
    out = {f: plain(row.get(f)) for f in FIELDS[entity]}
    name = str(out["name"] or "").strip()
    if not name:
        raise InvalidEdit("name: cannot be empty")
    if len(name) > NAME_MAX:
        raise InvalidEdit(f"name: at most {NAME_MAX} characters")
    out["name"] = name
    if entity == "program":
        if out["goal"] not in (None, *GOALS):
            raise InvalidEdit(f"goal: {out['goal']!r} is not one of {', '.join(GOALS.values())}")
        for f in ("cost_per_person", "hours"):
            out[f] = _number(out[f], LABELS[f], whole=False, low=0, allow_none=True)
    elif entity == "cohort":
        if out["program_id"] not in programs:
            raise InvalidEdit("program: choose a program that exists")
        if out["format"] not in FORMATS:
            raise InvalidEdit(f"format: {out['format']!r} is not a learning format")
        if out["variant"] not in variants_for(out["format"]):
            raise InvalidEdit(
                f"variant: {out['variant']!r} is not a variant of "
                f"{format_label(out['format']).lower()}; choose one of its own or “other”"
            )
        out["start_date"] = _date(out["start_date"], "start date")
        out["end_date"] = _date(out["end_date"], "end date")
        if out["end_date"] < out["start_date"]:
            raise InvalidEdit("end date: must be on or after the start date")
        out["scheduled_sessions"] = _number(
            out["scheduled_sessions"], "scheduled sessions", whole=True, low=0, allow_none=False
        )
        out["planned_weeks"] = _number(
            out["planned_weeks"], "planned weeks", whole=True, low=1, allow_none=False
        )
    else:
        out["size"] = _number(out["size"], "size", whole=True, low=1, allow_none=False)
        if out["works_together"] is not None and not isinstance(out["works_together"], bool):
            raise InvalidEdit("works together: must be yes, no or unknown")
    return out


def as_json(values: dict[str, object]) -> dict[str, object]:
    """Values for the edits table's JSON (dates as ISO text)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def from_json(entity: str, values: dict[str, object]) -> dict[str, object]:
    """Values read back from the edits table's JSON (ISO text back to dates)."""
    out = dict(values)
    for f in ("start_date", "end_date"):
        if entity == "cohort" and isinstance(out.get(f), str):
            out[f] = date.fromisoformat(out[f])
    return out


def value_words(field: str, value: object, programs: dict[str, str] | None = None) -> str:
    """A field's value in words for a choice or a list (plain text: escape where shown)."""
    if value is None:
        return "not set"
    if field == "program_id":
        return (programs or {}).get(str(value), str(value))
    if field == "format":
        return format_label(str(value))
    if field == "variant":
        return VARIANT_LABELS.get(str(value), str(value))
    if field == "goal":
        return GOALS.get(str(value), str(value))
    if field == "works_together":
        return "yes" if value else "no"
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)
