"""The format guide in a real browser at 1280×720: choose a goal, read the advice."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_views import CLIPPED, FORBIDDEN

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def test_choosing_a_goal_gives_a_recommendation_in_words(page: Page, app_url, results_dir):
    """Leader alignment: group coaching, 'leaning' (claim 9 is the null one), what to run next, the
    external numbers labelled as such, and the cost per person who applied; nothing internal,
    missing or clipped."""
    page.goto(f"{app_url}/guide")
    expect(page.get_by_role("heading", name="Which format for your next program?")).to_be_visible(
        timeout=TIMEOUT
    )
    page.get_by_test_id("stMain").get_by_text("Leader alignment", exact=True).click()
    expect(page.get_by_role("heading", name="Small groups: group coaching")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)
    assert "goal=leader_alignment" in page.url
    main = page.get_by_test_id("stMain")
    text = main.inner_text()
    for words in (
        "How sure: Leaning.",
        "What to run next: Run three or more coaching circles",
        "external, different populations",
        "Saks & Belcourt 2006",
        "per person who applied",
    ):
        assert words in text, words
    assert not FORBIDDEN.findall(text), FORBIDDEN.findall(text)
    assert page.evaluate(CLIPPED) == []
    assert page.get_by_test_id("stException").count() == 0
    page.screenshot(path=results_dir / "guide-leader-alignment.png")
    page.screenshot(path=results_dir / "guide-leader-alignment-full.png", full_page=True)
