"""Compare two arms on one metric: the difference in points, honestly.

The result carries the person-level difference (Newcombe interval; z-test, or Fisher's exact
test for small counts; Cohen's h), the cluster-aware difference when an arm holds learning
groups (with the ICC and how much wider the interval became), the same comparison inside each
department (with a Simpson flag), and the difference adjusted for department and role (a
logistic regression) where the answers allow. One of them leads, and `leads` says which and
why. Words never claim a cause: arms differ in who chose them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from analysis import words
from analysis.compare import models
from analysis.compare.arms import Arm
from analysis.compare.data import MEAN_METRICS, ArmData, arm_data
from analysis.privacy import NO_DATA, SUPPRESSED, PrivacyRule, status_text
from analysis.queries import Filters
from analysis.stats import MIN_N_FOR_VERDICT, compare_proportions, holm, wilson_interval
from analysis.store import Store

DEPT_MIN = 20  # per side, for a department's direction to count
LEAD_SHIFT = 5.0  # points: adjusting moves the difference this much → the adjusted result leads
VERDICTS = ("a_higher", "b_higher", "no_clear_difference", "not_enough_data", "suppressed")


@dataclass(frozen=True)
class Result:
    """Two arms compared on one metric (points are percentage points; scale points for means)."""

    metric: str
    wave: str | None
    week: int | None  # 1-based, as said on screen
    a: Arm
    b: Arm
    data_a: ArmData
    data_b: ArmData
    person: models.Estimate | None = None  # person-level difference and interval
    test: str | None = None
    cohens_h: float | None = None
    cohens_d: float | None = None  # mean metrics
    cluster: dict | None = None
    cluster_estimate: models.Estimate | None = None
    adjusted: models.Adjusted | None = None
    by_department: pd.DataFrame = field(default_factory=pd.DataFrame)
    simpson: bool = False
    exceptions: tuple[str, ...] = ()
    lead: models.Estimate | None = None
    lead_name: str = ""
    lead_why: str = ""
    p_holm: float | None = None
    verdict: str = "not_enough_data"
    reason: str = ""

    @property
    def words(self) -> str:
        """The result in words, e.g. 'Book club: 26 points higher than reading / course
        alone (8 to 44); very unlikely to be chance'."""
        a, b = self.a.label, self.b.label
        lead = self.lead
        if lead is None:
            return f"{a} vs {b.lower()}: {self.reason or 'not enough data'}"
        enough = self.verdict != "not_enough_data"
        say = words.scale_difference if self.metric in MEAN_METRICS else words.difference
        text = say(a, b, lead.points, lead.low, lead.high, self.p_holm, enough)
        if self.lead_name == "adjusted":
            text += (
                " (adjusted for "
                + " and ".join(_COVARIATE_WORDS[c] for c in self.adjusted.covariates)
                + ")"
            )
        return text

    @property
    def pooled(self) -> models.Estimate | None:
        """The unadjusted difference: cluster-aware where an arm holds learning groups."""
        return self.cluster_estimate or self.person

    @property
    def unit(self) -> str:
        """What the points are."""
        return "scale points" if self.metric in MEAN_METRICS else "percentage points"


_COVARIATE_WORDS = {"department": "department", "leader": "leader or individual contributor"}


def compare(
    db: Store,
    a: Arm,
    b: Arm,
    metric: str = "application",
    rule: PrivacyRule | None = None,
    *,
    wave: str = "d30",
    week: int = 1,
    base: Filters | None = None,
) -> Result:
    """Compare arm a with arm b on a metric (`week` is 1-based, for momentum only)."""
    rule = rule or PrivacyRule()
    opts = {"wave": wave, "week": week - 1, "base": base}
    da, db_ = arm_data(db, a, metric, rule, **opts), arm_data(db, b, metric, rule, **opts)
    res = Result(
        metric=metric,
        wave=wave if metric == "application" else None,
        week=week if metric == "momentum" else None,
        a=a,
        b=b,
        data_a=da,
        data_b=db_,
    )
    blocked = _blocked(res, rule)
    if blocked:
        return replace(
            res, verdict=blocked[0], reason=blocked[1], by_department=_by_department(res, None)
        )
    res = _means(res) if metric in MEAN_METRICS else _rates(res)
    if res.lead is None:  # too few learning groups to count them apart
        return replace(res, by_department=_by_department(res, None))
    return _finish(res)


def compare_many(
    db: Store,
    pairs: Sequence[tuple[Arm, Arm]],
    metric: str = "application",
    rule: PrivacyRule | None = None,
    **opts,
) -> list[Result]:
    """Several comparisons shown together: Holm's correction across them."""
    return with_holm([compare(db, a, b, metric, rule, **opts) for a, b in pairs])


def with_holm(results: Sequence[Result]) -> list[Result]:
    """The results with their leading p-values Holm-adjusted across the set."""
    idx = [i for i, r in enumerate(results) if r.lead is not None]
    adjusted = holm([results[i].lead.p for i in idx])
    out = list(results)
    for i, p in zip(idx, adjusted, strict=True):
        out[i] = replace(out[i], p_holm=p)
    return out


def _blocked(res: Result, rule: PrivacyRule) -> tuple[str, str] | None:
    """('suppressed' | 'not_enough_data', reason) when the arms cannot be compared."""
    for name, d in ((res.a.label, res.data_a), (res.b.label, res.data_b)):
        if d.status == SUPPRESSED:
            return "suppressed", f"{name}: {status_text(SUPPRESSED, rule, d.complementary)}"
        if d.status == NO_DATA or d.n is None:
            return "not_enough_data", f"{name}: no data"
    return None


def _rates(res: Result) -> Result:
    da, db_ = res.data_a, res.data_b
    c = compare_proportions(da.k, da.n, db_.k, db_.n)
    person = models.Estimate(c.diff * 100, c.diff_low * 100, c.diff_high * 100, math.nan, c.p_value)
    res = replace(res, person=person, test=c.test, cohens_h=c.cohens_h)
    lead, name, why = person, "person-level", "no arm holds learning groups"
    if models.clustered(da.rows) or models.clustered(db_.rows):
        ga, gb = models.groups(da.rows), models.groups(db_.rows)
        cluster = {
            "groups_a": ga,
            "groups_b": gb,
            "icc": None,
            "low": None,
            "high": None,
            "widening": None,
            "note": "",
        }
        few = [n for n, g in ((res.a.label, ga), (res.b.label, gb)) if 0 < g < models.MIN_GROUPS]
        if few:
            cluster["note"] = (
                f"{few[0]}: fewer than {models.MIN_GROUPS} learning groups, too "
                "few to count groups apart"
            )
            return replace(res, cluster=cluster, verdict="not_enough_data", reason=cluster["note"])
        est = models.cluster_difference(da.rows, db_.rows)
        width = person.high - person.low
        # Groups that answer *less* alike than chance, or few groups, can make the sandwich
        # narrower than counting people apart. Counting groups apart never buys certainty:
        # the interval keeps at least the person-level width (a design effect of at least 1).
        floored = est.high - est.low < width
        if floored:
            se = width / (2 * models.Z)  # the person-level (Newcombe) width, centred on the point
            est = models.Estimate.wald(est.points / 100, se / 100)
        cluster.update(
            icc=models.icc(da.rows, db_.rows),
            low=est.low,
            high=est.high,
            widening=(est.high - est.low) / width if width > 0 else None,
            floored=floored,
        )
        res = replace(res, cluster=cluster, cluster_estimate=est)
        lead, name = est, "cluster-aware"
        why = "people in one learning group are not independent, so groups are counted apart"
    covariates = tuple(c for c in ("department", "leader") if c not in res.a.keys() | res.b.keys())
    enough = min(da.n, db_.n) >= MIN_N_FOR_VERDICT
    adjusted = (
        models.adjusted_difference(da.rows, db_.rows, covariates)
        if enough
        else models.Adjusted(None, covariates, "fewer than 20 on one side")
    )
    res = replace(res, adjusted=adjusted)
    if adjusted.estimate is not None:
        shift = adjusted.estimate.points - lead.points
        flips = adjusted.estimate.points * lead.points < 0
        if flips or abs(shift) >= LEAD_SHIFT:
            why = (
                f"the arms differ in their mix of {' and '.join(adjusted.covariates)}: "
                f"adjusting moves the difference by {words.points(shift)}"
            )
            lead, name = adjusted.estimate, "adjusted"
        else:
            why += (
                f"; adjusting for {' and '.join(adjusted.covariates)} moves it by under "
                f"{LEAD_SHIFT:.0f} points"
            )
    else:
        why += f"; not adjusted: {adjusted.reason}"
    return replace(res, lead=lead, lead_name=name, lead_why=why)


def _means(res: Result) -> Result:
    da, db_ = res.data_a, res.data_b
    diff = da.mean - db_.mean
    est = models.Estimate.wald(diff, math.hypot(da.se, db_.se), scale=1.0)
    sd = math.sqrt((da.sd**2 + db_.sd**2) / 2)
    return replace(
        res,
        person=est,
        test="Welch z-test on the two gains (before and after answers unpaired)",
        cohens_h=None,
        lead=est,
        lead_name="person-level",
        lead_why="answers to items are kept per cohort and department, not per learning group: "
        "no cluster-aware or adjusted result for means",
        adjusted=models.Adjusted(None, (), "not computed for means"),
        cohens_d=diff / sd if sd > 0 else None,
    )


def _finish(res: Result) -> Result:
    """Departments, the Simpson check, the verdict, Holm for a single pair (none)."""
    lead = res.lead
    by_dept = _by_department(res, lead)
    simpson, exceptions = _simpson(res, by_dept)
    enough = min(res.data_a.n, res.data_b.n) >= MIN_N_FOR_VERDICT
    if not enough:
        verdict = "not_enough_data"
    else:
        verdict = {1: "a_higher", -1: "b_higher", 0: "no_clear_difference"}[lead.direction()]
    return replace(
        res,
        by_department=by_dept,
        simpson=simpson,
        exceptions=exceptions,
        verdict=verdict,
        p_holm=lead.p,
    )


def _by_department(res: Result, lead: models.Estimate | None) -> pd.DataFrame:
    """Each department's two figures side by side (None where hidden) and its direction."""
    a, b = res.data_a.by_department, res.data_b.by_department
    cols = ["department", "n_a", "n_b", "rate_a", "rate_b", "direction", "clear"]
    if a.empty and b.empty:
        return pd.DataFrame(columns=cols)
    names = sorted(set(a.get("department", [])) | set(b.get("department", [])))
    rows = []
    for name in names:
        ra, rb = _dept(a, name, res.metric), _dept(b, name, res.metric)
        direction, clear = 0, False
        if ra and rb and min(ra["n"], rb["n"]) >= DEPT_MIN:
            est = _dept_difference(ra, rb, res.metric)
            direction = 1 if est.points > 0 else -1 if est.points < 0 else 0
            clear = est.excludes_zero()
        rows.append(
            {
                "department": name,
                "n_a": ra["n"] if ra else None,
                "n_b": rb["n"] if rb else None,
                "rate_a": ra["rate"] if ra else None,
                "rate_b": rb["rate"] if rb else None,
                "direction": direction,
                "clear": clear,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def _dept(df: pd.DataFrame, name: str, metric: str) -> dict | None:
    if df.empty:
        return None
    rows = df.set_index("department", drop=False)
    if name not in rows.index or pd.isna(rows.at[name, "n"]):
        return None
    r = rows.loc[name]
    if metric in MEAN_METRICS:
        return {"n": int(r["n"]), "rate": float(r["mean"]), "se": float(r["se"])}
    return {"n": int(r["n"]), "k": int(r["k"]), "rate": r["k"] / r["n"]}


def _dept_difference(ra: dict, rb: dict, metric: str) -> models.Estimate:
    if metric in MEAN_METRICS:
        return models.Estimate.wald(ra["rate"] - rb["rate"], math.hypot(ra["se"], rb["se"]), 1.0)
    c = compare_proportions(ra["k"], ra["n"], rb["k"], rb["n"])
    return models.Estimate(c.diff * 100, c.diff_low * 100, c.diff_high * 100, math.nan, c.p_value)


def _simpson(res: Result, by_dept: pd.DataFrame) -> tuple[bool, tuple[str, ...]]:
    """(Simpson reversal, departments clearly going the other way).

    A reversal: the pooled difference excludes zero, and it points the other way in most
    departments with at least DEPT_MIN per side, or the adjusted estimate has the other sign.
    """
    sign = res.pooled.direction()
    counted = by_dept[by_dept["direction"] != 0] if len(by_dept) else by_dept
    against = counted[counted["direction"] == -sign] if sign else counted.iloc[:0]
    exceptions = tuple(against.loc[against["clear"], "department"]) if sign else ()
    if not sign:
        return False, ()
    most = len(counted) > 0 and len(against) > len(counted) / 2
    adj = res.adjusted.estimate if res.adjusted else None
    flipped = adj is not None and adj.points * sign < 0
    return bool(most or flipped), exceptions


def arm_summary(d: ArmData, metric: str, rule: PrivacyRule) -> dict:
    """An arm's figure for JSON: n, rate and its 95% interval (None where hidden)."""
    out = {"n": d.n, "rate": None, "low": None, "high": None, "status": d.status}
    if d.status in (SUPPRESSED,):
        out["status_text"] = status_text(d.status, rule, d.complementary)
    if d.n is None:
        return out
    if metric in MEAN_METRICS:
        out.update(rate=d.mean, low=d.mean - models.Z * d.se, high=d.mean + models.Z * d.se)
    else:
        low, high = wilson_interval(d.k, d.n)
        out.update(rate=d.k / d.n, low=low, high=high)
    return out
