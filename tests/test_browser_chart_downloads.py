"""Chart downloads in a real browser: PNG at 2× and SVG, named for the chart, view and date."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PINNED_TODAY

pytestmark = pytest.mark.browser
TIMEOUT = 120_000
NAME = f"formatfit-application-by-wave-finance-{PINNED_TODAY}"


def _wave_chart(page: Page, app_url: str) -> Locator:
    """The Application page filtered to Finance (from the URL), its first chart on screen."""
    page.goto(f"{app_url}/application?department=Finance")
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)
    return chart


def _wave_button(page: Page, label: str) -> Locator:
    """The wave chart's own download button (its row is keyed wave_chart_<drill>_images)."""
    row = page.locator("[class*='st-key-wave_chart_'][class*='_images']")
    return row.get_by_test_id("stDownloadButton").filter(has_text=label).get_by_role("button")


def _download(page: Page, button: Locator, results_dir) -> tuple[str, bytes]:
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    target = results_dir / download.suggested_filename
    download.save_as(target)
    return download.suggested_filename, target.read_bytes()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_chart_png_button_is_at_least_twice_the_chart_on_screen(page: Page, app_url, results_dir):
    """The chart's own PNG button: 2560 px wide (≥ 2× on screen), named for chart, filter, date."""
    chart = _wave_chart(page, app_url)
    on_screen = chart.bounding_box()["width"]
    name, data = _download(page, _wave_button(page, "PNG"), results_dir)
    assert name == f"{NAME}.png"
    width, height = _png_size(data)
    assert width >= 2 * on_screen and (width, height) == (2560, 1440)


def test_chart_camera_png_has_the_same_name_and_size(page: Page, app_url, results_dir):
    """The toolbar's camera (drawn in the browser) gives the same file as the button."""
    chart = _wave_chart(page, app_url)
    chart.hover()
    name, data = _download(
        page, chart.get_by_role("button", name="Download plot as a PNG"), results_dir
    )
    assert name == f"{NAME}.png"
    assert _png_size(data)[0] >= 2 * chart.bounding_box()["width"]


def test_chart_svg_opens_with_its_title_and_footer(page: Page, app_url, results_dir):
    """The SVG parses, carries the title and the footer's context, and Chromium draws it."""
    _wave_chart(page, app_url)
    name, data = _download(page, _wave_button(page, "SVG"), results_dir)
    assert name == f"{NAME}.svg"
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t for t in root.itertext())
    for words in ("Small groups", "Dept: Finance", "Data as of", "DEMO DATA"):
        assert words in text, words
    page.goto((results_dir / name).as_uri())
    svg = page.locator("svg").first
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box["width"] >= 1280 and box["height"] >= 720
    page.screenshot(path=results_dir / "chart-download-svg-opened.png")
