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

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from analysis import clock, words
from analysis.compare import claims as claims_module
from analysis.compare.arms import Arm, arm
from analysis.compare.data import arm_data, confidence_items
from analysis.domain import LOW_RESPONSE_RATE, VARIANT_LABELS, WAVES
from analysis.privacy import SHOWN, SUPPRESSED, PrivacyRule, measures
from analysis.privacy.step import survey_figure
from analysis.queries import Filters, run_query
from analysis.stats import MIN_N_FOR_VERDICT
from analysis.store import Store

OK, INFO, WARN, MISSING = "ok", "info", "warn", "missing"  # a statement's status
WAVE_NAMES = {
    "pre": "before",
    "post": "right-after",
    "d30": "30-day",
    "d60": "60-day",
    "d90": "90-day",
}
WAVE_DAYS = {"post": 0, "d30": 30, "d60": 60, "d90": 90}  # days after the cohort's end
CLAIM_WAVE = claims_module.WAVE
SURVEY_KIT = "(see the Survey kit)"


@dataclass(frozen=True)
class Statement:
    """One thing the page says: its status, the analysis it concerns, and the words."""

    status: str  # ok | info | warn | missing
    topic: str  # Attendance, Enrolment, Survey waves, Groups
    text: str


@dataclass(frozen=True)
class CohortHealth:
    """One cohort's data: its names (file-derived: escape on display) and statements."""

    cohort_id: str
    name: str
    variant: str
    start: date
    end: date
    statements: tuple[Statement, ...]

    @property
    def status(self) -> str:
        """The worst status among its statements."""
        return worst(s.status for s in self.statements)


@dataclass(frozen=True)
class ProgramHealth:
    """One program and its cohorts."""

    program_id: str
    name: str
    cohorts: tuple[CohortHealth, ...]

    @property
    def status(self) -> str:
        """The worst status among its cohorts."""
        return worst(c.status for c in self.cohorts)


@dataclass(frozen=True)
class ClaimHealth:
    """What one claim still needs (nothing: it has the data for a verdict)."""

    claim: int
    title: str
    needs: tuple[str, ...]

    @property
    def ready(self) -> bool:
        """Whether the claim has the data it needs."""
        return not self.needs


@dataclass(frozen=True)
class Step:
    """Something to collect next, and the claims it would help."""

    text: str
    claims: tuple[int, ...] = ()
    rank: int = 9  # ties on claims: lower first


@dataclass(frozen=True)
class Health:
    """Everything the Data health page says."""

    programs: tuple[ProgramHealth, ...]
    claims: tuple[ClaimHealth, ...]
    steps: tuple[Step, ...]
    dataset: tuple[Statement, ...] = field(default_factory=tuple)


ORDER = (MISSING, WARN, INFO, OK)


def worst(statuses) -> str:
    """The most pressing status of several (ok when there are none)."""
    found = set(statuses)
    return next((s for s in ORDER if s in found), OK)


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _due(row: pd.Series, wave: str) -> date:
    """When a wave's survey is due: the start for 'before', else days after the end."""
    if wave == "pre":
        return row["start_date"]
    return row["end_date"] + timedelta(days=WAVE_DAYS[wave])


# --- cohorts --------------------------------------------------------------------------------


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
            return [Statement(INFO, topic, f"starts on {_day(row['start_date'])}")]
        return [
            Statement(
                MISSING,
                topic,
                "no scheduled sessions and no LMS activity: import an LMS activity log, or "
                "set the number of scheduled sessions and import attendance",
            )
        ]
    if not started:
        return [Statement(INFO, topic, f"starts on {_day(row['start_date'])}")]
    if most == 0:
        return [
            Statement(
                MISSING,
                topic,
                f"no attendance recorded: import the attendance of its {scheduled} "
                "scheduled sessions",
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
        due = _due(row, wave)
        if due > today:
            return Statement(INFO, topic, f"{name} survey: due on {_day(due)}")
        return Statement(MISSING, topic, f"no {name} wave yet: send the {name} survey {SURVEY_KIT}")
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
        )
    rate = n / enrolled
    text = f"{name} wave: response rate {words.pct(rate)} ({words.of(n, enrolled, 'enrolled')})"
    status = OK
    if rate < LOW_RESPONSE_RATE:
        text += f": below {words.pct(LOW_RESPONSE_RATE)}, read with care"
        status = WARN
    if unmatched:
        text += f"; {words.count(unmatched)} not matched to a person"
    return Statement(status, topic, text)


def _groups(row: pd.Series) -> list[Statement]:
    """Small-group cohorts: whether each group's members work together is known."""
    if row["format"] != "small_group" or not row["n_groups"]:
        return []
    unknown, total = int(row["closeness_unknown"]), int(row["n_groups"])
    if unknown == 0:
        return [Statement(OK, "Groups", f"closeness known for all {total} groups")]
    return [
        Statement(
            WARN,
            "Groups",
            f"{unknown} of {total} groups without a closeness flag: say whether each group's "
            "members work together day to day",
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


# --- claims ---------------------------------------------------------------------------------

SMALL, ALL_AT_ONCE, SELF = claims_module.SMALL, claims_module.ALL_AT_ONCE, claims_module.SELF
WEEK = claims_module.MOMENTUM_WEEK
# The arms each claim compares (as in analysis/compare/claims.py), with the metric they need.
CLAIM_ARMS: dict[int, tuple[tuple[Arm, str], ...]] = {
    1: tuple((arm(format=f), "application") for f in (SMALL, ALL_AT_ONCE, SELF)),
    2: (
        (arm(format=(SMALL, ALL_AT_ONCE), label="Formats with shared sessions"), "momentum"),
        (arm(format=SELF), "momentum"),
    ),
    3: tuple((arm(variant=v), "application") for v in ("pilot_team", "org_wide")),
    4: tuple(
        (arm(variant=v), m)
        for v in ("course_buddies", "self_paced_course")
        for m in ("completion", "application")
    ),
    5: tuple((arm(variant=v), "application") for v in ("book_club", "self_study_alone")),
    6: tuple(
        (arm(variant="group_coaching", segment=("closeness", level)), "application")
        for level in ("close colleagues", "mixed")
    ),
    7: tuple(
        (arm(format=f, segment=("relevance", level)), "application")
        for f in (ALL_AT_ONCE, SELF, SMALL)
        for level in ("relevant", "not relevant")
    ),
    8: tuple(
        (arm(format=SELF, segment=("motivation", level)), "application")
        for level in ("motivated", "not motivated")
    ),
    9: tuple(
        (arm(format=fmts, segment=("leadership", level), label=label), "application")
        for level, who in (
            ("leaders", "Leaders"),
            ("individual contributors", "Individual contributors"),
        )
        for fmts, label in (
            (SMALL, f"{who} in small groups"),
            ((ALL_AT_ONCE, SELF), f"{who} in other formats"),
        )
    ),
    10: tuple(
        (arm(format=f), m)
        for m in ("participation", "application")
        for f in (ALL_AT_ONCE, SELF, SMALL)
    ),
}
ITEMS = {  # claim → (item role, an example of the item)
    7: ("relevance", "'This learning is relevant to my current work'"),
    8: ("motivation", "'I chose this learning myself because I wanted it'"),
}
METRIC_NOUNS = {
    "application": f"{WAVE_NAMES[CLAIM_WAVE]} answers",
    "completion": "people enrolled",
    "participation": "people enrolled",
    "momentum": f"people enrolled in cohorts that reached week {WEEK}",
}


def _has_item(db: Store, role: str, waves: tuple[str, ...] = WAVES) -> bool:
    return any(len(measures.items(db, w).pipe(lambda df: df[df["role"] == role])) for w in waves)


def _has_cohort(facts: pd.DataFrame, a: Arm) -> bool:
    keep = pd.Series(True, index=facts.index)
    if a.formats:
        keep &= facts["format"].isin(a.formats)
    if a.variants:
        keep &= facts["variant"].isin(a.variants)
    return bool(keep.any())


def _arm_need(
    db: Store, rule: PrivacyRule, facts: pd.DataFrame, a: Arm, metric: str
) -> tuple[str, tuple] | None:
    """What one arm of a claim lacks, and the step that would bring it (None: nothing)."""
    label = a.label[0].lower() + a.label[1:]
    if not _has_cohort(facts, a):
        what = " or ".join(f"'{VARIANT_LABELS[v]}'" for v in a.variants) or label
        return f"no {what} cohort yet", ("cohort", what)
    data = arm_data(db, a, metric, rule, wave=CLAIM_WAVE, week=WEEK - 1)
    noun = METRIC_NOUNS[metric]
    if data.status == SUPPRESSED:
        return (
            f"{label}: {noun} {rule.suppressed_label}",
            ("more", metric, label),
        )
    if data.n is None:
        if metric == "application":
            return f"no {noun} for {label}", ("wave", label)
        if metric == "momentum":
            return f"no attendance or activity in week {WEEK} for {label}", ("attendance", label)
        return f"no enrolment list for {label}", ("enrolment", label)
    if data.n < MIN_N_FOR_VERDICT:
        who = "respondents" if metric == "application" else "people"
        when = f" at {WAVE_NAMES[CLAIM_WAVE].replace('-', ' ')}s" if metric == "application" else ""
        return (
            f"fewer than {MIN_N_FOR_VERDICT} {who} in {label}{when} ({words.count(data.n)})",
            ("more", metric, label),
        )
    return None


def _prerequisites(db: Store, facts: pd.DataFrame, number: int) -> list[tuple[str, tuple]]:
    """What a claim needs before its arms can be counted at all."""
    out = []
    if number in ITEMS:
        role, example = ITEMS[number]
        if not _has_item(db, role):
            out.append(
                (
                    f"no {role} item in any survey: add one, e.g. {example} {SURVEY_KIT}",
                    ("item", role),
                )
            )
    if number == 6:
        coaching = facts[facts["variant"] == "group_coaching"]
        unknown = int(coaching["closeness_unknown"].sum())
        if unknown:
            out.append(
                (
                    f"needs the closeness of {unknown} group coaching "
                    f"group{'s' if unknown != 1 else ''}: say whether each group's members "
                    "work together",
                    ("closeness",),
                )
            )
    if number == 9:
        missing, enrolled = int(facts["no_manager_flag"].sum()), int(facts["enrolled"].sum())
        if enrolled and missing:
            out.append(
                (
                    f"{words.of(missing, enrolled, 'people enrolled')} have no manager flag: "
                    "import a people list with a manager column, or ask 'Are you a people "
                    f"manager?' {SURVEY_KIT}",
                    ("manager",),
                )
            )
    if number == 10 and not (confidence_items(db, "pre") and confidence_items(db, "post")):
        out.append(
            (
                "no confidence item answered both before and right after: add one to both "
                f"surveys {SURVEY_KIT}",
                ("item", "confidence"),
            )
        )
    return out


def claims_health(
    db: Store, rule: PrivacyRule, facts: pd.DataFrame | None = None
) -> tuple[tuple[ClaimHealth, ...], dict[tuple, set[int]]]:
    """Per claim what it still needs, and per step (a key) the claims it would help."""
    facts = cohort_facts(db) if facts is None else facts
    out, steps = [], {}
    for number, arms in CLAIM_ARMS.items():
        needs = _prerequisites(db, facts, number)
        if not needs:  # an item, closeness or manager flag first: the arms cannot be split
            for a, metric in arms:
                need = _arm_need(db, rule, facts, a, metric)
                if need and need not in needs:
                    needs.append(need)
        for _, key in needs:
            steps.setdefault(key, set()).add(number)
        texts = tuple(dict.fromkeys(t for t, _ in needs))
        out.append(ClaimHealth(number, claims_module.TITLES[number], texts))
    return tuple(out), steps


# --- what to collect next -------------------------------------------------------------------


def _claim_step(key: tuple, facts: pd.DataFrame) -> tuple[str, int]:
    """A claim step's words and its rank among steps helping as many claims."""
    kind = key[0]
    if kind == "item":
        return f"Add a {key[1]} item to your surveys {SURVEY_KIT}", 1
    if kind == "closeness":
        n = int(facts.loc[facts["variant"] == "group_coaching", "closeness_unknown"].sum())
        return (
            f"Say whether the members of {n} group coaching group{'s' if n != 1 else ''} "
            "work together (Import page, or the cohort's groups)",
            2,
        )
    if kind == "manager":
        return (
            "Import a people list (HR roster) with a manager column, or ask 'Are you a people "
            f"manager?' {SURVEY_KIT}",
            3,
        )
    if kind == "wave":
        return f"Send the {WAVE_NAMES[CLAIM_WAVE]} survey to {key[1]} {SURVEY_KIT}", 4
    if kind == "more":
        if key[1] == "application":
            return f"Collect more {METRIC_NOUNS['application']} from {key[2]}", 5
        return f"Enrol more people in {key[2]}", 6
    if kind == "attendance":
        return f"Import week-{WEEK} attendance or LMS activity for {key[1]}", 5
    if kind == "enrolment":
        return f"Import the enrolment list for {key[1]}", 5
    return f"Run a {key[1]} cohort", 7


def _cohort_steps(programs: tuple[ProgramHealth, ...]) -> list[Step]:
    """Steps that help every analysis but no verdict on their own, from the cohorts' gaps."""
    cohorts = [c for p in programs for c in p.cohorts]

    def count(test) -> int:
        return sum(1 for c in cohorts if any(test(s) for s in c.statements))

    out = []
    for wave in WAVES:
        name = WAVE_NAMES[wave]
        n = count(lambda s, name=name: s.text.startswith(f"no {name} wave yet"))
        if n:
            out.append(
                Step(
                    f"Send the {name} survey to {_cohorts(n)} whose {name} survey is due "
                    f"{SURVEY_KIT}",
                    rank=10,
                )
            )
    checks = (
        ("no attendance recorded", "Import the attendance of {} with none recorded"),
        ("no scheduled sessions, but", "Set the scheduled sessions of {} with attendance"),
        ("no scheduled sessions and no LMS", "Import LMS activity for {} with none"),
        ("scheduled sessions recorded (the group", "Import the missing sessions of {}"),
        ("no enrolment list", "Import who enrolled in {}"),
        ("no completion dates", "Import the completion dates for {}"),
        ("without a closeness flag", "Say whether the groups' members work together in {}"),
    )
    for needle, words_ in checks:
        n = count(lambda s, needle=needle: needle in s.text)
        if n:
            out.append(Step(words_.format(_cohorts(n)), rank=11))
    low = count(lambda s: "read with care" in s.text)
    if low:
        out.append(
            Step(
                f"Remind people to answer: {_cohorts(low)} with a response rate below "
                f"{words.pct(LOW_RESPONSE_RATE)}",
                rank=12,
            )
        )
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
    """A step with the claims it helps: '…: helps claims 7 and 8'."""
    if not step.claims:
        return step.text
    return f"{step.text}: helps {_claims_words(step.claims)}"


def _dataset(db: Store, rule: PrivacyRule, facts: pd.DataFrame) -> list[Statement]:
    """Statements about the whole dataset: unmatched responses, departments."""
    out = []
    unmatched = sum(int(measures.responses(db, w, rule).base["unmatched"].sum()) for w in WAVES)
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
        text, rank = _claim_step(key, facts)
        steps.append(Step(text, tuple(sorted(numbers)), rank))
    steps += _cohort_steps(programs)
    steps.sort(key=lambda s: (-len(s.claims), s.rank, s.claims))
    return Health(programs, claims, tuple(steps), tuple(_dataset(db, rule, facts)))
