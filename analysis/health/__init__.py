"""Data health: per program and cohort, what data exists and what is missing, in words.

For each cohort: attendance (session days recorded against the sessions scheduled, or LMS
activity for self-paced cohorts), enrolment and completion, each survey wave's response rate
against enrolment, answers not matched to a person, and groups whose closeness (works
together) is unknown. For each of the ten claims (analysis/compare/claims.py): what it still
needs. Then what to collect next, ordered by how many claims it would help.

Privacy. Enrolment, attendance and group settings are operational records and are not
suppressed. Response counts are counts of people who answered a survey, so they pass the one
privacy step like every survey figure: a cohort's responses in a wave are counted in cells of
whole cohorts (`measures.responses`, never split by department) of 0 or at least k respondents.
A cohort with fewer than k responses is pooled with a neighbour and its rate is shown as
suppressed. A claim's arms are counted exactly as the Claims page counts them (`arm_data`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis import words
from analysis.domain import LOW_RESPONSE_RATE, WAVES
from analysis.health.claims import claims_health, step_words
from analysis.health.cohorts import cohort_facts, cohorts_health
from analysis.health.model import (
    INFO,
    MISSING,
    OK,
    SURVEY_KIT,
    WARN,
    WAVE_NAMES,
    WAVE_WHEN,
    ClaimHealth,
    CohortHealth,
    Health,
    ProgramHealth,
    Statement,
    Step,
    worst,
)
from analysis.privacy import PrivacyRule, measures
from analysis.privacy.step import survey_figure
from analysis.queries import Filters
from analysis.store import Store

__all__ = [
    "INFO",
    "MISSING",
    "OK",
    "WARN",
    "ClaimHealth",
    "CohortHealth",
    "Health",
    "ProgramHealth",
    "Statement",
    "Step",
    "health",
    "step_text",
    "worst",
]
# What each cohort gap asks for, in the order the summary lists them after the claims' steps.
GAP_STEPS = {
    **{
        f"wave:{w}": f"Send the {WAVE_NAMES[w]} survey to {{}} whose {WAVE_NAMES[w]} survey is "
        f"due {SURVEY_KIT}"
        for w in WAVES
    },
    "no_enrolment": "Import who enrolled in {}",
    "no_attendance": "Import the attendance of {} with none recorded",
    "sessions_unset": "Set the scheduled sessions of {} with attendance",
    "no_activity": "Import LMS activity for {} with none",
    "missing_sessions": "Import the missing sessions of {}",
    "no_completion": "Import the completion dates for {}",
    "closeness": "Say whether the groups' members work together in {}",
    "low_response": "Remind people to answer: {} with a wave's response rate below "
    + words.pct(LOW_RESPONSE_RATE),
    **{
        f"late:{w}": f"Survey the next cohorts {WAVE_WHEN[w]}: {{}} had no {WAVE_NAMES[w]} "
        f"wave {SURVEY_KIT}"
        for w in WAVES
    },
}


def _cohort_steps(programs: tuple[ProgramHealth, ...]) -> list[Step]:
    """Steps that help every analysis but no verdict on their own: cohorts counted per gap."""
    cohorts = [c for p in programs for c in p.cohorts]
    out = []
    for rank, (gap, text) in enumerate(GAP_STEPS.items(), start=10):
        names = tuple(c.name for c in cohorts if any(s.gap == gap for s in c.statements))
        if names:
            out.append(Step(text.format(_cohorts(len(names))), rank=rank, cohorts=names))
    return out


def _responses(n: int) -> str:
    return f"{words.count(n)} response{'s have' if n != 1 else ' has'}"


def _cohorts(n: int) -> str:
    return f"{n} cohort{'s' if n != 1 else ''}"


def _claims_words(claims: tuple[int, ...]) -> str:
    if not claims:
        return ""
    if len(claims) == 1:
        return f"claim {claims[0]}"
    return "claims " + ", ".join(map(str, claims[:-1])) + f" and {claims[-1]}"


def step_text(step: Step) -> str:
    """A step with the claims it helps: '… — helps claims 7 and 8'."""
    if not step.claims:
        return step.text
    return f"{step.text} — helps {_claims_words(step.claims)}"


def _dataset(db: Store, rule: PrivacyRule, facts: pd.DataFrame) -> list[Statement]:
    """Statements about the whole dataset: unmatched responses, departments."""
    out = []
    # Summed over the cohorts' shown figures only: a total over every cohort, beside them, would
    # give away the unmatched responses of a cohort whose figure is suppressed.
    unmatched = sum(
        int(
            survey_figure(measures.responses(db, w, rule), Filters(), ["cohort"], rule)["unmatched"]
            .fillna(0)
            .sum()
        )
        for w in WAVES
    )
    if unmatched:
        out.append(
            Statement(
                WARN,
                "Survey waves",
                f"{_responses(unmatched)} no person (unmatched): they count in "
                "format-level figures, not in per-person joins. Import surveys with an e-mail "
                "or employee id column, or tick 'match people by full name'",
            )
        )
    enrolled, no_dept = int(facts["enrolled"].sum()), int(facts["no_department"].sum())
    if enrolled and no_dept:
        out.append(
            Statement(
                WARN,
                "Enrolment",
                f"{words.of(no_dept, enrolled, 'enrolments')} have no department: import a "
                "people list, so the claims can be checked department by department",
            )
        )
    return out


def health(db: Store, rule: PrivacyRule | None = None, today: date | None = None) -> Health:
    """What data exists and what is missing, per program, cohort and claim."""
    rule = rule or PrivacyRule()
    facts = cohort_facts(db)
    programs = cohorts_health(db, rule, today)
    claims, keyed = claims_health(db, rule, facts)
    steps = []
    for key, numbers in keyed.items():
        text, rank = step_words(key, facts)
        steps.append(Step(text, tuple(sorted(numbers)), rank))
    steps += _cohort_steps(programs)
    steps.sort(key=lambda s: (-len(s.claims), s.rank, s.claims))
    return Health(programs, claims, tuple(steps), tuple(_dataset(db, rule, facts)))
