"""Metric queries against a tiny organisation counted by hand (see tests/tiny.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis import metrics
from analysis.privacy import SHOWN, SUPPRESSED, PrivacyRule
from analysis.queries import Filters, load_sql
from tests.tiny import build_tiny_store


@pytest.fixture
def tiny(tmp_path):
    store = build_tiny_store(tmp_path / "tiny.duckdb")
    yield store
    store.close()


def _row(df, fmt):
    return df.set_index("format").loc[fmt]


def test_engagement_counts_people_with_75pct_of_sessions_or_weeks(tiny):
    """Engaged needs ≥75% of sessions (distinct dates) or of planned weeks for self-paced."""
    df = metrics.engagement_by_variant(tiny, Filters())
    assert _row(df, "everyone_at_once")[["enrolled", "engaged", "participated"]].tolist() == [
        4,
        2,
        3,
    ]
    assert _row(df, "self_directed")[["enrolled", "engaged", "participated"]].tolist() == [3, 1, 2]
    assert _row(df, "small_group")[["enrolled", "engaged", "participated"]].tolist() == [3, 3, 3]


def test_completion_is_completed_over_enrolled(tiny):
    """Completion counts enrolments with a completion date."""
    df = metrics.completion_by_variant(tiny, Filters())
    assert _row(df, "everyone_at_once")["completed"] == 1
    assert _row(df, "small_group")["completed"] == 2
    assert _row(df, "self_directed")["completed"] == 0


def test_application_counts_top_two_box_and_surveyed_denominator(tiny):
    """Applied = value ≥ 4 on the application item; response rate over surveyed cohorts only."""
    df = metrics.overview(tiny, Filters(), PrivacyRule(min_group_size=3))
    a = _row(df, "everyone_at_once")
    assert (a["respondents"], a["applied"], a["unmatched"], a["surveyed_enrolled"]) == (3, 2, 1, 4)
    g = _row(df, "small_group")
    assert (g["respondents"], g["applied"], g["surveyed_enrolled"]) == (3, 2, 3)
    s = _row(df, "self_directed")  # never surveyed: no answers and no denominator either
    assert s["status"] == "no data" and pd.isna(s["surveyed_enrolled"])
    assert metrics.unmatched_answers(tiny, "d30", PrivacyRule(min_group_size=3)) == 1


def test_overview_rates_intervals_and_suppression(tiny):
    """Overview joins the three metrics, adds Wilson intervals and suppresses small n."""
    df = metrics.overview(tiny, Filters(), PrivacyRule(min_group_size=3))
    a = _row(df, "everyone_at_once")
    assert a["engagement_rate"] == pytest.approx(0.5)
    assert a["completion_rate"] == pytest.approx(0.25)
    assert a["application_rate"] == pytest.approx(2 / 3)
    assert a["response_rate"] == pytest.approx(3 / 4)
    assert a["engagement_low"] == pytest.approx(0.15003, abs=1e-4)  # Wilson 2/4, by hand
    assert a["status"] == SHOWN
    s = _row(df, "self_directed")
    assert s["status"] == "no data"
    hidden = metrics.overview(tiny, Filters(), PrivacyRule(min_group_size=5))
    assert set(hidden["status"]) == {SUPPRESSED, "no data"}
    assert hidden["application_rate"].isna().all()
    assert hidden["engagement_rate"].notna().all()  # operational data is not suppressed


def test_department_filter_drops_unmatched_responses(tiny):
    """A department filter keeps only people of that department, so unmatched answers drop out.

    Everyone at once has 3 answers: p1 and p2 (Eng) and one unmatched. They form one privacy
    cell at a minimum of 3, so with every department selected that cell is not wholly inside
    the view and the figure is suppressed rather than shown without the unmatched answer.
    """
    rule = PrivacyRule(min_group_size=3)
    f = Filters(departments=("Eng",))
    eng = _row(metrics.engagement_by_variant(tiny, f), "everyone_at_once")
    assert (eng["enrolled"], eng["engaged"]) == (3, 2)
    every = _row(
        metrics.overview(tiny, Filters(departments=("Eng", "Sales")), rule), "everyone_at_once"
    )
    assert every["status"] == SUPPRESSED and pd.isna(every["respondents"])
    assert _row(metrics.overview(tiny, Filters(), rule), "everyone_at_once")["n"] == 3


def test_month_and_format_filters_select_whole_cohorts(tiny):
    """Start-month filter selects cohorts by the month they started, inclusive at both ends."""
    feb = Filters(start_from=date(2025, 2, 1), start_to=date(2025, 2, 1))
    assert set(metrics.completion_by_variant(tiny, feb)["format"]) == {"self_directed"}
    jan_feb = Filters(start_from=date(2025, 1, 1), start_to=date(2025, 2, 1))
    assert set(metrics.completion_by_variant(tiny, jan_feb)["format"]) == {
        "everyone_at_once",
        "self_directed",
    }
    only = Filters(formats=("small_group",))
    df = metrics.overview(tiny, only, PrivacyRule(min_group_size=3))
    assert df["format"].tolist() == ["small_group"]


def test_filter_values_are_bound_not_formatted(tiny):
    """Hostile filter text is data: it matches nothing and breaks nothing."""
    f = Filters(departments=("Eng'); DROP TABLE people; --",))
    assert metrics.completion_by_variant(tiny, f).empty
    assert tiny.row_counts()["people"] == 10


def test_unknown_query_name_is_refused():
    """Only files in analysis/sql are queries."""
    with pytest.raises(KeyError):
        load_sql("../store")


def test_filter_options_span_every_month(tiny):
    """The month slider offers every month from the first cohort start to the last."""
    opts = metrics.filter_options(tiny)
    assert opts.months == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert opts.departments == ["Eng", "Sales"]
    assert opts.programs == {"P1": "Feedback skills"}


def test_headline_claims_only_a_real_difference(tiny):
    """The title states a winner only when the difference's interval excludes zero."""
    df = metrics.overview(tiny, Filters(), PrivacyRule(min_group_size=3))
    assert "not enough data" in metrics.application_headline(df, "30 days").title


def test_memoised_results_follow_every_write(tiny):
    """A named query asked again after a write sees the write (the memo keys on the version)."""
    before = metrics.completion_by_variant(tiny, Filters())
    with tiny.transaction() as cur:
        imp = tiny.new_import(cur, "test")
        cur.execute(
            "INSERT INTO enrolment_records VALUES ('p4', 'C_A', 'GC_A', NULL, "
            "DATE '2025-02-01', ?)",
            [imp],
        )
    after = metrics.completion_by_variant(tiny, Filters())
    assert _row(before, "everyone_at_once")["completed"] == 1
    assert _row(after, "everyone_at_once")["completed"] == 2
    after.loc[:, "completed"] = 99  # a caller changing its frame does not change the memo
    assert (
        _row(metrics.completion_by_variant(tiny, Filters()), "everyone_at_once")["completed"] == 2
    )
