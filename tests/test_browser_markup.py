"""Survey text is text: markup planted in a file never reaches the page as markup, on any page."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from analysis.text import WORD_JOINER

pytestmark = pytest.mark.browser
TIMEOUT = 90_000

PLANTED = (
    "<b>bold</b>",
    "<img src=x onerror=alert(1)>",
    '<a href="https://example.com/x">Click me</a>',
    "![x](http://127.0.0.1:9/p.png)",
    "<script>window.__pwned=1</script>",
)
HOSTILE = " ".join(PLANTED)
# The markup comes first, so it survives the shortening of axis labels and the chart title.
HEADER = f"{HOSTILE} I apply what I learned in my daily work"
PROGRAM = f"Prog {HOSTILE}"
COHORT = f"Cohort {HOSTILE}"
# Chromium sends a file name's double quotes as %22 (HTML's multipart rule), so the file name's
# link is written without them.
# Markdown and Streamlit specials that must also read as typed: underscores, dots, directives,
# icons, emoji, LaTeX, a dash that would become an em dash.
FILE_NAME = (
    "hostile_v2__final.x :red[red] :material/home: :smile: $x^2$ a -- b "
    + HOSTILE.replace('"', "")
    + ".csv"
)
PAGES = ("Overview", "Engagement", "Application", "Data health", "Settings", "Import")

# Elements the planted text would make if it were read as HTML, Markdown or plotly markup.
FIND_MARKUP = """() => {
    const found = [];
    for (const a of document.querySelectorAll('a')) {
        const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
        if (href.includes('example.com')) found.push('link in ' + a.parentNode.outerHTML);
    }
    for (const img of document.querySelectorAll('img')) {
        const src = img.getAttribute('src') || '';
        if (src === 'x' || img.hasAttribute('onerror') || src.includes('127.0.0.1:9'))
            found.push('img in ' + img.parentNode.outerHTML);
    }
    for (const b of document.querySelectorAll('b, strong'))
        if (b.textContent.trim() === 'bold') found.push('bold element');
    for (const s of document.querySelectorAll('script'))
        if (s.textContent.includes('__pwned')) found.push('script element');
    for (const t of document.querySelectorAll('svg tspan'))
        if (t.textContent === 'bold' && /bold/.test(t.getAttribute('style') || ''))
            found.push('bold plotly text');
    if (window.__pwned !== undefined) found.push('script ran');
    return found;
}"""


def _hostile_survey() -> bytes:
    """Seven 'Strongly agree' answers under the hostile header, and one hostile answer label."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Email", "Submitted", HEADER])
    for i in range(7):
        writer.writerow([f"p{i}@example.org", "2026-10-20 09:00", "Strongly agree"])
    writer.writerow(["p7@example.org", "2026-10-20 09:00", HOSTILE])
    return out.getvalue().encode("utf-8")


def _shown(text: str) -> str:
    """Text as a reader sees it: without the invisible word joiners that keep links unlinked."""
    return text.replace(WORD_JOINER, "")


def _as_shown(text: str) -> re.Pattern[str]:
    """The text as typed, with or without word joiners between its characters."""
    return re.compile(f"{WORD_JOINER}?".join(re.escape(c) for c in text))


def _settled(page: Page) -> None:
    """Wait until the script run is over, so every element of this run is drawn."""
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)
    page.wait_for_timeout(500)


def _assert_inert(page: Page, where: str) -> None:
    """No element the planted text would create is on the page, and its script never ran."""
    assert page.evaluate(FIND_MARKUP) == [], where
    exc = page.get_by_test_id("stException")
    assert exc.count() == 0, (where, exc.all_inner_texts())


def _svg_text(page: Page) -> str:
    """Every chart's text as the browser shows it (markup would be gone from textContent)."""
    return " ".join(page.get_by_test_id("stPlotlyChart").locator("svg text").all_text_contents())


def _import_hostile_file(page: Page) -> None:
    """Upload the hostile survey under a hostile name into a new cohort of a hostile program."""
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        {"name": FILE_NAME, "mimeType": "text/csv", "buffer": _hostile_survey()}
    )
    heading = page.get_by_role("heading", name=re.compile("^hostile_v2"))
    expect(heading).to_be_visible(timeout=TIMEOUT)
    assert _shown(heading.inner_text()) == FILE_NAME  # exactly as the file was called
    section = page.get_by_test_id("stVerticalBlock").filter(has=heading).last
    # its columns do not say what it holds: the page asks (scrolled up first: the long file
    # name puts the question at the bottom of the window, where its list did not always open)
    question = section.get_by_test_id("stSelectbox").filter(has_text="What does this file hold?")
    question.evaluate("e => e.scrollIntoView({block: 'center'})")
    question.click()
    page.get_by_role("option").filter(has_text="Survey answers").click()
    _settled(page)
    for label, text in (("Cohort name", COHORT), ("Program", PROGRAM)):
        box = section.get_by_label(label)
        box.fill(text)
        box.press("Enter")
        _settled(page)
    section.get_by_test_id("stSelectbox").filter(has_text="Survey wave").click()
    page.get_by_role("option").filter(has_text="Right after").click()
    section.get_by_role("button", name="Check the import").click()
    commit = section.get_by_role("button", name="Import the 7 valid rows")
    expect(commit).to_be_visible(timeout=TIMEOUT)
    _assert_inert(page, "the import plan")
    commit.click()
    expect(page.get_by_text(re.compile(r"Import \d+ is in"))).to_be_visible(timeout=TIMEOUT)
    _settled(page)


def test_planted_markup_stays_text_on_every_page(page: Page, app_url, results_dir):
    """Header, answer label, program and file name with HTML/Markdown show as typed, inert."""
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_url)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="Import").click()
    _import_hostile_file(page)

    # The Import page: the file's heading, the saved mapping, the history, the sidebar.
    markdown = _shown(" ".join(page.get_by_test_id("stMarkdownContainer").all_inner_texts()))
    assert f"Using the saved mapping “Other / generic – {FILE_NAME}”" in markdown
    history = page.get_by_test_id("stMarkdownContainer").filter(has_text=" rows · ")
    assert FILE_NAME in _shown(history.first.inner_text())
    sidebar = page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer")
    assert FILE_NAME in _shown(" ".join(sidebar.all_inner_texts()))
    _assert_inert(page, "Import")
    page.screenshot(path=results_dir / "markup-import.png", full_page=True)

    # The new program is a plain option in the sidebar filter; chosen, it is in chart footers.
    page.get_by_role("link", name="Application").click()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    texts = _svg_text(page)
    assert "Most agreed: “<b>bold</b> <img src=x…”" in texts  # the header in the title
    assert "<b>bold</b> <img src=x" in texts.replace("\u2026", "")  # and on the item axis
    _assert_inert(page, "Application")
    likert = page.get_by_test_id("stPlotlyChart").filter(has_text="Most agreed")
    likert.scroll_into_view_if_needed()
    likert.screenshot(path=results_dir / "markup-likert.png")
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Program").get_by_role("combobox")
    box.click()
    box.press_sequentially("Prog <b>")
    page.get_by_role("option", name=PROGRAM, exact=True).click()  # shown as plain text
    page.keyboard.press("Escape")
    _settled(page)
    first = page.get_by_test_id("stPlotlyChart").first
    expect(first.locator(".annotation-text").filter(has_text="Program:").first).to_be_attached(
        timeout=TIMEOUT
    )  # the charts are redrawn under the program filter
    footer = " ".join(first.locator(".annotation-text").all_text_contents())
    assert f"Program: {PROGRAM}" in footer
    page.get_by_test_id("stPlotlyChart").first.screenshot(path=results_dir / "markup-footer.png")

    for name in PAGES:
        page.get_by_role("link", name=name).click()
        _settled(page)
        sidebar = page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer")
        assert FILE_NAME in _shown(" ".join(sidebar.all_inner_texts())), name
        if name == "Data health":  # the program's and the cohort's names read as typed
            main = page.get_by_test_id("stMain")
            for typed in (PROGRAM, COHORT):  # waits for the page's run to reach them
                expect(main).to_contain_text(_as_shown(typed), use_inner_text=True, timeout=TIMEOUT)
        _assert_inert(page, name)

    assert not [u for u in requests if urlparse(u).port == 9]
    assert dialogs == []
