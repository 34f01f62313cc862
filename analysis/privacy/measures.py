"""The survey measures in privacy cells, built once per dataset version and minimum group size.

A measure is one body of answers that figures are counted from: the application answers of one
wave, or the answers to one item in one wave. Its cells do not depend on any view, so every
view of it (every filter, page option, drill-down or comparison arm) counts the same cells.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from itertools import pairwise

import numpy as np
import pandas as pd

from analysis import engine
from analysis.domain import ARM_SEGMENT_LEVELS, FUNNEL_PATH_SHOWN, SEGMENT_LEVELS
from analysis.privacy.rule import PrivacyRule
from analysis.privacy.step import SurveyCells, make_cells
from analysis.queries import Filters, run_query
from analysis.single_flight import SingleFlight
from analysis.store import Store

APPLICATION_SUMS = ("respondents", "applied", "unmatched")
# The segment columns of the application answers, each with the levels a figure may show.
LEVEL_COLS: dict[str, tuple[str, ...]] = {
    **SEGMENT_LEVELS,
    **ARM_SEGMENT_LEVELS,
    "funnel_path": FUNNEL_PATH_SHOWN,
}
ANSWER_VALUES = {"agree5": range(1, 6), "readiness": range(1, 7)}

_MEMO: OrderedDict[tuple, SurveyCells] = OrderedDict()
_MEMO_MAX = 64
_LOCK = threading.Lock()
_FLIGHTS = SingleFlight()


def _memo(db: Store, rule: PrivacyRule, name: str, build) -> SurveyCells:
    key = (*engine.data_key(db), rule.min_group_size, name)

    def keep() -> SurveyCells:
        hit = build()
        with _LOCK:
            _MEMO[key] = hit
            while len(_MEMO) > _MEMO_MAX:
                _MEMO.popitem(last=False)
        return hit

    # sessions asking at once (after an import) build it once
    return _FLIGHTS.once(key, lambda: _get(_MEMO, key), keep)


def _get(memo: dict, key: tuple):
    with _LOCK:
        return memo.get(key)


def _all(db: Store, name: str) -> pd.DataFrame:
    """A named cell query over the whole dataset (the privacy step does the filtering).

    Not copied: the callers below only read it.
    """
    return run_query(db, name, Filters(), copy=False)


def _answer_rows(db: Store) -> dict[tuple[str, str], pd.DataFrame]:
    """survey_cells_answers split once per (wave, item), per dataset version."""
    key = (*engine.data_key(db), "answer rows")

    def keep() -> dict[tuple[str, str], pd.DataFrame]:
        hit = _split_answers(_all(db, "survey_cells_answers"))
        with _LOCK:
            _SPLITS.clear()  # one dataset version at a time is enough
            _SPLITS[key] = hit
        return hit

    return _FLIGHTS.once(key, lambda: _get(_SPLITS, key), keep)


def _split_answers(rows: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """The answer cells (ordered by wave and item) split per (wave, item)."""
    waves, items = (rows[c].to_numpy(dtype=object) for c in ("wave", "item_id"))
    change = np.flatnonzero((waves[1:] != waves[:-1]) | (items[1:] != items[:-1])) + 1
    bounds = [0, *change.tolist(), len(rows)]
    return {(waves[lo], items[lo]): rows.iloc[lo:hi] for lo, hi in pairwise(bounds) if hi > lo}


_SPLITS: dict[tuple, dict] = {}


def application(db: Store, wave: str, rule: PrivacyRule) -> SurveyCells:
    """Application answers of one follow-up wave, with group, segment levels and enrolled."""

    def build() -> SurveyCells:
        rows = _all(db, "survey_cells_application")
        enrolled = _all(db, "survey_cells_enrolled")
        return make_cells(
            f"application:{wave}",
            rows[rows["wave"] == wave].drop(columns="wave"),
            _all(db, "survey_cells_cohorts"),
            "respondents",
            APPLICATION_SUMS,
            rule,
            level_cols=LEVEL_COLS,
            enrolled=enrolled[enrolled["wave"] == wave].drop(columns="wave"),
        )

    return _memo(db, rule, f"application:{wave}", build)


def answers(
    db: Store, wave: str, item_ids: tuple[str, ...], rule: PrivacyRule, values: range
) -> SurveyCells:
    """Answers to one item (or items of one role) in one wave: `answers` and a count per value.

    `v1`, `v2`, … count the answers with each value; `answers` is their sum.
    """

    def build() -> SurveyCells:
        parts = _answer_rows(db)
        empty = _all(db, "survey_cells_answers").iloc[:0]
        rows = pd.concat([parts.get((wave, i), empty) for i in item_ids], ignore_index=True)
        counts = [f"v{v}" for v in values]
        rows = rows[["cohort_id", "department", *counts]].assign(answers=rows[counts].sum(axis=1))
        sums = ["answers", *counts]
        return make_cells(name, rows, _all(db, "survey_cells_cohorts"), "answers", sums, rule)

    name = f"answers:{wave}:{'|'.join(sorted(item_ids))}"
    return _memo(db, rule, name, build)


def items(db: Store, wave: str) -> pd.DataFrame:
    """The agreement and readiness items answered in a wave: item_id, text, role, scale."""
    ids = {item for w, item in _answer_rows(db) if w == wave}
    catalogue = _all(db, "survey_items")
    return catalogue[catalogue["item_id"].isin(ids)].reset_index(drop=True)


def responses(db: Store, wave: str, rule: PrivacyRule) -> SurveyCells:
    """Responses of one wave (any answer) per whole cohort, with people enrolled: the Data
    health page's response rates. Cells never split a cohort by department."""

    def build() -> SurveyCells:
        rows = _all(db, "health_cells_responses")
        return make_cells(
            f"responses:{wave}",
            rows[rows["wave"] == wave].drop(columns="wave"),
            _all(db, "survey_cells_cohorts"),
            "respondents",
            ("respondents", "unmatched"),
            rule,
            enrolled=_all(db, "health_cells_enrolled"),
        )

    return _memo(db, rule, f"responses:{wave}", build)
