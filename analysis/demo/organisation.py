"""People, teams, cohorts and groups of the demo organisation."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analysis.demo.plan import (
    CLOSE_SHARE,
    COHORT_PLAN,
    CONFERENCE_WEIGHT,
    COP_TOPICS,
    DEPARTMENTS,
    FINANCE_WEIGHT,
    GROUP_SIZE,
    NO_SESSION_VARIANTS,
    PROGRAMS,
    TEAM_NAMES,
    TEAM_SIZE_RANGE,
    CohortSpec,
)
from analysis.demo.schema import TABLE_COLUMNS
from analysis.domain import VARIANT_FORMAT, VARIANT_LABELS

# --- people -------------------------------------------------------------------------------------


def person_key(seed: int, index: int) -> str:
    """A pseudonymous 16-hex-character key for the index-th demo person (no name, no e-mail)."""
    digest = hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=8, key=b"formatfit-demo")
    return digest.hexdigest()


def _team_sizes(rng: np.random.Generator, members: int) -> list[int]:
    """Split a department's non-head members into teams of 6-12."""
    sizes: list[int] = []
    left = members
    while left > 0:
        size = int(rng.integers(TEAM_SIZE_RANGE[0], TEAM_SIZE_RANGE[1] + 1))
        if left - size < TEAM_SIZE_RANGE[0]:
            size = left if left <= TEAM_SIZE_RANGE[1] + 2 else left // 2
        sizes.append(size)
        left -= size
    return sizes


def build_people(rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """People with department, team, role and manager flag; team_id is internal."""
    rows: list[tuple[str, str, str, bool, int]] = []
    team_id = 0
    for dept, size, manager_role, head_role, ic_roles in DEPARTMENTS:
        rows.append((dept, f"{dept} leadership", head_role, True, team_id))
        team_id += 1
        names = TEAM_NAMES[dept]
        for t, team_size in enumerate(_team_sizes(rng, size - 1)):
            name = names[t % len(names)] + ("" if t < len(names) else f" {t // len(names) + 1}")
            rows.append((dept, name, manager_role, True, team_id))
            picks = rng.integers(0, len(ic_roles), size=team_size - 1)
            rows += [(dept, name, ic_roles[int(r)], False, team_id) for r in picks]
            team_id += 1
    df = pd.DataFrame(rows, columns=["department", "team", "role", "is_manager", "team_id"])
    df.insert(0, "person_key", [person_key(seed, i) for i in range(len(df))])
    return df


# --- cohorts and groups -------------------------------------------------------------------------


def _cohort_dates(rng: np.random.Generator, spec: CohortSpec) -> tuple[date, date, int, int]:
    """Start, end, scheduled sessions and planned weeks of one cohort."""
    first = date.fromisoformat(spec.month + "-01")
    start = first + timedelta(days=(1 - first.weekday()) % 7 + 7 * int(rng.integers(0, 3)))
    if spec.variant in NO_SESSION_VARIANTS:
        return start, start + timedelta(days=7 * spec.length - 1), 0, spec.length
    if spec.variant == "conference":  # two consecutive days
        return start, start + timedelta(days=1), 2, 1
    end = start + timedelta(days=7 * (spec.length - 1))
    return start, end, spec.length, spec.length


def _weights(people: pd.DataFrame, spec: CohortSpec) -> np.ndarray:
    """Per-person sampling weights for a cohort: audience filter and department emphasis."""
    fmt = VARIANT_FORMAT[spec.variant]
    w = np.ones(len(people))
    if fmt in ("self_directed", "small_group"):
        w[people["department"].to_numpy() == "Finance"] = FINANCE_WEIGHT
    if spec.variant == "conference":
        w = np.array(people["department"].map(CONFERENCE_WEIGHT).fillna(1.0), dtype=float)
    if spec.audience == "managers":
        w[~people["is_manager"].to_numpy()] = 0.0
    elif spec.audience == "ics":
        w[people["is_manager"].to_numpy()] = 0.0
    return w


def _weighted_order(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Indices with positive weight in a weighted random order (Efraimidis-Spirakis keys)."""
    keys = rng.random(len(weights)) ** (1.0 / np.where(weights > 0, weights, 1.0))
    keys[weights <= 0] = -1.0
    order = np.argsort(-keys, kind="stable")
    return order[keys[order] >= 0]


def _close_group(
    rng: np.random.Generator, people: pd.DataFrame, spec: CohortSpec, w: np.ndarray
) -> list[int]:
    """Members who work together: one team (or one department's managers for leaders)."""
    lo, hi = GROUP_SIZE[spec.variant]
    unit = people["department"] if spec.audience == "managers" else people["team_id"]
    for anchor in _weighted_order(rng, w):
        members = np.flatnonzero((unit == unit.iloc[anchor]).to_numpy() & (w > 0))
        if len(members) < lo:
            continue
        whole_team = spec.variant in ("pilot_team", "team_coaching")
        size = min(hi, len(members)) if whole_team else int(rng.integers(lo, hi + 1))
        size = min(size, len(members))
        chosen = rng.choice(members, size=size, replace=False)
        return sorted(int(i) for i in chosen)
    raise RuntimeError(f"no team left for a close {spec.variant} group")


def _mixed_group(
    rng: np.random.Generator, people: pd.DataFrame, spec: CohortSpec, w: np.ndarray
) -> list[int]:
    """Members who do not work together: each from a different team (department for leaders)."""
    lo, hi = GROUP_SIZE[spec.variant]
    size = int(rng.integers(lo, hi + 1))
    unit = people["department"] if spec.variant == "group_coaching" else people["team_id"]
    unit_values = unit.to_numpy()
    chosen: list[int] = []
    seen: list[object] = []
    for i in _weighted_order(rng, w):
        if unit_values[i] not in seen:
            chosen.append(int(i))
            seen.append(unit_values[i])
        if len(chosen) == size:
            return sorted(chosen)
    raise RuntimeError(f"not enough people for a mixed {spec.variant} group")


def _small_groups(
    rng: np.random.Generator, people: pd.DataFrame, spec: CohortSpec
) -> list[tuple[list[int], bool, str]]:
    """The groups of one small-group cohort: members, works_together, name."""
    w = _weights(people, spec)
    close_n = round(spec.count * CLOSE_SHARE[spec.variant])
    close_flags = [True] * close_n + [False] * (spec.count - close_n)
    close_flags = [close_flags[int(i)] for i in rng.permutation(spec.count)]
    groups: list[tuple[list[int], bool, str]] = []
    for k, close in enumerate(close_flags, start=1):
        pick = _close_group if close else _mixed_group
        members = pick(rng, people, spec, w)
        w[members] = 0.0  # at most once per cohort
        groups.append((members, close, _group_name(spec, k, close, people, members)))
    return groups


def _group_name(
    spec: CohortSpec, k: int, close: bool, people: pd.DataFrame, members: list[int]
) -> str:
    """A readable group name (team names for whole-team groups)."""
    team = str(people["team"].iloc[members[0]])
    dept = str(people["department"].iloc[members[0]])
    names = {
        "pilot_team": f"Pilot: {team}" if close else f"Pilot: cross-team squad {k}",
        "team_coaching": f"Team coaching: {team}" if close else f"Team coaching: project {k}",
        "book_club": f"Book club {k}",
        "course_buddies": f"Buddies {k}",
        "group_coaching": f"Coaching circle {k}" + (f" ({dept})" if close else " (mixed)"),
        "community_of_practice": f"CoP {COP_TOPICS[(k - 1) % len(COP_TOPICS)]} {k}",
    }
    return names[spec.variant]


def _single_group(
    rng: np.random.Generator, people: pd.DataFrame, spec: CohortSpec, exclude: list[int]
) -> list[tuple[list[int], bool, str]]:
    """The one group of an everyone-at-once or self-directed cohort."""
    w = _weights(people, spec)
    w[exclude] = 0.0
    members = sorted(int(i) for i in _weighted_order(rng, w)[: spec.count])
    everyone = VARIANT_FORMAT[spec.variant] == "everyone_at_once"
    name = "All participants" if everyone else "Individual learners"
    return [(members, False, name)]


def build_cohorts(
    rng: np.random.Generator, people: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cohorts, groups and the enrolments' person/cohort/group triples."""
    cohorts, groups, members_rows = [], [], []
    piloted: dict[str, list[int]] = {}
    for c, spec in enumerate(COHORT_PLAN, start=1):
        start, end, sessions, weeks = _cohort_dates(rng, spec)
        cohort_id = f"C{c:02d}-{spec.variant.replace('_', '-')}-{spec.month}"
        program = next(p for p in PROGRAMS if p[0] == spec.program_id)
        name = f"{program[1]}: {VARIANT_LABELS[spec.variant]}, {start:%b %Y}"
        fmt = VARIANT_FORMAT[spec.variant]
        cohorts.append(
            (cohort_id, spec.program_id, name, fmt, spec.variant, start, end, sessions, weeks)
        )
        if spec.variant in GROUP_SIZE:
            made = _small_groups(rng, people, spec)
        else:
            made = _single_group(rng, people, spec, piloted.get(spec.program_id, []))
        for members, close, name in made:
            group_id = f"G{len(groups) + 1:03d}"
            groups.append((group_id, cohort_id, name, len(members), close))
            members_rows += [(i, cohort_id, group_id) for i in members]
            if spec.variant == "pilot_team":
                piloted.setdefault(spec.program_id, []).extend(members)
    cohort_df = pd.DataFrame(cohorts, columns=list(TABLE_COLUMNS["cohorts"]))
    group_df = pd.DataFrame(groups, columns=list(TABLE_COLUMNS["groups"]))
    members_df = pd.DataFrame(members_rows, columns=["person", "cohort_id", "group_id"])
    return cohort_df, group_df, members_df
