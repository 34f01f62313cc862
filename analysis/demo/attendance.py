"""Who attended which session (or was active which week), for how long, and who completed."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analysis.demo.plan import ATTENDANCE, NO_SESSION_VARIANTS, SESSION_MINUTES
from analysis.demo.schema import TABLE_COLUMNS
from analysis.domain import VARIANT_FORMAT


def _attendance_params(variant: str) -> tuple[float, float, float]:
    """Never-show, dropout and miss probabilities for a variant."""
    return ATTENDANCE.get(variant) or ATTENDANCE[VARIANT_FORMAT[variant]]


def _attended_slots(rng: np.random.Generator, row: dict) -> list[int]:
    """Which sessions (or planned weeks) one person attended (0-based)."""
    slots = row["scheduled_sessions"] or row["planned_weeks"]
    never, dropout, miss = _attendance_params(row["variant"])
    u = row["u_attend"]
    misses = rng.random(slots) < miss
    if u < never:
        return []
    stay = (u - never) / (1.0 - never)  # high latent -> stays longer
    last = 1 + math.floor(math.log(max(1.0 - stay, 1e-12)) / math.log(1.0 - dropout))
    return [k for k in range(min(last, slots)) if not misses[k]]


def build_attendance(rng: np.random.Generator, e: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """Presence rows and completion dates (or None); sets e["attended_share"]."""
    rows: list[tuple] = []
    completed: list[date | None] = []
    shares: list[float] = []
    for r in e.to_dict("records"):
        slots = _attended_slots(rng, r)
        n_slots = r["scheduled_sessions"] or r["planned_weeks"]
        dates = [_slot_date(rng, r, k) for k in slots]
        minutes = _slot_minutes(rng, r["variant"], len(slots))
        kind = "session" if r["scheduled_sessions"] else "activity"
        rows += [
            (r["person"], r["cohort_id"], r["group_id"], kind, d, True, m)
            for d, m in zip(dates, minutes, strict=True)
        ]
        completed.append(_completion(rng, len(slots) / n_slots, dates))
        shares.append(len(slots) / n_slots)
    e["attended_share"] = shares
    cols = ["person", *list(TABLE_COLUMNS["attendance"])[1:]]
    return pd.DataFrame(rows, columns=cols), completed


def _slot_date(rng: np.random.Generator, r: dict, k: int) -> date:
    """The date of session k, or a day inside active week k."""
    if r["variant"] == "conference":
        return r["start_date"] + timedelta(days=k)
    if r["scheduled_sessions"]:
        return r["start_date"] + timedelta(weeks=k)
    return r["start_date"] + timedelta(weeks=k, days=int(rng.integers(0, 7)))


def _slot_minutes(rng: np.random.Generator, variant: str, n: int) -> list[int]:
    """Minutes present per attended session, or minutes of LMS activity per active week."""
    if variant in NO_SESSION_VARIANTS:
        return [int(m) for m in rng.integers(3, 25, n) * 5]
    full = SESSION_MINUTES[variant]
    late = rng.random(n) < 0.15
    cut = rng.integers(1, 4, n) * (15 if variant != "conference" else 60)
    return [int(full - c) if is_late else full for is_late, c in zip(late, cut, strict=True)]


def _completion(rng: np.random.Generator, share: float, dates: list[date]) -> date | None:
    """Completed: most who attended 75%+, some who attended half, a few who caught up later."""
    chance = 0.9 if share >= 0.75 else 0.4 if share >= 0.5 else 0.08 if share >= 0.25 else 0.0
    done = rng.random() < chance
    return max(dates) if done and dates else None
