"""Engagement page analysis against the tiny organisation counted by hand (see tests/tiny.py).

Hand counts (week = whole weeks since the cohort's start, people as the unit):
- C_A everyone at once, 4 enrolled: p1 weeks 0,1,2,3 · p2 weeks 0,1,2 · p3 weeks 0,2 · p4 never.
- C_S self-directed, 3 enrolled: p5 active weeks 0,0,1,2 (days 0,2,7,15) · p6 week 0 · p7 never.
- C_G small group, 3 enrolled: p8 and p9 weeks 0-3 · p10 weeks 1-3.
- Completed: p1, p8, p9. 30-day answers (applied = 4 or 5): p1 5, p2 3, an unmatched 4 (C_A);
  p8 4, p9 5, p10 2 (C_G).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from analysis import engagement as E
from analysis.chart_parts import series_style
from analysis.charts import FORMAT_COLORS, ChartContext
from analysis.charts_engagement import (
    engagement_figure,
    funnel_figure,
    heatmap_figure,
    momentum_figure,
)
from analysis.privacy import NO_DATA, SHOWN, SUPPRESSED, PrivacyRule, measures
from analysis.queries import Filters, run_query
from tests.tiny import build_tiny_store

Z = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval from its textbook formula (independent of statsmodels)."""
    p = k / n
    denom = 1 + Z**2 / n
    centre = (p + Z**2 / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / denom
    return centre - half, centre + half


@pytest.fixture
def tiny(tmp_path):
    store = build_tiny_store(tmp_path / "tiny.duckdb")
    yield store
    store.close()


def _complete_p10(store) -> None:
    """Mark p10 completed too, so three small-group people answer after completing."""
    with store.transaction() as cur:
        cur.execute(
            "UPDATE enrolment_records SET completed_on = ? WHERE person_key = 'p10'",
            [date(2025, 3, 31)],
        )


def _smallest_font(fig) -> float:
    """The smallest font size any annotation or axis uses (template default where unset)."""
    base = fig.layout.template.layout.font.size
    sizes = [a.font.size or base for a in fig.layout.annotations]
    axes = [fig.layout[k] for k in fig.layout if k.startswith(("xaxis", "yaxis"))]
    sizes += [ax.tickfont.size or base for ax in axes]
    return min(sizes)


def _ctx(rule: PrivacyRule | None = None) -> ChartContext:
    rule = rule or PrivacyRule()
    return ChartContext("n = 10 enrolled", "Jan 2025 – Mar 2025", "all", rule, "now", 1, False)


def test_engagement_rates_per_format_with_wilson_intervals(tiny):
    """Engaged and attended-at-least-once over enrolled, one row per format in fixed order."""
    df = E.engagement_rates(tiny, Filters())
    assert df["format"].tolist() == ["everyone_at_once", "self_directed", "small_group"]
    assert df[["enrolled", "engaged", "participated"]].values.tolist() == [
        [4, 2, 3],
        [3, 1, 2],
        [3, 3, 3],
    ]
    a = df.iloc[0]
    assert a["engagement_rate"] == pytest.approx(0.5)
    assert (a["engagement_low"], a["engagement_high"]) == pytest.approx(wilson(2, 4))
    assert (a["participation_low"], a["participation_high"]) == pytest.approx(wilson(3, 4))


def test_engagement_rates_by_variant_and_unselected_formats(tiny):
    """By variant: one row per variant with its label; by format: every selected format listed."""
    df = E.engagement_rates(tiny, Filters(), by="variant")
    assert df["label"].tolist() == ["Org-wide training", "Self-paced course", "Book club"]
    only = E.engagement_rates(tiny, Filters(formats=("self_directed", "small_group")))
    assert only["format"].tolist() == ["self_directed", "small_group"]
    dept = E.engagement_rates(tiny, Filters(departments=("Eng",)))  # p1-p3: all in C_A
    assert dept["enrolled"].tolist() == [3, 0, 0]
    assert dept["engagement_rate"].isna().tolist() == [False, True, True]
    with pytest.raises(ValueError):
        E.engagement_rates(tiny, Filters(), by="team")


def test_momentum_counts_people_active_each_week(tiny):
    """Active share per week: distinct people present in that week ÷ enrolled."""
    df = E.momentum(tiny, Filters())
    active = df.pivot(index="week", columns="format", values="active")
    assert active["everyone_at_once"].tolist() == [3, 2, 3, 1]
    assert active["self_directed"].tolist() == [2, 1, 1, 0]  # p5's two week-0 days count once
    assert active["small_group"].tolist() == [2, 3, 3, 3]
    assert set(df["enrolled"]) == {3, 4}
    w0 = df[(df["format"] == "everyone_at_once") & (df["week"] == 0)].iloc[0]
    assert w0["active_rate"] == pytest.approx(0.75)
    assert (w0["active_low"], w0["active_high"]) == pytest.approx(wilson(3, 4))


def test_momentum_leaves_out_weeks_without_enrolled_people(tiny):
    """Only weeks inside the cohorts' planned weeks appear; a filter to nobody gives no rows."""
    assert E.momentum(tiny, Filters())["week"].max() == 3
    assert E.momentum(tiny, Filters(departments=("Nobody",))).empty


def test_funnel_is_a_path_each_step_inside_the_one_before(tiny):
    """Counts per step need every earlier step: p2 answered without completing, so is left out."""
    fun = E.funnel(tiny, Filters(), PrivacyRule(min_group_size=3))
    counts = fun.pivot(index="format", columns="step", values="count")
    a = counts.loc["everyone_at_once"]
    assert (a["enrolled"], a["attended"], a["completed"]) == (4, 3, 1)
    s = counts.loc["self_directed"]
    assert (s["enrolled"], s["attended"], s["completed"]) == (3, 2, 0)
    g = counts.loc["small_group"]
    assert (g["enrolled"], g["attended"], g["completed"]) == (3, 3, 2)
    # everyone at once: p1 answered after completing, p2 without completing, one unmatched
    cells = measures.application(tiny, "d30", PrivacyRule(min_group_size=3)).detail
    paths = cells[cells["format"] == "everyone_at_once"].groupby("funnel_path")["respondents"]
    assert paths.sum().to_dict() == {"completed": 1, "did not complete": 1, "not matched": 1}


def test_funnel_survey_steps_are_suppressed_below_the_minimum(tiny):
    """Answered < minimum hides answered and applied: shown as suppressed, not 0."""
    fun = E.funnel(tiny, Filters(), PrivacyRule(min_group_size=3)).set_index(["format", "step"])
    for fmt in ("everyone_at_once", "small_group"):  # 1 and 2 answered after completing
        for step in ("answered", "applied"):
            assert fun.loc[(fmt, step), "status"] == SUPPRESSED
            assert pd.isna(fun.loc[(fmt, step), "count"])
            assert pd.isna(fun.loc[(fmt, step), "share_rate"])
    assert fun.loc[("self_directed", "answered"), "status"] == NO_DATA
    assert fun.loc[("small_group", "completed"), "status"] == SHOWN  # operational: never hidden
    assert fun.loc[("small_group", "completed"), "count"] == 2


def test_funnel_rates_when_enough_people_answered(tiny):
    """Share of enrolled and step-to-step rate, each with a Wilson interval, once shown."""
    _complete_p10(tiny)
    fun = E.funnel(tiny, Filters(), PrivacyRule(min_group_size=3)).set_index(["format", "step"])
    answered = fun.loc[("small_group", "answered")]
    applied = fun.loc[("small_group", "applied")]
    assert answered["status"] == applied["status"] == SHOWN
    assert (answered["count"], applied["count"]) == (3, 2)  # p10 answered 2: not applied
    assert applied["share_rate"] == pytest.approx(2 / 3)
    assert applied["step_rate"] == pytest.approx(2 / 3)
    assert (applied["step_low"], applied["step_high"]) == pytest.approx(wilson(2, 3))
    completed = fun.loc[("small_group", "completed")]
    assert completed["step_rate"] == pytest.approx(1.0)  # 3 of 3 who attended
    assert pd.isna(fun.loc[("small_group", "enrolled"), "step_rate"])
    hidden = E.funnel(tiny, Filters(), PrivacyRule(min_group_size=4)).set_index(["format", "step"])
    assert hidden.loc[("small_group", "applied"), "status"] == SUPPRESSED


def test_heatmap_shares_per_cohort_and_week_in_start_order(tiny):
    """Cohort × week share; a week nobody attended is 0, not missing."""
    df = E.attendance_heatmap(tiny, Filters())
    assert df.drop_duplicates("cohort_id")["cohort_id"].tolist() == ["C_A", "C_S", "C_G"]
    active = df.pivot(index="cohort_id", columns="week", values="active")
    assert active.loc["C_A"].tolist() == [3, 2, 3, 1]
    assert active.loc["C_S"].tolist() == [2, 1, 1, 0]
    assert active.loc["C_G"].tolist() == [2, 3, 3, 3]
    c_s = df[df["cohort_id"] == "C_S"].set_index("week")
    assert c_s.loc[1, "share_rate"] == pytest.approx(1 / 3)
    assert (c_s.loc[1, "share_low"], c_s.loc[1, "share_high"]) == pytest.approx(wilson(1, 3))


def test_heatmap_leaves_weeks_not_yet_run_blank(tiny):
    """Weeks after the last recorded attendance (anywhere) are not drawn as zero attendance."""
    only = E.attendance_heatmap(tiny, Filters(formats=("self_directed",)))
    assert only["week"].tolist() == [0, 1, 2, 3]  # C_G ran on to 24 Mar: C_S's week 3 is a real 0
    with tiny.transaction() as cur:
        of_cohort = (  # attendance is stored as days by their keys (analysis/store.py)
            "DELETE FROM attendance_days WHERE (import_id, pid) IN "
            "(SELECT (import_id, pid) FROM attendance_keys WHERE cohort_id = ?)"
        )
        cur.execute(of_cohort, ["C_G"])
        cur.execute(of_cohort + " AND session_date >= ?", ["C_S", date(2025, 2, 10)])
    # the last attendance is now 5 Feb, in C_S's first week: its later weeks have not run yet
    df = E.attendance_heatmap(tiny, Filters())
    assert df[df["cohort_id"] == "C_S"]["week"].tolist() == [0]
    assert df[df["cohort_id"] == "C_A"]["week"].tolist() == [0, 1, 2, 3]
    assert "C_G" not in set(df["cohort_id"])


def test_headlines_claim_nothing_from_tiny_groups(tiny):
    """With fewer than 20 people per group the titles say 'not enough data'."""
    assert "not enough data" in E.engagement_headline(E.engagement_rates(tiny, Filters())).title
    assert "not enough data" in E.momentum_headline(E.momentum(tiny, Filters())).title
    fun = E.funnel(tiny, Filters(), PrivacyRule(min_group_size=3))
    assert "not enough" in E.funnel_headline(fun).title


def _rates(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    df = pd.DataFrame(
        [(f, k, n) for f, (k, n) in counts.items()], columns=["label", "engaged", "enrolled"]
    )
    return df.assign(engagement_rate=df["engaged"] / df["enrolled"])


def test_engagement_headline_names_a_winner_only_beyond_noise():
    """A clear gap names best and worst; a small one says 'no clear difference'."""
    clear = E.engagement_headline(_rates({"Small groups": (70, 100), "Self-directed": (30, 100)}))
    assert clear.supported
    assert clear.title == "Small groups: 70% engaged vs 30% for self-directed"
    close = E.engagement_headline(_rates({"Small groups": (52, 100), "Self-directed": (48, 100)}))
    assert not close.supported and "no clear difference" in close.title


def test_funnel_figure_labels_suppressed_steps_and_draws_no_bar(tiny):
    """Suppressed survey steps say 'suppressed (fewer than 3)'; no data says so; no hidden bar."""
    rule = PrivacyRule(min_group_size=3)
    fun = E.funnel(tiny, Filters(), rule)
    fig = funnel_figure(fun, "t", _ctx(rule), rule, "30 days after")
    texts = [a.text for a in fig.layout.annotations]
    assert sum("suppressed (fewer than 3)" in t for t in texts) == 4
    assert sum("no follow-up answers" in t for t in texts) == 2
    (bars,) = fig.data
    assert len(bars.x) == 9  # enrolled, attended, completed per format; no bar for hidden steps
    assert list(bars.marker.color) == [c for c in FORMAT_COLORS.values() for _ in range(3)]


def test_figures_use_one_colour_per_format_and_carry_n(tiny):
    """Momentum lines in the format colours with n; variants keep their format's hue."""
    mom = E.momentum(tiny, Filters())
    fig = momentum_figure(mom, "format", "t", _ctx())
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.line.color for t in lines] == list(FORMAT_COLORS.values())
    assert [t.name for t in lines] == [
        "Everyone at once · n=4",
        "Self-directed · n=3",
        "Small groups · n=3",
    ]
    assert series_style("small_group", 0)[0] == FORMAT_COLORS["small_group"]
    assert series_style("small_group", 1)[1] != series_style("small_group", 0)[1]
    bars = engagement_figure(E.engagement_rates(tiny, Filters()), "format", "t", _ctx())
    assert sum("n=4 enrolled" in a.text for a in bars.layout.annotations) == 1
    heat = heatmap_figure(E.attendance_heatmap(tiny, Filters()), "t", _ctx())
    ticks = [t.split("</span> ")[1] for t in heat.layout.yaxis.ticktext]
    assert ticks == ["Jan ’25 Org-wide · 4", "Feb ’25 Self-paced · 3", "Mar ’25 Book club · 3"]
    assert FORMAT_COLORS["small_group"] in heat.layout.yaxis.ticktext[2]
    for f in (fig, bars, heat):
        assert _smallest_font(f) >= 14
        assert f.layout.template.layout.title.font.size >= 20


@pytest.mark.parametrize("depts", [(), ("Finance",), ("Finance", "Engineering")])
def test_weekly_presence_from_the_derived_table_matches_the_raw_rows(tmp_path, depts):
    """The heat map's counts (via analysis/derived.py) equal a direct count over attendance."""
    from analysis.demo import load_demo
    from analysis.store import Store

    s = Store(tmp_path / "demo.duckdb")
    load_demo(s)
    got = run_query(s, "attendance_heatmap", Filters(departments=depts))
    in_depts = "TRUE" if not depts else "p.department IN (SELECT unnest($d))"
    direct = s.query(
        f"""
        SELECT a.cohort_id, CAST(floor((a.session_date - c.start_date) / 7) AS INTEGER) AS week,
               count(DISTINCT a.person_key) AS active
        FROM attendance a
        JOIN cohorts c ON c.cohort_id = a.cohort_id
        JOIN enrolments e ON e.cohort_id = a.cohort_id AND e.person_key = a.person_key
        JOIN people p ON p.person_key = a.person_key
        WHERE a.attended AND a.session_date >= c.start_date AND {in_depts}
            AND floor((a.session_date - c.start_date) / 7) < c.planned_weeks
        GROUP BY 1, 2
        """,
        {"d": list(depts)} if depts else None,
    )
    mine = {(r.cohort_id, int(r.week)): int(r.active) for r in got.itertuples()}
    theirs = {(r.cohort_id, int(r.week)): int(r.active) for r in direct.itertuples()}
    assert mine == theirs
    assert sum(mine.values()) > 0
