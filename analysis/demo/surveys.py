"""Survey waves: who answers which wave, when, and what they answer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analysis.demo.enrolments import agree_values
from analysis.demo.plan import (
    ACCOUNTABLE_SHARE,
    COMMENT_SHARE,
    COMMENTS,
    CONFIDENCE_GAIN,
    DATA_AS_OF,
    MAX_APPLY,
    RESPONSE_JITTER,
    RESPONSE_NOISE,
    RESPONSE_RATE,
    RESPONSE_SHIFT,
    ROLE_BLOCKED,
    SKIP_SHARE,
    UNMATCHED_SHARE,
    WAVE_FACTOR,
    WAVE_ITEMS,
    WAVE_OFFSET_DAYS,
    WAVE_WINDOW_DAYS,
)
from analysis.demo.schema import TABLE_COLUMNS


def _wave_date(r: dict, wave: str) -> date:
    """The day a wave's survey opens for a cohort."""
    anchor = r["start_date"] if wave == "pre" else r["end_date"]
    return anchor + timedelta(days=WAVE_OFFSET_DAYS[wave])


def _response_plan(rng: np.random.Generator, e: pd.DataFrame) -> pd.DataFrame:
    """Which enrolment answers which closed wave (rows: enrolment position and wave).

    Each cohort and wave gets its own response rate (the wave's rate, shifted by format, jittered);
    the most responsive people answer, chosen separately among those who applied and those who
    did not, so answering never depends on applying and the respondents' rate stays faithful.
    """
    frames = []
    for w, wave in enumerate(WAVE_ITEMS):
        anchor = e["start_date"] if wave == "pre" else e["end_date"]
        shift = timedelta(days=WAVE_OFFSET_DAYS[wave] + WAVE_WINDOW_DAYS)
        f = pd.DataFrame({"enr": np.arange(len(e)), "w": w, "cohort_id": e["cohort_id"]})
        f["rate"] = RESPONSE_RATE[wave] + e["format"].map(RESPONSE_SHIFT).to_numpy()
        f["applied"] = _applied(e["u_apply"], e["p30"], "d30" if wave == "pre" else wave)
        f["latent"] = e["responsive"].to_numpy() + RESPONSE_NOISE * rng.standard_normal(len(e))
        frames.append(f[[d + shift <= DATA_AS_OF for d in anchor]])
    plan = pd.concat(frames, ignore_index=True)
    waves = plan[["cohort_id", "w"]].drop_duplicates()
    waves["jitter"] = rng.normal(0.0, RESPONSE_JITTER, len(waves))
    plan = plan.merge(waves, on=["cohort_id", "w"], how="left")
    cell = ["cohort_id", "w", "applied"]
    cells = plan[cell].drop_duplicates()
    cells["u"] = rng.random(len(cells))
    plan = plan.merge(cells, on=cell, how="left")
    rank = plan.groupby(cell)["latent"].rank(method="first", ascending=False) - 1
    size = plan.groupby(cell)["latent"].transform("size")
    quota = np.floor(size * np.clip(plan["rate"] + plan["jitter"], 0.05, 0.98) + plan["u"])
    return plan.loc[rank < quota, ["enr", "w"]]


def _applied(u: ArrayLike, p30: ArrayLike, wave: str) -> np.ndarray:
    """Applied by this wave: the enrolment's uniform falls under its decayed probability."""
    return np.asarray(u) < np.minimum(np.asarray(p30) * WAVE_FACTOR[wave], MAX_APPLY)


def _submitted_at(rng: np.random.Generator, r: dict, wave: str) -> datetime:
    """A submission time inside the wave's window (before the start for the pre survey)."""
    days = int(rng.integers(1, 10)) if wave == "pre" else int(rng.integers(0, WAVE_WINDOW_DAYS))
    day = _wave_date(r, wave) + timedelta(days=days)
    seconds = int(rng.integers(8 * 3600, 19 * 3600))
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def _likert(rng: np.random.Generator, positive: bool) -> int:
    """One agreement answer, positive (4-5) or not (1-3)."""
    return int(agree_values(rng, np.array([positive]))[0])


def _jitter(rng: np.random.Generator, value: int) -> int:
    """A repeated answer: usually the same, sometimes one step off."""
    if rng.random() < 0.1:
        return int(min(5, max(1, value + (1 if rng.random() < 0.5 else -1))))
    return int(value)


def _confidence(rng: np.random.Generator, r: dict, wave: str, applied: bool) -> int:
    """Confidence: low before, higher after (most for self-directed), a bit higher if applied."""
    level = r["confidence0"]
    if wave != "pre":
        gain = CONFIDENCE_GAIN[r["format"]] * (1.0 if wave == "post" else 0.9)
        level += gain + 0.35 * applied
    return int(min(5, max(1, round(level + rng.normal(0, 0.5)))))


def _readiness(rng: np.random.Generator, r: dict, applied: bool) -> int:
    """Thalheimer's six options (1..6); 'my role does not enable me' mostly among non-appliers."""
    if applied:
        return int(rng.choice([3, 4, 5, 6], p=[0.06, 0.34, 0.48, 0.12]))
    blocked = ROLE_BLOCKED[r["format"]] * (0.5 if r["relevant"] else 1.5)
    if rng.random() < blocked:
        return 1
    return int(rng.choice([2, 3, 4], p=[0.3, 0.4, 0.3]))


def _nps(rng: np.random.Generator, applied: bool) -> int:
    """Likelihood to recommend, 0..10."""
    if applied:
        return int(rng.choice([7, 8, 9, 10], p=[0.15, 0.30, 0.30, 0.25]))
    return int(rng.choice([3, 4, 5, 6, 7, 8], p=[0.05, 0.10, 0.15, 0.25, 0.25, 0.20]))


def _comment(rng: np.random.Generator, r: dict, applied: bool, readiness: int) -> str:
    """A short comment that fits the answers."""
    fmt = r["format"]
    if readiness == 1:
        bank = "blocked"
    elif applied:
        bank = {"small_group": "applied_group", "self_directed": "applied_self"}.get(fmt)
        bank = bank if bank and rng.random() < 0.5 else "applied"
    else:
        bank = {"everyone_at_once": "everyone", "self_directed": "alone"}.get(fmt)
        bank = bank if bank and rng.random() < 0.5 else "not_yet"
    options = COMMENTS[bank]
    return options[int(rng.integers(0, len(options)))]


def _answers(
    rng: np.random.Generator, r: dict, wave: str
) -> list[tuple[str, int | None, str | None]]:
    """(item_id, value, text) for one response; applied follows the enrolment's propensity."""
    applied = wave != "pre" and bool(_applied(r["u_apply"], r["p30"], wave))
    accountable = ACCOUNTABLE_SHARE.get(r["variant"], ACCOUNTABLE_SHARE[r["format"]])
    readiness = _readiness(rng, r, applied) if wave != "pre" else 0
    values: dict[str, int] = {
        "app_used": _likert(rng, applied),
        "eng_kept": _likert(rng, rng.random() < (0.85 if r["attended_share"] >= 0.75 else 0.2)),
        "rel_work": _jitter(rng, r["rel_value"]),
        "conf_skill": _confidence(rng, r, wave, applied),
        "acc_expected": _likert(rng, rng.random() < accountable),
        "mot_chose": int(r["mot_value"]),
        "readiness": readiness,
        "nps": _nps(rng, applied),
    }
    comment_share = COMMENT_SHARE["post" if wave == "post" else "follow_up"]
    out: list[tuple[str, int | None, str | None]] = []
    for item in WAVE_ITEMS[wave]:
        draw = rng.random()
        if item == "comment":
            if draw < comment_share:
                out.append((item, None, _comment(rng, r, applied, readiness)))
        elif item == "app_used" or draw >= SKIP_SHARE:
            out.append((item, values[item], None))
    return out


def build_surveys(
    rng: np.random.Generator, e: pd.DataFrame, keys: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Responses and long answers for every planned response, in cohort and wave order."""
    plan = _response_plan(rng, e)
    cohort_rank = {c: i for i, c in enumerate(dict.fromkeys(e["cohort_id"]))}
    plan["c"] = e["cohort_id"].map(cohort_rank).to_numpy()[plan["enr"]]
    plan = plan.sort_values(["c", "w", "enr"], kind="stable")
    records = e.to_dict("records")
    wave_names = list(WAVE_ITEMS)
    responses: list[tuple] = []
    answers: list[tuple] = []
    for enr, w in zip(plan["enr"], plan["w"], strict=True):
        r, wave = records[enr], wave_names[w]
        matched = rng.random() >= UNMATCHED_SHARE
        seq = len(responses)
        responses.append(
            (
                seq,
                keys[r["person"]] if matched else None,
                r["cohort_id"],
                # A small group's survey link is the group's own, so an answer that cannot
                # be matched to a person still knows its group; other links are per cohort.
                r["group_id"] if matched or r["format"] == "small_group" else None,
                wave,
                _submitted_at(rng, r, wave),
            )
        )
        answers += [(seq, *a) for a in _answers(rng, r, wave)]
    resp = pd.DataFrame(responses, columns=["seq", *list(TABLE_COLUMNS["survey_responses"])[1:]])
    resp.insert(0, "response_id", [f"R{i + 1:05d}" for i in resp["seq"]])
    ans = pd.DataFrame(answers, columns=["seq", "item_id", "value", "text"])
    ans.insert(0, "response_id", [f"R{i + 1:05d}" for i in ans["seq"]])
    resp = resp[list(TABLE_COLUMNS["survey_responses"])]
    return resp, ans[list(TABLE_COLUMNS["survey_answers"])]
