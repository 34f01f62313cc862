"""What the held-out organisation's people did: sessions or LMS activity, completion, answers.

Participation (attended or active at least once) is drawn per format, the active share in
week 5 per format, completion per variant (conditional on participating, so nobody completes
what they never opened), and survey answers from the person's traits (rules and org.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from bench.heldout import org
from bench.heldout.org import ALL, SELF, SMALL, Plan
from bench.heldout.rules import Draw

AGREE5 = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
APPLIED_ANSWERS, NOT_APPLIED_ANSWERS = (0, 0, 0, 0.55, 0.45), (0.15, 0.45, 0.40, 0, 0)
QUESTIONS = {
    "motivation": "I chose this learning myself because I wanted it",
    "confidence": "I am confident I can use this skill in my work",
    "application": "I have used what I learned in my real work",
    "relevance": "What I learned is relevant to my current work",
}


def rates(d: Draw) -> dict[str, dict[str, float]]:
    """Per format: participation and the active share in week 5; per variant: completion."""
    part = d.points[10] / 100  # claim 10's first part: everyone at once participates more
    week5 = d.points[2] / 100
    return {
        "participation": {ALL: org.PARTICIPATION + 2 * part / 3,
                          SELF: org.PARTICIPATION - part / 3,
                          SMALL: org.PARTICIPATION - part / 3},
        "week5": {ALL: org.WEEK5 + week5 / 2, SMALL: org.WEEK5 + week5 / 2,
                  SELF: org.WEEK5 - week5 / 2},
        "completion": {"course_buddies": org.COMPLETION + d.points[4] / 200,
                       "self_paced_course": org.COMPLETION - d.points[4] / 200},
        "gain": {SELF: org.CONFIDENCE_GAIN + 2 * d.gain / 3,
                 ALL: org.CONFIDENCE_GAIN - d.gain / 3,
                 SMALL: org.CONFIDENCE_GAIN - d.gain / 3},
    }  # fmt: skip


def activity(
    d: Draw, people: pd.DataFrame, plans: dict[str, Plan], rng: np.random.Generator
) -> pd.DataFrame:
    """One row per person and week of their cohort: present (a session, or LMS activity)."""
    r = rates(d)
    fmt = people["format"].to_numpy()
    p_part = np.array([r["participation"][f] for f in fmt])
    part = rng.random(len(people)) < p_part
    p5 = np.array([r["week5"][f] for f in fmt]) / p_part
    active5 = part & (rng.random(len(people)) < p5)
    people["participated"] = part
    rows = []
    weekday = _weekdays(people, rng)
    for i, person in enumerate(people.itertuples()):
        plan = plans[person.cohort]
        weeks = plan.weeks if plan.sessions == 0 else plan.sessions
        present = [
            bool(part[i] and (active5[i] if w == 4 else rng.random() < org.ATTEND_OTHER_WEEKS))
            for w in range(weeks)
        ]
        if part[i] and not any(present):  # a participant came at least once
            present[int(rng.choice([w for w in range(weeks) if w != 4]))] = True
        for w, here in enumerate(present):
            day = plan.start + timedelta(days=7 * w + int(weekday[i]))
            rows.append((person.person, person.cohort, w, day, here))
    return pd.DataFrame(rows, columns=["person", "cohort", "week", "day", "present"])


def _weekdays(people: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Each person's session weekday (0 = Monday): one per learning group, or the cohort's."""
    days = {}
    for key in people["group"].fillna(people["cohort"]).unique():
        days[key] = int(rng.integers(0, 4))
    return people["group"].fillna(people["cohort"]).map(days).to_numpy()


def completion(d: Draw, people: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Who completed: among participants, so that completed ÷ enrolled is the variant's rate."""
    r = rates(d)
    want = people["variant"].map(r["completion"]).fillna(org.COMPLETION).to_numpy()
    p_part = people["format"].map(r["participation"]).to_numpy()
    return people["participated"].to_numpy() & (rng.random(len(people)) < want / p_part)


def responses(d: Draw, people: pd.DataFrame, plans: dict[str, Plan], rng) -> pd.DataFrame:
    """Survey responses, one row per person and wave answered, with answers as labels.

    pre: motivation (unless claim 8 is thin) and confidence (unless claim 10 is thin);
    post: confidence; d30: application and relevance (unless claim 7 is thin).
    """
    gains = rates(d)["gain"]
    rows = []
    ask_pre = d.kinds[8] != "thin" or d.kinds[10] != "thin"
    for person in people.itertuples():
        plan = plans[person.cohort]
        if ask_pre and rng.random() < org.RESPONSE["pre"]:
            answers = {}
            if d.kinds[8] != "thin":
                answers["motivation"] = _trait(person.motivated, rng)
            if d.kinds[10] != "thin":
                answers["confidence"] = _confidence(org.CONFIDENCE_PRE, rng)
            rows.append(_row(person, "pre", plan.start, -rng.integers(1, 11), answers, rng))
        if rng.random() < org.RESPONSE["post"]:
            answers = {"confidence": _confidence(org.CONFIDENCE_PRE + gains[person.format], rng)}
            rows.append(_row(person, "post", plan.end, rng.integers(1, 11), answers, rng))
        if rng.random() < org.RESPONSE["d30"]:
            applied = rng.random() < person.p_apply
            answers = {"application": _label(APPLIED_ANSWERS if applied else NOT_APPLIED_ANSWERS,
                                             rng)}  # fmt: skip
            if d.kinds[7] != "thin":
                answers["relevance"] = _trait(person.relevant, rng)
            rows.append(_row(person, "d30", plan.end, rng.integers(22, 41), answers, rng))
    return pd.DataFrame(rows)


def _row(person, wave: str, day, offset, answers: dict, rng) -> dict:
    moment = datetime.combine(day + timedelta(days=int(offset)), datetime.min.time())
    moment += timedelta(seconds=int(rng.integers(8 * 3600, 18 * 3600)))
    return {"person": person.person, "cohort": person.cohort, "wave": wave,
            "submitted": moment, **answers}  # fmt: skip


def _label(chances, rng) -> str:
    return AGREE5[int(rng.choice(5, p=chances))]


def _trait(has: bool, rng) -> str:
    """An agreement answer that says the trait: agree or strongly agree exactly when it holds."""
    return _label(APPLIED_ANSWERS if has else NOT_APPLIED_ANSWERS, rng)


def _confidence(mean: float, rng) -> str:
    value = int(np.clip(np.rint(rng.normal(mean, org.CONFIDENCE_SD)), 1, 5))
    return AGREE5[value - 1]
