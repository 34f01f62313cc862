"""The Compare page's words, charts and URL form (analysis/compare/page.py, presets.py) on the
demo data, and the page itself in AppTest."""

from __future__ import annotations

import json

import pytest

from analysis.charts import ChartContext
from analysis.compare.charts import compare_charts
from analysis.compare.page import base_view, compare_texts, comparisons
from analysis.compare.presets import PRESETS, choices, spec
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from tests.test_app_pages import app  # noqa: F401  (the AppTest fixture)

RULE = PrivacyRule()


def _context(n: str) -> ChartContext:
    return ChartContext(n, "any month", "all", RULE, "now", 1, True)


ARM_TEXTS = [p.a for p in PRESETS.values()] + [p.b for p in PRESETS.values()]


@pytest.mark.parametrize("text", [*ARM_TEXTS, "cohort=C1,cohort=C2", "program=P03"])
def test_arm_text_reads_back_into_the_same_choices(text):
    """spec(choices(text)) is the text: the URL, the presets and the pickers agree."""
    chosen = choices(text)
    assert chosen
    assert spec(**chosen) == text


def test_base_view_keeps_months_departments_and_programs_only():
    """The arms choose formats, variants and cohorts; the sidebar narrows the rest."""
    f = Filters(departments=("Finance",), programs=("P01",), formats=("small_group",),
                variants=("book_club",), cohorts=("C1",))  # fmt: skip
    assert base_view(f) == Filters(departments=("Finance",), programs=("P01",))


def test_book_club_preset_words_match_the_documented_rates(demo_store):
    """61% (36 of 59) vs 35% (19 of 55); the difference in points with its interval."""
    p = PRESETS["book_club"]
    found = comparisons(demo_store, p.a, p.b, "application", "d30", RULE)
    words = compare_texts(found.results, RULE)
    assert words.arms[0] == (
        "**Book club**: 61% applied at work (36 of 59 who answered, 95% CI 48%–72%)"
    )
    assert words.headline.startswith("Book club\\: 26 points higher than reading")
    assert "no correction" in words.holm
    assert "ICC" in words.cluster and "as wide" in words.cluster
    assert set(words.statistics["Statistic"]) >= {"Test", "Cohen's h (effect size)"}


def test_presets_shown_together_are_holm_corrected(demo_store):
    """The pair and the four other presets: five comparisons, Holm across them."""
    p = PRESETS["pilot"]
    one = comparisons(demo_store, p.a, p.b, "application", "d30", RULE).results[0]
    many = comparisons(demo_store, p.a, p.b, "application", "d30", RULE, with_presets=True)
    assert len(many.results) == 5
    assert many.results[0].p_holm >= one.p_holm
    assert "5 comparisons" in compare_texts(many.results, RULE).holm


def test_suppressed_arms_show_no_number(demo_store):
    """Book-club leaders vs individual contributors: suppressed in words, no rate on the chart."""
    a, b = "variant=book_club,leader=yes", "variant=book_club,leader=no"
    r = comparisons(demo_store, a, b, "application", "d30", RULE).results[0]
    words = compare_texts((r,), RULE)
    assert all("suppressed" in line and "%" not in line for line in words.arms)
    charts = compare_charts(r, _context, RULE)
    assert charts["arms"].figure is None and "suppressed" in charts["arms"].empty


def test_survey_segment_on_an_enrolment_metric_says_why(demo_store):
    """'Found it relevant' comes from answers: engagement cannot be compared on it."""
    found = comparisons(demo_store, "variant=book_club,relevant=yes", "variant=book_club,"
                        "relevant=no", "engagement", "d30", RULE)  # fmt: skip
    assert not found.results and "survey metrics" in found.error


def test_the_arms_chart_carries_rates_intervals_and_the_footer(demo_store):
    """Two bars with error bars, the k of n labels and a finding title."""
    p = PRESETS["pilot"]
    r = comparisons(demo_store, p.a, p.b, "application", "d30", RULE).results[0]
    fig = compare_charts(r, _context, RULE)["arms"].figure
    spec_ = json.loads(fig.to_json())
    assert spec_["data"][0]["error_x"]["type"] == "data"
    labels = " ".join(a["text"] for a in spec_["layout"]["annotations"])
    assert "48 of 82" in labels and "147 of 530" in labels and "DEMO DATA" in labels
    assert fig.layout.title.text.startswith("Pilot team first: application 30 days after 31")


def test_compare_page_in_apptest_preset_and_url(app):  # noqa: F811
    """The page opens on the first preset; a preset button sets both arms and the URL."""
    app.switch_page("pages/compare.py")
    app.run()
    assert not app.exception, app.exception
    assert app.subheader[0].value.startswith("Pilot team first\\: 31 points higher")
    app.button(key="cmp_preset_buddies").click().run()
    assert not app.exception, app.exception
    assert app.session_state["cmp_a"] == "variant=course_buddies"
    assert app.query_params["a"] in ("variant=course_buddies", ["variant=course_buddies"])
    assert app.subheader[0].value.startswith("Course with a buddy or two\\:")
    app.segmented_control(key="cmp_metric").set_value("completion").run()
    assert not app.exception, app.exception
    assert len(app.get("plotly_chart")) == 2
