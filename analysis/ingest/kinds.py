"""What a generic export holds, weighed over all of its columns at once.

Each column's header (read with the column proposals' own English, German, French and Spanish
vocabulary in mapping_rules) and its values add weight to the kinds they point to: a session
date, join time or present/absent column to attendance, enrolment and completion dates to an
enrolment list, an event or action column to an LMS log, department, team and job columns to a
roster. The heaviest kind wins when the file says who each row is about and no more of its
columns are survey questions; a department column alone does not outweigh a date, a
present/absent mark and hours.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from analysis.ingest import mapping_rules as R
from analysis.ingest.dialect import looks_like_date, to_number
from analysis.ingest.model import (
    ATTENDANCE,
    ENROLMENT,
    GENERIC,
    LMS_LOG,
    ROSTER,
    SURVEY,
    TOOL_KIND,
    UNKNOWN,
)
from analysis.ingest.scales import label_key

MIN_SCORE = 3  # one strong column (a session date, an enrolment date, an event) or more
# Header weights per kind, by the role the proposals give the header.
WEIGHTS: dict[str, dict[str, int]] = {
    ATTENDANCE: {R.SESSION_DATE: 3, R.JOIN_TIME: 3, R.LEAVE_TIME: 2, R.ATTENDED: 3,
                 R.MINUTES: 1, R.HOURS: 1},
    ENROLMENT: {R.ENROLLED_ON: 3, R.COMPLETED_ON: 3, R.COMPLETION_STATUS: 2, R.SCORE: 1},
    LMS_LOG: {R.USER_ACTION: 3},
    ROSTER: {R.DEPARTMENT: 2, R.TEAM: 2, R.JOB_ROLE: 2, R.MANAGER_FLAG: 2},
}  # fmt: skip
PEOPLE_KINDS = (ATTENDANCE, ENROLMENT, LMS_LOG, ROSTER)  # ties go to the earlier one
_QUESTION_START = re.compile(
    r"^(how|what|which|why|do|did|does|would|will|are|is|have|please|rate|to what|overall|i|"
    r"wie|was|welche[rsn]?|warum|haben|sind|bitte|comment|quel(le)?s?|pourquoi|avez|etes|"
    r"como|que|cual|por que|ha|tiene)\b"
)
_PERSON = re.compile(
    r"\b(name|e-?mail|participant|attendee|learner|student|employee|user|teilnehmer(in)?|"
    r"mitarbeiter(in)?|lernende|nom|apprenant|employe|nombre|participante|alumno|empleado)\b"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOG_COLUMNS = re.compile(
    r"^(event context|component|context|origin|verb|object( id| type)?|ip address|"
    r"komponente|kontext|composant|contexte|componente|contexto)$"
)
_JOIN_LEAVE = re.compile(
    r"^(joined|left|join|leave|beigetreten|verlassen|a rejoint|a quitte|se unio|salio)\b"
)
# Present/absent and yes/no words; single letters and digits (y, x, 1) flag anything.
_MARKS = {w for w in R.YES_WORDS | R.NO_WORDS | R.PRESENT_WORDS | R.ABSENT_WORDS if len(w) > 1}
_PLACEHOLDER = re.compile(r"^(column \d+|unnamed: ?\d+|)$")


@dataclass
class KindEvidence:
    """What the columns of one file say, and the score of each kind."""

    scores: Counter = field(default_factory=Counter)
    questions: int = 0
    identity: bool = False  # an e-mail or employee id column
    person: bool = False  # identity, or a name / participant column
    has_date: bool = False
    has_time: bool = False
    marks: int = 0  # short columns of present/absent or yes/no marks
    learning: bool = False  # a course, program, cohort or group column


def _share(values: list[str], pred) -> float:
    return sum(1 for v in values if pred(v)) / len(values) if values else 0.0


def _column(ev: KindEvidence, name: str, values: list[str]) -> None:
    """Add one column's header and values to the evidence."""
    key = label_key(name)
    if _PLACEHOLDER.match(key):
        return
    if key.endswith("?") or _QUESTION_START.match(key) or len(key.split()) > 8:
        ev.questions += 1  # a question is a survey's, whatever words it uses
        return
    attendance = R.first_match(R.ATTENDANCE_RULES, key)
    enrolment = R.first_match(R.ENROLMENT_RULES, key)
    person = R.first_match(R.PERSON_RULES, key)
    emails = _share(values, lambda v: bool(_EMAIL.match(v.strip())))
    if R.EMAIL_HEADER.search(key) or person == R.PERSON_ID or emails >= 0.5:
        ev.identity = True
    if ev.identity or person in R.PERSON_ROLES or _PERSON.search(key):
        ev.person = True
    if attendance == R.USER_ACTION and _share(values, lambda v: bool(_JOIN_LEAVE.match(
            label_key(v)))) >= 0.5:  # fmt: skip
        ev.scores[ATTENDANCE] += 3  # Joined/Left events: a meeting's attendance list
    elif attendance is not None:
        for kind in (ATTENDANCE, LMS_LOG):
            ev.scores[kind] += WEIGHTS[kind].get(attendance, 0)
    if enrolment is not None:
        ev.scores[ENROLMENT] += WEIGHTS[ENROLMENT][enrolment]
    if person in WEIGHTS[ROSTER]:
        ev.scores[ROSTER] += WEIGHTS[ROSTER][person]
    ev.learning |= person in R.LEARNING_ROLES
    if _LOG_COLUMNS.match(key):
        ev.scores[LMS_LOG] += 1
    dates = _share(values, looks_like_date)
    if person == R.DATE or attendance == R.SESSION_DATE or dates >= 0.8:
        ev.has_date = True
        ev.has_time |= _share(values, lambda v: ":" in v) >= 0.8
    # Present/absent marks under a short header that does not already say something else
    # (a status may hold them; minutes or a manager flag may not).
    free = attendance is None and person is None and enrolment in (None, R.COMPLETION_STATUS)
    marks = _share(values, lambda v: v.strip().casefold() in _MARKS)
    if free and len(key.split()) <= 4 and len(values) >= 2 and marks >= 0.8:
        ev.marks += 1


def kind_evidence(columns: list[str], rows: list[list[str | None]]) -> KindEvidence:
    """The evidence and each kind's score for a table's header and sample rows."""
    ev = KindEvidence()
    for i, name in enumerate(columns):
        values = [r[i] for r in rows if i < len(r) and r[i] and not r[i].isspace()]
        _column(ev, name, values)
    if ev.marks and ev.has_date:
        ev.scores[ATTENDANCE] += 3  # a day and a present/absent mark per row
    if ev.scores[ATTENDANCE] and ev.has_date:
        ev.scores[ATTENDANCE] += 1
    if ev.scores[LMS_LOG] and ev.has_time:
        ev.scores[LMS_LOG] += 1
    if ev.scores[ENROLMENT] and ev.learning:
        ev.scores[ENROLMENT] += 1
    if ev.scores[ROSTER] and ev.identity:
        ev.scores[ROSTER] += 1
    return ev


def guess_kind(tool: str, columns: list[str], rows: list[list[str | None]]) -> str:
    """The tool's kind, or for a generic file the kind its columns weigh most towards."""
    if tool != GENERIC:
        return TOOL_KIND[tool]
    ev = kind_evidence(columns, rows)
    best = max(PEOPLE_KINDS, key=lambda k: (ev.scores[k], -PEOPLE_KINDS.index(k)))
    score = ev.scores[best]
    people = ev.identity if best == ROSTER else ev.person  # a roster joins on a key
    if people and score >= MIN_SCORE and score > ev.questions:
        return best
    if ev.questions >= 2 or (len(columns) >= 5 and _text_answer_columns(rows, len(columns)) >= 4):
        return SURVEY
    return UNKNOWN


def _text_answer_columns(rows: list[list[str | None]], width: int) -> int:
    """Columns whose answers are words from a short list (Likert-like) or longer free text."""
    count = 0
    for col in range(width):
        values = [r[col] for r in rows if col < len(r) and r[col]]
        if len(values) < 2:
            continue
        texts = [v for v in values if to_number(v, False) is None and not looks_like_date(v)]
        if "@" in "".join(values[:20]) or len(texts) < 0.8 * len(values):
            continue
        distinct = len(set(texts))
        if distinct <= max(10, len(texts) // 2) or sum(map(len, texts)) / len(texts) > 20:
            count += 1
    return count
