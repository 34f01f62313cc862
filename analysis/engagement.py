"""Engagement: rates per format or variant, momentum by week, the funnel, the cohort heat map.

Attendance, enrolment and completion are operational records (never suppressed); the funnel's
survey steps go through the privacy rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.domain import ENGAGED_SHARE, FORMATS, VARIANT_LABELS, VARIANTS, format_label
from analysis.metrics import Headline
from analysis.privacy import NO_DATA, SHOWN, VISIBLE, PrivacyRule, measures
from analysis.privacy.step import survey_figure
from analysis.queries import Filters, run_query
from analysis.stats import add_rate_columns, compare_proportions, holm
from analysis.store import Store

BY: tuple[str, ...] = ("format", "variant")
FUNNEL_STEPS: tuple[str, ...] = ("enrolled", "attended", "completed", "answered", "applied")
SURVEY_STEPS: tuple[str, ...] = ("answered", "applied")
OPERATIONAL_STEPS: tuple[str, ...] = ("enrolled", "attended", "completed")
STEP_LABELS: dict[str, str] = {
    "enrolled": "Enrolled",
    "attended": "Attended at least once",
    "completed": "Completed",
    "answered": "Answered the follow-up",
    "applied": "Applied at work (self-reported)",
}
ALPHA = 0.05
HELD_SHARE = 0.5  # 'still half present' in a cohort's last planned week


def _keys(by: str) -> list[str]:
    """The grouping columns for 'format' or 'variant'."""
    if by not in BY:
        raise ValueError(f"by must be one of {BY}, not {by!r}")
    return ["format"] if by == "format" else ["format", "variant"]


def _label(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Add format_label, and variant_label plus a sort order; one label column `label`."""
    out = df.assign(format_label=df["format"].map(format_label))
    order = out["format"].map({f: i for i, f in enumerate(FORMATS)}).fillna(len(FORMATS))
    if by == "variant":
        out["variant_label"] = out["variant"].map(lambda v: VARIANT_LABELS.get(v, v))
        rank = out["variant"].map({v: i for i, v in enumerate(VARIANTS)}).fillna(len(VARIANTS))
        order = order * 100 + rank
        out["label"] = out["variant_label"]
    else:
        out["label"] = out["format_label"]
    return out.assign(_order=order).sort_values(["_order", "label"]).drop(columns="_order")


def _selected(filters: Filters) -> list[str]:
    return list(filters.shown_formats())


def engagement_rates(db: Store, filters: Filters, by: str = "format") -> pd.DataFrame:
    """Engaged and participated ÷ enrolled per format (all selected) or variant, with Wilson CIs."""
    keys = _keys(by)
    counts = ["enrolled", "engaged", "participated"]
    raw = run_query(db, "engagement_by_variant", filters, engaged_share=ENGAGED_SHARE)
    df = raw.groupby(keys, as_index=False)[counts].sum()
    if by == "format":
        df = df.set_index("format").reindex(_selected(filters)).rename_axis("format")
        df = df.reset_index()
    df[counts] = df[counts].fillna(0).astype("int64")
    df = add_rate_columns(df, "engaged", "enrolled", "engagement")
    df = add_rate_columns(df, "participated", "enrolled", "participation")
    return _label(df, by).reset_index(drop=True)


def momentum(db: Store, filters: Filters, by: str = "format") -> pd.DataFrame:
    """Active share per week since start (week 0 = first week), weeks with enrolled > 0."""
    keys = _keys(by)
    raw = run_query(db, "momentum_by_week", filters)
    df = raw.groupby([*keys, "week"], as_index=False)[["active", "enrolled"]].sum()
    df[["active", "enrolled"]] = df[["active", "enrolled"]].fillna(0).astype("int64")
    df = df[df["enrolled"] > 0]
    df = add_rate_columns(df, "active", "enrolled", "active")
    df = _label(df, by)
    return df.sort_values([*keys, "week"], key=_format_key).reset_index(drop=True)


def _format_key(col: pd.Series) -> pd.Series:
    """Sort formats in the fixed order, variants in domain order, everything else as is."""
    if col.name == "format":
        return col.map({f: i for i, f in enumerate(FORMATS)})
    if col.name == "variant":
        return col.map({v: i for i, v in enumerate(VARIANTS)})
    return col


def funnel(
    db: Store, filters: Filters, rule: PrivacyRule, wave: str = "d30", by: str = "format"
) -> pd.DataFrame:
    """The funnel as a path per format (or variant), long: step counts, share of enrolled,
    step-to-step rate.

    Enrolled, attended and completed are operational records. The survey steps (answered the
    follow-up, applied) count the completers' answers and come out of the privacy step, with
    its `status` on each step ('shown', 'partial', 'suppressed' or 'no data').
    """
    keys = _keys(by)
    raw = run_query(db, "engagement_by_variant", filters, engaged_share=ENGAGED_SHARE)
    raw = raw.rename(columns={"participated": "attended", "attended_completed": "completed"})
    wide = raw.groupby(keys, as_index=False)[list(OPERATIONAL_STEPS)].sum()
    if by == "format":
        wide = wide.set_index("format").reindex(_selected(filters)).rename_axis("format")
        wide = wide.reset_index()
    wide = _label(wide.fillna(0), by).reset_index(drop=True)
    wide[list(OPERATIONAL_STEPS)] = wide[list(OPERATIONAL_STEPS)].astype("int64")
    cells = measures.application(db, wave, rule)
    survey = survey_figure(cells, filters, keys, rule, level="funnel_path")
    survey = survey[survey["funnel_path"] == "completed"].set_index(keys)
    rows = []
    for _, r in wide.iterrows():
        at = tuple(r[k] for k in keys) if by == "variant" else r["format"]
        s = survey.loc[at] if at in survey.index else None
        counts = {
            **{step: r[step] for step in OPERATIONAL_STEPS},
            "answered": np.nan if s is None else s["respondents"],
            "applied": np.nan if s is None else s["applied"],
        }
        for i, step in enumerate(FUNNEL_STEPS):
            survey_step = step in SURVEY_STEPS
            rows.append(
                {
                    **{k: r[k] for k in keys},
                    "label": r["label"],
                    "step": step,
                    "step_label": STEP_LABELS[step],
                    "step_index": i,
                    "count": counts[step],
                    "enrolled": r["enrolled"],
                    "previous": counts[FUNNEL_STEPS[i - 1]] if i else np.nan,
                    "survey": survey_step,
                    "status": (NO_DATA if s is None else s["status"]) if survey_step else SHOWN,
                    "complementary": survey_step and s is not None and bool(s["complementary"]),
                    "coverage": s["coverage"] if survey_step and s is not None else frozenset(),
                }
            )
    if not rows:
        return pd.DataFrame(columns=[*keys, "label", "step", "count", "enrolled", "status"])
    return _funnel_rates(pd.DataFrame(rows))


def _funnel_rates(long: pd.DataFrame) -> pd.DataFrame:
    """Share of enrolled and step-to-step rate (Wilson) on shown steps; NaN where hidden."""
    long = long.assign(count=long["count"].astype("float64"))
    shown = long["status"].isin(VISIBLE)
    rated = add_rate_columns(long[shown], "count", "enrolled", "share")
    has_prev = rated["previous"].notna()
    steps = add_rate_columns(rated[has_prev], "count", "previous", "step")
    rated = rated.join(steps[["step_rate", "step_low", "step_high"]])
    out = pd.concat([rated, long[~shown]]).sort_index()
    out["format_label"] = out["format"].map(format_label)
    return out.reset_index(drop=True)


def attendance_heatmap(db: Store, filters: Filters, by: str = "format") -> pd.DataFrame:
    """Share of each cohort's enrolled people present per week; cohorts sorted by start date
    (by variant: grouped by variant first, then by start date).

    Weeks with nobody present are 0 up to the last day any attendance is recorded; weeks starting
    after it (not yet run) are left out rather than shown as empty attendance.
    """
    raw = run_query(db, "attendance_heatmap", filters)
    cols = ["cohort_id", "cohort_name", "format", "variant", "start_date", "planned_weeks"]
    if raw.empty:
        rates = ["share_rate", "share_low", "share_high", "format_label", "variant_label"]
        return pd.DataFrame(columns=[*cols, "enrolled", "week", "active", *rates])
    raw["start_date"] = pd.to_datetime(raw["start_date"])
    horizon = pd.Timestamp(run_query(db, "attendance_horizon", filters)["last_day"].iloc[0])
    cohorts = raw.groupby(cols, as_index=False)["enrolled"].max()
    # one row per cohort and week that had started by the horizon (vectorised: no per-cohort frame)
    grid = cohorts.loc[cohorts.index.repeat(cohorts["planned_weeks"].astype("int64"))]
    grid = grid.assign(week=grid.groupby(level=0).cumcount()).reset_index(drop=True)
    started = grid["start_date"] + pd.to_timedelta(grid["week"] * 7, unit="D") <= horizon
    grid = grid[started].reset_index(drop=True)
    df = grid.merge(raw[["cohort_id", "week", "active"]], on=["cohort_id", "week"], how="left")
    df["active"] = df["active"].fillna(0).astype("int64")
    df["enrolled"] = df["enrolled"].astype("int64")
    df = add_rate_columns(df, "active", "enrolled", "share")
    df = _label(df, "variant").drop(columns="label")
    order = ["start_date", "cohort_name", "week"]
    if by == "variant":
        rank = {v: i for i, v in enumerate(VARIANTS)}
        df = df.assign(_v=df["variant"].map(rank)).sort_values(["_v", *order]).drop(columns="_v")
    else:
        df = df.sort_values(order)
    return df.reset_index(drop=True)


def _leader(df: pd.DataFrame, k: str, n: str) -> tuple[pd.Series, pd.Series, bool, bool]:
    """Best and worst rows by k/n; (enough data, difference beyond noise after Holm)."""
    ranked = df.assign(_r=df[k] / df[n]).sort_values("_r", ascending=False)
    best, others = ranked.iloc[0], ranked.iloc[1:]
    cmps = [
        compare_proportions(int(best[k]), int(best[n]), int(o[k]), int(o[n]))
        for _, o in others.iterrows()
    ]
    enough = all(c.enough_data for c in cmps)
    adjusted = holm([c.p_value for c in cmps])
    real = enough and cmps[-1].diff_low > 0 and adjusted[-1] < ALPHA
    return best, ranked.iloc[-1], enough, real


def engagement_headline(rates: pd.DataFrame, by: str = "format") -> Headline:
    """Name the most engaged format or variant only when it beats the least beyond noise."""
    noun = "formats" if by == "format" else "variants"
    df = rates[rates["enrolled"] > 0]
    if len(df) == 1:  # nothing to compare: describe
        return Headline(
            f"{df['label'].iloc[0]}: {df['engagement_rate'].iloc[0]:.0%} engaged", False
        )
    if len(df) < 2:
        return Headline(f"Engagement: not enough data to compare {noun}", False)
    best, worst, enough, real = _leader(df, "engaged", "enrolled")
    if not enough:
        return Headline(f"Engagement: not enough data to compare {noun}", False)
    if not real:
        return Headline(f"Engagement: no clear difference between {noun}", False)
    b, w = best["engagement_rate"], worst["engagement_rate"]
    return Headline(
        f"{best['label']}: {b:.0%} engaged vs {w:.0%} for {worst['label'].lower()}", True
    )


def momentum_week(mom: pd.DataFrame, by: str = "format") -> int | None:
    """The last week every series of more than one week reaches (None when under two series)."""
    keys = _keys(by)
    last = mom.groupby(keys)["week"].max()
    last = last[last > 0]
    return int(last.min()) if len(last) >= 2 else None


def momentum_headline(mom: pd.DataFrame, by: str = "format") -> Headline:
    """Who still had the most people active at the last common week, when beyond noise."""
    noun = "formats" if by == "format" else "variants"
    week = momentum_week(mom, by)
    if mom.groupby(_keys(by)).ngroups == 1:  # nothing to compare: describe
        last = mom.iloc[-1]
        return Headline(
            f"{last['label']}: {last['active_rate']:.0%} still active in week {last['week'] + 1}",
            False,
        )
    if week is None:
        return Headline(f"Active share by week: not enough data to compare {noun}", False)
    at = mom[mom["week"] == week]
    best, worst, enough, real = _leader(at, "active", "enrolled")
    if not enough:
        return Headline(f"Active share by week: not enough data to compare {noun}", False)
    if not real:
        return Headline(
            f"Active share in week {week + 1}: no clear difference between {noun}", False
        )
    return Headline(
        f"{best['label']} still had {best['active_rate']:.0%} active in week {week + 1}, "
        f"vs {worst['active_rate']:.0%} for {worst['label'].lower()}",
        True,
    )


def funnel_headline(fun: pd.DataFrame) -> Headline:
    """Which format took the largest share of enrolled all the way to 'applied', beyond noise."""
    applied = fun[(fun["step"] == "applied") & fun["status"].isin(VISIBLE) & (fun["enrolled"] > 0)]
    if fun[fun["enrolled"] > 0]["format"].nunique() == 1 and len(applied) == 1:  # describe
        return Headline(
            f"{applied['format_label'].iloc[0]}: {applied['share_rate'].iloc[0]:.0%} of enrolled "
            "went all the way to applying at work",
            False,
        )
    if len(applied) < 2:
        return Headline("Funnel: not enough survey answers to compare formats", False)
    best, worst, enough, real = _leader(applied, "count", "enrolled")
    if not enough:
        return Headline("Funnel: not enough data to compare formats", False)
    if not real:
        return Headline("Funnel: no clear difference in how many reach 'applied'", False)
    b, w = best["share_rate"], worst["share_rate"]
    return Headline(
        f"{best['format_label']}: {b:.0%} of enrolled went all the way to applying at work, "
        f"vs {w:.0%} for {worst['format_label'].lower()}",
        True,
    )


def heatmap_headline(heat: pd.DataFrame) -> Headline:
    """How many finished cohorts per format still had half their people in their final week."""
    final = heat[(heat["week"] == heat["planned_weeks"] - 1) & (heat["planned_weeks"] > 1)]
    if final.empty:  # a one-week event has no 'kept showing up'
        return Headline("Attendance week by week: no cohort has finished its planned weeks", False)
    held = (final["share_rate"] >= HELD_SHARE).groupby(final["format"]).agg(["sum", "count"])
    held = held.assign(share=held["sum"] / held["count"]).sort_values("share", ascending=False)
    best, worst = held.iloc[0], held.iloc[-1]
    title = (
        f"{format_label(held.index[0])}: {int(best['sum'])} of {int(best['count'])} cohorts "
        f"still had half their people in the last week"
    )
    if len(held) > 1:
        title += (
            f", vs {int(worst['sum'])} of {int(worst['count'])} for "
            f"{format_label(held.index[-1]).lower()}"
        )
    return Headline(title, True)
