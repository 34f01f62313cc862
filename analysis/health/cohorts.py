"""Per cohort: attendance, enrolment and completion, each wave's response rate, closeness.

Enrolment, attendance and group settings are operational records and are not suppressed.
Response counts are counts of people who answered a survey, so they pass the one privacy step:
a cohort's responses in a wave are counted in cells of whole cohorts (`measures.responses`,
never split by department) of 0 or at least k respondents.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis import clock, words
from analysis.domain import LOW_RESPONSE_RATE, WAVES
from analysis.health.model import (
    INFO,
    MISSING,
    OK,
    SURVEY_KIT,
    WARN,
    WAVE_NAMES,
    WAVE_WHEN,
    CohortHealth,
    ProgramHealth,
    Statement,
    closes,
    day,
    due,
)
from analysis.privacy import SHOWN, SUPPRESSED, PrivacyRule, measures
from analysis.privacy.step import survey_figure
from analysis.queries import Filters, run_query
from analysis.store import Store


def _attendance(row: pd.Series, today: date) -> list[Statement]:
    """Sessions recorded against sessions scheduled, or LMS activity for self-paced cohorts."""
    topic = "Attendance"
    scheduled, most, fewest = (
        int(row["scheduled_sessions"]),
        int(row["most_days"]),
        int(row["fewest_days"]),
    )
    started, ended = row["start_date"] <= today, row["end_date"] < today
    if scheduled == 0:
        if most:
            return [
                Statement(
                    MISSING,
                    topic,
                    f"no scheduled sessions, but attendance on {most} session days: set the "
                    "number of scheduled sessions, or nobody can count as engaged",
                    "sessions_unset",
                )
            ]
        if row["active_people"]:
            return [
                Statement(
                    OK,
                    topic,
                    f"no scheduled sessions (self-paced): engagement from LMS activity of "
                    f"{words.count(row['active_people'])} people over {row['planned_weeks']} "
                    "planned weeks",
                )
            ]
        if not started:
            return [Statement(INFO, topic, f"starts on {day(row['start_date'])}")]
        return [
            Statement(
                MISSING,
                topic,
                "no scheduled sessions and no LMS activity: import an LMS activity log, or "
                "set the number of scheduled sessions and import attendance",
                "no_activity",
            )
        ]
    if not started:
        return [Statement(INFO, topic, f"starts on {day(row['start_date'])}")]
    if most == 0:
        return [
            Statement(
                MISSING,
                topic,
                f"no attendance recorded: import the attendance of its {scheduled} "
                "scheduled sessions",
                "no_attendance",
            )
        ]
    spread = "" if fewest == most else f" (the group with the fewest: {fewest})"
    if most >= scheduled:
        if fewest < scheduled and ended:
            return [
                Statement(
                    WARN,
                    topic,
                    f"{most} of {scheduled} scheduled sessions recorded{spread}: import the "
                    "missing sessions of the other groups",
                    "missing_sessions",
                )
            ]
        return [Statement(OK, topic, f"{most} of {scheduled} scheduled sessions recorded")]
    if not ended:
        return [Statement(INFO, topic, f"{most} of {scheduled} sessions recorded so far{spread}")]
    return [
        Statement(
            WARN,
            topic,
            f"{most} of {scheduled} scheduled sessions recorded{spread}: import the "
            f"attendance of the missing {scheduled - most}, or correct the scheduled sessions",
            "missing_sessions",
        )
    ]


def _enrolment(row: pd.Series, today: date) -> list[Statement]:
    """People enrolled (every rate's denominator) and their completion dates."""
    topic = "Enrolment"
    enrolled = int(row["enrolled"])
    if enrolled == 0:
        return [
            Statement(
                MISSING,
                topic,
                "no enrolment list: import who enrolled (the denominator of every rate)",
                "no_enrolment",
            )
        ]
    out = [Statement(OK, topic, f"{words.count(enrolled)} people enrolled")]
    if row["completed"] == 0 and row["end_date"] < today:
        out.append(
            Statement(
                WARN,
                topic,
                "no completion dates: import an LMS completion report or an enrolment list "
                "with completed dates",
                "no_completion",
            )
        )
    return out


def _wave(
    row: pd.Series, wave: str, fig: pd.Series | None, rule: PrivacyRule, today: date
) -> Statement:
    """One wave's response rate against enrolment, or what to send."""
    topic = "Survey waves"
    name = WAVE_NAMES[wave]
    if fig is None or fig["status"] not in (SHOWN, SUPPRESSED):
        when, last = due(row, wave), closes(row, wave)
        if wave == "pre" and today < last:
            return Statement(INFO, topic, f"{name} survey: send it before the start, {day(last)}")
        if when > today:
            return Statement(INFO, topic, f"{name} survey: due on {day(when)}")
        if today < last:
            text = f"no {name} wave yet: send the {name} survey by {day(last)} {SURVEY_KIT}"
            return Statement(MISSING, topic, text, f"wave:{wave}")
        text = (
            f"no {name} wave: too late for this cohort; survey the next cohorts "
            f"{WAVE_WHEN[wave]} {SURVEY_KIT}"
        )
        return Statement(WARN, topic, text, f"late:{wave}")
    if fig["status"] == SUPPRESSED:
        label = rule.complementary_label if fig["complementary"] else rule.suppressed_label
        return Statement(WARN, topic, f"{name} wave: response rate {label}: collect more answers")
    n, enrolled, unmatched = int(fig["respondents"]), int(fig["enrolled"]), int(fig["unmatched"])
    if enrolled == 0:
        return Statement(
            WARN,
            topic,
            f"{name} wave: {words.count(n)} responses, but no enrolment list to rate them "
            "against: import who enrolled",
            "no_enrolment",
        )
    rate = n / enrolled
    text = f"{name} wave: response rate {words.pct(rate)} ({words.of(n, enrolled, 'enrolled')})"
    status, gap = OK, ""
    if rate < LOW_RESPONSE_RATE:
        text += f": below {words.pct(LOW_RESPONSE_RATE)}, read with care"
        status, gap = WARN, "low_response"
    if unmatched:
        text += f"; {words.count(unmatched)} not matched to a person"
    return Statement(status, topic, text, gap)


def _groups(row: pd.Series) -> list[Statement]:
    """Small-group cohorts: whether each group's members work together is known."""
    if row["format"] != "small_group" or not row["n_groups"]:
        return []
    unknown, total = int(row["closeness_unknown"]), int(row["n_groups"])
    if unknown == 0:
        known = "its group" if total == 1 else f"all {total} groups"
        return [Statement(OK, "Groups", f"closeness known for {known}")]
    return [
        Statement(
            WARN,
            "Groups",
            f"{unknown} of {total} groups without a closeness flag: say whether each group's "
            "members work together day to day",
            "closeness",
        )
    ]


def cohort_facts(db: Store) -> pd.DataFrame:
    """Per cohort, the operational facts the page speaks from (one named query)."""
    df = run_query(db, "health_cohorts", Filters())
    for col in ("start_date", "end_date"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def _wave_figures(db: Store, rule: PrivacyRule) -> dict[tuple[str, str], pd.Series]:
    """Per (cohort, wave): the responses figure from the privacy step."""
    out = {}
    for wave in WAVES:
        cells = measures.responses(db, wave, rule)
        fig = survey_figure(cells, Filters(), ["cohort"], rule)
        for _, f in fig.iterrows():
            out[f["cohort"], wave] = f
    return out


def cohorts_health(
    db: Store, rule: PrivacyRule, today: date | None = None
) -> tuple[ProgramHealth, ...]:
    """Every program's cohorts with their statements."""
    today = today or clock.today()
    facts = cohort_facts(db)
    figures = _wave_figures(db, rule)
    programs = []
    for (pid, pname), rows in facts.groupby(["program_id", "program_name"], sort=False):
        cohorts = []
        for _, row in rows.iterrows():
            said = _attendance(row, today) + _enrolment(row, today)
            said += [_wave(row, w, figures.get((row["cohort_id"], w)), rule, today) for w in WAVES]
            said += _groups(row)
            cohorts.append(
                CohortHealth(
                    row["cohort_id"],
                    row["cohort_name"],
                    row["variant"],
                    row["start_date"],
                    row["end_date"],
                    tuple(said),
                )
            )
        programs.append(ProgramHealth(pid, pname, tuple(cohorts)))
    return tuple(programs)
