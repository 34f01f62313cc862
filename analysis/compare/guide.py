"""The format guide: from a goal and an audience to a format and variant, on the organisation's
own evidence (the claims, with their verdicts and n), with external reference numbers labelled
as such, how sure it is, what to run next where the data cannot decide, and the cost per
person who applied where programs carry a cost."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import words
from analysis.compare.arms import arm
from analysis.compare.claims import Claim
from analysis.compare.claims_page import VERDICT_WORDS
from analysis.compare.data import arm_data
from analysis.domain import GOALS, VARIANT_FORMAT, VARIANT_LABELS, format_label
from analysis.privacy import VISIBLE, PrivacyRule, status_text
from analysis.queries import Filters, run_query
from analysis.store import Store
from analysis.text import markdown_text

SIZES: dict[str, str] = {
    "team": "One team (up to about 12 people)",
    "department": "A department or several teams (12 to 150)",
    "organisation": "The whole organisation (150 or more)",
}
READINESS: dict[str, str] = {
    "now": "Most need it in their work now",
    "mixed": "Some need it now, others later",
    "later": "Few need it in their work yet",
}
WHO: dict[str, str] = {
    "leaders": "Leaders",
    "ics": "Individual contributors",
    "both": "Both",
}
OPTIONS: dict[str, tuple[str, ...]] = {
    "goal": tuple(GOALS),
    "size": tuple(SIZES),
    "ready": tuple(READINESS),
    "who": tuple(WHO),
}
DEFAULTS = {"goal": "applying_practice", "size": "department", "ready": "mixed", "who": "both"}
EXTERNAL: tuple[str, ...] = (
    "Median MOOC completion was 12.6% across 221 courses (Jordan 2015); cohort-based paid "
    "programs report 85–96% (practitioner claims, selective).",
    "Training professionals estimated transfer to the job at 62% right after, 44% after six "
    "months and 34% after a year (Saks & Belcourt 2006). The 'only 10% transfers' figure is a "
    "myth.",
    "Small-group learning improved transfer with an effect size of about 0.30 (Pai et al. "
    "2015); coaching meta-analyses report g of about 0.4–0.6.",
)
NEXT_STEPS: dict[str, str] = {
    "org_wide": "Run the org-wide session, count who attends, and survey everyone 30 days after.",
    "pilot_team": "Run two pilot teams and survey them at 30 days, with the same questions "
    "to an org-wide cohort, so the two can be compared.",
    "learning_budget": "Ask one confidence question before and right after in the next "
    "budget round, and 'I chose this myself' in the 30-day survey.",
    "course_buddies": "Pair half of the next self-paced course into buddies or trios, and "
    "survey both halves at 30 days (at least 20 answers on each side).",
    "book_club": "Run three book clubs beside people reading the same book alone, and "
    "survey both at 30 days.",
    "group_coaching": "Run three or more coaching circles of leaders who work together day to "
    "day and three of leaders who do not, and survey them at 30 days (at least 20 answers "
    "each).",
}


@dataclass(frozen=True)
class Plan:
    """A recommendation before the evidence: the variant, the claims behind it, why, and then."""

    variant: str
    claims: tuple[int, ...]
    why: str
    then: str = ""


def plan(goal: str, size: str, ready: str, who: str) -> Plan:
    """The variant the goal and audience point to, and the claims that would back it."""
    if goal == "shared_language":
        if ready == "now" or size == "team":
            return Plan(
                "org_wide",
                (10,),
                "A shared language needs everyone to hear the same ideas at the same time; "
                "it is judged on reach and participation.",
            )
        return Plan(
            "pilot_team",
            (3, 10, 7),
            "Not everyone is ready at the same time, and people whose work does not need the "
            "skill yet tend to forget it. Train pilot teams whose work needs it now first.",
            then="Then train everyone at once, with the pilot teams as examples.",
        )
    if goal == "individual_growth":
        if ready == "now":
            return Plan(
                "learning_budget",
                (10, 8),
                "People who need and want the skill now do well choosing their own courses; "
                "it is judged on confidence gain.",
            )
        return Plan(
            "course_buddies",
            (4, 8),
            "Self-directed learning works for motivated people and fails for the rest; a "
            "buddy or two adds a shared deadline and someone who asks how it went.",
        )
    if goal == "leader_alignment":
        return Plan(
            "group_coaching",
            (6, 9),
            "Leaders rarely have built-in peers; coaching circles of leaders who work together "
            "align on their shared, real problems."
            + (
                " Alignment among leaders is about leaders: for individual contributors, "
                "'applying a practice' fits better."
                if who == "ics"
                else ""
            ),
        )
    if size == "department":
        return Plan(
            "course_buddies",
            (1, 4, 7),
            "Applying a practice is judged on application at work: small groups of two or "
            "three apply the ideas to their own work between sessions.",
        )
    return Plan(
        "pilot_team",
        (1, 3, 7),
        "Applying a practice is judged on application at work: a team learning together "
        "tries the practice on its own work, with shared deadlines.",
        then="Then roll out team by team." if size == "organisation" else "",
    )


@dataclass(frozen=True)
class Guide:
    """The guide's answer, in words (Markdown-safe) and small tables."""

    headline: str
    why: str
    then: str
    sureness: str
    sureness_words: str
    next_step: str
    readiness_note: str
    evidence: pd.DataFrame
    cost: str
    costs: pd.DataFrame
    external: tuple[str, ...] = EXTERNAL


def _evidence(claims: dict[int, Claim], numbers: tuple[int, ...]) -> pd.DataFrame:
    rows = []
    for n in numbers:
        c = claims[n]
        compared = [
            f"{r.a.label} vs {r.b.label.lower()} ("
            + " vs ".join(
                words.count(x) if x is not None else "hidden" for x in (r.data_a.n, r.data_b.n)
            )
            + ")"
            for r in c.results
        ]
        rows.append(
            {
                "Claim": f"{n}. {c.title}",
                "Verdict on your data": VERDICT_WORDS[c.verdict],
                "Compared (n on each side)": "; ".join(compared) or c.evidence,
            }
        )
    return pd.DataFrame(rows)


def _sureness(claims: dict[int, Claim], p: Plan) -> tuple[str, str, str]:
    """(label, words, next step) from the verdicts of the claims behind the plan."""
    verdicts = {n: claims[n].verdict for n in p.claims}
    undecided = [n for n, v in verdicts.items() if v in ("not_supported", "not_enough_data")]
    reversed_ = [n for n, v in verdicts.items() if v == "reversed"]
    run = NEXT_STEPS.get(p.variant, "")

    def named(ns: list[int]) -> str:
        return and_claims(ns)

    if not undecided and not reversed_:
        return (
            "Fairly sure",
            "Every claim behind this holds on your own data. It is still an association: "
            "people chose or were placed in formats.",
            "",
        )
    if reversed_:
        return (
            "Not sure",
            f"Your data point the other way on {named(reversed_)}: weigh that before "
            "following this advice.",
            f"{run} {markdown_text(claims[reversed_[0]].settle)}".strip(),
        )
    main = p.claims[0]
    if verdicts[main] == "supported":
        return (
            "Leaning",
            f"The main claim ({main}) holds on your data, but {named(undecided)} cannot be "
            "decided on it yet.",
            f"{run} {markdown_text(claims[undecided[0]].settle)}".strip(),
        )
    return (
        "The data cannot decide",
        f"Your data cannot decide {named(undecided)}; the advice rests on the reasoning and "
        "the external evidence below.",
        f"{run} {markdown_text(claims[undecided[0]].settle)}".strip(),
    )


def and_claims(numbers: list[int]) -> str:
    """'claim 6', 'claims 6 and 9'."""
    if len(numbers) == 1:
        return f"claim {numbers[0]}"
    return "claims " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def costs(db: Store, rule: PrivacyRule, base: Filters | None = None) -> pd.DataFrame:
    """Per variant with a cost: cost per place, the 30-day application rate (through the privacy
    step) and the cost per person who applied. Columns in words, for the page's table."""
    raw = run_query(db, "program_costs", base or Filters())
    raw = raw[raw["enrolled_with_cost"] > 0]
    rows = []
    for _, r in raw.sort_values(["format", "variant"]).iterrows():
        per_place = float(r["cost"]) / int(r["enrolled_with_cost"])
        d = arm_data(db, arm(variant=r["variant"]), "application", rule, base=base)
        applied = d.k / d.n if d.status in VISIBLE and d.n else None
        value = per_place / applied if applied else None
        if applied is None:
            per_applied = status_text(d.status, rule, d.complementary) or "no 30-day answers"
        elif applied == 0:
            per_applied = "nobody reported applying it"
        else:
            per_applied = f"{value:,.0f}"
        rows.append(
            {
                "variant": r["variant"],
                "per_applied": value,
                "Variant": VARIANT_LABELS.get(r["variant"], r["variant"]),
                "Format": format_label(r["format"]),
                "Cost per place": f"{per_place:,.0f}",
                "Applied at 30 days": words.pct(applied) if applied is not None else words.MISSING,
                "Cost per person who applied": per_applied,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "variant",
            "per_applied",
            "Variant",
            "Format",
            "Cost per place",
            "Applied at 30 days",
            "Cost per person who applied",
        ],
    )


def recommend(
    goal: str, size: str, ready: str, who: str, claims: list[Claim], cost_table: pd.DataFrame
) -> Guide:
    """The guide's recommendation for a goal and audience, on the organisation's evidence."""
    p = plan(goal, size, ready, who)
    by_number = {c.claim: c for c in claims}
    label, sure, step = _sureness(by_number, p)
    variant = VARIANT_LABELS[p.variant]
    fmt = format_label(VARIANT_FORMAT[p.variant])
    note = ""
    if ready != "now" and 7 in by_number:
        note = (
            "People whose current work needs the skill apply it more (claim 7: "
            f"{VERDICT_WORDS[by_number[7].verdict].lower()} on your data). Start with the "
            "people who need it now."
        )
    row = cost_table[cost_table["variant"] == p.variant] if len(cost_table) else cost_table
    cost = ""
    if len(row):
        r = row.iloc[0]
        if pd.notna(r["per_applied"]):
            cost = (
                f"{variant}: {r['Cost per place']} per place ÷ {r['Applied at 30 days']} who "
                f"applied at 30 days = **{r['Cost per person who applied']} per person who "
                "applied** (in the programs' own currency; it assumes people who did not answer "
                "applied as often as those who did)."
            )
        else:
            cost = (
                f"{variant}: cost per person who applied not shown "
                f"({r['Cost per person who applied']})."
            )
    return Guide(
        headline=f"{fmt}: {variant.lower()}",
        why=p.why,
        then=p.then,
        sureness=label,
        sureness_words=sure,
        next_step=step,
        readiness_note=note,
        evidence=_evidence(by_number, p.claims),
        cost=cost,
        costs=cost_table.drop(columns=["variant", "per_applied"]),
    )
