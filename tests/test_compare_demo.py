"""The claims on the demo organisation: each verdict as data/demo/README.md documents it."""

from __future__ import annotations

import pytest

from analysis.compare.arms import arm
from analysis.compare.claims import claims
from analysis.compare.core import compare

# The expected verdicts, as listed in data/demo/README.md ("What the claims come to").
EXPECTED = {
    1: "supported",
    2: "supported",
    3: "supported",
    4: "supported",
    5: "supported",
    6: "supported",
    7: "supported",
    8: "supported",
    9: "not_supported",
    10: "reversed",
}


@pytest.fixture(scope="module")
def demo_claims(demo_store):
    """The ten claims judged once on the demo data."""
    return {c.claim: c for c in claims(demo_store)}


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_demo_claim_verdicts_match_the_documented_effects(demo_claims, number):
    """Each claim's verdict on the demo data is the one data/demo/README.md documents."""
    c = demo_claims[number]
    assert c.verdict == EXPECTED[number], c.evidence
    assert c.settle


def test_claim_1_holds_everywhere_except_finance(demo_claims):
    """Finance reverses small groups vs self-directed by design; claim 1 is still supported."""
    assert "holds everywhere except Finance" in demo_claims[1].evidence
    vs_self = demo_claims[1].results[1]
    finance = vs_self.by_department.set_index("department").loc["Finance"]
    assert finance["rate_a"] < finance["rate_b"] and not vs_self.simpson


def test_claim_6_counts_circles_apart_without_narrowing(demo_claims):
    """Close vs mixed coaching circles: every answer keeps its circle, so the two segments add
    up to the variant and nothing is held back; the circles answer no more alike than chance,
    and the cluster-aware interval keeps the person-level width rather than narrowing."""
    r = demo_claims[6].results[0]
    assert (r.data_a.n, r.data_b.n) == (37, 41) and r.data_a.n + r.data_b.n == 78
    assert r.cluster["floored"] and r.cluster["widening"] == pytest.approx(1.0)
    assert r.lead.low > 0 and "person-level one is kept" in demo_claims[6].evidence


def test_claim_9_is_the_deliberately_null_one(demo_claims):
    """Leaders gain about 5 points more than individual contributors: an interval across 0."""
    assert "no evidence that leaders benefit more" in demo_claims[9].evidence


def test_demo_compare_matches_the_documented_rates(demo_store):
    """Book club 61.0% (n 59) vs reading alone 34.5% (n 55) at 30 days."""
    r = compare(demo_store, arm(variant="book_club"), arm(variant="self_study_alone"))
    assert (r.data_a.n, r.data_b.n) == (59, 55)
    assert r.data_a.k / r.data_a.n == pytest.approx(0.610, abs=0.001)
    assert r.data_b.k / r.data_b.n == pytest.approx(0.345, abs=0.001)
    assert r.verdict == "a_higher"
