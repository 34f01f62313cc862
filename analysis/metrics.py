"""Engagement, completion and application metrics: named SQL queries in, small frames out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analysis import words
from analysis.domain import ENGAGED_SHARE, LOW_RESPONSE_RATE, VARIANTS, format_label
from analysis.privacy import NO_DATA, PrivacyRule, measures
from analysis.privacy.step import survey_figure, visible
from analysis.queries import Filters, run_query
from analysis.stats import add_rate_columns, compare_proportions
from analysis.store import Store


def engagement_by_variant(db: Store, filters: Filters) -> pd.DataFrame:
    """Enrolled, engaged and participated people per format and variant."""
    return run_query(db, "engagement_by_variant", filters, engaged_share=ENGAGED_SHARE)


def completion_by_variant(db: Store, filters: Filters) -> pd.DataFrame:
    """Enrolled and completed people per format and variant."""
    return run_query(db, "completion_by_variant", filters)


def _by_format(df: pd.DataFrame, counts: list[str], formats: tuple[str, ...]) -> pd.DataFrame:
    """Sum variant rows to one row per format, in the fixed format order (0 where absent)."""
    summed = df.groupby("format")[counts].sum() if len(df) else pd.DataFrame(columns=counts)
    out = summed.reindex(list(formats), fill_value=0).fillna(0).astype("int64")
    return out.rename_axis("format").reset_index()


def overview(db: Store, filters: Filters, rule: PrivacyRule, wave: str = "d30") -> pd.DataFrame:
    """One row per selected format: engagement, completion and application with intervals.

    Engagement and completion come from operational records (not suppressed); application is
    survey-based and comes out of the privacy step (`status`, `n`, `coverage`).
    """
    formats = filters.shown_formats()
    eng = _by_format(
        engagement_by_variant(db, filters), ["enrolled", "engaged", "participated"], formats
    )
    comp = _by_format(completion_by_variant(db, filters), ["completed"], formats)
    app = survey_figure(measures.application(db, wave, rule), filters, ["format"], rule)
    app = app.rename(columns={"enrolled": "surveyed_enrolled"})
    df = eng.merge(comp, on="format").merge(app, on="format", how="left")
    df["status"] = df["status"].fillna(NO_DATA)
    df["complementary"] = df["complementary"].astype("boolean").fillna(False).astype(bool)
    df["coverage"] = df["coverage"].map(lambda c: c if isinstance(c, frozenset) else frozenset())
    df = add_rate_columns(df, "engaged", "enrolled", "engagement")
    df = add_rate_columns(df, "participated", "enrolled", "participation")
    df = add_rate_columns(df, "completed", "enrolled", "completion")
    df = add_rate_columns(df, "applied", "respondents", "application")
    df["response_rate"] = (df["respondents"] / df["surveyed_enrolled"]).where(
        (df["surveyed_enrolled"] > 0) & visible(df)
    )
    df["low_response"] = (df["response_rate"] < LOW_RESPONSE_RATE).fillna(False)
    df["format_label"] = df["format"].map(format_label)
    return df


def unmatched_answers(db: Store, wave: str, rule: PrivacyRule) -> int:
    """Answers in a wave, across the whole dataset, that could not be matched to a person.

    One number for every view (never a filtered count, which two views could tell apart).
    """
    return int(measures.application(db, wave, rule).base["unmatched"].sum())


@dataclass(frozen=True)
class Headline:
    """A chart title stating the finding, and whether the data supports a verdict."""

    title: str
    supported: bool


def application_headline(df: pd.DataFrame, wave_label: str, subject: str | None = None) -> Headline:
    """Say in words which format applied most, only when the difference is beyond noise.

    With one format shown, the title speaks about that format.
    """
    shown = df[visible(df) & (df["respondents"] > 0)]
    if len(shown) == 1:
        row = shown.iloc[0]
        star = "" if row["status"] == "shown" else "*"
        return Headline(
            f"{subject or row['format_label']}: {words.pct(row['application_rate'])}{star} "
            f"applied what they learned ({wave_label}, self-reported, n={words.count(row['n'])})",
            False,
        )
    if not len(shown):
        hidden = bool(len(df)) and (df["status"] == "suppressed").any()
        why = "suppressed under these filters" if hidden else "no answers under these filters"
        return Headline(f"Application {wave_label}: {why}", False)
    ranked = shown.sort_values("application_rate", ascending=False)
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    cmp = compare_proportions(
        int(best["applied"]),
        int(best["respondents"]),
        int(worst["applied"]),
        int(worst["respondents"]),
    )
    if not cmp.enough_data:
        return Headline(f"Application {wave_label}: not enough data to compare formats", False)
    if cmp.diff_low <= 0:
        return Headline(f"Application {wave_label}: no clear difference between formats", False)
    ratio = cmp.ratio
    times = (
        f"{ratio:.1f}× as often as" if ratio >= 1.5 else f"{cmp.diff * 100:.0f} points more than"
    )
    return Headline(
        f"{best['format_label']} applied what they learned {times} "
        f"{worst['format_label'].lower()} ({wave_label}, self-reported)",
        True,
    )


@dataclass(frozen=True)
class FilterOptions:
    """What the sidebar filters can choose from."""

    months: list[date]
    departments: list[str]
    programs: dict[str, str]  # program_id -> name
    variants: list[str] = field(default_factory=list)  # in the domain's order
    cohorts: dict[str, str] = field(default_factory=dict)  # cohort_id -> name, by start date
    cohort_variants: dict[str, str] = field(default_factory=dict)  # cohort_id -> variant


def row_counts(db: Store) -> dict[str, int]:
    """Rows per logical table where the data lives (the lake's on Spark), for the status panel."""
    df = run_query(db, "row_counts", Filters(), copy=False)
    return {str(t): int(n) for t, n in zip(df["t"], df["n"], strict=True)}


def filter_options(db: Store) -> FilterOptions:
    """Cohort start months, departments, programs, variants and cohorts in the database."""
    months = run_query(db, "filter_months", Filters(), copy=False)["m"]
    depts = run_query(db, "filter_departments", Filters(), copy=False)["department"]
    progs = run_query(db, "filter_programs", Filters(), copy=False)
    cohorts = run_query(db, "filter_cohorts", Filters(), copy=False)
    all_months = _month_range(list(pd.to_datetime(months).dt.date)) if len(months) else []
    present = set(cohorts["variant"])
    return FilterOptions(
        months=all_months,
        departments=list(depts),
        programs=dict(zip(progs["program_id"], progs["name"], strict=True)),
        variants=[v for v in VARIANTS if v in present],
        cohorts=dict(zip(cohorts["cohort_id"], cohorts["name"], strict=True)),
        cohort_variants=dict(zip(cohorts["cohort_id"], cohorts["variant"], strict=True)),
    )


def _month_range(months: list[date]) -> list[date]:
    """Every month from the first to the last, so the slider has no gaps."""
    out, cur = [], months[0].replace(day=1)
    while cur <= months[-1]:
        out.append(cur)
        cur = date(cur.year + (cur.month == 12), cur.month % 12 + 1, 1)
    return out
