"""The ten claims of PRODUCT.md, each judged on the data: a verdict, its evidence, what settles it.

Verdicts: 'supported', 'not_supported', 'reversed', 'not_enough_data'. The rule (README.md,
"Claims"): a comparison supports a claim only when its cluster-aware interval (person-level
where no arm holds learning groups), the adjusted estimate (where it can be computed) and the
departments (no Simpson reversal) all point the claimed way and the intervals exclude zero; it
is reversed when the pooled and adjusted intervals both exclude zero on the other side. A
pooled difference that reverses inside most departments (with at least 20 per side), or whose
adjusted estimate has the other sign, is a reversal and never supported; a single department
going the other way is named as an exception. A claim with several comparisons takes the
weakest: reversed, then not supported, then not enough data, then supported. Support needs
every comparison, each at 95%; a reversal needs only one, so it must hold across the claim's
comparisons (Holm-adjusted p-values under 0.05, pooled and adjusted), or a claim resting on
six comparisons would be 'reversed' by chance far more often than one in twenty.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from analysis import words
from analysis.compare import models
from analysis.compare.arms import Arm, arm
from analysis.compare.core import Result, compare, with_holm
from analysis.compare.data import confidence_items
from analysis.privacy import PrivacyRule, measures
from analysis.queries import Filters
from analysis.stats import MIN_N_FOR_VERDICT, holm
from analysis.store import Store

VERDICTS = ("supported", "not_supported", "reversed", "not_enough_data")
WEAKEST = ("reversed", "not_supported", "not_enough_data", "supported")
MOMENTUM_WEEK = 5  # 'week 5': the last week the session formats' cohorts all reach
WAVE = "d30"
CAUSE = (
    "People were not assigned to formats, so even a supported claim is an association: only "
    "assigning people (a waitlist, a staggered rollout) would show the format causes it."
)


@dataclass(frozen=True)
class Claim:
    """One claim judged: verdict, the evidence in words, what data would settle it."""

    claim: int
    title: str
    verdict: str
    evidence: str
    settle: str
    results: tuple[Result, ...] = ()

    def to_dict(self) -> dict:
        """The claim for JSON output."""
        return {
            "claim": self.claim,
            "title": self.title,
            "verdict": self.verdict,
            "evidence": self.evidence,
            "settle": self.settle,
        }


TITLES = {
    1: "Small-group learning yields higher application to real work than everyone-at-once "
    "or self-directed learning",
    2: "Learning together creates accountability: engagement stays higher over the weeks in "
    "formats with shared sessions and deadlines",
    3: "Training pilot teams first beats rolling out to everyone at once",
    4: "Duos and trios taking a course together finish and apply more than people taking it alone",
    5: "Book clubs (reading plus debriefing together) beat reading alone",
    6: "Group coaching of close colleagues beats coaching groups of people who don't work together",
    7: "Just-in-time relevance: people whose current work needs the skill apply it more, "
    "whatever the format",
    8: "Self-directed learning works for highly motivated people and fails for the rest",
    9: "Leaders benefit especially from learning with peers",
    10: "Match the format to the goal: shared language → everyone at once (participation); "
    "individual growth → self-directed (confidence gain); applying a practice → small groups "
    "(application)",
}


ALPHA = 0.05


def judge(r: Result, family: Family | None = None) -> str:
    """A comparison's verdict for the claim 'a is higher than b'.

    `family` holds the claim's Holm-adjusted p-values for this comparison when the claim rests
    on several: the claim is reversed when any one of them goes against it, so a reversal must
    hold across the family. Support needs every comparison (an intersection), so each is
    judged on its own 95% interval.
    """
    if r.verdict in ("suppressed", "not_enough_data") or r.pooled is None:
        return "not_enough_data"
    sign = r.pooled.direction()
    if r.simpson:
        if sign == 1:
            return "reversed" if family is None or family.pooled < ALPHA else "not_supported"
        return "not_supported"
    # Either way the adjusted estimate (where it can be computed) must agree clearly: when
    # adjusting for department and role leaves the difference in doubt, the pooled one was
    # the arms' mix of departments, and the data point clearly neither way.
    adjusted = r.adjusted.estimate if r.adjusted else None
    if sign == 0 or (adjusted is not None and adjusted.direction() != sign):
        return "not_supported"
    if sign == 1:
        return "supported"
    if family is not None and not family.clear():
        return "not_supported"
    return "reversed"


@dataclass(frozen=True)
class Family:
    """One comparison's p-values Holm-adjusted across the comparisons of its claim."""

    pooled: float
    adjusted: float | None  # None: no adjusted estimate

    def clear(self) -> bool:
        """Both the pooled and the adjusted difference hold across the claim's comparisons."""
        return self.pooled < ALPHA and (self.adjusted is None or self.adjusted < ALPHA)


def _p(e: models.Estimate) -> float:
    return 1.0 if math.isnan(e.p) else e.p


def families(results: list[Result]) -> list[Family | None]:
    """Per comparison, its Holm-adjusted p-values within the claim (None for a single one)."""
    if len(results) < 2:
        return [None] * len(results)
    usable = [i for i, r in enumerate(results) if r.pooled is not None]
    pooled = dict(zip(usable, holm([_p(results[i].pooled) for i in usable]), strict=True))
    with_adj = [i for i in usable if results[i].adjusted and results[i].adjusted.estimate]
    adjusted = dict(
        zip(with_adj, holm([_p(results[i].adjusted.estimate) for i in with_adj]), strict=True)
    )
    return [
        Family(pooled[i], adjusted.get(i)) if i in pooled else None for i in range(len(results))
    ]


def weakest(verdicts: list[str]) -> str:
    """The claim's verdict from its comparisons' verdicts."""
    return next(v for v in WEAKEST if v in verdicts)


def describe(r: Result, family: Family | None = None, of: int = 1) -> str:
    """One comparison's evidence: the words, the cluster and adjusted checks, departments,
    and (for a claim of `of` comparisons) a difference against it that does not hold across
    them."""
    parts = [r.words]
    if r.lead is None:
        return parts[0]
    if r.cluster and r.cluster.get("low") is not None:
        parts.append(
            f"counting learning groups apart ({r.cluster['groups_a']} vs "
            f"{r.cluster['groups_b']} groups, ICC {r.cluster['icc']:.2f}) "
            + (
                "does not widen the interval, so the person-level one is kept"
                if r.cluster.get("floored")
                else f"the interval is {r.cluster['widening']:.2f}× as wide"
            )
        )
    adj = r.adjusted
    if adj is not None and adj.estimate is not None and r.lead_name != "adjusted":
        e = adj.estimate
        parts.append(
            f"adjusted for {' and '.join(adj.covariates)}: {e.points:+.0f} points "
            f"({e.low:.0f} to {e.high:.0f})"
        )
    elif adj is not None and adj.estimate is None and r.metric != "confidence_gain":
        parts.append(f"not adjusted ({adj.reason})")
    if r.simpson:
        parts.append(
            "Simpson reversal: the pooled difference reverses inside most departments "
            "or once adjusted for department and role"
        )
    elif r.exceptions and r.pooled.direction():
        parts.append(
            "holds everywhere except "
            + words.formats_list(list(r.exceptions)).title().replace(" And ", " and ")
        )
    adjusted = adj.estimate if adj is not None else None
    sign = r.pooled.direction()
    if sign and adjusted is not None and adjusted.direction() != sign and not r.simpson:
        parts.append(
            "adjusting for department and role leaves the difference in doubt: the pooled "
            "one may come from who is in which arm"
        )
    against = sign == -1 or (r.simpson and sign == 1)
    if against and family is not None and judge(r) == "reversed" and judge(r, family) != "reversed":
        parts.append(
            f"against the claim at 95%, but not across the claim's {of} comparisons (Holm): "
            "with that many chances, one of them going the other way could be chance"
        )
    return "; ".join(parts)


def _settle(
    verdict: str, results: list[Result], more: str, fams: list[Family | None] | None = None
) -> str:
    """What data would settle the claim, from why it stands where it stands."""
    fams = fams or [None] * len(results)
    if verdict == "not_enough_data":
        reasons = [r.reason or _thin(r) for r in results if judge(r) == "not_enough_data"]
        return "; ".join(dict.fromkeys(x for x in reasons if x)) + (
            f". Needs at least {MIN_N_FOR_VERDICT} answers on each side in whole groups of the "
            f"minimum size, and at least {models.MIN_GROUPS} learning groups per small-group arm."
        )
    if verdict == "not_supported":
        return (
            "The interval still includes zero (or the checks disagree): more answers, or more "
            "learning groups for small-group arms, would narrow it. " + more
        ).strip()
    if verdict == "reversed":
        if any(r.simpson for r in results):
            head = (
                "Ask the departments that go the other way why (who chose which format, what "
                "their work needed); a comparison within those departments settles it."
            )
        else:
            against = [
                r.a.label + " vs " + r.b.label.lower()
                for r, f in zip(results, fams, strict=True)
                if judge(r, f) == "reversed"
            ]
            head = (
                "The data point the other way (" + "; ".join(against) + "): only a reversal in "
                "later waves or other programmes would bring the claim back."
            )
        return (head + " " + more).strip()
    return (more + " " + CAUSE).strip()


def _thin(r: Result) -> str:
    if r.data_a.n is not None and r.data_b.n is not None:
        return f"{r.a.label} {r.data_a.n} vs {r.b.label.lower()} {r.data_b.n} answers"
    return ""


def _later_waves(db: Store, rule: PrivacyRule, arms: list[Arm], base: Filters | None) -> str:
    """Which later waves have answers for the arms ('no 60-day wave yet')."""
    from analysis.privacy.step import survey_figure

    missing = []
    for wave, name in (("d60", "60-day"), ("d90", "90-day")):
        cells = measures.application(db, wave, rule)
        for a in arms:
            level = a.segment[0] if a.segment else None
            fig = survey_figure(cells, a.filters(base), [], rule, level=level)
            if level:
                fig = fig[fig[level] == a.segment[1]]
            if fig.empty or fig["n"].isna().all() or int(fig["n"].fillna(0).sum()) == 0:
                missing.append(f"no {name} answers yet for {a.label.lower()}")
                break
    if missing:
        return "Whether it lasts: " + "; ".join(missing) + "."
    return "60- and 90-day answers exist: compare them with --wave d60/d90 to see if it lasts."


Builder = Callable[[Store, PrivacyRule, Filters | None], tuple[list[Result], str]]


def _application(pairs: list[tuple[Arm, Arm]]) -> Builder:
    def build(db: Store, rule: PrivacyRule, base: Filters | None) -> tuple[list[Result], str]:
        results = [compare(db, a, b, "application", rule, wave=WAVE, base=base) for a, b in pairs]
        arms = list(dict.fromkeys(x for p in pairs for x in p))
        return results, _later_waves(db, rule, arms, base)

    return build


SMALL, ALL_AT_ONCE, SELF = "small_group", "everyone_at_once", "self_directed"


def _claim2(db: Store, rule: PrivacyRule, base: Filters | None) -> tuple[list[Result], str]:
    a = arm(format=(SMALL, ALL_AT_ONCE), label="Formats with shared sessions")
    b = arm(format=SELF, label="Self-directed")
    r = compare(db, a, b, "momentum", rule, week=MOMENTUM_WEEK, base=base)
    return [r], (
        f"Measured as the share of enrolled people active in week {MOMENTUM_WEEK}; "
        "attendance in later weeks of longer cohorts would show whether the gap holds."
    )


def _claim4(db: Store, rule: PrivacyRule, base: Filters | None) -> tuple[list[Result], str]:
    a, b = arm(variant="course_buddies"), arm(variant="self_paced_course")
    results = [
        compare(db, a, b, "completion", rule, base=base),
        compare(db, a, b, "application", rule, wave=WAVE, base=base),
    ]
    return results, _later_waves(db, rule, [a, b], base)


def _needs_item(role: str, item: str, build: Builder) -> Builder:
    """A claim that needs an item of a role: not enough data, with the reason, without one."""

    def guarded(db: Store, rule: PrivacyRule, base: Filters | None) -> tuple[list[Result], str]:
        waves = ("pre", "post", "d30", "d60", "d90")
        if not any(len(measures.items(db, w).query(f"role == '{role}'")) for w in waves):
            raise _Missing(f"no {role} item in any survey ({item})")
        return build(db, rule, base)

    return guarded


class _Missing(Exception):
    """A claim's data does not exist at all."""


def _claim7(db: Store, rule: PrivacyRule, base: Filters | None) -> tuple[list[Result], str]:
    yes, no = ("relevance", "relevant"), ("relevance", "not relevant")
    pairs = [
        (arm(format=f, segment=yes), arm(format=f, segment=no)) for f in (ALL_AT_ONCE, SELF, SMALL)
    ]
    return _application(pairs)(db, rule, base)


def _claim9(db: Store, rule: PrivacyRule, base: Filters | None) -> tuple[list[Result], str]:
    lead, ic = ("leadership", "leaders"), ("leadership", "individual contributors")
    others = (ALL_AT_ONCE, SELF)
    pairs = [
        (
            arm(format=SMALL, segment=lead),
            arm(format=others, segment=lead, label="Leaders, other formats"),
        ),
        (
            arm(format=SMALL, segment=ic),
            arm(format=others, segment=ic, label="Individual contributors, other formats"),
        ),
    ]
    return [compare(db, a, b, "application", rule, wave=WAVE, base=base) for a, b in pairs], ""


def _claim10(db: Store, rule: PrivacyRule, base: Filters | None) -> tuple[list[Result], str]:
    results = []
    for metric, best in (
        ("participation", ALL_AT_ONCE),
        ("confidence_gain", SELF),
        ("application", SMALL),
    ):
        if metric == "confidence_gain" and not (
            confidence_items(db, "pre") and confidence_items(db, "post")
        ):
            raise _Missing("no confidence item answered both before and right after")
        for other in (f for f in (ALL_AT_ONCE, SELF, SMALL) if f != best):
            results.append(
                compare(db, arm(format=best), arm(format=other), metric, rule, wave=WAVE, base=base)
            )
    return results, (
        "Leader alignment, the fourth goal, has no measure here yet: it would need "
        "an alignment item answered by leaders."
    )


CLAIMS: dict[int, Builder] = {
    1: _application(
        [
            (arm(format=SMALL), arm(format=ALL_AT_ONCE)),
            (arm(format=SMALL), arm(format=SELF)),
        ]
    ),
    2: _claim2,
    3: _application([(arm(variant="pilot_team"), arm(variant="org_wide"))]),
    4: _claim4,
    5: _application([(arm(variant="book_club"), arm(variant="self_study_alone"))]),
    6: _application(
        [
            (
                arm(variant="group_coaching", segment=("closeness", "close colleagues")),
                arm(variant="group_coaching", segment=("closeness", "mixed")),
            )
        ]
    ),
    7: _needs_item("relevance", "e.g. 'What I learned is relevant to my current work'", _claim7),
    8: _needs_item(
        "motivation",
        "e.g. 'I chose this learning myself because I wanted it'",
        _application(
            [
                (
                    arm(format=SELF, segment=("motivation", "motivated")),
                    arm(format=SELF, segment=("motivation", "not motivated")),
                )
            ]
        ),
    ),
    9: _claim9,
    10: _claim10,
}


def claims(db: Store, rule: PrivacyRule | None = None, base: Filters | None = None) -> list[Claim]:
    """All ten claims judged on the data (Holm's correction across every comparison shown)."""
    rule = rule or PrivacyRule()
    built: dict[int, tuple[list[Result], str] | str] = {}
    for number, build in CLAIMS.items():
        try:
            built[number] = build(db, rule, base)
        except _Missing as exc:
            built[number] = str(exc)
    flat = [r for v in built.values() if not isinstance(v, str) for r in v[0]]
    adjusted = iter(with_holm(flat))
    out = []
    for number, value in built.items():
        if isinstance(value, str):
            out.append(
                Claim(
                    number,
                    TITLES[number],
                    "not_enough_data",
                    value,
                    f"Add the item to a survey: {value}.",
                )
            )
            continue
        results = [next(adjusted) for _ in value[0]]
        fams = families(results) if number != 9 else [None] * len(results)
        if number == 9:
            verdict, evidence = _judge9(results)
        else:
            verdict, evidence = _judge_all(results, fams)
        out.append(
            Claim(
                number,
                TITLES[number],
                verdict,
                evidence,
                _settle(verdict, results, value[1], fams),
                tuple(results),
            )
        )
    return out


def _judge_all(results: list[Result], fams: list[Family | None]) -> tuple[str, str]:
    verdict = weakest([judge(r, f) for r, f in zip(results, fams, strict=True)])
    return verdict, " | ".join(
        describe(r, f, len(results)) for r, f in zip(results, fams, strict=True)
    )


def _judge9(results: list[Result]) -> tuple[str, str]:
    """Leaders' small-group gain minus individual contributors' gain, with its interval."""
    leaders, ics = results
    if any(judge(r) == "not_enough_data" for r in results) or any(
        r.data_a.n is None or r.data_b.n is None for r in results
    ):
        return "not_enough_data", " | ".join(describe(r) for r in results)
    cells = {
        (1, 1): leaders.data_a.rows,
        (1, 0): leaders.data_b.rows,
        (0, 1): ics.data_a.rows,
        (0, 0): ics.data_b.rows,
    }
    if min(len(c) and c["n"].sum() for c in cells.values()) < MIN_N_FOR_VERDICT:
        return "not_enough_data", " | ".join(describe(r) for r in results)
    est = models.interaction(cells)
    text = (
        f"Leaders' gain from small groups minus individual contributors' gain: "
        f"{est.points:+.0f} points ({est.low:.0f} to {est.high:.0f}), counting learning groups "
        f"apart; {words.chance(est.p)}"
    )
    verdict = {1: "supported", -1: "reversed", 0: "not_supported"}[est.direction()]
    if verdict == "not_supported":
        text += ": no evidence that leaders benefit more"
    return verdict, text + " | " + " | ".join(describe(r) for r in results)
