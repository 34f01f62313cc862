"""Generate the demo organisation as one DataFrame per table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.attendance import build_attendance
from analysis.demo.enrolments import enrolment_frame
from analysis.demo.organisation import build_cohorts, build_people
from analysis.demo.plan import DEMO_SEED, PROGRAMS, SURVEY_ITEMS
from analysis.demo.schema import TABLE_COLUMNS
from analysis.demo.surveys import build_surveys


def generate_demo(seed: int = DEMO_SEED) -> dict[str, pd.DataFrame]:
    """Generate the demo organisation: one DataFrame per table, in load order, deterministic."""
    # Independent streams: changing how one part draws leaves the others' draws unchanged.
    org_rng, cohort_rng, trait_rng, attend_rng, survey_rng = np.random.default_rng(seed).spawn(5)
    people = build_people(org_rng, seed)
    cohorts, groups, members = build_cohorts(cohort_rng, people)
    e = enrolment_frame(trait_rng, people, cohorts, groups, members)
    attendance, completed = build_attendance(attend_rng, e)
    keys = people["person_key"].tolist()
    responses, answers = build_surveys(survey_rng, e, keys)
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
