"""Comparisons and claims as plain JSON-ready dicts (the command line prints them)."""

from __future__ import annotations

import argparse
import math

import numpy as np

from analysis.compare.arms import parse_arm
from analysis.compare.claims import claims
from analysis.compare.core import Result, arm_summary, compare
from analysis.compare.data import METRIC_WORDS
from analysis.domain import DEFAULT_MIN_GROUP_SIZE
from analysis.privacy import PrivacyRule
from analysis.store import Store


def _num(x: object) -> object:
    """A JSON number: plain floats, rounded to 4 places; NaN and None as null."""
    if x is None:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    value = float(x)
    return None if math.isnan(value) or math.isinf(value) else round(value, 4)


def _count(x: object) -> int | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else int(x)


def result_dict(r: Result, rule: PrivacyRule) -> dict:
    """One comparison as the command line's JSON object."""
    arms = {}
    for side, a, d in (("a", r.a, r.data_a), ("b", r.b, r.data_b)):
        summary = {
            k: _num(v) if k not in ("status", "status_text") else v
            for k, v in arm_summary(d, r.metric, rule).items()
        }
        arms[side] = {"label": a.label, "definition": a.describe(), **summary}
    est = r.person
    cluster = None
    if r.cluster is not None:
        cluster = {k: v if k in ("note", "floored") else _num(v) for k, v in r.cluster.items()}
    adj = r.adjusted.estimate if r.adjusted else None
    depts = [
        {
            "department": row["department"],
            "n_a": _count(row["n_a"]),
            "n_b": _count(row["n_b"]),
            "rate_a": _num(row["rate_a"]),
            "rate_b": _num(row["rate_b"]),
        }
        for _, row in r.by_department.iterrows()
    ]
    return {
        "metric": r.metric,
        "measure": METRIC_WORDS[r.metric],
        "wave": r.wave,
        "week": r.week,
        "unit": r.unit,
        **arms,
        "difference": None
        if est is None
        else {"points": _num(est.points), "low": _num(est.low), "high": _num(est.high)},
        "p": _num(est.p) if est else None,
        "p_holm": _num(r.p_holm),
        "test": r.test,
        "cohens_h": _num(r.cohens_h),
        "cohens_d": _num(r.cohens_d),
        "cluster": cluster,
        "by_department": depts,
        "simpson": bool(r.simpson),
        "exceptions": list(r.exceptions),
        "adjusted": None
        if adj is None
        else {
            "points": _num(adj.points),
            "low": _num(adj.low),
            "high": _num(adj.high),
            "covariates": list(r.adjusted.covariates),
        },
        "adjusted_note": r.adjusted.reason if r.adjusted and adj is None else "",
        "leads": None
        if r.lead is None
        else {
            "result": r.lead_name,
            "why": r.lead_why,
            "points": _num(r.lead.points),
            "low": _num(r.lead.low),
            "high": _num(r.lead.high),
            "p": _num(r.lead.p),
        },
        "verdict": r.verdict,
        "words": r.words,
    }


def _rule(store: Store, args: argparse.Namespace) -> PrivacyRule:
    size = args.min_group_size or int(
        store.get_setting("min_group_size", str(DEFAULT_MIN_GROUP_SIZE))
    )
    return PrivacyRule(size)


def run(command: str, args: argparse.Namespace) -> dict | list:
    """`compare` or `claims` on the database in --db (or $FORMATFIT_DB)."""
    store = Store(args.db, mode="read")  # read-only: works while the app runs
    try:
        rule = _rule(store, args)
        if command == "compare":
            a, b = parse_arm(args.a, store), parse_arm(args.b, store)
            r = compare(store, a, b, args.metric, rule, wave=args.wave, week=args.week)
            return result_dict(r, rule)
        return [c.to_dict() for c in claims(store, rule)]
    finally:
        store.close()
