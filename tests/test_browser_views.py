"""Every page at 1280×720 under the views a lead really uses; explore by click; offline.

Each view is opened by its URL (the URL holds the view), exactly as a shared link would be.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from ui.page_list import PAGES

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
VIEWS = {
    "no-filter": "",
    "one-format": "format=small_group",
    "small-department-one-month": "department=People+%26+HR&months=2025-06..2025-06",
}
FIGURE_PAGES = [p for p in PAGES if p.view]
# What a leadership team must never read: internal names, missing values, raw precision.
FORBIDDEN = re.compile(
    r"everyone_at_once|self_directed|small_group|respondents_status|mean_group_rate"
    r"|\bNone\b|\bnan\b|\bNaN\b|0\.0000|0 of 0 enrolled|\b0 answered\b"
    r"|\b0 of the answers\b|95% CI –"
)
CLIPPED = """() => {
  const out = [];
  for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const box = chart.getBoundingClientRect();
    for (const t of chart.querySelectorAll('svg text')) {
      const r = t.getBoundingClientRect();
      if (r.width && (r.right > box.right + 2 || r.left < box.left - 2)) out.push(t.textContent);
    }
  }
  const main = document.querySelector('[data-testid="stMain"]');
  if (main && main.scrollWidth > main.clientWidth + 2) out.push('the page scrolls sideways');
  return out;
}"""
EMPTY_AXES = """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
  .filter(c => c.querySelectorAll('g.point, path.js-line, .heatmaplayer image, .hm').length === 0)
  .length"""


def _settled(page: Page) -> None:
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)
    page.wait_for_timeout(700)


def _open(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=TIMEOUT)
    _settled(page)


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_page_reads_clean_under_the_view(page: Page, app_url, results_dir, view):
    """No internal name, None, nan or 0.0000; no chart with empty axes; nothing clipped."""
    for p in FIGURE_PAGES:
        _open(page, f"{app_url}/{'' if p.default else p.url_path}?{VIEWS[view]}")
        assert page.get_by_test_id("stException").count() == 0, (view, p.title)
        text = page.locator("[data-testid=stMain]").inner_text()
        text += " " + page.locator("[data-testid=stMain] svg").all_text_contents().__str__()
        assert not FORBIDDEN.findall(text), (view, p.title, FORBIDDEN.findall(text))
        assert page.evaluate(EMPTY_AXES) == 0, (view, p.title)
        assert page.evaluate(CLIPPED) == [], (view, p.title)
        page.screenshot(path=results_dir / f"view-{view}-{p.url_path}.png", full_page=True)


def test_click_a_bar_to_drill_share_the_url_and_step_back(browser, app_url, results_dir):
    """Application page: a click on the Book club bar filters to it, the URL holds the view,
    a new browser opens the same view, and the trail steps back out to 'All'."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    _open(page, f"{app_url}/application")
    variants = page.get_by_test_id("stPlotlyChart").nth(1)
    variants.scroll_into_view_if_needed()
    variants.hover()
    page.wait_for_timeout(500)
    # A chart still being drawn under load can miss a click (CI once missed three in a row at
    # one place): measure the bar again before each try, and let plotly see the pointer over
    # it before clicking, as a person's pointer rests on a bar before the click.
    for _ in range(5):
        ticks = variants.locator(".xtick text").all_text_contents()
        column = ticks.index("Book club")
        bars = [
            b for b in variants.locator("g.point path").all() if (b.bounding_box() or {})["height"]
        ]
        bar = sorted(bars, key=lambda b: b.bounding_box()["x"])[column].bounding_box()
        x, y = bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] - 4
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        _settled(page)
        if "variant=book_club" in page.url:
            break
    expect(page).to_have_url(re.compile(r"variant=book_club"), timeout=TIMEOUT)
    assert "format=small_group" in page.url
    trail = page.get_by_role("button", name="Book club", exact=True)
    expect(trail).to_be_disabled(timeout=TIMEOUT)  # the current step
    page.screenshot(path=results_dir / "drill-book-club.png")

    fresh = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    _open(fresh, page.url)
    expect(fresh.get_by_role("button", name="Book club", exact=True)).to_be_visible(timeout=TIMEOUT)
    wave_chart = fresh.get_by_test_id("stPlotlyChart").first
    expect(wave_chart).to_contain_text("Book club:", timeout=TIMEOUT)  # its title names the drill
    fresh.get_by_role("button", name="All", exact=True).click()
    _settled(fresh)
    assert "variant=" not in fresh.url and "format=" not in fresh.url
    expect(fresh.get_by_role("button", name="Book club", exact=True)).to_have_count(
        0, timeout=TIMEOUT
    )


def test_no_page_asks_anything_of_the_internet(browser, app_url):
    """Every request that does not go to this server is blocked, and none is attempted."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside: list[str] = []
    host = urlparse(app_url).hostname

    def route(r):
        if urlparse(r.request.url).hostname in (host, "localhost") or r.request.url.startswith(
            ("data:", "blob:")
        ):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    for p in PAGES:
        _open(page, f"{app_url}/{'' if p.default else p.url_path}")
    assert outside == []
