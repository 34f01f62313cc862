"""The Claims page in a real browser at 1280×720: ten verdicts in words, the rule, a chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_views import CLIPPED, FORBIDDEN

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
# Charts in closed expanders have no box: check only the charts on screen.
CLIPPED_SHOWN = CLIPPED.replace(
    "const box = chart.getBoundingClientRect();",
    "const box = chart.getBoundingClientRect(); if (!box.width) continue;",
)


def test_claims_page_shows_every_verdict_and_the_chart_behind_one(page: Page, app_url, results_dir):
    """Ten claims with their verdicts (supported, not supported, reversed here), the verdict
    rule, 'holds everywhere except Finance', and claim 1's chart one click away; nothing
    internal, missing or clipped."""
    page.goto(f"{app_url}/claims")
    expect(page.get_by_role("heading", name="Do the claims hold on your data?")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.get_by_text("Of the 10 claims on your data")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)
    main = page.get_by_test_id("stMain")
    shown = main.inner_text()  # visible text only: the closed rule is not counted
    for verdict, times in (
        ("Supported", 8),
        ("Not supported", 1),
        ("Reversed here", 1),
        ("Not enough data", 0),
    ):
        assert shown.count(f"{verdict}\n") == times, verdict
    expect(main.get_by_text("Holds everywhere except Finance.")).to_be_visible()
    page.get_by_text("The verdict rule").click()
    expect(main.get_by_text("A single department going the other way", exact=False)).to_be_visible()
    page.screenshot(path=results_dir / "claims.png")
    page.get_by_text("The chart and figures behind it").first.click()
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart.locator(".gtitle")).to_contain_text("Claim 1: supported", timeout=TIMEOUT)
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=results_dir / "claims-claim-1.png")
    text = main.inner_text() + " " + " ".join(main.locator("svg text").all_text_contents())
    assert not FORBIDDEN.findall(text), FORBIDDEN.findall(text)
    assert page.evaluate(CLIPPED_SHOWN) == []
    assert page.get_by_test_id("stException").count() == 0
    page.screenshot(path=results_dir / "claims-full.png", full_page=True)
