"""Application-page figures on the hand-counted tiny organisation (tests/tiny.py) plus answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import application as app
from analysis.privacy import SHOWN, SUPPRESSED, PrivacyRule
from analysis.queries import Filters
from tests.tiny import build_tiny_store

RULE3 = PrivacyRule(min_group_size=3)
# r0..r5 are tiny's d30 responses: C_A (p1, p2, unmatched), C_G (p8, p9, p10)
RELEVANCE = [5, 4, 3, 2, 1, 5]
READINESS = [1, 5, 5, 2, 6, 6]


@pytest.fixture
def store(tmp_path):
    s = build_tiny_store(tmp_path / "tiny.duckdb")
    with s.transaction() as cur:
        imp = s.new_import(cur, "test", file_name="answers")
        cur.execute(
            "INSERT INTO survey_items VALUES ('rel', 'Relevant to my work', 'relevance', "
            "'agree5', 1, 5, 4, ?), ('ready', 'Readiness', 'readiness', 'readiness6', 1, 6, 5, ?)",
            [imp, imp],
        )
        for i, (rel, ready) in enumerate(zip(RELEVANCE, READINESS, strict=True)):
            cur.execute(
                "INSERT INTO survey_answers "
                "VALUES (?, 'rel', ?, NULL, ?), (?, 'ready', ?, NULL, ?)",
                [f"r{i}", rel, imp, f"r{i}", ready, imp],
            )
    yield s
    s.close()


def _row(df, **where):
    mask = True
    for k, v in where.items():
        mask = mask & (df[k] == v)
    rows = df[mask]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_application_by_wave_counts_rates_and_response_rates(store):
    """d30: everyone at once 2 of 3 (4 enrolled), small groups 2 of 3 (3 enrolled)."""
    df = app.application_by_wave(store, Filters(), RULE3)
    a = _row(df, wave="d30", format="everyone_at_once")
    assert (a["respondents"], a["applied"], a["enrolled"]) == (3, 2, 4)
    assert a["application_rate"] == pytest.approx(2 / 3)
    assert a["response_rate"] == pytest.approx(3 / 4)
    assert _row(df, wave="d30", format="small_group")["response_rate"] == pytest.approx(1.0)
    hidden = app.application_by_wave(store, Filters(), PrivacyRule(min_group_size=5))
    assert set(hidden["status"]) == {SUPPRESSED}
    assert hidden["application_rate"].isna().all()


def test_readiness_shares_per_format(store):
    """Readiness options 1, 5, 5 in C_A and 2, 6, 6 in C_G: shares of each format's answers."""
    df = app.readiness(store, Filters(), RULE3)
    assert _row(df, format="everyone_at_once", option=1)["share"] == pytest.approx(1 / 3)
    assert _row(df, format="everyone_at_once", option=5)["share"] == pytest.approx(2 / 3)
    assert _row(df, format="small_group", option=6)["respondents"] == 2
    assert app.readiness_headline(df) == (
        "33% of people trained all at once say their role doesn't let them use what they learned"
    )


def test_likert_net_agreement_and_format_differences(store):
    """Relevance answers 5,4,3,2,1,5: net agreement (3 − 2) / 6; formats ±17 whole points."""
    df = app.likert_items(store, Filters(), RULE3, wave="d30")
    rel = _row(df, item_id="rel")
    assert rel["answers"] == 6
    assert rel["net_agreement"] == pytest.approx(1 / 6)
    assert rel["share_5"] == pytest.approx(2 / 6)
    diff = app.item_format_differences(store, Filters(), RULE3, wave="d30")
    # whole points of each share (67% and 33% against 50%): no more precision than shown
    assert _row(diff, item_id="rel", format="everyone_at_once")["difference"] == 17
    assert _row(diff, item_id="rel", format="small_group")["difference"] == -17


def test_segments_suppress_small_cells(store):
    """By relevance: C_G's 'not relevant' cell (p8, p9: both applied) is shown only at n ≥ min."""
    df = app.application_by_segment(store, Filters(), PrivacyRule(min_group_size=3), "relevance")
    cell = _row(df, format="small_group", level="not relevant")
    assert cell["status"] == SUPPRESSED  # 2 respondents < 3
    assert math.isnan(cell["application_rate"])
    assert _row(df, format="everyone_at_once", level="relevant")["status"] == SUPPRESSED


def test_format_comparison_says_not_enough_data_for_tiny_groups(store):
    """Three answers a side: Fisher's exact test, Holm p = 1, verdict 'not enough data'."""
    df = app.format_comparisons(store, Filters(), RULE3)
    row = _row(df, comparison="Everyone at once vs Small groups")
    assert row["difference_pts"] == pytest.approx(0)
    assert row["test"] == "Fisher's exact test"
    assert row["p_holm"] == pytest.approx(1.0)
    assert row["verdict"] == "not enough data"


def test_group_level_needs_several_groups(store):
    """One group per format: no group-level mean (a mean of under 3 groups gives them away)."""
    df = app.group_level(store, Filters(), RULE3)
    assert df["groups"].isna().all()
    assert df["mean_group_rate"].isna().all()


def test_group_level_on_the_demo_counts_each_group_once(demo_store):
    """Small groups: the mean of the circles' own rates, checked against a plain group-by."""
    s = demo_store
    df = app.group_level(s, Filters(), PrivacyRule()).set_index("format")
    rows = s.query(
        "SELECT r.group_id, max(CASE WHEN a.value >= 4 THEN 1 ELSE 0 END) AS applied "
        "FROM survey_responses r JOIN survey_answers a USING (response_id) "
        "JOIN cohorts c USING (cohort_id) WHERE r.wave = 'd30' AND a.item_id = 'app_used' "
        "AND c.format = 'small_group' AND r.group_id IS NOT NULL GROUP BY r.response_id, r.group_id"
    )
    rates = rows.groupby("group_id")["applied"].mean()
    assert df.at["small_group", "groups"] == len(rates)
    assert df.at["small_group", "mean_group_rate"] == pytest.approx(rates.mean())


def test_headline_on_the_demo_names_small_groups(demo_store):
    """On the demo organisation small groups apply clearly more at every wave."""
    s = demo_store
    waves = app.application_by_wave(s, Filters(), PrivacyRule())
    assert app.wave_headline(waves).startswith("Small groups still applied")
    seg = app.application_by_segment(s, Filters(), PrivacyRule(), "relevance")
    assert app.segment_headline(seg, "relevance") == (
        "People whose work needs it applied more than the rest in every format"
    )
    shown = waves[waves["status"] == SHOWN]
    assert len(shown) == 12  # 4 waves × 3 formats


INDEPENDENT_COUNT = """
    SELECT c.format, count(*) AS respondents, sum(applied) AS applied
    FROM (
        SELECT r.response_id, r.cohort_id, r.person_key,
               max(CASE WHEN a.value >= i.positive_min THEN 1 ELSE 0 END) AS applied
        FROM survey_responses r
        JOIN survey_answers a ON a.response_id = r.response_id
        JOIN survey_items i ON i.item_id = a.item_id
        WHERE r.wave = $wave AND i.role = 'application' AND a.value IS NOT NULL
        GROUP BY r.response_id, r.cohort_id, r.person_key
    ) x
    JOIN cohorts c ON c.cohort_id = x.cohort_id
    LEFT JOIN people p ON p.person_key = x.person_key
    WHERE (CAST($dept AS VARCHAR) IS NULL OR p.department = $dept)
        AND (CAST($start AS DATE) IS NULL OR c.start_date >= $start)
        AND (CAST($end AS DATE) IS NULL OR c.start_date < $end)
    GROUP BY c.format
"""


@pytest.mark.parametrize(
    "dept,start,end,shown",
    [
        (None, None, None, 12),  # every format in every wave
        ("Finance", None, None, 7),  # the reversed department: d30 and 5 more of 12 exact
        (None, "2025-04-01", "2025-10-01", 0),  # some cells reach past September
    ],
)
def test_shown_figures_equal_an_independent_count(demo_store, dept, start, end, shown):
    """Where the privacy step says 'shown', its numbers are exactly a plain SQL count's."""
    from datetime import date

    s = demo_store
    f = Filters(
        departments=(dept,) if dept else (),
        start_from=date.fromisoformat(start) if start else None,
        start_to=date(2025, 9, 1) if end else None,
    )
    waves = app.application_by_wave(s, f, PrivacyRule())
    checked = 0
    for wave in app.FOLLOW_UP_WAVES:
        truth = s.query(
            INDEPENDENT_COUNT, {"wave": wave, "dept": dept, "start": start, "end": end}
        ).set_index("format")
        for _, row in waves[waves["wave"] == wave].iterrows():
            nominal = truth.loc[row["format"]]
            if row["status"] == SHOWN:
                assert (row["respondents"], row["applied"]) == (
                    nominal["respondents"],
                    nominal["applied"],
                )
                checked += 1
            else:  # partial or hidden: never more than the view selects
                assert (row["respondents"] if pd.notna(row["respondents"]) else 0) < nominal[
                    "respondents"
                ]
    assert checked == shown


def test_variant_view_is_one_wave_per_variant(store):
    """30 days after, tiny has one org-wide and one book-club variant, 3 respondents each."""
    df = app.application_by_variant_at(store, Filters(), RULE3)
    assert df[["level", "n"]].values.tolist() == [
        ["Org-wide training", 3],
        ["Book club", 3],
    ]
    assert df["application_rate"].tolist() == pytest.approx([2 / 3, 2 / 3])


def test_items_with_the_same_text_keep_one_row_each(store):
    """Two imports asked the same question as two items: two rows, never one stacked row."""
    from analysis.charts import ChartContext
    from analysis.charts_application import heatmap_figure, likert_figure

    with store.transaction() as cur:
        imp = store.new_import(cur, "test", file_name="second survey")
        cur.execute(
            "INSERT INTO survey_items VALUES ('rel2', 'Relevant to my work', 'relevance', "
            "'agree5', 1, 5, 4, ?)",
            [imp],
        )
        for i, value in enumerate([4, 4, 2, 5, 1, 3]):
            cur.execute(
                "INSERT INTO survey_answers VALUES (?, 'rel2', ?, NULL, ?)", [f"r{i}", value, imp]
            )
    df = app.likert_items(store, Filters(), RULE3, wave="d30")
    assert sorted(df["item_id"]) == ["app", "rel", "rel2"]
    ctx = ChartContext("n", "any month", "all", RULE3, "now", 1, False)
    fig = likert_figure(df, "title", ctx)
    ticks = list(fig.layout.yaxis.ticktext)
    assert len(ticks) == 3 and len(set(ticks)) == 3
    assert "Relevant to my work (2)" in ticks
    shares = [sum(abs(t.x[i]) for t in fig.data) for i in range(3)]
    assert all(s == pytest.approx(1.0) for s in shares)  # each row is one item: 100%, not 200%
    diff = app.item_format_differences(store, Filters(), RULE3, wave="d30")
    heat = heatmap_figure(diff, "title", ctx)
    assert len(heat.data[0].y) == 3 and len(set(heat.data[0].y)) == 3


def test_titles_speak_about_the_one_format_shown(demo_store):
    """One format selected: the titles describe it instead of 'not enough data to compare'."""
    from analysis import metrics

    f = Filters(formats=("small_group",))
    rule = PrivacyRule()
    over = metrics.overview(demo_store, f, rule)
    assert metrics.application_headline(over, "30 days").title == (
        "Small groups: 59% applied what they learned (30 days, self-reported, n=443)"
    )
    waves = app.application_by_wave(demo_store, f, rule)
    assert app.wave_headline(waves) == (
        "Small groups: 70% applied what they learned right after, 45% 90 days later"
    )
    seg = app.application_by_segment(demo_store, f, rule, "relevance")
    assert app.segment_headline(seg, "relevance") == (
        "People whose work needs it applied more than the rest in small groups"
    )
    ready = app.readiness(demo_store, f, rule)
    assert app.readiness_headline(ready).startswith("5% of people who learned in small groups")
