"""The privacy rules on survey figures, worked by hand (properties: test_privacy_engine.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.privacy import (
    NO_DATA,
    SHOWN,
    SUPPRESSED,
    PrivacyRule,
    audit_crosstab,
    audit_frames,
    comment_rule_ok,
    selection_safe,
    status_text,
    suppress_crosstab,
    suppress_small_groups,
    suppress_table,
    visible_comments,
)


def test_rows_below_the_threshold_lose_their_figures_and_n():
    """n < 5 is suppressed (value and n hidden); n = 0 is 'no data'; n ≥ 5 is shown."""
    df = pd.DataFrame({"n": [4, 5, 0], "rate": [0.5, 0.6, float("nan")]})
    out = suppress_small_groups(df, "n", ["rate"], PrivacyRule())
    assert out["n_status"].tolist() == [SUPPRESSED, SHOWN, NO_DATA]
    assert pd.isna(out.loc[0, "rate"]) and pd.isna(out.loc[0, "n"])
    assert out.loc[1, "rate"] == 0.6 and out.loc[1, "n"] == 5
    assert df.loc[0, "rate"] == 0.5  # the input is not modified


@pytest.mark.parametrize("size", [3, 10])
def test_threshold_is_configurable_between_3_and_10(size):
    """The Settings range is inclusive at both ends."""
    out = suppress_small_groups(
        pd.DataFrame({"n": [size - 1, size], "v": [1.0, 1.0]}), "n", ["v"], PrivacyRule(size)
    )
    assert out["n_status"].tolist() == [SUPPRESSED, SHOWN]


@pytest.mark.parametrize("size", [2, 11])
def test_threshold_outside_the_range_is_refused(size):
    """A rule below 3 or above 10 cannot be made."""
    with pytest.raises(ValueError):
        PrivacyRule(size)


def test_suppressed_label_differs_from_no_data():
    """'suppressed (fewer than 5)' is visibly different from 'no data'."""
    assert PrivacyRule().suppressed_label == "suppressed (fewer than 5)"
    assert PrivacyRule(7).footer == "Survey figures hidden below 7 respondents"


def test_suppressed_complementary_and_no_data_read_differently():
    """Three different words: too few, hidden to protect another group, nothing there."""
    rule = PrivacyRule()
    texts = {
        status_text(SUPPRESSED, rule),
        status_text(SUPPRESSED, rule, complementary=True),
        status_text(NO_DATA, rule),
    }
    assert texts == {
        "suppressed (fewer than 5)",
        "suppressed (protects a group under 5)",
        "no data",
    }
    assert status_text(SHOWN, rule) == ""


def _table(ns: list[int], parts: list[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame({"n": ns, "rate": [0.5] * len(ns)})
    return df.assign(part=parts) if parts else df


# --- hand-worked one-way tables -----------------------------------------------------------


def test_one_hidden_group_beside_a_shown_total_hides_the_next_smallest():
    """n = 2, 8, 6, 20 with the total 36 shown: 36 − 8 − 20 = 8 hides which of 2 and 6 is which."""
    out = suppress_table(_table([2, 8, 6, 20]), "n", ["rate"], PrivacyRule(5), total_n=36)
    assert out["n_status"].tolist() == [SUPPRESSED, SHOWN, SUPPRESSED, SHOWN]
    assert out["n_complementary"].tolist() == [False, False, True, False]
    assert out.loc[[0, 2], "rate"].isna().all() and out.loc[[0, 2], "n"].isna().all()
    assert audit_frames([(out, "n", 36)], PrivacyRule(5)) == []


def test_two_hidden_groups_adding_up_to_the_minimum_need_nothing_more():
    """2 + 3 = 5 ≥ 5: nothing else is hidden; 1 + 2 = 3 < 5: the next smallest (9) goes too."""
    out = suppress_table(_table([2, 3, 9, 12]), "n", ["rate"], PrivacyRule(5), total_n=26)
    assert out["n_status"].tolist() == [SUPPRESSED, SUPPRESSED, SHOWN, SHOWN]
    assert not out["n_complementary"].any()
    out = suppress_table(_table([1, 2, 9, 12]), "n", ["rate"], PrivacyRule(5), total_n=24)
    assert out["n_complementary"].tolist() == [False, False, True, False]


def test_without_a_shown_total_only_small_groups_are_hidden():
    """No total anywhere: nothing can be subtracted, so only n < minimum is hidden."""
    out = suppress_table(_table([2, 8, 6, 20]), "n", ["rate"], PrivacyRule(5))
    assert out["n_status"].tolist() == [SUPPRESSED, SHOWN, SHOWN, SHOWN]


def test_respondents_outside_the_rows_count_as_a_hidden_group():
    """Total 36 over rows 8, 6, 20: the 2 people in no row are recoverable unless 6 is hidden."""
    out = suppress_table(_table([8, 6, 20]), "n", ["rate"], PrivacyRule(5), total_n=36)
    assert out["n_status"].tolist() == [SHOWN, SUPPRESSED, SHOWN]
    out = suppress_table(_table([8, 6, 20]), "n", ["rate"], PrivacyRule(5), total_n=34)
    assert (out["n_status"] == SHOWN).all()


def test_each_partition_is_protected_against_its_own_total():
    """Waves are separate bars with separate totals: only the wave with a small group changes."""
    df = _table([2, 7, 9, 6, 8, 10], ["post"] * 3 + ["d30"] * 3)
    out = suppress_table(df, "n", ["rate"], PrivacyRule(5), partition_cols=["part"])
    assert out["n_status"].tolist() == [SUPPRESSED, SUPPRESSED, SHOWN, SHOWN, SHOWN, SHOWN]
    assert out["n_complementary"].tolist() == [False, True, False, False, False, False]


def test_audit_finds_a_group_recovered_by_subtraction():
    """Primary suppression alone beside a shown total is caught, with the number it gives away."""
    out = suppress_small_groups(_table([2, 8, 20]), "n", ["rate"], PrivacyRule(5))
    assert audit_frames([(out, "n", None)], PrivacyRule(5)) == []
    problems = audit_frames([(out, "n", 30)], PrivacyRule(5))
    assert len(problems) == 1 and "leaves 2" in problems[0]
    leaky = _table([3, 8]).assign(n_status=SHOWN)
    assert "shown under the minimum" in audit_frames([(leaky, "n", None)], PrivacyRule(5))[0]


# --- hand-worked two-way tables ----------------------------------------------------------

GRID = {"A": (2, 10, 12), "B": (9, 7, 15), "C": (11, 14, 20)}  # format × department X, Y, Z


def _grid(grid: dict[str, tuple[int, ...]]) -> pd.DataFrame:
    rows = [(f, d, n) for f, ns in grid.items() for d, n in zip("XYZ", ns, strict=False)]
    return pd.DataFrame(rows, columns=["format", "dept", "n"]).assign(rate=0.5)


def test_crosstab_covers_a_small_cell_with_the_cheapest_rectangle():
    """A×X = 2 with all margins shown: hiding A×Y, B×X, B×Y (26 people) is the cheapest cover."""
    out = suppress_crosstab(_grid(GRID), "format", "dept", "n", ["rate"], PrivacyRule(5))
    cells = out[out["dept"] != "All"].set_index(["format", "dept"])
    hidden = set(cells.index[cells["n_status"] == SUPPRESSED])
    assert hidden == {("A", "X"), ("A", "Y"), ("B", "X"), ("B", "Y")}
    assert set(cells.index[cells["n_complementary"]]) == hidden - {("A", "X")}
    margins = out[(out["dept"] == "All") | (out["format"] == "All")]
    assert len(margins) == 3 + 3 + 1 and (margins["n_status"] == SHOWN).all()
    assert audit_crosstab(out, "format", "dept", "n", PrivacyRule(5)) == []


def test_audit_catches_a_cell_recovered_from_row_and_column_totals():
    """Primary-only cells under shown totals: A×X = 24 − 10 − 12 is found."""
    rule = PrivacyRule(5)
    naive = suppress_crosstab(_grid(GRID), "format", "dept", "n", ["rate"], rule, margins=False)
    totals = suppress_crosstab(_grid(GRID), "format", "dept", "n", ["rate"], rule).iloc[9:]
    problems = audit_crosstab(pd.concat([naive, totals]), "format", "dept", "n", rule)
    assert "cell ('A', 'X'): hidden, but works out as 2 (< 5)" in problems


def test_crosstab_small_total_is_hidden_with_another_and_its_cells_paired():
    """Row A adds up to 3: its total hides, so does the next-smallest row total, and cells pair."""
    grid = {"A": (2, 1, 0), "B": (9, 8, 12), "C": (11, 14, 20)}
    out = suppress_crosstab(_grid(grid), "format", "dept", "n", ["rate"], PrivacyRule(5))
    hidden = out[out["n_status"] == SUPPRESSED]
    flags = zip(hidden["format"], hidden["dept"], hidden["n_complementary"], strict=True)
    assert list(flags) == [
        ("A", "X", False),
        ("A", "Y", False),
        ("B", "X", True),  # X: 22 − 9 − 11 would give A×X = 2 back
        ("B", "Y", True),
        ("A", "All", False),
        ("B", "All", True),  # 77 − 45 − 29 would give A's total of 3 back
    ]
    assert audit_crosstab(out, "format", "dept", "n", PrivacyRule(5)) == []


def test_crosstab_without_totals_is_primary_only():
    """When no total of the cells is shown anywhere, nothing is hidden but the small cells."""
    out = suppress_crosstab(
        _grid(GRID), "format", "dept", "n", ["rate"], PrivacyRule(5), margins=False
    )
    assert out["n_status"].tolist().count(SUPPRESSED) == 1 and not out["n_complementary"].any()


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


def test_a_filtered_figure_is_safe_only_when_no_neighbouring_filter_differs_by_a_small_group():
    """Eng 8 + Sales 2 selected: Eng alone would differ by 2; rest 3 would show against 'all'."""
    rule = PrivacyRule(5)
    assert not selection_safe([8, 2], 0, rule)
    assert not selection_safe([8], 3, rule)
    assert selection_safe([8, 0, 6], 5, rule)
