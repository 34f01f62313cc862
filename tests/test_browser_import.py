"""Importing through the real file chooser in a real browser, then undoing it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import EXPORTS

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def _sidebar_cohorts(page: Page) -> int:
    text = page.get_by_test_id("stSidebar").get_by_text(re.compile(r"[\d,]+ cohorts")).inner_text()
    return int(re.search(r"([\d,]+) cohorts", text).group(1).replace(",", ""))


def _settled(page: Page) -> None:
    """Wait until the script run is over, so no element of the previous run is still shown."""
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)


def _import(page: Page, path, cohort: str, wave: str | None = None) -> None:
    """Upload one file, name its new cohort, check the plan and import it."""
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    heading = page.get_by_role("heading", name=path.name)
    expect(heading).to_be_visible(timeout=TIMEOUT)
    section = page.get_by_test_id("stVerticalBlock").filter(has=heading).last
    name = section.get_by_label("Cohort name")
    name.fill(cohort)
    name.press("Enter")
    if wave:
        section.get_by_test_id("stSelectbox").filter(has_text="Survey wave").click()
        page.get_by_role("option").filter(has_text=wave).click()
    section.get_by_role("button", name="Check the import").click()
    commit = section.get_by_role("button", name=re.compile(r"^Import [\d,]+ rows$"))
    expect(commit).to_be_visible(timeout=TIMEOUT)
    commit.click()
    expect(page.get_by_text(re.compile(r"Import \d+ is in"))).to_be_visible(timeout=TIMEOUT)


def test_import_attendance_and_survey_then_undo(page: Page, app_url, results_dir):
    """Zoom and Qualtrics exports import through the page, reach the Overview, and undo cleanly."""
    page.goto(app_url)
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible(timeout=TIMEOUT)
    before = _sidebar_cohorts(page)
    page.get_by_role("link", name="Import").click()
    _import(page, EXPORTS / "zoom" / "participants_heroes_full.csv", "Zoom pilot")
    expect(page.get_by_text(f"{before + 1} cohorts")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    # the file's section now names an existing cohort: no second "Zoom pilot" can be made
    expect(page.get_by_text("A cohort named “Zoom pilot” already exists")).to_be_visible()
    expect(page.get_by_label("Scheduled sessions")).to_have_count(0)
    page.screenshot(path=results_dir / "import-zoom.png")
    _import(page, EXPORTS / "qualtrics" / "qualtrics_sample.csv", "Qualtrics pilot", "30 days")
    expect(page.get_by_text(f"{before + 2} cohorts")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="Overview").click()
    chart = page.get_by_test_id("stPlotlyChart")
    expect(chart).to_be_visible(timeout=TIMEOUT)
    # the org-wide default puts the 27 Zoom attendees under everyone at once: 1,225 + 27
    expect(chart.get_by_text("n=1,252 enrolled").first).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="Import").click()
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_have_count(2, timeout=TIMEOUT)
    for left in (1, 0):  # newest first; each click waits for its rerun, not a fixed time
        undo.first.click()
        expect(undo).to_have_count(left, timeout=TIMEOUT)
    expect(page.get_by_text(f"{before} cohorts")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="Overview").click()
    expect(
        page.get_by_test_id("stPlotlyChart").get_by_text("n=1,225 enrolled").first
    ).to_be_visible(timeout=TIMEOUT)
