"""The privacy rules on survey figures, worked by hand (properties: test_privacy_engine.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.privacy import (
    NO_DATA,
    PARTIAL,
    SHOWN,
    SUPPRESSED,
    PrivacyRule,
    comment_rule_ok,
    status_text,
    visible_comments,
)
from analysis.privacy.cells import _exposed, _split, _split_ordered, build_tree
from analysis.privacy.step import make_cells, survey_figure
from analysis.queries import Filters


@pytest.mark.parametrize("size", [3, 10])
def test_threshold_is_configurable_between_3_and_10(size):
    """The Settings range is inclusive at both ends."""
    assert PrivacyRule(size).min_group_size == size


@pytest.mark.parametrize("size", [2, 11])
def test_threshold_outside_the_range_is_refused(size):
    """A rule below 3 or above 10 cannot be made."""
    with pytest.raises(ValueError):
        PrivacyRule(size)


def test_statuses_read_differently():
    """Too few, hidden to protect another group, partly counted, nothing there: four texts."""
    rule = PrivacyRule()
    assert status_text(SUPPRESSED, rule) == "suppressed (fewer than 5)"
    assert status_text(SUPPRESSED, rule, complementary=True) == (
        "suppressed (would single out a group under 5)"
    )
    assert status_text(PARTIAL, rule) == (
        "some answers left out (they would single out fewer than 5)"
    )
    assert status_text(NO_DATA, rule) == "no data"
    assert status_text(SHOWN, rule) == ""
    assert PrivacyRule(7).footer == "Survey figures count only whole groups of 7+ respondents"


def test_small_values_are_pooled_and_the_pool_grown_to_the_minimum():
    """Sizes 8, 2, 0, 6, 1 at k=5: 2 and 1 pool to 3, so the smallest big value (6) joins."""
    labels = _split(np.array([8, 2, 0, 6, 1]), 5)
    assert labels[1] == labels[3] == labels[4]  # the pool: 2 + 6 + 1
    assert len({labels[0], labels[1], labels[2]}) == 3  # 8 alone, the pool, the empty value
    assert len(set(_split(np.array([7, 5, 9]), 5))) == 3  # nothing small: nothing pooled


def test_months_merge_into_runs_and_a_short_tail_joins_the_last_run():
    """Months 3, 0, 2, 6, 1 at k=5: Apr–Jun (5), Jul (6), and August's 1 joins July."""
    assert _split_ordered(np.array([3, 0, 2, 6, 1]), 5).tolist() == [0, 0, 0, 1, 1]
    assert _split_ordered(np.array([2, 2]), 5).tolist() == [0, 0]  # the whole node is small


def _cells(rows: list[tuple], k: int = 5):
    """Base cells from (cohort, format, variant, department, month, respondents, applied)."""
    detail = pd.DataFrame(
        rows, columns=["cohort_id", "format", "variant", "department", "month", "n", "applied"]
    )
    cohorts = detail[["cohort_id", "format", "variant", "month"]].drop_duplicates("cohort_id")
    cohorts = cohorts.assign(program_id="P1")
    detail = detail.drop(columns=["format", "variant", "month"]).rename(
        columns={"n": "respondents"}
    )
    return make_cells(
        "test", detail, cohorts, "respondents", ["respondents", "applied"], PrivacyRule(k)
    )


APR, MAY, JUN = date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)


def test_every_privacy_cell_holds_zero_or_at_least_k():
    """The tree's leaves: no cell of 1 to k − 1 respondents, whatever the split."""
    cells = _cells(
        [
            ("C1", "small_group", "book_club", "d:Eng", APR, 6, 3),
            ("C1", "small_group", "book_club", "d:HR", APR, 2, 1),
            ("C2", "small_group", "book_club", "d:Eng", MAY, 1, 1),
            ("C3", "self_directed", "learning_budget", "d:Eng", APR, 9, 2),
        ]
    )
    size = np.bincount(cells.tree.atoms, weights=cells.tree.sizes)
    assert ((size == 0) | (size >= 5)).all()


def test_a_view_counts_only_whole_cells():
    """HR's 2 book-club answers pool with Eng's 10 into one cell: Eng alone cuts it."""
    cells = _cells(
        [
            ("C1", "small_group", "book_club", "d:Eng", APR, 6, 3),
            ("C1", "small_group", "book_club", "d:HR", APR, 2, 1),
            ("C2", "small_group", "book_club", "d:Eng", MAY, 4, 1),
            ("C3", "self_directed", "learning_budget", "d:Eng", APR, 9, 2),
        ]
    )
    rule = PrivacyRule(5)
    every = survey_figure(cells, Filters(), ["format"], rule).set_index("format")
    assert every.loc["small_group", ["n", "status"]].tolist() == [12, SHOWN]
    eng = survey_figure(cells, Filters(departments=("Eng",)), ["format"], rule)
    eng = eng.set_index("format")
    assert eng.loc["small_group", "status"] == SUPPRESSED
    assert eng.loc["small_group", "complementary"]  # 10 selected, none countable on their own
    assert pd.isna(eng.loc["small_group", "n"]) and pd.isna(eng.loc["small_group", "applied"])
    assert eng.loc["self_directed", ["n", "status"]].tolist() == [9, SHOWN]
    may = survey_figure(cells, Filters(start_from=MAY, start_to=MAY), ["format"], rule)
    assert may.set_index("format").loc["small_group", "status"] == SUPPRESSED  # May's 4 < 5
    assert "self_directed" not in set(may["format"])  # nothing selected: no row (no data)


def test_a_partly_counted_figure_says_so():
    """Eng's 6 book-club answers are a cell; its 2 in team coaching pool with HR's 5 there."""
    cells = _cells(
        [
            ("C1", "small_group", "book_club", "d:Eng", APR, 6, 3),
            ("C2", "small_group", "team_coaching", "d:Eng", MAY, 2, 1),
            ("C2", "small_group", "team_coaching", "d:HR", MAY, 5, 1),
        ]
    )
    fig = survey_figure(cells, Filters(departments=("Eng",)), ["format"], PrivacyRule(5))
    row = fig.set_index("format").loc["small_group"]
    assert (row["n"], row["applied"], row["status"]) == (6, 3, PARTIAL)


def test_a_cell_pooling_two_formats_counts_towards_neither():
    """Three answers in each of two formats at k=5 pool into one cell: both formats hidden."""
    cells = _cells(
        [
            ("C1", "small_group", "book_club", "d:Eng", APR, 3, 1),
            ("C2", "self_directed", "learning_budget", "d:Eng", APR, 3, 2),
        ]
    )
    fig = survey_figure(cells, Filters(), ["format"], PrivacyRule(5))
    assert set(fig["status"]) == {SUPPRESSED}
    one = survey_figure(cells, Filters(), [], PrivacyRule(5))  # all formats together: 6
    assert one[["n", "status"]].values.tolist() == [[6, SHOWN]]


def test_exposed_finds_a_small_group_left_over_from_shown_levels():
    """Rows are privacy cells, columns levels. The unmatched cell (unknown only) plus one
    matched cell with 1 unknown: total 'unknown' − unmatched cell = 1 person."""
    grid = np.array([[5, 0, 0], [0, 6, 5], [1, 6, 2]])  # unknown, relevant, not relevant
    assert _exposed(grid, np.zeros(3, dtype=bool), 5)
    hidden = np.array([True, False, False])  # pooling 'unknown' alone: still derivable
    assert _exposed(grid, hidden, 5)
    full = np.array([[5, 0, 0], [2, 6, 5], [3, 6, 2]])  # every matched cell has 'unknown'
    assert not _exposed(full, np.zeros(3, dtype=bool), 5)


def test_segment_levels_hide_what_would_leave_a_small_remainder():
    """Relevance in one format: 'unknown' would leave 1 matched person, so it is hidden with
    the smallest level that makes the hidden part safe."""
    detail = pd.DataFrame(
        [
            ("C1", "d:Eng", "relevant", 6, 3),
            ("C1", "d:Eng", "not relevant", 2, 0),
            ("C1", "d:Eng", "unknown", 1, 1),
            ("C1", "#unmatched", "unknown", 5, 2),
            ("C1", "d:HR", "relevant", 5, 4),
            ("C1", "d:HR", "not relevant", 5, 1),
        ],
        columns=["cohort_id", "department", "relevance", "respondents", "applied"],
    )
    cohorts = pd.DataFrame(
        [("C1", "small_group", "book_club", "P1", APR)],
        columns=["cohort_id", "format", "variant", "program_id", "month"],
    )
    rule = PrivacyRule(5)
    cells = make_cells(
        "test", detail, cohorts, "respondents", ["respondents", "applied"], rule,
        level_cols=["relevance"],
    )  # fmt: skip
    fig = survey_figure(cells, Filters(), ["format"], rule, level="relevance")
    shown = fig[fig["status"] == SHOWN].set_index("relevance")["n"].to_dict()
    total = survey_figure(cells, Filters(), ["format"], rule)["n"].iloc[0]
    hidden = total - sum(shown.values())
    assert hidden == 0 or hidden >= 5
    assert "unknown" not in shown  # 6 = 5 unmatched + 1 matched: the 1 would be derivable


def test_comments_need_ten_respondents_and_never_fewer_than_the_minimum():
    """9 respondents: no comments; 10: comments; the group-size minimum can never undercut it."""
    rule = PrivacyRule(5)
    assert not comment_rule_ok(9, rule) and comment_rule_ok(10, rule)
    assert not comment_rule_ok(9, PrivacyRule(10, comment_min=3))
    df = pd.DataFrame(
        {
            "format": ["small_group"] * 2 + ["self_directed"] * 3,
            "respondents": [12, 12, 9, 9, 9],
            "text": ["a", "b", "c", "d", "e"],
        }
    )
    assert visible_comments(df, ["format"], "respondents", rule)["text"].tolist() == ["a", "b"]
    with pytest.raises(ValueError):
        visible_comments(df.assign(respondents=[12, 11, 9, 9, 9]), ["format"], "respondents", rule)


def test_tree_of_nothing_is_empty():
    """No answers at all: no cells, and every figure says 'no data' (never an error)."""
    tree = build_tree(pd.DataFrame(columns=["format", "variant", "department", "month",
                                            "program", "cohort", "n"]), "n", 5)  # fmt: skip
    assert tree.atoms.size == 0
