"""The Programs page in a real browser at 1280×720: edit a cohort's format and variant, merge
two cohorts, and see both on the Overview."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_views import CLIPPED, FORBIDDEN

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
ORG_WIDE = "Working with AI Assistants: Org-wide training, Jun 2026"
PILOT = "Working with AI Assistants: Pilot team first, Mar 2026"


def _settled(page: Page) -> None:
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)
    page.wait_for_timeout(700)


def _pick(page: Page, label: str, option: str) -> None:
    """Choose an option of the main area's selectbox with this label (typed, then clicked)."""
    box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text=label)
    box.first.click()
    page.keyboard.type(option[:40])
    page.get_by_role("option").filter(has_text=option).first.click()
    _settled(page)


def _enrolled(page: Page) -> dict[str, int]:
    """Per format card on the Overview: the people enrolled its engagement rate counts."""
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    text = page.get_by_test_id("stMain").inner_text()
    found = re.findall(
        r"(Everyone at once|Self-directed|Small groups)\n.*?of ([\d,]+) enrolled", text, re.S
    )
    return {fmt: int(n.replace(",", "")) for fmt, n in found}


def _shot(page: Page, path) -> None:
    """The whole page: Streamlit scrolls inside its main area, so the window grows for it."""
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.wait_for_timeout(500)
    page.screenshot(path=path)
    page.set_viewport_size({"width": 1280, "height": 720})


def _cohorts_loaded(page: Page) -> int:
    text = page.get_by_test_id("stSidebar").inner_text()
    return int(re.search(r"([\d,]+) cohorts", text).group(1).replace(",", ""))


def test_edit_and_merge_on_the_programs_page_show_on_the_overview(page: Page, app_url, results_dir):
    """The AI org-wide cohort becomes a pilot team: the Overview's small groups count its
    people; merged with the AI pilot team, one cohort fewer is loaded; both are changes the
    page can undo: undoing the merge gives the cohort back. Nothing internal, missing or
    clipped is shown."""
    page.goto(app_url)
    before = _enrolled(page)
    cohorts = _cohorts_loaded(page)
    page.get_by_role("link", name="Programs").click()
    expect(page.get_by_role("heading", name="Programs and cohorts")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    _pick(page, "Cohort", ORG_WIDE)
    expect(page.get_by_text("Where the data of this cohort came from")).to_be_visible()
    _pick(page, "Format", "Small groups")
    _pick(page, "Variant", "Pilot team first")
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_text(re.compile(r"Saved as change \d+"))).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    main = page.get_by_test_id("stMain")
    assert not FORBIDDEN.findall(main.inner_text()), FORBIDDEN.findall(main.inner_text())
    assert page.evaluate(CLIPPED) == []
    _shot(page, results_dir / "programs-edit.png")

    after = _enrolled(page)
    moved = before["Everyone at once"] - after["Everyone at once"]
    assert moved > 0 and after["Small groups"] == before["Small groups"] + moved

    page.get_by_role("link", name="Programs").click()
    page.get_by_role("tab", name="Merge duplicates").click()
    _settled(page)
    _pick(page, "First", PILOT)
    _pick(page, "Second", ORG_WIDE)
    expect(page.get_by_text("Keeps", exact=False).first).to_be_visible()
    assert page.get_by_test_id("stMain").get_by_test_id("stRadio").count() >= 3  # the choices
    _shot(page, results_dir / "programs-merge.png")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_text(re.compile(r"Merged as change \d+"))).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    page.get_by_role("tab", name="Changes").click()
    expect(page.get_by_role("button", name="Undo")).to_have_count(2)
    assert page.evaluate(CLIPPED) == []
    _shot(page, results_dir / "programs-changes.png")
    page.get_by_role("tab", name="Programs").click()
    expect(page.get_by_text("Where the data of this program came from")).to_be_visible()
    _shot(page, results_dir / "programs-program.png")

    merged = _enrolled(page)
    assert _cohorts_loaded(page) == cohorts - 1
    assert merged["Everyone at once"] == after["Everyone at once"]
    _shot(page, results_dir / "programs-overview.png")

    page.get_by_role("link", name="Programs").click()
    page.get_by_role("tab", name="Changes").click()
    page.get_by_role("button", name="Undo").first.click()  # the merge, newest first
    expect(page.get_by_text(re.compile(r"Change \d+ undone"))).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    assert _cohorts_loaded(page) == cohorts
    assert _enrolled(page) == after
    assert page.get_by_test_id("stException").count() == 0
