"""The held-out organisation's people and what they did, from a drawn truth (rules.Draw).

Each person's chance of applying what they learned is a sum of parts, so each claim's drawn
effect is exactly the difference its comparison measures, and the other claims' parts cancel
out of it (they are balanced across its two arms):

    p = 50% + department + format + variant + close/mixed + relevance + motivation + leader
        + the learning group's own random part (small groups: sd 4 points)

- format: small groups d1/2 above, everyone at once and self-directed d1/2 below (claim 1);
- variant: pilot teams d3 − d1 above the small-group mean (so pilot − org-wide = d3), book
  club and reading alone ±(d5 − d1)/2, buddies and the self-paced course ±(d4 − d1)/2; group
  coaching and the learning budget balance their formats so each format keeps its mean;
- close colleagues +d6/2, mixed circles −d6/2 (group coaching only);
- relevance d7·(relevant − share relevant), everywhere; motivation d8·(motivated − share
  motivated), in self-directed learning only;
- leaders ±d9/2·(leader − share of leaders), + in small groups and − elsewhere, so the
  interaction is d9 and no format's mean moves.
Participation, the active share in week 5, completion and the confidence gain are drawn per
format (or variant) the same way. Whoever answers a survey is drawn independently of all of it.
A draw whose chances would leave 1–99% is redrawn (`feasible`).

Departments: five, each arm holding them in the same shares (allocated, not drawn, so no two
arms differ by chance), with small differences between departments (±6 points). When a claim
is confounded, one department is 20 points below the rest and one 20 above; the claim's arm a
leans to the one that pulls its pooled difference against its effect, arm b the other way, and
the other variants of their formats lean back, so no format's mean moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from bench.heldout.rules import Draw

DEPARTMENTS = ("Engineering", "Sales", "Finance", "Operations", "Customer Support")
TEAMS = 6  # per department
BASE = 0.50
PARTICIPATION = 0.85  # attended or active at least once (claim 10's first part)
WEEK5 = 0.50  # active in week 5 (claim 2)
COMPLETION = 0.55
ATTEND_OTHER_WEEKS = 0.75  # a participant's chance of each other week
CONFIDENCE_PRE, CONFIDENCE_GAIN, CONFIDENCE_SD = 2.6, 0.6, 0.9
SHARE_RELEVANT, SHARE_MOTIVATED, SHARE_LEADERS = 0.5, 0.5, 0.25
THIN_LEADERS = 12  # small-group learners who lead people, when claim 9 is thin
GROUP_SD, GROUP_CAP = 0.03, 0.06
RESPONSE = {"pre": 0.85, "post": 0.75, "d30": 0.80}
BOUNDS = (0.01, 0.99)
SMALL, ALL, SELF = "small_group", "everyone_at_once", "self_directed"


@dataclass(frozen=True)
class Plan:
    """One cohort: one running of a program in one variant."""

    key: str
    name: str
    program: str
    variant: str
    format: str
    people: int
    start: date
    group_size: tuple[int, int] | None = None  # small groups: members per group
    sessions: int = 6  # weekly, one per week from the start; 0: self-directed (LMS activity)
    weeks: int = 6

    @property
    def end(self) -> date:
        """The last day of the planned weeks."""
        return self.start + timedelta(days=7 * self.weeks - 1)


PLANS = (
    Plan("org_wide", "Data literacy for everyone", "Data literacy", "org_wide", ALL, 550,
         date(2025, 2, 3)),
    Plan("pilot_teams", "Data literacy pilot teams", "Data literacy", "pilot_team", SMALL, 200,
         date(2025, 3, 3), (8, 12)),
    Plan("book_club", "Feedback book club", "Giving feedback", "book_club", SMALL, 200,
         date(2025, 2, 17), (6, 8)),
    Plan("reading_alone", "Feedback reading list", "Giving feedback", "self_study_alone", SELF,
         200, date(2025, 2, 10), sessions=0),
    Plan("course_buddies", "SQL course with buddies", "SQL for analysts", "course_buddies",
         SMALL, 200, date(2025, 3, 17), (2, 3)),
    Plan("self_paced", "SQL course, self-paced", "SQL for analysts", "self_paced_course", SELF,
         200, date(2025, 3, 10), sessions=0),
    Plan("group_coaching", "Leading through change circles", "Leading through change",
         "group_coaching", SMALL, 450, date(2025, 4, 14), (5, 6)),
    Plan("learning_budget", "Learning budget, spring", "Learning budget", "learning_budget", SELF,
         250, date(2025, 4, 7), sessions=0),
)  # fmt: skip
THIN_PEOPLE = {3: ("pilot_teams", 18, (9, 9)), 4: ("course_buddies", 16, (2, 3)),
               5: ("book_club", 16, (8, 8))}  # fmt: skip
THIN_CLOSE_CIRCLES = 2


def plans(d: Draw) -> list[Plan]:
    """The cohorts, with the thin claims' cohorts shrunk and self-directed courses shortened."""
    out = []
    for p in PLANS:
        for claim, (key, people, size) in THIN_PEOPLE.items():
            if d.kinds[claim] == "thin" and p.key == key:
                p = Plan(**{**p.__dict__, "people": people, "group_size": size})
        if d.kinds[2] == "thin" and p.format == SELF:
            p = Plan(**{**p.__dict__, "weeks": 4})
        out.append(p)
    return out


def _mix(d: Draw, tilt: float) -> np.ndarray:
    """Department shares: even, or tilted towards the high (tilt > 0) or low department."""
    if d.confounded is None or tilt == 0:
        return np.full(len(DEPARTMENTS), 1 / len(DEPARTMENTS))
    shares = np.full(len(DEPARTMENTS), 0.2 / (len(DEPARTMENTS) - 2))
    shares[DEPARTMENTS.index(d.low_dept)] = 0.4 - tilt / 2
    shares[DEPARTMENTS.index(d.high_dept)] = 0.4 + tilt / 2
    return shares


def _tilts(d: Draw, sizes: dict[str, int]) -> dict[str, float]:
    """Per arm (variant, or 'close'/'mixed' in group coaching), the confounding tilt.

    The confounded claim's arm a leans to the department that pulls its pooled difference
    against the within-department effect; the formats' other variants lean the other way
    so each format's mean department effect stays zero (claims 1 and 10 are not confounded).
    """
    from bench.heldout.rules import CONFOUND_TILT

    if d.confounded is None:
        return {}
    t = -CONFOUND_TILT * d.sign(d.confounded)
    if d.confounded == 6:
        return {"close": t, "mixed": -t}
    return {
        "book_club": t,
        "self_study_alone": -t,
        "group_coaching": -t * sizes["book_club"] / sizes["group_coaching"],
        "learning_budget": t * sizes["self_study_alone"] / sizes["learning_budget"],
    }


def _offsets(d: Draw, sizes: dict[str, int]) -> dict[str, float]:
    """Each variant's application offset in points (format and variant parts)."""
    p = d.points
    fmt = {SMALL: p[1] / 2, ALL: -p[1] / 2, SELF: -p[1] / 2}
    var = {
        "org_wide": 0.0,
        "pilot_team": p[3] - p[1],
        "book_club": (p[5] - p[1]) / 2,
        "self_study_alone": -(p[5] - p[1]) / 2,
        "course_buddies": (p[4] - p[1]) / 2,
        "self_paced_course": -(p[4] - p[1]) / 2,
    }
    var["group_coaching"] = (
        -sum(sizes[v] * var[v] for v in ("pilot_team", "book_club", "course_buddies"))
        / sizes["group_coaching"]
    )
    var["learning_budget"] = (
        -sum(sizes[v] * var[v] for v in ("self_study_alone", "self_paced_course"))
        / sizes["learning_budget"]
    )
    return {v: fmt[_format(v)] + var[v] for v in var}


def _format(variant: str) -> str:
    return next(p.format for p in PLANS if p.variant == variant)


def people(d: Draw, rng: np.random.Generator) -> pd.DataFrame:
    """Everyone, one row each: cohort, group, department, team, leader, traits, p(apply)."""
    cohorts = plans(d)
    sizes = {p.variant: p.people for p in cohorts}
    tilts = _tilts(d, sizes)
    rows = []
    for plan in cohorts:
        rows.extend(_cohort_people(d, plan, tilts, rng))
    df = pd.DataFrame(rows)
    df["person"] = np.arange(len(df))
    df["leader"] = rng.random(len(df)) < SHARE_LEADERS
    if d.kinds[9] == "thin":  # a fixed few, so their answers stay under 20 whatever is drawn
        small = np.flatnonzero((df["format"] == SMALL).to_numpy())
        df.loc[small, "leader"] = False
        df.loc[rng.choice(small, THIN_LEADERS, replace=False), "leader"] = True
    df["relevant"] = rng.random(len(df)) < SHARE_RELEVANT
    df["motivated"] = rng.random(len(df)) < SHARE_MOTIVATED
    df["p_apply"] = _p_apply(d, df, sizes, rng)
    return df


def _cohort_people(d: Draw, plan: Plan, tilts: dict, rng: np.random.Generator) -> list[dict]:
    """The cohort's people, in their learning groups (one group outside small groups)."""
    base = {"cohort": plan.key, "variant": plan.variant, "format": plan.format}
    if plan.group_size is None:
        depts = _balanced(_mix(d, tilts.get(plan.variant, 0)), [1] * plan.people, rng)
        return [
            {**base, "group": None, "works_together": None, "close": None,
             "dept": DEPARTMENTS[i], "team": int(rng.integers(TEAMS))}
            for i in depts
        ]  # fmt: skip
    sizes = _group_sizes(plan, rng)
    if plan.variant == "group_coaching":
        close_n = THIN_CLOSE_CIRCLES if d.kinds[6] == "thin" else len(sizes) // 2
        kinds = ["close"] * close_n + ["mixed"] * (len(sizes) - close_n)
    elif plan.variant == "pilot_team":
        kinds = ["close"] * len(sizes)  # a pilot team is a real team
    else:
        kinds = [str(k) for k in rng.choice(["close", "mixed"], size=len(sizes))]
    members: list[list[int]] = [[] for _ in sizes]
    for kind in ("close", "mixed"):
        tilt = tilts.get(plan.variant, 0)
        if plan.variant == "group_coaching":  # by closeness when claim 6 is confounded
            tilt = tilts.get(kind, tilt)
        mine = [g for g, k in enumerate(kinds) if k == kind]
        if kind == "close":  # one team of one department
            for g, dept in zip(mine, _balanced(_mix(d, tilt), [sizes[g] for g in mine], rng),
                               strict=True):  # fmt: skip
                members[g] = [dept] * sizes[g]
        else:  # everyone in the mixed groups, dealt out in a random order
            depts = iter(_balanced(_mix(d, tilt), [1] * sum(sizes[g] for g in mine), rng))
            for g in mine:
                members[g] = [next(depts) for _ in range(sizes[g])]
    out: list[dict] = []
    for g, (kind, depts) in enumerate(zip(kinds, members, strict=True)):
        close, name = kind == "close", _group_name(plan.variant, g, sizes[g])
        team = int(rng.integers(TEAMS))
        for dept in depts:
            out.append({**base, "group": name, "works_together": close, "close": close,
                        "dept": DEPARTMENTS[dept],
                        "team": team if close else int(rng.integers(TEAMS))})  # fmt: skip
    return out


def _balanced(mix: np.ndarray, weights: list[int], rng: np.random.Generator) -> list[int]:
    """A department for each unit (a person, or a close group of that many people), so that
    the departments' people match `mix` as closely as whole units allow: biggest units first,
    each to the department furthest below its share. Who gets which is random; how many each
    department gets is not, so no arm differs from another in departments by chance."""
    order = sorted(rng.permutation(len(weights)), key=lambda i: -weights[i])
    target, have = np.asarray(mix) * sum(weights), np.zeros(len(mix))
    out = [0] * len(weights)
    for i in order:
        j = int(np.argmax(target - have))
        out[i], have[j] = j, have[j] + weights[i]
    return out


def _group_sizes(plan: Plan, rng: np.random.Generator) -> list[int]:
    """Group sizes within the plan's range that add up to its people."""
    low, high = plan.group_size
    sizes, left = [], plan.people
    while left > 0:
        size = int(rng.integers(low, high + 1))
        if left - size < low and left - size != 0:
            size = left if left <= high else left - low
        sizes.append(min(size, left))
        left -= sizes[-1]
    return sizes


def _group_name(variant: str, g: int, size: int) -> str:
    if variant == "course_buddies":
        return f"{'Duo' if size == 2 else 'Trio'} {g + 1:02d}"
    word = {"pilot_team": "Pilot team", "book_club": "Book club", "group_coaching": "Circle"}
    return f"{word[variant]} {g + 1:02d}"


def _p_apply(d: Draw, df: pd.DataFrame, sizes: dict, rng: np.random.Generator) -> np.ndarray:
    """Each person's chance of applying (see the module's docstring)."""
    off = _offsets(d, sizes)
    p = BASE + df["variant"].map(off).to_numpy() / 100
    p += df["dept"].map(d.dept_points).to_numpy() / 100
    gc = (df["variant"] == "group_coaching").to_numpy()
    close = df["close"].fillna(False).to_numpy(dtype=bool)
    p += np.where(gc, np.where(close, 1, -1) * d.points[6] / 200, 0)
    p += d.points[7] / 100 * (df["relevant"].to_numpy() - SHARE_RELEVANT)
    self_ = (df["format"] == SELF).to_numpy()
    p += np.where(self_, d.points[8] / 100 * (df["motivated"].to_numpy() - SHARE_MOTIVATED), 0)
    small = (df["format"] == SMALL).to_numpy()
    lead = df["leader"].to_numpy().astype(float)
    for inside in (True, False):
        arm = small == inside
        share = lead[arm].mean() if arm.any() else 0
        p[arm] += (1 if inside else -1) * d.points[9] / 200 * (lead[arm] - share)
    groups = df.loc[small, "group"].unique()
    spread = np.clip(rng.normal(0, GROUP_SD, len(groups)), -GROUP_CAP, GROUP_CAP)
    noise = dict(zip(groups, spread, strict=True))
    p += df["group"].map(noise).fillna(0).to_numpy()
    return p


def feasible(df: pd.DataFrame) -> bool:
    """Every chance of applying within BOUNDS (else the draw is redrawn)."""
    return bool(df["p_apply"].between(*BOUNDS).all())
