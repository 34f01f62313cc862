"""The Claims page's words and charts (analysis/compare/claims_page.py) on the demo data, and
the page in AppTest."""

from __future__ import annotations

import json

import pytest

from analysis.charts import ChartContext
from analysis.compare.claims import claims
from analysis.compare.claims_page import RULE, VERDICT_WORDS, claim_texts, summary
from analysis.privacy import PrivacyRule
from tests.compare_orgs import Cohort, Group, Org, build, people
from tests.test_app_pages import app  # noqa: F401  (the AppTest fixture)
from tests.test_compare_demo import EXPECTED

K = PrivacyRule()


def _context(n: str) -> ChartContext:
    return ChartContext(n, "any month", "all", K, "now", 1, True)


@pytest.fixture(scope="module")
def texts(demo_store):
    """The ten claims in the page's words, once."""
    found = claims(demo_store)
    return found, {t.number: t for t in claim_texts(found, K, _context)}


def test_every_claim_has_its_documented_verdict_in_words(texts):
    """The verdict labels follow the documented demo verdicts; 'reversed' reads 'Reversed here'."""
    _, by = texts
    assert {n: by[n].verdict_label for n in by} == {
        n: VERDICT_WORDS[v] for n, v in EXPECTED.items()
    }
    assert by[10].verdict_label == "Reversed here"
    assert all(by[n].settle for n in by)


def test_exceptions_are_named_and_the_rule_is_written(texts):
    """Claim 1 holds everywhere except Finance; the rule says what supported needs."""
    found, by = texts
    assert by[1].exceptions == "Holds everywhere except Finance."
    assert "cluster-aware" in RULE and "Simpson" in RULE and "single department" in RULE
    assert summary(found).startswith("Of the 10 claims on your data: 8 supported")


def test_claim_charts_show_each_difference_against_zero(texts):
    """Claim 1's chart: two comparisons, each with its interval, the adjusted estimate beside
    it."""
    _, by = texts
    fig = json.loads(by[1].chart.figure.to_json())
    lead = fig["data"][0]
    assert len(lead["y"]) == 2 and lead["error_x"]["type"] == "data"
    assert fig["data"][1]["name"] == "Adjusted for department and role"


def test_a_claim_with_suppressed_arms_has_no_chart_and_no_figure(tmp_path):
    """Three book-club answers against thirty reading alone: claim 5 cannot be shown, so its
    card has no chart and no rate, and the verdict says why."""
    org = Org(
        [
            Cohort("book_club", (Group(people("A", 3, 2)),)),
            Cohort("self_study_alone", (Group(people("A", 30, 10)),)),
        ]
    )
    store = build(tmp_path / "db.duckdb", org)
    found = claims(store)
    by = {t.number: t for t in claim_texts(found, K, _context)}
    assert next(c for c in found if c.claim == 5).verdict == "not_enough_data"
    assert by[5].chart is None
    assert "%" not in " ".join(by[5].figures["First arm"])
    assert "suppressed" in " ".join(by[5].figures["First arm"])
    store.close()


def test_settle_speaks_of_the_page_not_the_command_line(texts):
    """What settles a claim names the Compare page, not a command-line option."""
    _, by = texts
    assert not any("--wave" in by[n].settle for n in by)


def test_claims_page_in_apptest(app):  # noqa: F811
    """Ten claims, each a heading and a verdict badge, no exception."""
    app.switch_page("pages/claims.py")
    app.run()
    assert not app.exception, app.exception
    titles = [h.value for h in app.subheader if h.value[:2].rstrip(".").isdigit()]
    assert len(titles) == 10
    badges = [m.value for m in app.markdown if "-badge[" in m.value]  # st.badge is Markdown
    assert sum(any(w + "]" in b for w in VERDICT_WORDS.values()) for b in badges) == 10
