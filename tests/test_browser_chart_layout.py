"""Page charts laid out on the server (analysis/chart_margins.py) still fit, in a real browser.

The margins are measured on the server so plotly.js need not measure and redraw (automargin
off). Whatever the browser's fonts, no tick label, axis title, title, subtitle or footer may
leave the chart, and the title block may not run into the plot or its legend.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
TIMEOUT = 90_000

# For one chart's svg: texts that leave the figure, and title lines that reach the plot area.
OVERFLOW = """
(chart) => {
  const svg = chart.querySelector('svg.main-svg').getBoundingClientRect();
  const out = [];
  const labels = chart.querySelectorAll(
    '.xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .g-gtitle text, .annotation-text');
  for (const t of labels) {
    const r = t.getBoundingClientRect();
    if (!r.width) continue;
    if (r.left < svg.left - 1 || r.right > svg.right + 1 || r.top < svg.top - 1)
      out.push('outside: ' + t.textContent.slice(0, 40));
  }
  const plots = [...chart.querySelectorAll('.cartesianlayer .subplot .bg, .nsewdrag')]
    .map((p) => p.getBoundingClientRect()).filter((r) => r.height > 0);
  const plotTop = Math.min(...plots.map((r) => r.top));
  const legend = chart.querySelector('.legend');
  const legendTop = legend && legend.getBoundingClientRect().height
    ? legend.getBoundingClientRect().top : Infinity;
  for (const t of chart.querySelectorAll('.g-gtitle text')) {
    const r = t.getBoundingClientRect();
    if (r.width && r.bottom > Math.min(plotTop, legendTop) + 1)
      out.push('title over the plot: ' + t.textContent.slice(0, 40));
  }
  return out;
}
"""


@pytest.mark.parametrize(("path", "count"), [("", 1), ("engagement", 4), ("application", 6)])
def test_page_charts_keep_every_label_inside_and_the_title_above_the_plot(
    page: Page, app_url, path, count
):
    page.goto(f"{app_url}/{path}")
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(count, timeout=TIMEOUT)
    for i in range(count):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        expect(chart.locator(".g-gtitle text").first).to_be_visible(timeout=TIMEOUT)
        problems = chart.evaluate(OVERFLOW)
        assert problems == [], f"chart {i + 1} of /{path}: {problems}"
    # the charts were laid out on the server: plotly.js was not asked to grow any margin
    assert page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')]
             .every((gd) => !gd.layout.title.automargin
                 && Object.keys(gd.layout).filter((k) => /^[xy]axis\\d*$/.test(k))
                    .every((k) => gd.layout[k].automargin === false))"""
    )
