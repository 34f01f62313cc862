"""The Compare page's numbers and words: two arms on one metric, and the presets beside them.

`comparisons` runs the comparison (and, when the page shows them together, the five presets
with Holm's correction across all of them); `compare_texts` words one result for the page.
The page lays the words out; nothing here imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis import words
from analysis.compare.arms import ArmError, parse_arm
from analysis.compare.core import Result, arm_summary, compare, with_holm
from analysis.compare.data import MEAN_METRICS
from analysis.compare.presets import PRESETS, WAVE_CHOICES
from analysis.privacy import NO_DATA, PARTIAL, SHOWN, PrivacyRule, status_text
from analysis.queries import Filters
from analysis.store import Store
from analysis.text import markdown_text

METRIC_NOUNS = {
    "engagement": "engagement",
    "completion": "completion",
    "application": "application",
    "participation": "participation",
    "momentum": "active share by week",
    "confidence_gain": "confidence gain",
}
DENOMINATORS = {
    "engagement": ("engaged", "enrolled"),
    "completion": ("completed", "enrolled"),
    "application": ("applied at work", "who answered"),
}
CAUSE = (
    "People chose or were placed in these formats, so the difference describes who took part "
    "and how it went for them, not what the format caused."
)
RULE_OF_LEAD = (
    "The page leads with the cluster-aware result when an arm holds learning groups (people in "
    "one trio or book club are not independent), else the person-level one; with the adjusted "
    "result instead when adjusting for department and role moves the difference by 5 points or "
    "more, or flips it."
)


def base_view(filters: Filters) -> Filters:
    """The sidebar filters that narrow both arms: start months, departments and programs.

    The format, variant and cohort filters are what the arms themselves choose, so they do not
    apply on the comparison pages (the page says so).
    """
    return Filters(
        start_from=filters.start_from,
        start_to=filters.start_to,
        departments=filters.departments,
        programs=filters.programs,
    )


@dataclass(frozen=True)
class Comparisons:
    """The page's pair (first) and any comparisons shown with it, or why there are none."""

    results: tuple[Result, ...] = ()
    error: str = ""


def comparisons(
    db: Store,
    a: str,
    b: str,
    metric: str,
    wave: str,
    rule: PrivacyRule,
    base: Filters | None = None,
    with_presets: bool = False,
) -> Comparisons:
    """The pair a vs b (arm texts), and the five presets when shown together (Holm across all)."""
    try:
        pairs = [(parse_arm(a, db), parse_arm(b, db))]
        if with_presets:
            pairs += [
                (parse_arm(p.a, db), parse_arm(p.b, db))
                for p in PRESETS.values()
                if (p.a, p.b) != (a, b)
            ]
        results = [compare(db, x, y, metric, rule, wave=wave, base=base) for x, y in pairs[:1]]
    except ArmError as exc:
        return Comparisons(error=str(exc))
    for x, y in pairs[1:]:
        try:
            results.append(compare(db, x, y, metric, rule, wave=wave, base=base))
        except ArmError:  # a preset with a survey segment on an enrolment metric: left out
            continue
    if len(results) == 1:
        return Comparisons(tuple(results))
    return Comparisons(tuple(with_holm(results)))


@dataclass(frozen=True)
class CompareTexts:
    """Everything the Compare page says about one result, in words (Markdown-safe)."""

    headline: str
    verdict: str
    arms: list[str]
    leads: str
    statistics: pd.DataFrame
    holm: str
    cluster: str
    departments: pd.DataFrame
    simpson: str
    exceptions: str
    adjusted: str
    others: list[str] = field(default_factory=list)
    caveat: str = CAUSE


def measure_words(metric: str, wave: str) -> str:
    """'application 30 days after', 'completion'."""
    if metric == "application":
        return f"application {WAVE_CHOICES.get(wave, wave).lower()}"
    return METRIC_NOUNS.get(metric, metric)


def arm_line(r: Result, side: str, rule: PrivacyRule) -> str:
    """'**Book club**: 61% applied at work (36 of 59 who answered, 95% CI 48%–72%)'."""
    a, d = (r.a, r.data_a) if side == "a" else (r.b, r.data_b)
    name = markdown_text(a.label)
    s = arm_summary(d, r.metric, rule)
    if s["status"] not in (SHOWN, PARTIAL) or d.n is None:
        said = s.get("status_text") or status_text(s["status"], rule) or "no data"
        return f"**{name}**: {said}"
    if r.metric in MEAN_METRICS:
        return f"**{name}**: {s['rate']:+.1f} scale points (n = {words.count(d.n)})"
    did, noun = DENOMINATORS.get(r.metric, ("", ""))
    star = "\\*" if s["status"] == PARTIAL else ""
    ci = words.interval(s["low"], s["high"])
    return f"**{name}**: {words.pct(s['rate'])}{star} {did} ({words.of(d.k, d.n, noun)}, {ci})" + (
        f" · {status_text(PARTIAL, rule)}" if star else ""
    )


def _h_size(h: float) -> str:
    size = abs(h)
    if size < 0.2:
        return "negligible"
    if size < 0.5:
        return "small"
    if size < 0.8:
        return "medium"
    return "large"


def _p(p: float | None) -> str:
    if p is None:
        return words.MISSING
    return f"{p:.4f}" if p >= 0.0001 else "< 0.0001"


def statistics_table(r: Result) -> pd.DataFrame:
    """The statistics behind the words, one click away (rows of label and value)."""
    rows: list[tuple[str, str]] = []
    unit = "scale points" if r.metric in MEAN_METRICS else "points"
    if r.person is not None:
        e = r.person
        rows.append(
            (
                "Difference, person-level (95% interval)",
                f"{e.points:+.1f} {unit} ({e.low:.1f} to {e.high:.1f})",
            )
        )
        rows.append(("Test", r.test or words.MISSING))
        rows.append(("p (this test)", _p(e.p)))
    if r.cluster_estimate is not None:
        e = r.cluster_estimate
        rows.append(
            (
                "Difference, cluster-aware (95% interval)",
                f"{e.points:+.1f} ({e.low:.1f} to {e.high:.1f})",
            )
        )
    adj = r.adjusted.estimate if r.adjusted else None
    if adj is not None:
        rows.append(
            (
                "Difference, adjusted (95% interval)",
                f"{adj.points:+.1f} ({adj.low:.1f} to {adj.high:.1f})",
            )
        )
    if r.lead is not None:
        rows.append(("Leading result", r.lead_name))
        rows.append(("p of the leading result, Holm-adjusted", _p(r.p_holm)))
    if r.cohens_h is not None:
        rows.append(("Cohen's h (effect size)", f"{r.cohens_h:.2f} ({_h_size(r.cohens_h)})"))
    if r.cohens_d is not None:
        rows.append(("Cohen's d (effect size)", f"{r.cohens_d:.2f}"))
    return pd.DataFrame(rows, columns=["Statistic", "Value"])


def cluster_words(r: Result) -> str:
    """The cluster-aware analysis in words: groups, ICC, how much wider the interval became."""
    c = r.cluster
    if c is None:
        if r.lead is None:
            return ""
        return (
            "Neither arm holds learning groups (small-group cohorts), so each person counts "
            "once and the person-level interval stands."
        )
    if c.get("note"):
        return f"Counting learning groups apart: {markdown_text(c['note'])}."
    if c.get("low") is None:
        return ""
    groups = [
        f"{words.count(g)} learning groups in {markdown_text(lbl.lower())}"
        for g, lbl in ((c["groups_a"], r.a.label), (c["groups_b"], r.b.label))
        if g
    ]
    widen = c["widening"]
    lead = r.cluster_estimate
    return (
        "People in one learning group are not independent, so groups are counted apart ("
        + " and ".join(groups)
        + "; everyone else counts alone). "
        f"The intraclass correlation (ICC) is {c['icc']:.2f}: "
        + (
            "people in one group answer much alike. "
            if c["icc"] >= 0.1
            else "people in one group answer only a little alike. "
        )
        + (
            "Counting groups apart would not widen the interval, so the person-level one is "
            f"kept ({lead.low:.0f} to {lead.high:.0f} points): groups never make a result "
            "look surer than people counted one by one."
            if c.get("floored")
            else f"The interval became {widen:.2f}× as wide: {lead.low:.0f} to {lead.high:.0f} "
            f"points instead of {r.person.low:.0f} to {r.person.high:.0f}."
            if widen
            else ""
        )
    )


def department_table(r: Result, rule: PrivacyRule) -> pd.DataFrame:
    """Each department's two figures in words; hidden figures say why."""
    a_name, b_name = r.a.label, r.b.label
    if a_name == b_name:
        a_name, b_name = f"{a_name} (first)", f"{b_name} (second)"
    if r.by_department.empty:
        return pd.DataFrame(columns=["Department", a_name, b_name, "Direction"])
    status_a = statuses(r.data_a.by_department)
    status_b = statuses(r.data_b.by_department)
    rows = []
    for _, row in r.by_department.iterrows():
        dept = row["department"]
        cells = []
        for n, rate, seen in (
            (row["n_a"], row["rate_a"], status_a),
            (row["n_b"], row["rate_b"], status_b),
        ):
            cells.append(_dept_cell(n, rate, seen.get(dept, NO_DATA), r.metric, rule))
        if row["direction"] == 0:
            direction = (
                "no clear direction"
                if pd.notna(row["n_a"])
                and pd.notna(row["n_b"])
                and min(row["n_a"], row["n_b"]) >= 20
                else "too few to tell (under 20 on a side)"
            )
        else:
            higher = a_name if row["direction"] > 0 else b_name
            direction = f"{higher} higher" + (" (clearly)" if row["clear"] else "")
        rows.append(
            {"Department": dept, a_name: cells[0], b_name: cells[1], "Direction": direction}
        )
    return pd.DataFrame(rows)


def statuses(df: pd.DataFrame) -> dict[str, str]:
    """Each department's privacy status in an arm's department figures."""
    if df.empty or "status" not in df:
        return {}
    return dict(zip(df["department"], df["status"], strict=True))


def _dept_cell(n: object, rate: object, status: str, metric: str, rule: PrivacyRule) -> str:
    if n is None or pd.isna(n):
        return status_text(status, rule) if status not in (SHOWN, PARTIAL) else "no data"
    if metric in MEAN_METRICS:
        return f"{float(rate):+.1f} (n = {words.count(n)})"
    star = "*" if status == PARTIAL else ""
    return f"{words.pct(float(rate))}{star} (n = {words.count(n)})"


def simpson_words(r: Result) -> str:
    """A plain Simpson warning, or ''."""
    if not r.simpson:
        return ""
    ahead = markdown_text(r.a.label if r.pooled.points > 0 else r.b.label)
    return (
        f"Careful: taken together, {ahead} comes out "
        "ahead, but inside most departments (or once department and role are taken into "
        "account) it is the other way round. The arms hold different mixes of departments, so "
        "the pooled difference is misleading (Simpson's paradox): read the departments."
    )


def exceptions_words(r: Result) -> str:
    """'Holds everywhere except Finance', when single departments clearly go the other way."""
    if not r.exceptions or r.simpson:
        return ""
    names = markdown_text(and_list(r.exceptions))
    return f"Holds everywhere except {names}, where it clearly goes the other way."


def and_list(names: tuple[str, ...] | list[str]) -> str:
    """'Finance', 'Finance and Sales', 'Finance, Sales and Product' (names kept as written)."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def adjusted_words(r: Result) -> str:
    """The adjusted comparison in words, or why it was not computed."""
    if r.adjusted is None:
        return ""
    covariates = " and ".join(
        {"department": "department", "leader": "leader or individual contributor"}[c]
        for c in r.adjusted.covariates
    )
    e = r.adjusted.estimate
    if e is None:
        return f"Not adjusted for department and role: {r.adjusted.reason}."
    return (
        f"Adjusted for {covariates} (a logistic regression, groups counted apart): "
        f"{e.points:+.0f} points ({e.low:.0f} to {e.high:.0f})."
    )


def holm_words(r: Result, shown: int) -> str:
    """How the page corrects for several comparisons."""
    if r.lead is None:
        return ""
    if shown <= 1:
        return "One comparison on the page, so no correction for multiple comparisons."
    return (
        f"{shown} comparisons are shown together on this page, so each p-value is "
        "Holm-adjusted across them."
    )


def compare_texts(results: tuple[Result, ...], rule: PrivacyRule) -> CompareTexts:
    """The page's words for its pair (the first result) and the others shown with it."""
    r = results[0]
    headline = markdown_text(r.words)
    leads = ""
    if r.lead is not None:
        leads = f"Leading with the {r.lead_name} result: {markdown_text(r.lead_why)}."
    return CompareTexts(
        headline=headline,
        verdict=r.verdict,
        arms=[arm_line(r, "a", rule), arm_line(r, "b", rule)],
        leads=leads,
        statistics=statistics_table(r),
        holm=holm_words(r, len(results)),
        cluster=cluster_words(r),
        departments=department_table(r, rule),
        simpson=simpson_words(r),
        exceptions=exceptions_words(r),
        adjusted=adjusted_words(r),
        others=[markdown_text(x.words) for x in results[1:]],
    )
