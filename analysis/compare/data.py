"""Each arm's numbers for one metric: its total, its rows for the models, its departments.

Survey metrics (application, confidence gain) come out of the one privacy step: the arm's
figure is `survey_figure` for the arm's view, and the rows behind it (for cluster-aware and
adjusted models) are exactly the rows that figure counts (`counted_rows`). Operational metrics
(engagement, participation, completion, active share in a week) come from one aggregate query
over enrolments; they are not survey answers, but an arm or department under the minimum group
size is still not shown on its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import engine
from analysis.compare.arms import SURVEY_SEGMENTS, Arm, ArmError
from analysis.compare.models import ROW_COLS
from analysis.domain import COMPARE_METRICS as METRICS
from analysis.domain import ENGAGED_SHARE
from analysis.domain import MEAN_METRICS as MEAN_METRICS  # the pages ask here
from analysis.privacy import NO_DATA, SHOWN, SUPPRESSED, VISIBLE, PrivacyRule, measures
from analysis.privacy.step import DEPT_PREFIX, counted_rows, survey_figure
from analysis.queries import Filters, run_query
from analysis.store import Store

METRIC_WORDS = {
    "engagement": "engaged (attended at least 75% of sessions or planned weeks) ÷ enrolled",
    "participation": "attended or active at least once ÷ enrolled",
    "completion": "completed ÷ enrolled",
    "application": "applied at work (self-reported) ÷ respondents",
    "momentum": "active in the week ÷ enrolled in cohorts that reached it",
    "confidence_gain": "mean confidence after minus before (1–5 scale, unpaired)",
}
OPERATIONAL = {  # metric → (successes column, denominator column) in compare_enrolments
    "engagement": ("engaged", "enrolled"),
    "participation": ("participated", "enrolled"),
    "completion": ("completed", "enrolled"),
    "momentum": ("active_week", "in_week"),
}
CONFIDENCE_VALUES = range(1, 6)


@dataclass(frozen=True)
class ArmData:
    """One arm's figure: status, n and successes (or a mean), rows and departments."""

    status: str
    n: int | None
    k: int | None = None  # successes (rate metrics)
    complementary: bool = False
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(ROW_COLS)))
    by_department: pd.DataFrame = field(default_factory=pd.DataFrame)  # department, n, k, status
    mean: float | None = None  # mean metrics: the arm's gain
    se: float | None = None
    sd: float | None = None  # spread of single answers (for the effect size)
    coverage: frozenset = frozenset()
    figures: dict = field(
        default_factory=dict
    )  # the privacy step's frames ('arm', 'by_department')

    @property
    def visible(self) -> bool:
        """Shown (in full or in part)."""
        return self.status in VISIBLE


def arm_data(
    db: Store,
    arm: Arm,
    metric: str,
    rule: PrivacyRule,
    *,
    wave: str = "d30",
    week: int = 0,
    base: Filters | None = None,
) -> ArmData:
    """One arm's numbers for a metric (`week` is 0-based: 0 is the first week).

    Kept per open database and dataset version: the claims ask for the same arms many times.
    """
    key = (*engine.data_key(db), arm, metric, rule, wave, week, base)
    with _LOCK:
        hit = _MEMO.get(key)
    if hit is None:
        hit = _arm_data(db, arm, metric, rule, wave, week, base)
        with _LOCK:
            _MEMO[key] = hit
            while len(_MEMO) > _MEMO_MAX:
                _MEMO.popitem(last=False)
    return hit


_MEMO: OrderedDict[tuple, ArmData] = OrderedDict()
_MEMO_MAX = 256
_LOCK = threading.Lock()


def _arm_data(
    db: Store,
    arm: Arm,
    metric: str,
    rule: PrivacyRule,
    wave: str,
    week: int,
    base: Filters | None,
) -> ArmData:
    if metric == "application":
        return _application(db, arm, wave, rule, base)
    if metric == "confidence_gain":
        return _confidence_gain(db, arm, rule, base)
    if metric in OPERATIONAL:
        return _operational(db, arm, metric, rule, week, base)
    raise ArmError(f"unknown metric {metric!r} (one of {', '.join(METRICS)})")


def _department_name(key: str) -> str | None:
    return key[len(DEPT_PREFIX) :] if key.startswith(DEPT_PREFIX) else None


def _figure_row(fig: pd.DataFrame) -> pd.Series | None:
    return fig.iloc[0] if len(fig) else None


def _application(
    db: Store, arm: Arm, wave: str, rule: PrivacyRule, base: Filters | None
) -> ArmData:
    cells = measures.application(db, wave, rule)
    view = arm.filters(base)
    level = arm.segment[0] if arm.segment else None
    fig = survey_figure(cells, view, [], rule, level=level)
    depts = survey_figure(cells, view, ["department"], rule, level=level)
    if level:
        fig = fig[fig[level] == arm.segment[1]]
        depts = depts[depts[level] == arm.segment[1]]
    row = _figure_row(fig)
    frames = {"arm": fig, "by_department": depts}
    if row is None or row["status"] == NO_DATA:
        return ArmData(NO_DATA, None, figures=frames)
    by_dept = _departments(depts, "applied", "respondents")
    if row["status"] not in VISIBLE:
        return ArmData(
            row["status"],
            None,
            complementary=bool(row["complementary"]),
            by_department=by_dept,
            figures=frames,
        )
    rows = counted_rows(cells, view, level=level)
    if level:
        rows = rows[rows[level] == arm.segment[1]]
    small = (rows["format"] == "small_group") & (rows["group_id"] != "")
    out = pd.DataFrame(
        {
            "cluster": np.where(small, rows["group_id"], ""),
            "department": rows["department"].to_numpy(),
            "leader": rows["leadership"].to_numpy(),
            "n": rows["respondents"].to_numpy(dtype=np.int64),
            "k": rows["applied"].to_numpy(dtype=np.int64),
        }
    )
    n, k = int(row["respondents"]), int(row["applied"])
    assert int(out["n"].sum()) == n, "the model's rows must be the figure's rows"
    return ArmData(
        row["status"],
        n,
        k,
        bool(row["complementary"]),
        out,
        by_dept,
        coverage=row["coverage"],
        figures=frames,
    )


def _departments(depts: pd.DataFrame, k_col: str, n_col: str) -> pd.DataFrame:
    """Per real department: n and successes when shown, else the status alone."""
    cols = ["department", "n", "k", "status"]
    if depts.empty:
        return pd.DataFrame(columns=cols)
    names = depts["department"].map(_department_name)
    shown = depts["status"].isin(VISIBLE)
    out = pd.DataFrame(
        {
            "department": names,
            "n": np.where(shown, depts[n_col], np.nan),
            "k": np.where(shown, depts[k_col], np.nan),
            "status": depts["status"],
        }
    )
    return out[names.notna()].sort_values("department").reset_index(drop=True)


def _operational(
    db: Store, arm: Arm, metric: str, rule: PrivacyRule, week: int, base: Filters | None
) -> ArmData:
    if arm.segment and arm.segment[0] in SURVEY_SEGMENTS:
        raise ArmError(
            f"{metric} is counted from enrolments; segments from survey answers "
            "(relevant, motivated) compare only survey metrics such as application"
        )
    k_col, n_col = OPERATIONAL[metric]
    raw = run_query(
        db, "compare_enrolments", Filters(), copy=False, engaged_share=ENGAGED_SHARE, week=week
    )
    rows = raw[_selected(raw, arm.filters(base), arm.segment)]
    rows = rows[rows[n_col] > 0]
    if rows.empty:
        return ArmData(NO_DATA, None)
    depts = rows.groupby("department", as_index=False)[[k_col, n_col]].sum()
    depts["status"] = np.where(depts[n_col] >= rule.min_group_size, SHOWN, SUPPRESSED)
    by_dept = _departments(depts, k_col, n_col)
    n, k = int(rows[n_col].sum()), int(rows[k_col].sum())
    if n < rule.min_group_size:
        return ArmData(SUPPRESSED, None, by_department=by_dept)
    small = (rows["format"] == "small_group") & rows["group_id"].notna()
    out = pd.DataFrame(
        {
            "cluster": np.where(small, rows["group_id"].fillna(""), ""),
            "department": rows["department"].to_numpy(),
            "leader": rows["leadership"].to_numpy(),
            "n": rows[n_col].to_numpy(dtype=np.int64),
            "k": rows[k_col].to_numpy(dtype=np.int64),
        }
    )
    return ArmData(SHOWN, n, k, False, out.reset_index(drop=True), by_dept)


def _selected(raw: pd.DataFrame, f: Filters, segment: tuple[str, str] | None) -> np.ndarray:
    """Rows of compare_enrolments inside a view (the same filters the SQL prelude applies)."""
    keep = np.ones(len(raw), dtype=bool)
    month = pd.to_datetime(raw["month"])
    if f.start_from:
        keep &= (month >= pd.Timestamp(f.start_from)).to_numpy()
    if f.start_to:
        keep &= (month <= pd.Timestamp(f.start_to)).to_numpy()
    for col, values in (
        ("format", f.formats),
        ("variant", f.variants),
        ("program_id", f.programs),
        ("cohort_id", f.cohorts),
    ):
        if values:
            keep &= raw[col].isin(values).to_numpy()
    if f.departments:
        keep &= raw["department"].isin([DEPT_PREFIX + d for d in f.departments]).to_numpy()
    if segment:
        keep &= (raw[segment[0]] == segment[1]).to_numpy()
    return keep


def _confidence_gain(db: Store, arm: Arm, rule: PrivacyRule, base: Filters | None) -> ArmData:
    """Mean confidence right after minus before, each from its own privacy-checked figure."""
    if arm.segment:
        raise ArmError(
            "confidence_gain compares formats, variants, programs, cohorts and "
            "departments, not segments"
        )
    view = arm.filters(base)
    figs, depts = {}, {}
    for wave in ("pre", "post"):
        ids = confidence_items(db, wave)
        if not ids:
            return ArmData(NO_DATA, None)
        cells = measures.answers(db, wave, ids, rule, CONFIDENCE_VALUES)
        figs[wave] = _figure_row(survey_figure(cells, view, [], rule))
        depts[wave] = survey_figure(cells, view, ["department"], rule)
    rows = [figs["pre"], figs["post"]]
    if any(r is None or r["status"] == NO_DATA for r in rows):
        return ArmData(NO_DATA, None)
    hidden = [r for r in rows if r["status"] not in VISIBLE]
    if hidden:
        return ArmData(hidden[0]["status"], None, complementary=bool(hidden[0]["complementary"]))
    pre, post = (_moments(r) for r in rows)
    gain = post[1] - pre[1]
    se = float(np.sqrt(post[2] / post[0] + pre[2] / pre[0]))
    sd = float(np.sqrt((post[2] + pre[2]) / 2))
    by_dept = _gain_departments(depts["pre"], depts["post"])
    status = SHOWN if all(r["status"] == SHOWN for r in rows) else rows[0]["status"]
    coverage = rows[0]["coverage"] | rows[1]["coverage"]
    return ArmData(
        status,
        int(post[0]),
        None,
        False,
        by_department=by_dept,
        mean=gain,
        se=se,
        sd=sd,
        coverage=coverage,
    )


def confidence_items(db: Store, wave: str) -> tuple[str, ...]:
    """The confidence items answered in a wave."""
    return tuple(measures.items(db, wave).query("role == 'confidence'")["item_id"])


def _moments(row: pd.Series) -> tuple[int, float, float]:
    """(answers, mean, variance) of 1–5 answers from their counts."""
    counts = np.array([row[f"v{v}"] for v in CONFIDENCE_VALUES], dtype=float)
    values = np.array(list(CONFIDENCE_VALUES), dtype=float)
    n = counts.sum()
    mean = float(counts @ values / n)
    var = float(counts @ (values - mean) ** 2 / max(n - 1, 1))
    return int(n), mean, var


def _gain_departments(pre: pd.DataFrame, post: pd.DataFrame) -> pd.DataFrame:
    """Per department shown in both waves: n (after), the gain, and its standard error."""
    out = []
    after = post.set_index("department")
    for _, r in pre.iterrows():
        name = _department_name(r["department"])
        if name is None:
            continue
        s = after.loc[r["department"]] if r["department"] in after.index else None
        shown = s is not None and r["status"] in VISIBLE and s["status"] in VISIBLE
        if not shown:
            status = s["status"] if s is not None and s["status"] not in VISIBLE else r["status"]
            out.append({"department": name, "n": np.nan, "k": np.nan, "status": status})
            continue
        b, a = _moments(r), _moments(s)
        out.append(
            {
                "department": name,
                "n": a[0],
                "k": np.nan,
                "status": SHOWN,
                "mean": a[1] - b[1],
                "se": float(np.sqrt(a[2] / a[0] + b[2] / b[0])),
            }
        )
    return (
        pd.DataFrame(out).sort_values("department").reset_index(drop=True)
        if out
        else (pd.DataFrame(columns=["department", "n", "k", "status"]))
    )
