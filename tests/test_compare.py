"""Comparisons on organisations built in code with known effects (tests/compare_orgs.py)."""

from __future__ import annotations

import pytest

from analysis.compare.arms import ArmError, arm, parse_arm
from analysis.compare.claims import describe, families, judge
from analysis.compare.core import compare, compare_many
from tests.compare_orgs import Cohort, Group, Org, build, people, spread

BOOK, BUDGET = arm(variant="book_club"), arm(variant="learning_budget")


def _alone(variant: str, crowd) -> Cohort:
    return Cohort(variant, (Group(tuple(crowd)),))


def test_simpson_paradox_is_flagged_and_never_supported(tmp_path):
    """Book clubs sit mostly in a high-applying department, so pooled they come out ahead;
    inside every department reading alone on a budget applies 10 points more."""
    clubs = people("High", 200, 160) + people("Low1", 40, 8) + people("Low2", 40, 8)
    alone = people("High", 40, 36) + people("Low1", 200, 60) + people("Low2", 200, 60)
    org = Org([Cohort("book_club", spread(clubs, 5)), _alone("learning_budget", alone)])
    store = build(tmp_path / "db.duckdb", org)
    r = compare(store, BOOK, BUDGET, "application")
    assert r.person.low > 0  # pooled: book clubs clearly ahead
    assert r.simpson
    assert list(r.by_department["direction"]) == [-1, -1, -1]
    assert r.adjusted.estimate.points < 0
    assert judge(r) == "reversed"  # never supported
    store.close()


def test_null_effect_is_not_called_real(tmp_path):
    """Same rate on both sides, 300 each: no clear difference, not supported."""
    clubs = people("A", 150, 60) + people("B", 150, 60)
    alone = people("A", 150, 60) + people("B", 150, 60)
    org = Org([Cohort("book_club", spread(clubs, 6)), _alone("learning_budget", alone)])
    store = build(tmp_path / "db.duckdb", org)
    r = compare(store, BOOK, BUDGET, "application")
    assert r.verdict == "no_clear_difference"
    assert judge(r) == "not_supported"
    assert "could be chance" in r.words
    store.close()


def test_reversed_claim_is_reversed(tmp_path):
    """The claim says book clubs apply more; they apply 30 points less in every department."""
    clubs = people("A", 100, 30) + people("B", 100, 30)
    alone = people("A", 100, 60) + people("B", 100, 60)
    org = Org([Cohort("book_club", spread(clubs, 5)), _alone("learning_budget", alone)])
    store = build(tmp_path / "db.duckdb", org)
    r = compare(store, BOOK, BUDGET, "application")
    assert r.verdict == "b_higher" and not r.simpson
    assert judge(r) == "reversed"
    assert r.words.startswith("Book club: 30 points lower than learning budget")
    store.close()


def test_a_difference_adjusting_leaves_in_doubt_is_not_reversed(tmp_path):
    """Book clubs sit almost all in a low-applying department and reading alone in a high one:
    pooled, clubs are clearly behind (37 points), but adjusted for department the difference
    could go either way (-42 to 27). The adjusted result leads and says no clear difference,
    so the claim is not supported, never reversed (found by the held-out organisation)."""
    clubs = people("Low", 80, 24) + people("High", 4, 2)
    alone = people("High", 80, 56) + people("Low", 4, 1)
    org = Org([Cohort("book_club", spread(clubs, 6)), _alone("learning_budget", alone)])
    store = build(tmp_path / "db.duckdb", org)
    r = compare(store, BOOK, BUDGET, "application")
    assert r.pooled.high < 0 and not r.simpson  # pooled: clubs clearly behind
    assert r.adjusted.estimate.low < 0 < r.adjusted.estimate.high
    assert (r.lead_name, r.verdict) == ("adjusted", "no_clear_difference")
    assert judge(r) == "not_supported"
    store.close()


def test_a_reversal_must_hold_across_the_claims_comparisons(tmp_path):
    """A claim is reversed when any one of its comparisons goes against it, so that one must
    hold across them (Holm): 12 points against at p ~ 0.03 reverses a claim of one comparison,
    not a claim of two such comparisons. A 30-point reversal holds across any. Support is judged per
    comparison (every one must support), so it is untouched."""
    weak_a = people("A", 75, 30) + people("B", 75, 30)  # 40%
    weak_b = people("A", 75, 39) + people("B", 75, 39)  # 52%
    org = Org([Cohort("book_club", spread(weak_a, 6)), _alone("learning_budget", weak_b)])
    store = build(tmp_path / "weak.duckdb", org)
    weak = compare(store, BOOK, BUDGET, "application")
    store.close()
    strong_a = people("A", 100, 30) + people("B", 100, 30)
    strong_b = people("A", 100, 60) + people("B", 100, 60)
    org = Org([Cohort("book_club", spread(strong_a, 5)), _alone("learning_budget", strong_b)])
    store = build(tmp_path / "strong.duckdb", org)
    strong = compare(store, BOOK, BUDGET, "application")
    ahead = compare(store, BUDGET, BOOK, "application")  # read the claim's way: supported
    store.close()
    assert 0.025 < weak.pooled.p < 0.05 and weak.pooled.high < 0
    assert judge(weak) == "reversed"
    assert families([weak]) == [None]
    twice = families([weak, weak])  # two such comparisons behind one claim
    assert twice[0].pooled == pytest.approx(2 * weak.pooled.p) and twice[0].pooled > 0.05
    assert judge(weak, twice[0]) == "not_supported"
    assert "could be chance" in describe(weak, twice[0], 2)
    assert "across the claim's 2 comparisons" in describe(weak, twice[0], 2)
    # Holm steps down: beside a reversal that holds, the weak one is judged at 0.05 again
    fam = families([weak, strong])
    assert judge(strong, fam[1]) == "reversed" and judge(weak, fam[0]) == "reversed"
    assert judge(ahead, families([ahead, weak])[0]) == "supported"


def test_thin_claim_is_not_enough_data(tmp_path):
    """Twelve against fifteen: shown (above the minimum of 5), but too few for a verdict."""
    clubs = people("A", 12, 10)
    alone = people("A", 15, 2)
    org = Org([Cohort("book_club", spread(clubs, 4)), _alone("learning_budget", alone)])
    store = build(tmp_path / "db.duckdb", org)
    r = compare(store, BOOK, BUDGET, "application")
    assert r.data_a.n == 12 and r.data_b.n == 15
    assert r.verdict == "not_enough_data"
    assert judge(r) == "not_enough_data"
    assert "not enough answers to tell" in r.words
    store.close()


def test_clustered_design_widens_the_interval(tmp_path):
    """Whole book clubs apply or not together: the cluster-aware interval is much wider."""
    groups = tuple(Group(people("A", 6, 6 if g % 2 == 0 else 0), together=True) for g in range(20))
    alone = people("A", 120, 30)
    org = Org([Cohort("book_club", groups), _alone("learning_budget", alone)])
    store = build(tmp_path / "db.duckdb", org)
    r = compare(store, BOOK, BUDGET, "application")
    person_width = r.person.high - r.person.low
    cluster_width = r.cluster["high"] - r.cluster["low"]
    assert r.cluster["groups_a"] == 20 and r.cluster["groups_b"] == 0
    assert r.cluster["icc"] == pytest.approx(1.0)
    assert cluster_width > 1.5 * person_width
    assert r.cluster["widening"] == pytest.approx(cluster_width / person_width)
    assert r.lead_name == "cluster-aware"
    store.close()


def test_arms_do_not_reveal_a_small_cohort_by_difference(tmp_path):
    """Arms {C0, C1} and {C0}: C1's two answers must not follow from the difference."""
    org = Org(
        [
            Cohort("book_club", spread(people("A", 20, 10), 5)),
            Cohort("book_club", (Group(people("A", 2, 2)),)),
        ]
    )
    store = build(tmp_path / "db.duckdb", org)
    both = compare(store, arm(cohort=("C0", "C1")), arm(cohort="C0"), "application")
    ns = [d.n for d in (both.data_a, both.data_b) if d.n is not None]
    assert len(ns) < 2 or ns[0] == ns[1] or abs(ns[0] - ns[1]) >= 5
    assert both.verdict in ("suppressed", "not_enough_data")
    store.close()


def test_department_cells_under_the_minimum_are_hidden(tmp_path):
    """A department with 3 answers in an arm shows no figure, and neither does the one it
    would be worked out from (the arm's total minus department A would give B's three)."""
    clubs = people("A", 40, 30) + people("B", 3, 3)
    alone = people("A", 40, 10) + people("B", 30, 10)
    org = Org([Cohort("book_club", spread(clubs, 5)), _alone("learning_budget", alone)])
    store = build(tmp_path / "db.duckdb", org)
    r = compare(store, BOOK, BUDGET, "application")
    assert r.data_a.n == 43
    b = r.by_department.set_index("department")
    assert b.loc["A", "n_a"] is None and b.loc["B", "n_a"] is None
    assert b.loc["A", "n_b"] == 40 and b.loc["B", "n_b"] == 30
    store.close()


def test_engagement_and_momentum_arms_count_enrolments(tmp_path):
    """Engaged = at least 3 of 4 sessions; active in week 2 = attended the second session."""
    clubs = people("A", 20, 0, sessions=4) + people("A", 10, 0, sessions=1)
    alone = people("A", 10, 0, sessions=4) + people("A", 20, 0, sessions=1)
    org = Org([Cohort("book_club", spread(clubs, 5)), _alone("learning_budget", alone)])
    store = build(tmp_path / "db.duckdb", org)
    r = compare(store, BOOK, BUDGET, "engagement")
    assert (r.data_a.k, r.data_a.n, r.data_b.k, r.data_b.n) == (20, 30, 10, 30)
    m = compare(store, BOOK, BUDGET, "momentum", week=2)
    assert (m.data_a.k, m.data_b.k) == (20, 10)
    with pytest.raises(ArmError):
        compare(
            store, arm(variant="book_club", segment=("relevance", "relevant")), BUDGET, "engagement"
        )
    store.close()


def test_holm_across_comparisons_shown_together(tmp_path):
    """Two comparisons: the smaller p doubled, the larger kept at least as large."""
    clubs = people("A", 100, 70)
    alone = people("A", 100, 40)
    org = Org([Cohort("book_club", spread(clubs, 5)), _alone("learning_budget", alone)])
    store = build(tmp_path / "db.duckdb", org)
    single = compare(store, BOOK, BUDGET)
    assert single.p_holm == single.lead.p  # a single pair: no correction
    many = compare_many(store, [(BOOK, BUDGET), (BUDGET, BOOK)])
    assert many[0].p_holm == pytest.approx(min(1.0, 2 * single.lead.p))
    store.close()


def test_parse_arm_reads_keys_and_refuses_two_segments():
    """KEY=VALUE pairs narrow; a key twice takes either value; one segment at most."""
    a = parse_arm("variant=group_coaching,works_together=yes")
    assert a.variants == ("group_coaching",) and a.segment == ("closeness", "close colleagues")
    assert a.label == "Group coaching, close colleagues"
    assert parse_arm("cohort=C1,cohort=C2").cohorts == ("C1", "C2")
    assert parse_arm("motivated=no").segment == ("motivation", "not motivated")
    with pytest.raises(ArmError):
        parse_arm("leader=yes,relevant=yes")
    with pytest.raises(ArmError):
        parse_arm("colour=blue")


def test_claims_with_follow_up_answers_but_no_application_answer_are_not_enough_data(tmp_path):
    """The 30-day responses are in, but none answers an application item (its column was
    imported as text, say): the segment claims (6 to 9) split their levels over no
    application answer at all, and every claim says not enough data instead of failing."""
    from analysis.compare.claims import claims

    crowd = people("A", 40, 20, relevant=True, motivated=True)
    crowd += people("B", 40, 20, relevant=False, motivated=False)
    org = Org([Cohort("book_club", spread(crowd, 5)), _alone("learning_budget", crowd)])
    store = build(tmp_path / "db.duckdb", org)
    with store.transaction() as cur:
        cur.execute("UPDATE survey_answers SET value = NULL, text = 'Agree' WHERE item_id = 'app'")
    found = {c.claim: c for c in claims(store)}
    assert {c.verdict for c in found.values()} == {"not_enough_data"}
    assert "no data" in found[8].evidence
    store.close()
