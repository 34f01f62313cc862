"""The Data health page in a real browser: the summary and a cohort's statements on screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from analysis import health

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def test_the_health_page_says_what_to_collect_next(page: Page, app_url, results_dir, demo_store):
    """Data health from the navigation: the first thing to collect and a cohort's gap, in
    words (on 2026-12-03: a 30-day and three 60-day waves to send); no internal name, None
    or nan on screen."""
    page.goto(app_url)
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="Data health").click()
    expect(page.get_by_role("heading", name="Data health")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("What to collect next")).to_be_visible(timeout=TIMEOUT)
    # what the page must say, worked out on the same demo data and the same "today"
    h = health.health(demo_store)
    expect(page.get_by_text(health.step_text(h.steps[0])).first).to_be_visible()
    # a cohort's gap: in a program with data missing (its list is open), else opened by hand
    program = next((p for p in h.programs if p.status == health.MISSING), None)
    program = program or next(p for p in h.programs if p.status == health.WARN)
    gap = next(s for c in program.cohorts for s in c.statements if s.status == program.status)
    page.screenshot(path=results_dir / "data-health.png")
    page.get_by_text("The claims", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=results_dir / "data-health-claims.png")
    if program.status != health.MISSING:
        page.get_by_test_id("stExpander").filter(has_text=program.name).first.click()
    statement = page.get_by_text(_sentence(gap.text)).first
    statement.scroll_into_view_if_needed()
    expect(statement).to_be_visible()
    page.screenshot(path=results_dir / "data-health-cohorts.png")
    body = page.get_by_test_id("stMain").inner_text()
    for word in ("None", "nan", "small_group", "self_directed", "#unmatched"):
        assert word not in body.split(), word
