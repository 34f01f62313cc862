"""The held-out organisation as the export files a person would upload, one per cohort and kind.

Shapes the importer already recognises, as the tools people use write them:
- an HR people list (employee id, e-mail, name, department, team, job title, people manager);
- per cohort an enrolment list (e-mail, name, enrolled and completed dates; small groups also
  their group and whether its members work together);
- per cohort with sessions an attendance report, in one of three shapes: a sign-in sheet with
  present/absent on every session date, a meeting tool's minutes per person and day, or a
  German sheet (`;`, day-first dates, ja/nein); per self-directed cohort an LMS activity log;
- per cohort and survey form an export, the wave worked out from the submission date: Google
  Forms (Timestamp, Email Address) or Microsoft Forms (Id, Start time, Completion time, Email,
  Name), oldest answer first. The forms: the course evaluation, one form answered before and
  right after (`forms`), and the 30-day follow-up. When the post-course moment asks what the
  pre-course one did not (confidence asked only after), they are two forms, so two exports.
  With `one_export`, one export per cohort holds all three waves, as one form used before,
  right after and 30 days later writes it.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from bench.heldout.behaviour import QUESTIONS
from bench.heldout.org import SMALL, Plan

FIRST = (
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Ebru",
    "Femi",
    "Greta",
    "Hiro",
    "Inès",
    "Jonas",
    "Kofi",
    "Lena",
    "Marta",
    "Nils",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tomás",
    "Uma",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Łukasz",
    "Amara",
    "Bruno",
    "Carla",
)
LAST = (
    "Adams",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hansen",
    "Ito",
    "Jansen",
    "Kowalski",
    "López",
    "Müller",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Umarov",
    "Varga",
    "Weiß",
    "Xu",
    "Yilmaz",
    "Zhang",
)
TITLES = {True: ("Team lead", "Manager", "Head of unit"),
          False: ("Analyst", "Specialist", "Engineer", "Associate", "Consultant")}  # fmt: skip
ATTENDANCE_SHAPE = {"org_wide": "minutes", "pilot_teams": "german", "book_club": "sheet",
                    "course_buddies": "sheet", "group_coaching": "minutes"}  # fmt: skip
SURVEY_TOOL = {"org_wide": "ms_forms", "pilot_teams": "google", "book_club": "google",
               "reading_alone": "ms_forms", "course_buddies": "ms_forms",
               "self_paced": "google", "group_coaching": "google",
               "learning_budget": "ms_forms"}  # fmt: skip
LMS_EVENTS = ("Course viewed", "Lesson viewed", "Video watched", "Quiz submitted")
WAVES = ("pre", "post", "d30")


def forms(answers: pd.DataFrame, one_export: bool = False) -> dict[str, pd.DataFrame]:
    """A cohort's survey answers split into the exports of its forms (see the docstring)."""
    if one_export:
        return {"survey": answers}
    waves = {w: answers[answers["wave"] == w].dropna(axis=1, how="all") for w in WAVES}
    asked = {w: set(df.columns) for w, df in waves.items()}
    out = {"follow_up_30d": waves["d30"]}
    if len(waves["pre"]) and asked["post"] <= asked["pre"]:
        out["course_evaluation"] = answers[answers["wave"].isin(["pre", "post"])]
    else:
        out.update({"pre_course": waves["pre"], "post_course": waves["post"]})
    return {name: df for name, df in out.items() if len(df)}


class Who:
    """Names, e-mail addresses and employee ids, by person number (addresses unique)."""

    def __init__(self, n: int, rng: np.random.Generator) -> None:
        first, last = rng.choice(FIRST, size=n), rng.choice(LAST, size=n)
        self.name = [f"{f} {s}" for f, s in zip(first, last, strict=True)]
        self.email = [f"{_ascii(f)}.{_ascii(s)}.{i + 101}@northwind.example"
                      for i, (f, s) in enumerate(zip(first, last, strict=True))]  # fmt: skip
        self.employee_id = [f"NW{20000 + i}" for i in range(n)]


def _ascii(text: str) -> str:
    text = text.replace("ß", "ss").replace("Ł", "L").replace("ł", "l")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _write(path: Path, header: list[str], rows: list[list], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        out.writerow(header)
        out.writerows(rows)
    return path


def people_list(out: Path, people: pd.DataFrame, who: Who, rng) -> Path:
    """The HR export: everyone in the organisation, one row each."""
    rows = []
    for p in people.itertuples():
        i = p.person
        dept_short = "".join(w[0] for w in p.dept.split())
        rows.append([who.employee_id[i], who.email[i], who.name[i], p.dept,
                     f"{dept_short}-{p.team + 1}", str(rng.choice(TITLES[bool(p.leader)])),
                     "Yes" if p.leader else "No"])  # fmt: skip
    header = ["Employee ID", "Email", "Full name", "Department", "Team", "Job title",
              "People manager"]  # fmt: skip
    return _write(out / "hr_people.csv", header, rows)


def enrolments(out: Path, plan: Plan, people: pd.DataFrame, who: Who, rng) -> Path:
    """The cohort's enrolment list (LMS or sign-up export)."""
    small = plan.format == SMALL
    header = ["Email", "Name", *(["Group", "Works together"] if small else []), "Enrolled on",
              "Completed on"]  # fmt: skip
    rows = []
    for p in people.itertuples():
        enrolled = plan.start - timedelta(days=int(rng.integers(5, 21)))
        done = plan.end - timedelta(days=int(rng.integers(0, 8))) if p.completed else None
        group = [p.group, "yes" if p.works_together else "no"] if small else []
        rows.append([who.email[p.person], who.name[p.person], *group, enrolled.isoformat(),
                     done.isoformat() if done else ""])  # fmt: skip
    return _write(out / f"{plan.key}_enrolments.csv", header, rows)


def attendance(out: Path, plan: Plan, weeks: pd.DataFrame, who: Who, rng) -> Path:
    """The cohort's attendance report, in the shape its tool writes."""
    shape = ATTENDANCE_SHAPE[plan.key]
    path = out / f"{plan.key}_attendance.csv"
    rows = []
    for w in weeks.itertuples():
        email, name = who.email[w.person], who.name[w.person]
        if shape == "sheet":
            rows.append([email, name, w.day.isoformat(), "Present" if w.present else "Absent"])
        elif shape == "german":
            rows.append([email, name, w.day.strftime("%d.%m.%Y"), "ja" if w.present else "nein"])
        elif w.present:
            rows.append([email, name, w.day.isoformat(), int(rng.integers(35, 91))])
    if shape == "sheet":
        return _write(path, ["Email", "Name", "Session date", "Attendance"], rows)
    if shape == "german":
        return _write(path, ["E-Mail", "Name", "Datum", "Anwesend"], rows, delimiter=";")
    return _write(path, ["Email", "Name", "Session date", "Minutes attended"], rows)


def lms_log(out: Path, plan: Plan, weeks: pd.DataFrame, who: Who, rng) -> Path:
    """The self-directed cohort's LMS activity log: 1–3 events in each week a person was active."""
    rows = []
    for w in weeks[weeks["present"]].itertuples():
        for day in sorted(rng.choice(7, size=int(rng.integers(1, 4)), replace=False)):
            start = plan.start + timedelta(days=7 * w.week + int(day))
            moment = datetime.combine(start, datetime.min.time()) + timedelta(
                seconds=int(rng.integers(7 * 3600, 22 * 3600))
            )
            rows.append([who.email[w.person], moment.strftime("%Y-%m-%d %H:%M"),
                         str(rng.choice(LMS_EVENTS))])  # fmt: skip
    return _write(out / f"{plan.key}_lms_log.csv", ["Email", "Date", "Event"], rows)


def survey(out: Path, plan: Plan, answers: pd.DataFrame, who: Who, rng, name: str) -> Path:
    """A survey export of the cohort (one wave, or all), as Google or Microsoft Forms write it:
    the questions asked in it, oldest answer first."""
    answers = answers.dropna(axis=1, how="all")
    asked = [role for role in QUESTIONS if role in answers.columns]
    texts = [QUESTIONS[r] for r in asked]
    answers = answers.sort_values("submitted")
    rows = []
    tool = SURVEY_TOOL[plan.key]
    path = out / f"{plan.key}_{name}.csv"
    for n, a in enumerate(answers.itertuples(), start=1):
        email, full = who.email[a.person], who.name[a.person]
        cells = [_cell(getattr(a, r)) for r in asked]
        if tool == "google":
            rows.append([_us_time(a.submitted, seconds=True), email, *cells])
        else:
            began = a.submitted - timedelta(seconds=int(rng.integers(60, 600)))
            rows.append([n, _us_time(began), _us_time(a.submitted), email, full, *cells])
    if tool == "google":
        return _write(path, ["Timestamp", "Email Address", *texts], rows)
    return _write(path, ["Id", "Start time", "Completion time", "Email", "Name", *texts], rows)


def _cell(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _us_time(moment: datetime, seconds: bool = False) -> str:
    """Month-first, as both tools write it in the en-US locale: 3/4/2025 14:18(:22)."""
    text = f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02d}"
    return text + (f":{moment.second:02d}" if seconds else "")
