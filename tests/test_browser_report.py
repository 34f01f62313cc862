"""The report in a real browser: pin a chart, open the Report page, download the deck."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect
from pptx import Presentation

from tests.conftest import PINNED_TODAY

pytestmark = pytest.mark.browser
TIMEOUT = 120_000


def _settled(page: Page) -> None:
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)


def test_pin_a_chart_and_download_the_deck(page: Page, app_url: str, results_dir) -> None:
    """Pin the Overview chart, build the report on its page and download a deck with it."""
    page.goto(app_url)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    page.get_by_role("button", name="Pin to report").first.click()
    expect(page.get_by_role("button", name="Pinned to report").first).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/report")
    title = page.get_by_test_id("stTextInput").first.locator("input")
    expect(title).to_be_visible(timeout=TIMEOUT)
    chart_title = title.input_value()
    page.get_by_role("button", name="Build the deck and the PDF").click()
    button = page.get_by_role("button", name="Download PowerPoint")
    expect(button).to_be_visible(timeout=TIMEOUT)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"formatfit-report-{PINNED_TODAY}.pptx"
    target = results_dir / download.suggested_filename
    download.save_as(target)
    prs = Presentation(io.BytesIO(target.read_bytes()))
    assert len(prs.slides) == 3
    chart_slide = "\n".join(s.text_frame.text for s in prs.slides[2].shapes if s.has_text_frame)
    assert chart_title in chart_slide
    assert [s for s in prs.slides[2].shapes if s.shape_type == 13]  # the chart's image
    with page.expect_download(timeout=60_000) as info:  # the PDF, written on the click
        page.get_by_role("button", name="Download PDF").click()
    pdf = results_dir / info.value.suggested_filename
    info.value.save_as(pdf)
    assert pdf.name.endswith(".pdf") and pdf.read_bytes().startswith(b"%PDF")
