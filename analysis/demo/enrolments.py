"""Each enrolment's latent traits: attending, applying, answering, relevance and motivation."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pandas as pd

from analysis.demo.plan import (
    APPLY_BOUNDS,
    APPLY_D30,
    ENROL_DAYS_BEFORE,
    FINANCE_SELF_DIRECTED,
    FINANCE_SMALL_GROUP_SHIFT,
    GROUP_COACHING_D30,
    LATENT_CORRELATION,
    MOTIVATED_SHARE,
    MOTIVATION_SHIFT,
    RELEVANCE_SHIFT,
    RELEVANT_SHARE,
    RESPONSIVE_OWN,
    RESPONSIVE_SHARED,
)


def _phi(x: np.ndarray) -> np.ndarray:
    """The standard normal distribution function."""
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def agree_values(rng: np.random.Generator, positive: np.ndarray) -> np.ndarray:
    """Answers on a 1-5 agreement scale: 4-5 where positive, 1-3 otherwise."""
    high = rng.choice([4, 5], size=len(positive), p=[0.55, 0.45])
    low = rng.choice([1, 2, 3], size=len(positive), p=[0.15, 0.40, 0.45])
    return np.where(positive, high, low)


def enrolment_frame(
    rng: np.random.Generator,
    people: pd.DataFrame,
    cohorts: pd.DataFrame,
    groups: pd.DataFrame,
    members: pd.DataFrame,
) -> pd.DataFrame:
    """One row per enrolment with its cohort facts and latent traits."""
    e = members.merge(cohorts, on="cohort_id", how="left").merge(
        groups[["group_id", "works_together"]], on="group_id", how="left"
    )
    e["department"] = people["department"].to_numpy()[e["person"]]
    e["is_manager"] = people["is_manager"].to_numpy()[e["person"]]
    e["is_finance"] = e["department"] == "Finance"
    n = len(e)
    z = rng.standard_normal(n)
    rho, rest = LATENT_CORRELATION, math.sqrt(1 - LATENT_CORRELATION**2)
    e["u_attend"] = _phi(rho * z + rest * rng.standard_normal(n))
    apply_latent = rho * z + rest * rng.standard_normal(n)
    e["responsive"] = RESPONSIVE_SHARED * z + RESPONSIVE_OWN * rng.standard_normal(n)
    finance_sd = (e["department"] == "Finance") & (e["format"] == "self_directed")
    relevant_p = np.where(
        finance_sd, FINANCE_SELF_DIRECTED["relevant"], e["format"].map(RELEVANT_SHARE)
    )
    motivated_p = np.where(
        finance_sd, FINANCE_SELF_DIRECTED["motivated"], e["format"].map(MOTIVATED_SHARE)
    )
    e["relevant"] = rng.random(n) < relevant_p
    e["motivated"] = rng.random(n) < motivated_p
    e["rel_value"] = agree_values(rng, e["relevant"].to_numpy())
    e["mot_value"] = agree_values(rng, e["motivated"].to_numpy())
    e["confidence0"] = rng.normal(2.5, 0.7, n)
    e["p30"] = _apply_probability(e)
    e["u_apply"] = _stratified_uniforms(rng, e, apply_latent)
    days_before = rng.integers(*ENROL_DAYS_BEFORE, n)
    e["enrolled_on"] = [
        s - timedelta(days=int(d)) for s, d in zip(e["start_date"], days_before, strict=True)
    ]
    return e


def _stratified_uniforms(
    rng: np.random.Generator, e: pd.DataFrame, latent: np.ndarray
) -> np.ndarray:
    """Uniforms, low where the latent is high, spread evenly inside each cell of equal odds.

    Stratifying keeps each cell's applied share close to its built-in probability, so the effects
    in the README show up in the data instead of being blurred by sampling noise.
    """
    sd = e["format"] == "self_directed"
    cell = pd.DataFrame(
        {
            "variant": e["variant"],
            "close": e["works_together"].astype(bool) & (e["variant"] == "group_coaching"),
            "manager": e["is_manager"].astype(bool),
            "finance": e["is_finance"].astype(bool),
            "relevant": e["relevant"].astype(bool),
            "motivated": e["motivated"].astype(bool) & sd,
        }
    )
    u = np.empty(len(e))
    for _, idx in sorted(cell.groupby(list(cell.columns)).indices.items(), key=lambda kv: kv[0]):
        order = idx[np.argsort(-latent[idx], kind="stable")]
        u[order] = (np.arange(len(idx)) + rng.random(len(idx))) / len(idx)
    return u


def _apply_probability(e: pd.DataFrame) -> np.ndarray:
    """Probability of applying at 30 days: variant, relevance, motivation, Finance."""
    base = np.array(e["variant"].map(APPLY_D30), dtype=float)
    coaching = (e["variant"] == "group_coaching").to_numpy()
    base[coaching] = np.where(
        e["works_together"].to_numpy()[coaching],
        GROUP_COACHING_D30[True],
        GROUP_COACHING_D30[False],
    )
    p = base + np.where(e["relevant"], RELEVANCE_SHIFT, -RELEVANCE_SHIFT)
    self_directed = (e["format"] == "self_directed").to_numpy()
    finance = (e["department"] == "Finance").to_numpy()
    mot = np.where(e["motivated"], MOTIVATION_SHIFT[True], MOTIVATION_SHIFT[False])
    p += np.where(self_directed, mot, 0.0)
    p += np.where(self_directed & finance, FINANCE_SELF_DIRECTED["shift"], 0.0)
    p += np.where(
        (e["format"] == "small_group").to_numpy() & finance, FINANCE_SMALL_GROUP_SHIFT, 0.0
    )
    return np.clip(p, *APPLY_BOUNDS)
