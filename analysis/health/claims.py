"""Per claim: what it still needs before it can be judged (analysis/compare/claims.py).

A claim's arms are counted exactly as the Claims page counts them (`arm_data`, through the
privacy step for survey metrics).
"""

from __future__ import annotations

import pandas as pd

from analysis import words
from analysis.compare import claims as claims_module
from analysis.compare.arms import Arm, arm
from analysis.compare.data import arm_data, confidence_items
from analysis.domain import VARIANT_LABELS, WAVES
from analysis.health.cohorts import cohort_facts
from analysis.health.model import CLAIM_WAVE, SURVEY_KIT, WAVE_NAMES, ClaimHealth
from analysis.privacy import SUPPRESSED, PrivacyRule, measures
from analysis.stats import MIN_N_FOR_VERDICT
from analysis.store import Store

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
        days = WAVE_NAMES[CLAIM_WAVE].replace("-", " ") + "s"  # '30 days'
        text = {
            "application": f"respondents in {label} at {days}",
            "momentum": f"people in {label} in cohorts that reached week {WEEK}",
        }.get(metric, f"people enrolled in {label}")
        return (
            f"fewer than {MIN_N_FOR_VERDICT} {text} ({words.count(data.n)})",
            ("more", metric, label),
        )
    return None


MANAGER_GAP = 0.10  # claim 9 asks for manager flags when more enrolled people lack one


def _prerequisites(
    db: Store, facts: pd.DataFrame, number: int
) -> tuple[list[tuple[str, tuple]], bool]:
    """What a claim needs besides answers in its arms, and whether that blocks its arms
    altogether (no item, no group's closeness, nobody's manager flag: no arm to count)."""
    out, blocking = [], False
    if number in ITEMS:
        role, example = ITEMS[number]
        if not _has_item(db, role):
            out.append(
                (
                    f"no {role} item in any survey: add one, e.g. {example} {SURVEY_KIT}",
                    ("item", role),
                )
            )
            blocking = True
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
            blocking = unknown == int(coaching["n_groups"].sum())
    if number == 9:
        missing, enrolled = int(facts["no_manager_flag"].sum()), int(facts["enrolled"].sum())
        if enrolled and missing >= MANAGER_GAP * enrolled:
            out.append(
                (
                    f"{words.of(missing, enrolled, 'people enrolled')} have no manager flag: "
                    "import a people list with a manager column, or ask 'Are you a people "
                    f"manager?' {SURVEY_KIT}",
                    ("manager",),
                )
            )
            blocking = missing == enrolled
    if number == 10 and not (confidence_items(db, "pre") and confidence_items(db, "post")):
        out.append(
            (
                "no confidence item answered both before and right after: add one to both "
                f"surveys {SURVEY_KIT}",
                ("item", "confidence"),
            )
        )
    return out, blocking


def claims_health(
    db: Store, rule: PrivacyRule, facts: pd.DataFrame | None = None
) -> tuple[tuple[ClaimHealth, ...], dict[tuple, set[int]]]:
    """Per claim what it still needs, and per step (a key) the claims it would help."""
    facts = cohort_facts(db) if facts is None else facts
    out, steps = [], {}
    for number, arms in CLAIM_ARMS.items():
        needs, blocking = _prerequisites(db, facts, number)
        if not blocking:
            for a, metric in arms:
                need = _arm_need(db, rule, facts, a, metric)
                if need and need not in needs:
                    needs.append(need)
        for _, key in needs:
            steps.setdefault(key, set()).add(number)
        texts = tuple(dict.fromkeys(t for t, _ in needs))
        out.append(ClaimHealth(number, claims_module.TITLES[number], texts))
    return tuple(out), steps


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def step_words(key: tuple, facts: pd.DataFrame) -> tuple[str, int]:
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
        return f"{_cap(key[1])}: send the {WAVE_NAMES[CLAIM_WAVE]} survey {SURVEY_KIT}", 4
    if kind == "more":
        if key[1] == "application":
            return f"{_cap(key[2])}: collect more {METRIC_NOUNS['application']}", 5
        return f"{_cap(key[2])}: enrol more people", 6
    if kind == "attendance":
        return f"{_cap(key[1])}: import week-{WEEK} attendance or LMS activity", 5
    if kind == "enrolment":
        return f"{_cap(key[1])}: import the enrolment list", 5
    return f"Run a {key[1]} cohort", 7
