"""The Survey kit page in a real browser: found from the Import page, its text downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from analysis.survey_kit import WAVE_QUESTION

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def test_the_kit_is_found_from_import_and_downloads_as_text(page: Page, app_url, results_dir):
    """Import → the survey kit link → the page with its questions; the text downloads as
    survey-kit.md holding the wave question."""
    page.goto(app_url)
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="Import").click()
    page.get_by_role("link", name="Before you send a survey").click()
    expect(page.get_by_role("heading", name="Survey kit")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text(WAVE_QUESTION).first).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=results_dir / "survey-kit.png", full_page=True)
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="The kit as text").click()
    download = info.value
    assert download.suggested_filename == "survey-kit.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("# FormatFit survey kit") and f"**{WAVE_QUESTION}**" in text
