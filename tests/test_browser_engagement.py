"""The Engagement page in a real browser: real server, real Chromium, what a person sees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

FORMATS = ("Everyone at once", "Self-directed", "Small groups")
CHARTS = ("momentum", "rates", "funnel", "heatmap")
LOAD_TIMEOUT = 90_000


def _open_engagement(page: Page, url: str) -> Locator:
    # Through the sidebar, as a person does, once app.py's navigation and filters are drawn (a
    # deep link or an early click would run the page file alone, without the shared sidebar).
    page.goto(url)
    expect(page.get_by_test_id("stMultiSelect").filter(has_text="Formats")).to_be_visible(
        timeout=LOAD_TIMEOUT
    )
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Engagement", exact=True)
    nav.click(timeout=LOAD_TIMEOUT)
    expect(page).to_have_url(re.compile(r"/engagement$"))
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(len(CHARTS), timeout=LOAD_TIMEOUT)
    # plotly has drawn the last chart's labels
    expect(charts.last.locator(".ytick text").first).to_be_visible(timeout=LOAD_TIMEOUT)
    return charts


def _texts(chart: Locator) -> str:
    return " ".join(chart.locator("svg text").all_text_contents())


def _shoot(chart: Locator, path) -> None:
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=path)


def test_engagement_charts_show_three_formats_with_numbers(page: Page, app_url, results_dir):
    """Every chart names the three formats; bars and funnel steps carry percentages and n."""
    charts = _open_engagement(page, app_url)
    expect(page.get_by_text("Do people show up, and keep showing up?")).to_be_visible()
    page.screenshot(path=results_dir / "engagement.png")
    for i, name in enumerate(CHARTS):
        texts = _texts(charts.nth(i))
        for fmt in FORMATS:
            assert fmt in texts, (name, fmt)
        assert "DEMO DATA" in texts
        _shoot(charts.nth(i), results_dir / f"engagement-{name}.png")
    rates = _texts(charts.nth(1))
    assert len(re.findall(r"\b\d{1,3}%\s+n=[\d,]+ enrolled", rates)) == 3
    funnel = _texts(charts.nth(2))
    assert len(re.findall(r"[\d,]+ · \d{1,3}%", funnel)) == 15  # 5 steps × 3 formats
    assert len(re.findall(r"\d{1,3}% of previous step", funnel)) == 9  # steps 3-5
    momentum = _texts(charts.nth(0))
    assert len(re.findall(r"n=[\d,]+", momentum)) == 3


def test_format_filter_redraws_every_chart(page: Page, app_url, results_dir):
    """Choosing one format in the sidebar leaves only that format in the charts."""
    charts = _open_engagement(page, app_url)
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Formats").get_by_role("combobox")
    box.click()
    box.press_sequentially("Small")
    page.get_by_role("option").filter(has_text="Small groups").click()
    page.keyboard.press("Escape")
    funnel = charts.nth(2)
    expect(funnel.locator(".ytick text").first).to_be_visible()
    expect(funnel).not_to_contain_text("Everyone at once", timeout=30_000)
    for i in range(len(CHARTS)):
        texts = _texts(charts.nth(i))
        assert "Small groups" in texts
        assert "Self-directed" not in texts and "Everyone at once" not in texts
    _shoot(funnel, results_dir / "engagement-funnel-small-groups.png")


def test_variant_view_shows_variants_in_the_momentum_chart(page: Page, app_url, results_dir):
    """The 'By variant' toggle draws one curve per variant, named in the legend."""
    charts = _open_engagement(page, app_url)
    page.get_by_test_id("stRadio").get_by_text("By variant").click()
    momentum = charts.nth(0)
    expect(momentum.locator(".legendtext").filter(has_text="Book club")).to_be_visible(
        timeout=30_000
    )
    legend = momentum.locator(".legendtext").all_text_contents()
    assert len(legend) == 12
    assert any(t.startswith("Pilot team first") for t in legend)
    _shoot(momentum, results_dir / "engagement-momentum-by-variant.png")
    _shoot(charts.nth(1), results_dir / "engagement-rates-by-variant.png")
