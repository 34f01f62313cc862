"""The demo organisation: a deterministic generator, its CSVs in data/demo/, and their loader.

Every number that shapes the data (sizes, rates, effects) is a named constant below and is
written down in data/demo/README.md; change one and the README together.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analysis.domain import VARIANT_FORMAT, VARIANT_LABELS
from analysis.store import PROJECT_ROOT, Store

DEMO_SEED = 20261124
DEMO_DIR = PROJECT_ROOT / "data" / "demo"
DATA_AS_OF = date(2026, 11, 15)  # survey waves whose window closes after this are not generated
WAVE_WINDOW_DAYS = 14
ENROL_DAYS_BEFORE = (10, 36)  # enrolled 10-35 days before the start, so before the pre survey

# Table -> column -> DuckDB type, in CSV column order and load order (import_id is added on load).
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "programs": {
        "program_id": "VARCHAR", "name": "VARCHAR", "topic": "VARCHAR", "goal": "VARCHAR",
        "cost_per_person": "DOUBLE", "hours": "DOUBLE",
    },
    "cohorts": {
        "cohort_id": "VARCHAR", "program_id": "VARCHAR", "name": "VARCHAR", "format": "VARCHAR",
        "variant": "VARCHAR", "start_date": "DATE", "end_date": "DATE",
        "scheduled_sessions": "INTEGER", "planned_weeks": "INTEGER",
    },
    "groups": {
        "group_id": "VARCHAR", "cohort_id": "VARCHAR", "name": "VARCHAR", "size": "INTEGER",
        "works_together": "BOOLEAN",
    },
    "people": {
        "person_key": "VARCHAR", "department": "VARCHAR", "team": "VARCHAR", "role": "VARCHAR",
        "is_manager": "BOOLEAN",
    },
    "enrolments": {
        "person_key": "VARCHAR", "cohort_id": "VARCHAR", "group_id": "VARCHAR",
        "enrolled_on": "DATE", "completed_on": "DATE",
    },
    "attendance": {
        "person_key": "VARCHAR", "cohort_id": "VARCHAR", "group_id": "VARCHAR", "kind": "VARCHAR",
        "session_date": "DATE", "attended": "BOOLEAN", "minutes": "DOUBLE",
    },
    "survey_items": {
        "item_id": "VARCHAR", "text": "VARCHAR", "role": "VARCHAR", "scale": "VARCHAR",
        "scale_min": "DOUBLE", "scale_max": "DOUBLE", "positive_min": "DOUBLE",
    },
    "survey_responses": {
        "response_id": "VARCHAR", "person_key": "VARCHAR", "cohort_id": "VARCHAR",
        "group_id": "VARCHAR", "wave": "VARCHAR", "submitted_at": "TIMESTAMP",
    },
    "survey_answers": {
        "response_id": "VARCHAR", "item_id": "VARCHAR", "value": "DOUBLE", "text": "VARCHAR",
    },
}  # fmt: skip
TABLES: tuple[str, ...] = tuple(TABLE_COLUMNS)

# --- the organisation -------------------------------------------------------------------------

# (department, head count, manager role, head role, individual-contributor roles)
DEPARTMENTS: tuple[tuple[str, int, str, str, tuple[str, ...]], ...] = (
    ("Engineering", 320, "Engineering Manager", "VP Engineering",
     ("Software Engineer", "Senior Software Engineer", "Staff Engineer", "QA Engineer",
      "Data Engineer", "Site Reliability Engineer")),
    ("Product", 90, "Group Product Manager", "VP Product",
     ("Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher")),
    ("Sales", 170, "Sales Manager", "VP Sales",
     ("Account Executive", "Sales Development Rep", "Account Manager", "Solutions Consultant")),
    ("Marketing", 90, "Marketing Manager", "VP Marketing",
     ("Marketing Specialist", "Content Marketer", "Product Marketing Manager", "Growth Analyst")),
    ("Customer Support", 180, "Support Team Lead", "Head of Customer Support",
     ("Support Specialist", "Senior Support Specialist", "Technical Support Engineer",
      "Customer Success Manager")),
    ("Finance", 140, "Finance Manager", "CFO",
     ("Accountant", "Financial Analyst", "FP&A Analyst", "Controller", "Payroll Specialist")),
    ("People & HR", 60, "HR Manager", "Chief People Officer",
     ("HR Business Partner", "Recruiter", "People Operations Specialist", "L&D Specialist")),
    ("Operations", 150, "Operations Manager", "VP Operations",
     ("Operations Analyst", "Procurement Specialist", "Supply Coordinator",
      "Facilities Coordinator")),
)  # fmt: skip
TEAM_NAMES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Platform", "Payments", "Mobile", "Web", "Data Platform", "Infrastructure",
                    "Security", "Developer Experience", "Search", "Integrations", "Billing",
                    "Identity"),
    "Product": ("Core Product", "Growth", "Design Systems", "Research", "Mobile Product"),
    "Sales": ("Enterprise", "Mid-Market", "SMB", "Partnerships", "Sales Development"),
    "Marketing": ("Brand", "Content", "Demand Generation", "Product Marketing"),
    "Customer Support": ("Tier 1", "Tier 2", "Technical Support", "Customer Success",
                         "Onboarding"),
    "Finance": ("Accounting", "FP&A", "Payroll", "Treasury", "Tax", "Procurement Finance"),
    "People & HR": ("Recruiting", "People Partners", "People Operations"),
    "Operations": ("Business Operations", "Supply", "Facilities", "Vendor Management", "IT Ops"),
}  # fmt: skip
TEAM_SIZE_RANGE = (6, 12)  # members per team including its manager

PROGRAMS: tuple[tuple[str, str, str, str, float, float], ...] = (
    ("P01", "Feedback that Lands", "Feedback and difficult conversations", "shared_language",
     180.0, 6.0),
    ("P02", "Data-Informed Decisions", "Data literacy", "applying_practice", 350.0, 10.0),
    ("P03", "Leading Through Change", "Leadership", "leader_alignment", 1200.0, 12.0),
    ("P04", "Clear Writing at Work", "Writing", "individual_growth", 250.0, 8.0),
    ("P05", "Reading Programme: Team Topologies", "Team design", "applying_practice", 40.0, 9.0),
    ("P06", "Personal Learning Budget", "Open choice", "individual_growth", 800.0, 24.0),
    ("P07", "Industry Conference", "Industry trends", "shared_language", 950.0, 14.0),
    ("P08", "High-Performing Teams", "Team effectiveness", "applying_practice", 700.0, 12.0),
    ("P09", "Communities of Practice", "Craft practices", "applying_practice", 60.0, 15.0),
    ("P10", "Working with AI Assistants", "AI at work", "applying_practice", 300.0, 7.5),
    ("P11", "Career Growth Coaching", "Career growth", "individual_growth", 600.0, 9.0),
)  # fmt: skip


@dataclass(frozen=True)
class CohortSpec:
    """One planned running of a program."""

    program_id: str
    variant: str
    month: str  # YYYY-MM of the start
    count: int  # groups for small-group variants, people otherwise
    length: int  # weekly sessions, or planned weeks where there are no sessions
    audience: str = "all"  # all | managers | ics


COHORT_PLAN: tuple[CohortSpec, ...] = (
    CohortSpec("P01", "pilot_team", "2025-04", 5, 6),
    CohortSpec("P04", "self_paced_course", "2025-04", 50, 6),
    CohortSpec("P06", "learning_budget", "2025-04", 70, 12),
    CohortSpec("P03", "group_coaching", "2025-05", 6, 6, "managers"),
    CohortSpec("P05", "book_club", "2025-05", 5, 6),
    CohortSpec("P01", "org_wide", "2025-06", 380, 5),
    CohortSpec("P07", "conference", "2025-06", 50, 2),
    CohortSpec("P04", "course_buddies", "2025-06", 9, 6),
    CohortSpec("P08", "team_coaching", "2025-07", 6, 8),
    CohortSpec("P05", "self_study_alone", "2025-07", 35, 6),
    CohortSpec("P09", "community_of_practice", "2025-08", 6, 10),
    CohortSpec("P03", "one_to_one_coaching", "2025-09", 16, 6, "managers"),
    CohortSpec("P11", "group_coaching", "2025-09", 4, 6, "ics"),
    CohortSpec("P02", "pilot_team", "2025-10", 5, 6),
    CohortSpec("P04", "self_paced_course", "2025-10", 50, 6),
    CohortSpec("P06", "learning_budget", "2025-10", 70, 12),
    CohortSpec("P03", "group_coaching", "2025-11", 6, 6, "managers"),
    CohortSpec("P05", "book_club", "2025-11", 5, 6),
    CohortSpec("P04", "course_buddies", "2025-12", 9, 6),
    CohortSpec("P05", "self_study_alone", "2026-01", 35, 6),
    CohortSpec("P02", "org_wide", "2026-01", 360, 5),
    CohortSpec("P08", "team_coaching", "2026-01", 5, 8),
    CohortSpec("P04", "self_paced_course", "2026-01", 50, 6),
    CohortSpec("P11", "one_to_one_coaching", "2026-02", 18, 6, "ics"),
    CohortSpec("P11", "group_coaching", "2026-02", 4, 6, "ics"),
    CohortSpec("P09", "community_of_practice", "2026-02", 5, 10),
    CohortSpec("P10", "pilot_team", "2026-03", 6, 6),
    CohortSpec("P04", "course_buddies", "2026-03", 8, 6),
    CohortSpec("P03", "group_coaching", "2026-04", 5, 6, "managers"),
    CohortSpec("P04", "self_paced_course", "2026-04", 50, 6),
    CohortSpec("P06", "learning_budget", "2026-04", 70, 12),
    CohortSpec("P07", "conference", "2026-05", 55, 2),
    CohortSpec("P05", "book_club", "2026-05", 5, 6),
    CohortSpec("P05", "self_study_alone", "2026-06", 35, 6),
    CohortSpec("P10", "org_wide", "2026-06", 380, 5),
    CohortSpec("P08", "team_coaching", "2026-06", 5, 8),
    CohortSpec("P09", "community_of_practice", "2026-07", 5, 10),
    CohortSpec("P04", "self_paced_course", "2026-08", 50, 6),
    CohortSpec("P04", "course_buddies", "2026-08", 8, 6),
    CohortSpec("P05", "book_club", "2026-09", 5, 6),
)
NO_SESSION_VARIANTS = ("self_paced_course", "self_study_alone", "learning_budget")
GROUP_SIZE: dict[str, tuple[int, int]] = {
    "course_buddies": (2, 3),
    "group_coaching": (4, 6),
    "book_club": (5, 8),
    "pilot_team": (6, 10),
    "team_coaching": (5, 8),
    "community_of_practice": (8, 12),
}
# Share of a cohort's groups whose members work together day to day (the rest are mixed).
CLOSE_SHARE: dict[str, float] = {
    "course_buddies": 0.5,
    "group_coaching": 0.5,
    "book_club": 0.4,
    "pilot_team": 0.8,
    "team_coaching": 0.8,
    "community_of_practice": 0.2,
}
# Finance takes part more often in self-directed and small-group learning (weight per person).
FINANCE_WEIGHT = 2.0
CONFERENCE_WEIGHT: dict[str, float] = {"Engineering": 2.0, "Product": 2.0, "Marketing": 1.5}
SESSION_MINUTES: dict[str, int] = {
    "org_wide": 90, "conference": 420, "pilot_team": 90, "book_club": 60, "course_buddies": 45,
    "group_coaching": 90, "team_coaching": 120, "community_of_practice": 60,
    "one_to_one_coaching": 50,
}  # fmt: skip
COP_TOPICS = (
    "Testing",
    "Analytics",
    "Customer insight",
    "Automation",
    "Forecasting",
    "Design systems",
    "Onboarding",
    "Writing",
)

# --- behaviour ----------------------------------------------------------------------------------

# Attendance: never shows up, per-session chance of dropping out for good, chance of missing one.
ATTENDANCE: dict[str, tuple[float, float, float]] = {
    "small_group": (0.07, 0.06, 0.05),
    "everyone_at_once": (0.10, 0.14, 0.22),
    "self_directed": (0.18, 0.20, 0.08),
    "conference": (0.05, 0.10, 0.05),
    "one_to_one_coaching": (0.03, 0.04, 0.06),
}
LATENT_CORRELATION = 0.4  # shared propensity behind attending, applying and answering

# Probability of applying at 30 days, before the adjustments below.
APPLY_D30: dict[str, float] = {
    "org_wide": 0.30, "conference": 0.36,
    "self_paced_course": 0.29, "self_study_alone": 0.29, "learning_budget": 0.33,
    "one_to_one_coaching": 0.44,
    "pilot_team": 0.68, "book_club": 0.62, "course_buddies": 0.61, "team_coaching": 0.64,
    "community_of_practice": 0.58,
}  # fmt: skip
GROUP_COACHING_D30 = {True: 0.76, False: 0.50}  # close colleagues vs mixed circles
RELEVANCE_SHIFT = 0.12  # + when the work needs the skill now, - when not
RELEVANT_SHARE = {"everyone_at_once": 0.40, "self_directed": 0.55, "small_group": 0.65}
MOTIVATION_SHIFT = {True: 0.24, False: -0.10}  # self-directed only
MOTIVATED_SHARE = {"everyone_at_once": 0.15, "self_directed": 0.30, "small_group": 0.45}
FINANCE_SELF_DIRECTED = {"relevant": 0.70, "motivated": 0.65, "shift": 0.05}
FINANCE_SMALL_GROUP_SHIFT = -0.30
WAVE_FACTOR = {"post": 1.18, "d30": 1.0, "d60": 0.86, "d90": 0.76}
APPLY_BOUNDS = (0.03, 0.93)
MAX_APPLY = 0.95  # after the wave factor

WAVE_OFFSET_DAYS = {"pre": -10, "post": 1, "d30": 30, "d60": 60, "d90": 90}
RESPONSE_RATE = {"pre": 0.80, "post": 0.70, "d30": 0.55, "d60": 0.45, "d90": 0.38}
RESPONSE_SHIFT = {"everyone_at_once": -0.04, "self_directed": 0.0, "small_group": 0.06}
RESPONSE_JITTER = 0.03  # cohort-to-cohort spread of a wave's response rate
# Answering a wave = shared propensity + the person's own responsiveness + wave-to-wave noise.
RESPONSIVE_SHARED, RESPONSIVE_OWN = 0.3, 0.6
RESPONSE_NOISE = math.sqrt(1 - RESPONSIVE_SHARED**2 - RESPONSIVE_OWN**2)
UNMATCHED_SHARE = 0.05
SKIP_SHARE = 0.02  # any item but the application item may be left blank
COMMENT_SHARE = {"post": 0.30, "follow_up": 0.20}
ACCOUNTABLE_SHARE = {
    "everyone_at_once": 0.25,
    "self_directed": 0.15,
    "small_group": 0.72,
    "one_to_one_coaching": 0.70,
}
CONFIDENCE_GAIN = {"everyone_at_once": 0.4, "self_directed": 0.9, "small_group": 0.8}
ROLE_BLOCKED = {"everyone_at_once": 0.30, "self_directed": 0.16, "small_group": 0.10}

WAVE_ITEMS: dict[str, tuple[str, ...]] = {
    "pre": ("mot_chose", "rel_work", "conf_skill"),
    "post": ("app_used", "eng_kept", "rel_work", "conf_skill", "acc_expected", "readiness",
             "nps", "comment"),
    "d30": ("app_used", "rel_work", "conf_skill", "readiness", "comment"),
    "d60": ("app_used", "rel_work", "conf_skill", "readiness", "comment"),
    "d90": ("app_used", "rel_work", "conf_skill", "readiness", "comment"),
}  # fmt: skip
SURVEY_ITEMS: tuple[tuple[str, str, str, str, float | None, float | None, float | None], ...] = (
    ("app_used", "I have used what I learned in my real work", "application", "agree5", 1, 5, 4),
    ("eng_kept", "I kept up with the learning until the end", "engagement", "agree5", 1, 5, 4),
    ("rel_work", "What I learned is relevant to my current work", "relevance", "agree5", 1, 5,
     4),
    ("conf_skill", "I feel confident using what I learned", "confidence", "agree5", 1, 5, 4),
    ("acc_expected", "Someone expected me to follow through and would notice if I did not",
     "accountability", "agree5", 1, 5, 4),
    ("mot_chose", "I chose this learning myself because I wanted it", "motivation", "agree5", 1,
     5, 4),
    ("readiness", "Which statement best describes you now?", "readiness", "readiness6", 1, 6, 5),
    ("nps", "How likely are you to recommend this learning to a colleague?", "recommend",
     "recommend11", 0, 10, 9),
    ("comment", "Anything else you would like to tell us?", "comment", "text", None, None, None),
)  # fmt: skip
COMMENTS: dict[str, tuple[str, ...]] = {
    "applied_self": (
        "I picked this myself and it paid off.",
        "Learning at my own pace meant I could use it the same week.",
    ),
    "applied": (
        "I used the checklist in my next planning meeting.",
        "We changed how we run our retros because of this.",
        "I rewrote two of my team's documents with what I learned.",
        "Used it with a customer last week and it went well.",
        "I now do this every week without thinking about it.",
    ),
    "applied_group": (
        "Knowing my group would ask how it went made me try it.",
        "We tried it on our own project during the sessions, so it stuck.",
        "Talking it through with colleagues made it easy to start.",
    ),
    "not_yet": (
        "Good content, but I have not had a chance to use it yet.",
        "Interesting, but I am not sure where it fits in my work.",
        "I need more practice before I use this with my team.",
        "Too busy this quarter to try it properly.",
    ),
    "alone": (
        "Hard to keep going on my own once work got busy.",
        "Would have been easier with someone to discuss it with.",
        "I kept postponing the modules.",
    ),
    "blocked": (
        "My current role does not give me a chance to use this.",
        "Useful in general, but my manager has other priorities for me.",
        "Nothing in my day-to-day work needs this right now.",
    ),
    "everyone": (
        "Nice that everyone now uses the same words for this.",
        "Too general for what my team actually does.",
        "Sessions were too big to ask questions.",
    ),
}


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


def _build_people(rng: np.random.Generator, seed: int) -> pd.DataFrame:
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


def _build_cohorts(
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


# --- behaviour of each enrolment ----------------------------------------------------------------


def _phi(x: np.ndarray) -> np.ndarray:
    """The standard normal distribution function."""
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def _enrolment_frame(
    rng: np.random.Generator,
    people: pd.DataFrame,
    cohorts: pd.DataFrame,
    groups: pd.DataFrame,
    members: pd.DataFrame,
) -> pd.DataFrame:
    """One row per enrolment with its cohort facts and latent traits."""
    e = members.merge(cohorts, on="cohort_id", how="left").merge(
        groups[["group_id", "works_together"]], on="group_id", how="left"
    )
    e["department"] = people["department"].to_numpy()[e["person"]]
    e["is_manager"] = people["is_manager"].to_numpy()[e["person"]]
    e["is_finance"] = e["department"] == "Finance"
    n = len(e)
    z = rng.standard_normal(n)
    rho, rest = LATENT_CORRELATION, math.sqrt(1 - LATENT_CORRELATION**2)
    e["u_attend"] = _phi(rho * z + rest * rng.standard_normal(n))
    apply_latent = rho * z + rest * rng.standard_normal(n)
    e["responsive"] = RESPONSIVE_SHARED * z + RESPONSIVE_OWN * rng.standard_normal(n)
    finance_sd = (e["department"] == "Finance") & (e["format"] == "self_directed")
    relevant_p = np.where(
        finance_sd, FINANCE_SELF_DIRECTED["relevant"], e["format"].map(RELEVANT_SHARE)
    )
    motivated_p = np.where(
        finance_sd, FINANCE_SELF_DIRECTED["motivated"], e["format"].map(MOTIVATED_SHARE)
    )
    e["relevant"] = rng.random(n) < relevant_p
    e["motivated"] = rng.random(n) < motivated_p
    e["rel_value"] = _agree_values(rng, e["relevant"].to_numpy())
    e["mot_value"] = _agree_values(rng, e["motivated"].to_numpy())
    e["confidence0"] = rng.normal(2.5, 0.7, n)
    e["p30"] = _apply_probability(e)
    e["u_apply"] = _stratified_uniforms(rng, e, apply_latent)
    days_before = rng.integers(*ENROL_DAYS_BEFORE, n)
    e["enrolled_on"] = [
        s - timedelta(days=int(d)) for s, d in zip(e["start_date"], days_before, strict=True)
    ]
    return e


def _stratified_uniforms(
    rng: np.random.Generator, e: pd.DataFrame, latent: np.ndarray
) -> np.ndarray:
    """Uniforms, low where the latent is high, spread evenly inside each cell of equal odds.

    Stratifying keeps each cell's applied share close to its built-in probability, so the effects
    in the README show up in the data instead of being blurred by sampling noise.
    """
    sd = e["format"] == "self_directed"
    cell = pd.DataFrame(
        {
            "variant": e["variant"],
            "close": e["works_together"].astype(bool) & (e["variant"] == "group_coaching"),
            "manager": e["is_manager"].astype(bool),
            "finance": e["is_finance"].astype(bool),
            "relevant": e["relevant"].astype(bool),
            "motivated": e["motivated"].astype(bool) & sd,
        }
    )
    u = np.empty(len(e))
    for _, idx in sorted(cell.groupby(list(cell.columns)).indices.items(), key=lambda kv: kv[0]):
        order = idx[np.argsort(-latent[idx], kind="stable")]
        u[order] = (np.arange(len(idx)) + rng.random(len(idx))) / len(idx)
    return u


def _apply_probability(e: pd.DataFrame) -> np.ndarray:
    """Probability of applying at 30 days: variant, relevance, motivation, Finance."""
    base = np.array(e["variant"].map(APPLY_D30), dtype=float)
    coaching = (e["variant"] == "group_coaching").to_numpy()
    base[coaching] = np.where(
        e["works_together"].to_numpy()[coaching],
        GROUP_COACHING_D30[True],
        GROUP_COACHING_D30[False],
    )
    p = base + np.where(e["relevant"], RELEVANCE_SHIFT, -RELEVANCE_SHIFT)
    self_directed = (e["format"] == "self_directed").to_numpy()
    finance = (e["department"] == "Finance").to_numpy()
    mot = np.where(e["motivated"], MOTIVATION_SHIFT[True], MOTIVATION_SHIFT[False])
    p += np.where(self_directed, mot, 0.0)
    p += np.where(self_directed & finance, FINANCE_SELF_DIRECTED["shift"], 0.0)
    p += np.where(
        (e["format"] == "small_group").to_numpy() & finance, FINANCE_SMALL_GROUP_SHIFT, 0.0
    )
    return np.clip(p, *APPLY_BOUNDS)


def _attendance_params(variant: str) -> tuple[float, float, float]:
    """Never-show, dropout and miss probabilities for a variant."""
    return ATTENDANCE.get(variant) or ATTENDANCE[VARIANT_FORMAT[variant]]


def _attended_slots(rng: np.random.Generator, row: dict) -> list[int]:
    """Which sessions (or planned weeks) one person attended (0-based)."""
    slots = row["scheduled_sessions"] or row["planned_weeks"]
    never, dropout, miss = _attendance_params(row["variant"])
    u = row["u_attend"]
    misses = rng.random(slots) < miss
    if u < never:
        return []
    stay = (u - never) / (1.0 - never)  # high latent -> stays longer
    last = 1 + math.floor(math.log(max(1.0 - stay, 1e-12)) / math.log(1.0 - dropout))
    return [k for k in range(min(last, slots)) if not misses[k]]


def _attendance(rng: np.random.Generator, e: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """Presence rows and completion dates (or None); sets e["attended_share"]."""
    rows: list[tuple] = []
    completed: list[date | None] = []
    shares: list[float] = []
    for r in e.to_dict("records"):
        slots = _attended_slots(rng, r)
        n_slots = r["scheduled_sessions"] or r["planned_weeks"]
        dates = [_slot_date(rng, r, k) for k in slots]
        minutes = _slot_minutes(rng, r["variant"], len(slots))
        kind = "session" if r["scheduled_sessions"] else "activity"
        rows += [
            (r["person"], r["cohort_id"], r["group_id"], kind, d, True, m)
            for d, m in zip(dates, minutes, strict=True)
        ]
        completed.append(_completion(rng, len(slots) / n_slots, dates))
        shares.append(len(slots) / n_slots)
    e["attended_share"] = shares
    cols = ["person", *list(TABLE_COLUMNS["attendance"])[1:]]
    return pd.DataFrame(rows, columns=cols), completed


def _slot_date(rng: np.random.Generator, r: dict, k: int) -> date:
    """The date of session k, or a day inside active week k."""
    if r["variant"] == "conference":
        return r["start_date"] + timedelta(days=k)
    if r["scheduled_sessions"]:
        return r["start_date"] + timedelta(weeks=k)
    return r["start_date"] + timedelta(weeks=k, days=int(rng.integers(0, 7)))


def _slot_minutes(rng: np.random.Generator, variant: str, n: int) -> list[int]:
    """Minutes present per attended session, or minutes of LMS activity per active week."""
    if variant in NO_SESSION_VARIANTS:
        return [int(m) for m in rng.integers(3, 25, n) * 5]
    full = SESSION_MINUTES[variant]
    late = rng.random(n) < 0.15
    cut = rng.integers(1, 4, n) * (15 if variant != "conference" else 60)
    return [int(full - c) if is_late else full for is_late, c in zip(late, cut, strict=True)]


def _completion(rng: np.random.Generator, share: float, dates: list[date]) -> date | None:
    """Completed: most who attended 75%+, some who attended half, a few who caught up later."""
    chance = 0.9 if share >= 0.75 else 0.4 if share >= 0.5 else 0.08 if share >= 0.25 else 0.0
    done = rng.random() < chance
    return max(dates) if done and dates else None


# --- surveys ------------------------------------------------------------------------------------


def _agree_values(rng: np.random.Generator, positive: np.ndarray) -> np.ndarray:
    """Answers on a 1-5 agreement scale: 4-5 where positive, 1-3 otherwise."""
    high = rng.choice([4, 5], size=len(positive), p=[0.55, 0.45])
    low = rng.choice([1, 2, 3], size=len(positive), p=[0.15, 0.40, 0.45])
    return np.where(positive, high, low)


def _wave_date(r: dict, wave: str) -> date:
    """The day a wave's survey opens for a cohort."""
    anchor = r["start_date"] if wave == "pre" else r["end_date"]
    return anchor + timedelta(days=WAVE_OFFSET_DAYS[wave])


def _response_plan(rng: np.random.Generator, e: pd.DataFrame) -> pd.DataFrame:
    """Which enrolment answers which closed wave (rows: enrolment position and wave).

    Each cohort and wave gets its own response rate (the wave's rate, shifted by format, jittered);
    the most responsive people answer, chosen separately among those who applied and those who
    did not, so answering never depends on applying and the respondents' rate stays faithful.
    """
    frames = []
    for w, wave in enumerate(WAVE_ITEMS):
        anchor = e["start_date"] if wave == "pre" else e["end_date"]
        shift = timedelta(days=WAVE_OFFSET_DAYS[wave] + WAVE_WINDOW_DAYS)
        f = pd.DataFrame({"enr": np.arange(len(e)), "w": w, "cohort_id": e["cohort_id"]})
        f["rate"] = RESPONSE_RATE[wave] + e["format"].map(RESPONSE_SHIFT).to_numpy()
        f["applied"] = _applied(e["u_apply"], e["p30"], "d30" if wave == "pre" else wave)
        f["latent"] = e["responsive"].to_numpy() + RESPONSE_NOISE * rng.standard_normal(len(e))
        frames.append(f[[d + shift <= DATA_AS_OF for d in anchor]])
    plan = pd.concat(frames, ignore_index=True)
    waves = plan[["cohort_id", "w"]].drop_duplicates()
    waves["jitter"] = rng.normal(0.0, RESPONSE_JITTER, len(waves))
    plan = plan.merge(waves, on=["cohort_id", "w"], how="left")
    cell = ["cohort_id", "w", "applied"]
    cells = plan[cell].drop_duplicates()
    cells["u"] = rng.random(len(cells))
    plan = plan.merge(cells, on=cell, how="left")
    rank = plan.groupby(cell)["latent"].rank(method="first", ascending=False) - 1
    size = plan.groupby(cell)["latent"].transform("size")
    quota = np.floor(size * np.clip(plan["rate"] + plan["jitter"], 0.05, 0.98) + plan["u"])
    return plan.loc[rank < quota, ["enr", "w"]]


def _applied(u: ArrayLike, p30: ArrayLike, wave: str) -> np.ndarray:
    """Applied by this wave: the enrolment's uniform falls under its decayed probability."""
    return np.asarray(u) < np.minimum(np.asarray(p30) * WAVE_FACTOR[wave], MAX_APPLY)


def _submitted_at(rng: np.random.Generator, r: dict, wave: str) -> datetime:
    """A submission time inside the wave's window (before the start for the pre survey)."""
    days = int(rng.integers(1, 10)) if wave == "pre" else int(rng.integers(0, WAVE_WINDOW_DAYS))
    day = _wave_date(r, wave) + timedelta(days=days)
    seconds = int(rng.integers(8 * 3600, 19 * 3600))
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def _likert(rng: np.random.Generator, positive: bool) -> int:
    """One agreement answer, positive (4-5) or not (1-3)."""
    return int(_agree_values(rng, np.array([positive]))[0])


def _jitter(rng: np.random.Generator, value: int) -> int:
    """A repeated answer: usually the same, sometimes one step off."""
    if rng.random() < 0.1:
        return int(min(5, max(1, value + (1 if rng.random() < 0.5 else -1))))
    return int(value)


def _confidence(rng: np.random.Generator, r: dict, wave: str, applied: bool) -> int:
    """Confidence: low before, higher after (most for self-directed), a bit higher if applied."""
    level = r["confidence0"]
    if wave != "pre":
        gain = CONFIDENCE_GAIN[r["format"]] * (1.0 if wave == "post" else 0.9)
        level += gain + 0.35 * applied
    return int(min(5, max(1, round(level + rng.normal(0, 0.5)))))


def _readiness(rng: np.random.Generator, r: dict, applied: bool) -> int:
    """Thalheimer's six options (1..6); 'my role does not enable me' mostly among non-appliers."""
    if applied:
        return int(rng.choice([3, 4, 5, 6], p=[0.06, 0.34, 0.48, 0.12]))
    blocked = ROLE_BLOCKED[r["format"]] * (0.5 if r["relevant"] else 1.5)
    if rng.random() < blocked:
        return 1
    return int(rng.choice([2, 3, 4], p=[0.3, 0.4, 0.3]))


def _nps(rng: np.random.Generator, applied: bool) -> int:
    """Likelihood to recommend, 0..10."""
    if applied:
        return int(rng.choice([7, 8, 9, 10], p=[0.15, 0.30, 0.30, 0.25]))
    return int(rng.choice([3, 4, 5, 6, 7, 8], p=[0.05, 0.10, 0.15, 0.25, 0.25, 0.20]))


def _comment(rng: np.random.Generator, r: dict, applied: bool, readiness: int) -> str:
    """A short comment that fits the answers."""
    fmt = r["format"]
    if readiness == 1:
        bank = "blocked"
    elif applied:
        bank = {"small_group": "applied_group", "self_directed": "applied_self"}.get(fmt)
        bank = bank if bank and rng.random() < 0.5 else "applied"
    else:
        bank = {"everyone_at_once": "everyone", "self_directed": "alone"}.get(fmt)
        bank = bank if bank and rng.random() < 0.5 else "not_yet"
    options = COMMENTS[bank]
    return options[int(rng.integers(0, len(options)))]


def _answers(
    rng: np.random.Generator, r: dict, wave: str
) -> list[tuple[str, int | None, str | None]]:
    """(item_id, value, text) for one response; applied follows the enrolment's propensity."""
    applied = wave != "pre" and bool(_applied(r["u_apply"], r["p30"], wave))
    accountable = ACCOUNTABLE_SHARE.get(r["variant"], ACCOUNTABLE_SHARE[r["format"]])
    readiness = _readiness(rng, r, applied) if wave != "pre" else 0
    values: dict[str, int] = {
        "app_used": _likert(rng, applied),
        "eng_kept": _likert(rng, rng.random() < (0.85 if r["attended_share"] >= 0.75 else 0.2)),
        "rel_work": _jitter(rng, r["rel_value"]),
        "conf_skill": _confidence(rng, r, wave, applied),
        "acc_expected": _likert(rng, rng.random() < accountable),
        "mot_chose": int(r["mot_value"]),
        "readiness": readiness,
        "nps": _nps(rng, applied),
    }
    comment_share = COMMENT_SHARE["post" if wave == "post" else "follow_up"]
    out: list[tuple[str, int | None, str | None]] = []
    for item in WAVE_ITEMS[wave]:
        draw = rng.random()
        if item == "comment":
            if draw < comment_share:
                out.append((item, None, _comment(rng, r, applied, readiness)))
        elif item == "app_used" or draw >= SKIP_SHARE:
            out.append((item, values[item], None))
    return out


def _surveys(
    rng: np.random.Generator, e: pd.DataFrame, keys: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Responses and long answers for every planned response, in cohort and wave order."""
    plan = _response_plan(rng, e)
    cohort_rank = {c: i for i, c in enumerate(dict.fromkeys(e["cohort_id"]))}
    plan["c"] = e["cohort_id"].map(cohort_rank).to_numpy()[plan["enr"]]
    plan = plan.sort_values(["c", "w", "enr"], kind="stable")
    records = e.to_dict("records")
    wave_names = list(WAVE_ITEMS)
    responses: list[tuple] = []
    answers: list[tuple] = []
    for enr, w in zip(plan["enr"], plan["w"], strict=True):
        r, wave = records[enr], wave_names[w]
        matched = rng.random() >= UNMATCHED_SHARE
        seq = len(responses)
        responses.append(
            (
                seq,
                keys[r["person"]] if matched else None,
                r["cohort_id"],
                r["group_id"] if matched else None,
                wave,
                _submitted_at(rng, r, wave),
            )
        )
        answers += [(seq, *a) for a in _answers(rng, r, wave)]
    resp = pd.DataFrame(responses, columns=["seq", *list(TABLE_COLUMNS["survey_responses"])[1:]])
    resp.insert(0, "response_id", [f"R{i + 1:05d}" for i in resp["seq"]])
    ans = pd.DataFrame(answers, columns=["seq", "item_id", "value", "text"])
    ans.insert(0, "response_id", [f"R{i + 1:05d}" for i in ans["seq"]])
    resp = resp[list(TABLE_COLUMNS["survey_responses"])]
    return resp, ans[list(TABLE_COLUMNS["survey_answers"])]


# --- public API ---------------------------------------------------------------------------------


def generate_demo(seed: int = DEMO_SEED) -> dict[str, pd.DataFrame]:
    """Generate the demo organisation: one DataFrame per table, in load order, deterministic."""
    # Independent streams: changing how one part draws leaves the others' draws unchanged.
    org_rng, cohort_rng, trait_rng, attend_rng, survey_rng = np.random.default_rng(seed).spawn(5)
    people = _build_people(org_rng, seed)
    cohorts, groups, members = _build_cohorts(cohort_rng, people)
    e = _enrolment_frame(trait_rng, people, cohorts, groups, members)
    attendance, completed = _attendance(attend_rng, e)
    keys = people["person_key"].tolist()
    responses, answers = _surveys(survey_rng, e, keys)
    attendance.insert(0, "person_key", [keys[i] for i in attendance.pop("person")])
    enrolments = pd.DataFrame(
        {
            "person_key": [keys[i] for i in e["person"]],
            "cohort_id": e["cohort_id"],
            "group_id": e["group_id"],
            "enrolled_on": e["enrolled_on"],
            "completed_on": completed,
        }
    )
    return {
        "programs": pd.DataFrame(PROGRAMS, columns=list(TABLE_COLUMNS["programs"])),
        "cohorts": cohorts,
        "groups": groups,
        "people": people.drop(columns="team_id"),
        "enrolments": enrolments,
        "attendance": attendance,
        "survey_items": pd.DataFrame(SURVEY_ITEMS, columns=list(TABLE_COLUMNS["survey_items"])),
        "survey_responses": responses,
        "survey_answers": answers,
    }


def _csv_frame(df: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """Text versions of each column: ISO dates, true/false, integers without '.0', empty NULLs."""
    out = pd.DataFrame(index=df.index)
    for col, kind in types.items():
        s = df[col]
        if kind == "BOOLEAN":
            out[col] = s.map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
        elif kind == "DATE":
            out[col] = s.map(lambda v: "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d"))
        elif kind == "TIMESTAMP":
            out[col] = s.map(lambda v: "" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S"))
        elif kind in ("DOUBLE", "INTEGER"):
            out[col] = s.map(_number_text)
        else:
            out[col] = s.map(lambda v: "" if v is None or pd.isna(v) else str(v))
    return out


def _number_text(value: object) -> str:
    """A number as stable text: integers without a decimal point, others to 2 decimals."""
    if value is None or pd.isna(value):
        return ""
    number = round(float(value), 2)
    return str(int(number)) if number.is_integer() else f"{number:.2f}".rstrip("0")


def write_demo(out_dir: Path = DEMO_DIR, seed: int = DEMO_SEED) -> list[Path]:
    """Write <table>.csv for every table (UTF-8, header, byte-stable) and return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, df in generate_demo(seed).items():
        path = out_dir / f"{table}.csv"
        text = _csv_frame(df, TABLE_COLUMNS[table])
        text.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def _insert_sql(table: str) -> str:
    """INSERT ... SELECT from read_csv with explicit column types (names are code constants)."""
    types = TABLE_COLUMNS[table]
    cols = ", ".join(f'"{c}"' for c in types)
    spec = ", ".join(f"'{c}': '{t}'" for c, t in types.items())
    return (
        f'INSERT INTO "{table}" ({cols}, import_id) SELECT {cols}, ? '
        f"FROM read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"dateformat = '%Y-%m-%d', timestampformat = '%Y-%m-%d %H:%M:%S', "
        f"columns = {{{spec}}})"
    )


def load_demo(store: Store, demo_dir: Path = DEMO_DIR) -> int:
    """Load every demo CSV in one transaction as one demo import; returns its import id."""
    demo_dir = Path(demo_dir)
    with store.transaction() as cur:
        if cur.execute("SELECT count(*) FROM imports WHERE is_demo").fetchone()[0]:
            raise ValueError("the demo data is already loaded; remove it before loading it again")
        import_id = store.new_import(
            cur, "demo", file_name="data/demo", tool="generator", is_demo=True
        )
        written = 0
        for table in TABLES:
            path = demo_dir / f"{table}.csv"
            if not path.is_file():
                raise FileNotFoundError(f"demo file missing: {path}")
            written += cur.execute(_insert_sql(table), [import_id, str(path)]).fetchone()[0]
        cur.execute("UPDATE imports SET rows_written = ? WHERE import_id = ?", [written, import_id])
    return import_id


def main() -> None:
    """Regenerate data/demo/*.csv."""
    for path in write_demo(DEMO_DIR):
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
