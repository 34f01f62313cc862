"""The Compare page in a real browser at 1280×720: a preset, the verdict in words, the charts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_views import CLIPPED, FORBIDDEN

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def _settled(page: Page) -> None:
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)
    page.wait_for_timeout(700)


def _main_text(page: Page) -> str:
    main = page.get_by_test_id("stMain")
    return main.inner_text() + " " + " ".join(main.locator("svg text").all_text_contents())


def test_a_preset_gives_the_verdict_in_words_and_two_charts(page: Page, app_url, results_dir):
    """Book club vs reading alone: difference in points with its interval and chance words,
    the arms' rates with n, groups counted apart, departments, the causation caveat; the URL
    holds the pair; nothing internal, missing or clipped is shown."""
    page.goto(f"{app_url}/compare")
    expect(page.get_by_role("heading", name="Compare two ways of learning")).to_be_visible(
        timeout=TIMEOUT
    )
    _settled(page)
    page.get_by_role("button", name="Book club vs reading alone").click()
    headline = page.get_by_role("heading", name=re.compile(r"^Book club: \d+ points higher"))
    expect(headline).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    assert re.search(r"points higher than reading / course alone \(\d+ to \d+\); (very )?unlikely "
                     r"to be chance", headline.inner_text())  # fmt: skip
    assert "variant%3Dbook_club" in page.url or "variant=book_club" in page.url
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(2, timeout=TIMEOUT)
    expect(charts.first.locator(".gtitle")).to_contain_text("Book club", timeout=TIMEOUT)
    text = _main_text(page)
    for words in (
        "61% applied at work (36 of 59 who answered",
        "Counting learning groups apart",
        "The intraclass correlation (ICC)",
        "as wide",
        "Inside each department",
        "Adjusted for department and leader or individual contributor",
        "One comparison on the page, so no correction",
        "People chose or were placed in these formats",
    ):
        assert words in text, words
    assert not FORBIDDEN.findall(text), FORBIDDEN.findall(text)
    assert page.evaluate(CLIPPED) == []
    assert page.get_by_test_id("stException").count() == 0
    page.get_by_text("The statistics: test, Holm, Cohen's h").click()
    stats = page.get_by_test_id("stExpander").get_by_test_id("stDataFrame")
    expect(stats).to_be_visible(timeout=TIMEOUT)  # the table of test, Holm p and Cohen's h
    page.screenshot(path=results_dir / "compare-book-club.png", full_page=True)
    for i, name in enumerate(("arms", "departments")):
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).screenshot(path=results_dir / f"compare-{name}.png")


def test_close_vs_mixed_coaching_keeps_the_person_level_interval(page: Page, app_url, results_dir):
    """Close-colleague vs mixed coaching groups on the demo: a clear difference, and since the
    circles answer no more alike than chance the page says the person-level interval is kept."""
    page.goto(f"{app_url}/compare")
    expect(page.get_by_role("heading", name="Compare two ways of learning")).to_be_visible(
        timeout=TIMEOUT
    )
    _settled(page)
    page.get_by_role("button", name="Close-colleague vs mixed coaching groups").click()
    heading = page.get_by_role(
        "heading", name=re.compile(r"^Group coaching, close colleagues: \d+ points higher")
    )
    expect(heading).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    text = _main_text(page)
    assert "the person-level one is kept" in text
    assert "12 learning groups in group coaching, close colleagues" in text
    assert not FORBIDDEN.findall(text), FORBIDDEN.findall(text)
    page.screenshot(path=results_dir / "compare-close-vs-mixed.png", full_page=True)


def test_suppressed_arms_say_so_in_words(page: Page, app_url, results_dir):
    """Book-club leaders vs individual contributors, opened from a shared link: the few
    unmatched answers would follow from the two arms and the variant's total, so the page says
    'suppressed' in words and shows no rate for either arm."""
    arms = "a=variant%3Dbook_club%2Cleader%3Dyes&b=variant%3Dbook_club%2Cleader%3Dno"
    page.goto(f"{app_url}/compare?{arms}")
    heading = page.get_by_role("heading", name=re.compile("Book club, leaders vs"))
    expect(heading).to_contain_text("suppressed", timeout=TIMEOUT)
    _settled(page)
    text = _main_text(page)
    assert "Book club, leaders: suppressed" in text
    assert not re.search(r"(leaders|individual contributors)\*?\*?: \d+%", text)
    assert not FORBIDDEN.findall(text), FORBIDDEN.findall(text)
    assert page.get_by_test_id("stException").count() == 0
    page.screenshot(path=results_dir / "compare-suppressed.png", full_page=True)
