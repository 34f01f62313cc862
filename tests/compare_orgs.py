"""Organisations built in code with known effects, for the comparison and claims tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from analysis.domain import VARIANT_FORMAT
from analysis.store import Store
from tests.ingest_support import org_rows, write_rows

SESSIONS = 4


@dataclass(frozen=True)
class P:
    """One enrolled person who answered 30 days later."""

    dept: str
    applied: bool
    manager: bool = False
    relevant: bool | None = None
    motivated: bool | None = None
    sessions: int = SESSIONS  # sessions attended, of SESSIONS
    completed: bool = True


@dataclass(frozen=True)
class Group:
    """The people who learn together (one group per cohort outside small groups)."""

    people: tuple[P, ...]
    together: bool = False


@dataclass(frozen=True)
class Cohort:
    """One cohort of a variant."""

    variant: str
    groups: tuple[Group, ...]
    month: int = 1
    program: str = "P1"


@dataclass
class Org:
    """Cohorts, written in one transaction."""

    cohorts: list[Cohort] = field(default_factory=list)


def people(dept: str, n: int, applied: int, **kw) -> tuple[P, ...]:
    """n people of a department, the first `applied` of whom applied."""
    return tuple(P(dept, i < applied, **kw) for i in range(n))


def spread(crowd: tuple[P, ...], size: int, together: bool = False) -> tuple[Group, ...]:
    """People dealt round-robin into groups of about `size` (outcomes spread evenly)."""
    count = max(1, len(crowd) // size)
    return tuple(Group(tuple(crowd[i::count]), together) for i in range(count))


def write(store: Store, org: Org) -> Store:
    """Write the organisation with the app's schema; returns the store."""
    rows = org_rows()
    seen_people: set[str] = set()
    for c, co in enumerate(org.cohorts):
        cid = f"C{c}"
        start = date(2025, co.month, 6) + timedelta(days=7 * c)
        end = start + timedelta(weeks=SESSIONS)
        fmt = VARIANT_FORMAT[co.variant]
        rows["cohorts"].append(
            (cid, co.program, f"Cohort {c}", fmt, co.variant, start, end, SESSIONS, SESSIONS)
        )
        for g, group in enumerate(co.groups):
            gid = f"{cid}G{g}"
            rows["groups"].append((gid, cid, gid, len(group.people), group.together))
            for i, p in enumerate(group.people):
                key = f"{gid}P{i}"
                if key not in seen_people:
                    seen_people.add(key)
                    rows["person_records"].append((key, p.dept, "T", "R", p.manager))
                rows["enrolment_records"].append(
                    (key, cid, gid, start - timedelta(days=10), end if p.completed else None)
                )
                for s in range(p.sessions):
                    day = start + timedelta(weeks=s)
                    rows["attendance"].append((key, cid, gid, "session", day, True, 60.0))
                rid = f"{key}:d30"
                rows["survey_responses"].append(
                    (rid, key, cid, gid, "d30", pd.Timestamp(end + timedelta(days=30)))
                )
                rows["survey_answers"].append((rid, "app", 5.0 if p.applied else 2.0, None))
                pre = [
                    (item, v)
                    for item, v in (("rel", p.relevant), ("mot", p.motivated))
                    if v is not None
                ]
                if pre:
                    rid = f"{key}:pre"
                    rows["survey_responses"].append(
                        (rid, key, cid, gid, "pre", pd.Timestamp(start - timedelta(days=5)))
                    )
                    for item, v in pre:
                        rows["survey_answers"].append((rid, item, 5.0 if v else 2.0, None))
    items = [
        ("app", "I used it", "application", "agree5", 1.0, 5.0, 4.0),
        ("rel", "Relevant to my work", "relevance", "agree5", 1.0, 5.0, 4.0),
        ("mot", "I chose it myself", "motivation", "agree5", 1.0, 5.0, 4.0),
    ]
    programs = [("P1", "Programme", "t", "applying_practice", None, None)]
    write_rows(store, {"programs": programs, "survey_items": items, **rows}, "built in code")
    return store


def build(path: Path, org: Org) -> Store:
    """A fresh database at `path` holding the organisation."""
    return write(Store(path), org)
