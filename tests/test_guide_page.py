"""The format guide (analysis/compare/guide.py) on the demo data, and the page in AppTest."""

from __future__ import annotations

import pytest

from analysis.compare import guide
from analysis.compare.claims import claims
from analysis.privacy import PrivacyRule
from tests.compare_orgs import Cohort, Org, build, people, spread
from tests.test_app_pages import app  # noqa: F401  (the AppTest fixture)

K = PrivacyRule()


@pytest.fixture(scope="module")
def evidence(demo_store):
    """The claims and the cost table, once."""
    return claims(demo_store), guide.costs(demo_store, K)


def test_cost_per_person_who_applied_is_cost_per_place_over_the_rate(evidence):
    """Book clubs run program P05 at 40 per place; 36 of 59 applied: 40 ÷ (36/59) ≈ 66."""
    _, costs = evidence
    book = costs.set_index("variant").loc["book_club"]
    assert book["Cost per place"] == "40"
    assert book["Applied at 30 days"] == "61%"
    assert book["per_applied"] == pytest.approx(40 / (36 / 59))
    assert book["Cost per person who applied"] == "66"


@pytest.mark.parametrize(
    ("goal", "size", "ready", "variant"),
    [
        ("shared_language", "organisation", "mixed", "Pilot team first"),
        ("shared_language", "team", "now", "Org-wide training"),
        ("individual_growth", "department", "now", "Learning budget"),
        ("individual_growth", "department", "later", "Course with a buddy or two"),
        ("applying_practice", "organisation", "now", "Pilot team first"),
        ("leader_alignment", "team", "now", "Group coaching"),
    ],
)
def test_the_goal_and_audience_pick_a_variant(evidence, goal, size, ready, variant):
    """Each goal leads to the format the product brief's reasoning and claims point to."""
    found, costs = evidence
    advice = guide.recommend(goal, size, ready, "both", found, costs)
    assert advice.headline.endswith(variant.lower())
    assert len(advice.evidence) >= 1 and advice.external


def test_leader_alignment_leans_on_the_demo(evidence):
    """Leader alignment rests on claims 6 (supported on the demo) and 9 (the null one): the
    guide leans towards group coaching and still names what to run."""
    found, costs = evidence
    advice = guide.recommend("leader_alignment", "department", "mixed", "leaders", found, costs)
    assert advice.sureness == "Leaning"
    assert advice.next_step.startswith("Run three or more coaching circles of leaders")
    assert list(advice.evidence["Verdict on your data"]) == ["Supported", "Not supported"]


def test_where_the_data_cannot_decide_it_names_what_to_run_next(tmp_path):
    """An organisation with only two book clubs decides no claim: the guide says the data
    cannot decide and what to run."""
    org = Org([Cohort("book_club", spread(people("A", 12, 6), 6))])
    store = build(tmp_path / "db.duckdb", org)
    found, costs = claims(store), guide.costs(store, K)
    advice = guide.recommend("leader_alignment", "department", "mixed", "leaders", found, costs)
    assert advice.sureness == "The data cannot decide"
    assert advice.next_step.startswith("Run three or more coaching circles of leaders")
    assert set(advice.evidence["Verdict on your data"]) == {"Not enough data"}
    store.close()


def test_a_supported_recommendation_is_fairly_sure_with_its_cost(evidence):
    """Applying a practice in a department: buddies, every claim behind it supported."""
    found, costs = evidence
    advice = guide.recommend("applying_practice", "department", "now", "both", found, costs)
    assert advice.sureness == "Fairly sure" and not advice.next_step
    assert "per person who applied" in advice.cost
    assert "variant" not in advice.costs.columns


def test_guide_page_in_apptest_follows_the_goal(app):  # noqa: F811
    """The page recommends for the default goal; choosing leader alignment changes the advice
    and the URL holds it."""
    app.switch_page("pages/guide.py")
    app.run()
    assert not app.exception, app.exception
    assert app.subheader[0].value == "Small groups: course with a buddy or two"
    app.segmented_control(key="guide_goal").set_value("leader_alignment").run()
    assert not app.exception, app.exception
    assert app.subheader[0].value == "Small groups: group coaching"
    assert app.query_params["goal"] in ("leader_alignment", ["leader_alignment"])
    assert any("What to run next" in i.value for i in app.info)
