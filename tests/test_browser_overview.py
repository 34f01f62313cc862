"""The Overview in a real browser: real server, real Chromium, what a person sees and downloads."""

from __future__ import annotations

import re
import struct

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PINNED_TODAY

pytestmark = pytest.mark.browser

FORMATS = ("Everyone at once", "Self-directed", "Small groups")
LOAD_TIMEOUT = 90_000


def _open_overview(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible(timeout=LOAD_TIMEOUT)
    # plotly has drawn its bars and labels
    expect(page.locator(".stPlotlyChart .annotation-text").first).to_be_visible()


def _chart_texts(page: Page) -> list[str]:
    return page.locator(".stPlotlyChart svg text").all_text_contents()


def test_overview_chart_shows_three_formats_with_numbers(page: Page, app_url, results_dir):
    """The chart names every format, and every bar carries a percentage and its n."""
    _open_overview(page, app_url)
    texts = " ".join(_chart_texts(page))
    for fmt in FORMATS:
        assert fmt in texts
    assert len(re.findall(r"\b\d{1,3}%", texts)) >= 9  # 3 metrics × 3 formats
    assert len(re.findall(r"n=[\d,]+ enrolled", texts)) == 6
    assert len(re.findall(r"n=[\d,]+ answered", texts)) == 3
    assert "DEMO DATA" in texts  # the footer says so on the chart itself
    expect(page.get_by_text("Demo data: a generated example organisation")).to_be_visible()
    page.screenshot(path=results_dir / "overview.png")
    chart = page.get_by_test_id("stPlotlyChart")
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=results_dir / "overview-chart.png")


def test_overview_png_download_is_2x_with_a_meaningful_name(page: Page, app_url, results_dir):
    """The chart's camera button saves formatfit-overview-formats-<date>.png at 2560×1440."""
    _open_overview(page, app_url)
    chart = page.get_by_test_id("stPlotlyChart")
    chart.hover()
    with page.expect_download(timeout=30_000) as info:
        chart.get_by_role("button", name="Download plot as a PNG").click()
    download = info.value
    assert download.suggested_filename == f"formatfit-overview-formats-{PINNED_TODAY}.png"
    target = results_dir / download.suggested_filename
    download.save_as(target)
    head = target.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (2560, 1440)


def test_format_filter_limits_the_chart_to_the_chosen_format(page: Page, app_url, results_dir):
    """Choosing one format in the sidebar redraws the chart with only that format."""
    _open_overview(page, app_url)
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Formats").get_by_role("combobox")
    box.click()
    box.press_sequentially("Small")
    page.get_by_role("option").filter(has_text="Small groups").click()
    page.keyboard.press("Escape")
    ticks = page.locator(".stPlotlyChart .ytick text")
    expect(ticks).to_have_count(3, timeout=30_000)  # one bar per metric
    assert set(ticks.all_text_contents()) == {"Small groups"}
    page.get_by_test_id("stPlotlyChart").screenshot(path=results_dir / "overview-small-groups.png")
