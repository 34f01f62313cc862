"""The Application page in a real browser: every chart draws, a filter redraws them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def _charts(page: Page):
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(6, timeout=TIMEOUT)
    return charts


def test_application_page_draws_every_chart(page: Page, app_url, results_dir):
    """A deep link on a fresh server: sidebar and all six charts, with numbers and formats."""
    page.goto(f"{app_url}/application")
    charts = _charts(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Filters")).to_be_visible()
    waves = charts.nth(0)
    expect(waves.locator(".gtitle")).to_contain_text("Small groups still applied")
    texts = " ".join(waves.locator("svg text").all_text_contents())
    for label in ("Everyone at once", "Self-directed", "Small groups", "90 days after"):
        assert label in texts
    assert len(re.findall(r"\d+% \(n=\d+\)", texts)) == 12  # 4 waves × 3 formats
    expect(page.get_by_text("Is the difference real?")).to_be_visible()
    variants = " ".join(charts.nth(1).locator("svg text").all_text_contents())
    for label in ("Book club", "Pilot team first", "Org-wide training", "Learning budget"):
        assert label in variants
    names = ("waves", "variants", "readiness", "segments", "likert", "heatmap")
    for i, name in enumerate(names):
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).screenshot(path=results_dir / f"application-{name}.png")
    assert page.get_by_test_id("stException").count() == 0


def test_department_filter_redraws_the_application_charts(page: Page, app_url, results_dir):
    """Finance only: the wave chart's n shrink and the page still draws without errors."""
    page.goto(f"{app_url}/application")
    charts = _charts(page)
    before = charts.nth(0).locator("svg text").all_text_contents()
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Department").get_by_role("combobox")
    box.click()
    box.press_sequentially("Finance")
    page.get_by_role("option").filter(has_text="Finance").click()
    page.keyboard.press("Escape")
    expect(charts.nth(0).locator("svg text").first).to_be_visible(timeout=TIMEOUT)
    # wait for the redrawn chart (its footer names the filter), not a fixed time
    texts = _charts(page).nth(0).locator("svg text")
    expect(texts.filter(has_text="Finance")).not_to_have_count(0, timeout=TIMEOUT)
    after = texts.all_text_contents()
    assert after != before
    assert "Finance" in " ".join(after)  # the footer names the active filter
    assert page.get_by_test_id("stException").count() == 0
    _charts(page).nth(0).screenshot(path=results_dir / "application-finance.png")
