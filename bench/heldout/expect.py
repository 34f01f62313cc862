"""What each claim's comparisons should show on the held-out organisation, worked out from the
chances the people were drawn with (not from what they happened to do).

For every comparison the claims make: the expected pooled difference (people as drawn, every
department together) and the expected difference within departments (each department's own
difference, weighted by its people in the two arms). Both are in points (scale points for the
confidence gain). A true or reversed claim's within-department difference must have the drawn
sign: `check` says so before anything is imported, so a wrong generator cannot pass for a wrong
analysis.
"""

from __future__ import annotations

from math import erf, sqrt

import numpy as np
import pandas as pd

from bench.heldout import org
from bench.heldout.behaviour import rates
from bench.heldout.org import ALL, SELF, SMALL
from bench.heldout.rules import Draw, combined_kind

Arm = dict[str, object]  # column → value(s) a person must have


def _mask(people: pd.DataFrame, arm: Arm) -> np.ndarray:
    keep = np.ones(len(people), dtype=bool)
    for col, value in arm.items():
        values = value if isinstance(value, tuple) else (value,)
        keep &= people[col].isin(values).to_numpy()
    return keep


def comparisons() -> dict[int, list[tuple[str, Arm, Arm]]]:
    """Per claim, (metric, arm a, arm b) as analysis/compare/claims.py makes them."""
    within = [("application", {"format": f, "relevant": True}, {"format": f, "relevant": False})
              for f in (ALL, SELF, SMALL)]  # fmt: skip
    return {
        1: [("application", {"format": SMALL}, {"format": ALL}),
            ("application", {"format": SMALL}, {"format": SELF})],
        2: [("week5", {"format": (SMALL, ALL)}, {"format": SELF})],
        3: [("application", {"variant": "pilot_team"}, {"variant": "org_wide"})],
        4: [("completion", {"variant": "course_buddies"}, {"variant": "self_paced_course"}),
            ("application", {"variant": "course_buddies"}, {"variant": "self_paced_course"})],
        5: [("application", {"variant": "book_club"}, {"variant": "self_study_alone"})],
        6: [("application", {"variant": "group_coaching", "close": True},
             {"variant": "group_coaching", "close": False})],
        7: within,
        8: [("application", {"format": SELF, "motivated": True},
             {"format": SELF, "motivated": False})],
        9: [("application", {"format": SMALL, "leader": True},
             {"format": (ALL, SELF), "leader": True}),
            ("application", {"format": SMALL, "leader": False},
             {"format": (ALL, SELF), "leader": False})],
        10: [("participation", {"format": ALL}, {"format": SELF}),
             ("participation", {"format": ALL}, {"format": SMALL}),
             ("confidence_gain", {"format": SELF}, {"format": ALL}),
             ("confidence_gain", {"format": SELF}, {"format": SMALL}),
             ("application", {"format": SMALL}, {"format": ALL}),
             ("application", {"format": SMALL}, {"format": SELF})],
    }  # fmt: skip


def chances(d: Draw, people: pd.DataFrame) -> pd.DataFrame:
    """Each person's expected value of every metric (a chance, or a confidence gain)."""
    r = rates(d)
    out = pd.DataFrame(index=people.index)
    out["application"] = people["p_apply"]
    out["participation"] = people["format"].map(r["participation"])
    out["week5"] = people["format"].map(r["week5"])
    out["completion"] = people["variant"].map(r["completion"]).fillna(org.COMPLETION)
    pre = _rounded_mean(org.CONFIDENCE_PRE)
    out["confidence_gain"] = people["format"].map(
        lambda f: _rounded_mean(org.CONFIDENCE_PRE + r["gain"][f]) - pre
    )
    return out


def _rounded_mean(mean: float) -> float:
    """The mean of an answer drawn as a normal, rounded and kept within 1–5."""

    def cdf(x: float) -> float:
        return 0.5 * (1 + erf((x - mean) / (org.CONFIDENCE_SD * sqrt(2))))

    cuts = [-np.inf, 1.5, 2.5, 3.5, 4.5, np.inf]
    return sum(v * (cdf(cuts[v]) - cdf(cuts[v - 1])) for v in range(1, 6))


def expected(d: Draw, people: pd.DataFrame) -> dict[int, list[dict]]:
    """Per claim, each comparison's expected pooled and within-department difference."""
    values = chances(d, people)
    scale = {"confidence_gain": 1.0}
    out: dict[int, list[dict]] = {}
    for claim, pairs in comparisons().items():
        out[claim] = []
        for metric, a, b in pairs:
            ma, mb = _mask(people, a), _mask(people, b)
            x = values[metric].to_numpy() * scale.get(metric, 100.0)
            row = {"metric": metric, "a": _words(a), "b": _words(b),
                   "n_a": int(ma.sum()), "n_b": int(mb.sum())}  # fmt: skip
            if ma.any() and mb.any():
                row["pooled"] = round(float(x[ma].mean() - x[mb].mean()), 2)
                row["within"] = round(_within(people, x, ma, mb), 2)
            out[claim].append(row)
    return out


def _within(people: pd.DataFrame, x: np.ndarray, ma: np.ndarray, mb: np.ndarray) -> float:
    diffs, weights = [], []
    for dept in org.DEPARTMENTS:
        in_dept = (people["dept"] == dept).to_numpy()
        a, b = ma & in_dept, mb & in_dept
        if a.any() and b.any():
            diffs.append(x[a].mean() - x[b].mean())
            weights.append(a.sum() + b.sum())
    return float(np.average(diffs, weights=weights)) if diffs else float("nan")


def _words(arm: Arm) -> str:
    return ", ".join(
        f"{k}={'+'.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in arm.items()
    )


def interaction(rows: list[dict], key: str) -> float:
    """Claim 9: leaders' small-group difference minus individual contributors'."""
    return rows[0][key] - rows[1][key]


MAX_GAP = 3.0  # points between pooled and within-department, outside the confounded claim


def check(d: Draw, exp: dict[int, list[dict]]) -> list[str]:
    """Where the generator's own expectations contradict its draw (should be empty): a true or
    reversed claim whose within-department difference has the other sign, or a claim other
    than the confounded one whose arms (100 people or more each) differ in their departments
    enough to move the pooled difference by more than MAX_GAP points."""
    problems = []
    for claim, rows in exp.items():
        for r in rows:
            big = claim != d.confounded and min(r["n_a"], r["n_b"]) >= 100
            if big and abs(r["pooled"] - r["within"]) > MAX_GAP:
                problems.append(f"claim {claim}: departments confound {r}")
        kind = d.kinds[claim]
        if kind not in ("true", "reversed"):
            continue
        sign = 1 if kind == "true" else -1
        if claim == 9:
            values = [interaction(rows, "within")]
        elif claim == 10:
            values = [r["within"] for r in rows[:4]]  # its own parts; the rest is claim 1's
        else:
            values = [r["within"] for r in rows]
        if any(np.sign(v) != sign for v in values):
            problems.append(f"claim {claim}: drawn {kind}, expected within-department {values}")
    return problems


def truth_words(d: Draw, claim: int, exp: dict[int, list[dict]]) -> str:
    """The drawn truth of a claim in a few words, for the table."""
    from bench.heldout.rules import RULES

    kind = d.kinds[claim]
    if kind == "thin":
        return f"thin: {RULES[claim].thin}"
    words = kind if kind == "null" else f"{kind} {d.points[claim]:+.0f}"
    if claim == 10:
        part = "null" if kind == "null" else f"{kind} {d.points[10]:+.0f} pts, {d.gain:+.2f} conf"
        words = f"{part}; app = claim 1 → {combined_kind(d, 10)}"
    if d.confounded == claim:
        words += f", confounded (pooled {exp[claim][0]['pooled']:+.0f})"
    return words
