"""Presentation mode in a real browser: fits 16:9 screens, steps with the arrow keys."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from analysis.present import SCREENS

pytestmark = pytest.mark.browser
TIMEOUT = 120_000
SIZES = ((1920, 1080), (1280, 720))


def _settled(page: Page) -> None:
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)
    page.wait_for_timeout(500)  # plotly draws after the script has finished


def _overflow(page: Page) -> dict:
    """How far the document and Streamlit's scrolling main area reach past the viewport."""
    return page.evaluate(
        """() => {
          const main = document.querySelector('[data-testid=stMain]');
          return {doc: document.documentElement.scrollHeight - innerHeight,
                  docX: document.documentElement.scrollWidth - innerWidth,
                  main: main.scrollHeight - main.clientHeight,
                  mainX: main.scrollWidth - main.clientWidth};
        }"""
    )


def _chart_text(page: Page) -> str:
    """Every annotation on the screen's chart, wrapped footer lines joined by spaces."""
    texts = page.get_by_test_id("stPlotlyChart").locator(".annotation-text").all_text_contents()
    return " ".join(texts)


def _counter(page: Page, number: int) -> None:
    expect(page.get_by_text(f"{number} / {len(SCREENS)} ·")).to_be_visible(timeout=TIMEOUT)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_summary_fits_the_screen_without_controls(page: Page, app_url, results_dir, width, height):
    """?view=present: the summary fills a 16:9 screen, no scrollbars, no sidebar or toolbars."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}/?view=present")
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(2, timeout=TIMEOUT)
    _settled(page)
    expect(page.get_by_text("The ten claims on your data")).to_be_visible()
    expect(page.get_by_text("Supported").first).to_be_visible()
    assert _overflow(page) == {"doc": 0, "docX": 0, "main": 0, "mainX": 0}
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    expect(page.get_by_test_id("stHeader")).to_be_hidden()
    assert page.locator(".modebar").count() == 0  # no chart toolbar
    # each chart's own n, and the screen's shared context, all on screen
    expect(charts.nth(0).get_by_text("enrolled;").first).to_be_visible()
    footer = page.locator(".ff-footer")
    for words in ("Cohorts starting", "Survey figures count only", "Data as of", "dataset v"):
        expect(footer).to_contain_text(words)
    _counter(page, 1)
    page.screenshot(path=results_dir / f"present-summary-{width}x{height}.png")


def test_arrow_keys_step_one_chart_per_screen(page: Page, app_url, results_dir):
    """→ steps through every screen (one chart each, footer kept), ← steps back, Esc leaves."""
    page.goto(f"{app_url}/application?view=present")
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(2, timeout=TIMEOUT)
    _settled(page)
    for number in range(2, len(SCREENS) + 1):
        page.keyboard.press("ArrowRight")
        _counter(page, number)
        _settled(page)
        assert f"slide={number}" in page.url
        charts = page.get_by_test_id("stPlotlyChart")
        if SCREENS[number - 1][0] == "claims":
            expect(charts).to_have_count(0)
            expect(page.locator(".ff-footer")).to_contain_text("Data as of")
        else:
            expect(charts).to_have_count(1)
            footer = _chart_text(page)
            for words in ("n = ", "Cohorts starting", "Data as of", "(dataset v", "DEMO DATA"):
                assert words in footer, (number, words, footer)
        overflow = _overflow(page)
        assert overflow["doc"] <= 0 and overflow["main"] <= 0, (number, overflow)
        page.screenshot(path=results_dir / f"present-screen-{number}-1280x720.png")
    page.keyboard.press("ArrowRight")  # past the last screen: stays
    _settled(page)
    _counter(page, len(SCREENS))
    page.keyboard.press("ArrowLeft")
    _counter(page, len(SCREENS) - 1)
    _settled(page)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stSidebar")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    assert "view=present" not in page.url
    expect(page.get_by_role("heading", name="Did people apply what they learned?")).to_be_visible()


def test_the_sidebar_switch_turns_it_on(page: Page, app_url):
    """The sidebar's switch opens the summary and puts ?view=present in the address."""
    page.goto(app_url)
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    switch = page.get_by_test_id("stSidebar").get_by_test_id("stCheckbox")
    switch.filter(has_text="Presentation mode").locator("label").click()
    expect(page.get_by_text("The ten claims on your data")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    assert "view=present" in page.url
