"""The Data health page in a real browser: the summary and a cohort's statements on screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def test_the_health_page_says_what_to_collect_next(page: Page, app_url, results_dir):
    """Data health from the navigation: what to collect next, the claims, and a cohort whose
    60-day wave is overdue, in words; no internal name, None or nan on screen."""
    page.goto(app_url)
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="Data health").click()
    expect(page.get_by_role("heading", name="Data health")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("What to collect next")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Send the 60-day survey to 3 cohorts").first).to_be_visible()
    expect(page.get_by_text("no 60-day wave yet: send the 60-day survey").first).to_be_visible()
    page.screenshot(path=results_dir / "data-health.png")
    page.get_by_text("Programs and cohorts").scroll_into_view_if_needed()
    page.get_by_text("The claims", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=results_dir / "data-health-claims.png")
    page.get_by_text("Programs and cohorts").scroll_into_view_if_needed()
    page.get_by_text(
        "no 60-day wave yet: send the 60-day survey"
    ).first.scroll_into_view_if_needed()
    page.screenshot(path=results_dir / "data-health-cohorts.png")
    body = page.get_by_test_id("stMain").inner_text()
    for word in ("None", "nan", "small_group", "self_directed", "#unmatched"):
        assert word not in body.split(), word
