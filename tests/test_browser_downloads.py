"""Table downloads in a real browser: no toolbar "Download as CSV", the app's own files instead."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PINNED_TODAY
from tests.test_downloads_app import HOSTILE_ROWS, HYPERLINK

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def _settled(page: Page) -> None:
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)


def _upload_hostile(page: Page, app_url: str, tmp_path) -> Locator:
    """Upload a CSV whose header and cells hold formulas; returns the file's section."""
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(HOSTILE_ROWS)
    page.goto(f"{app_url}/upload")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    heading = page.get_by_role("heading", name="hostile.csv")
    expect(heading).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    section = page.get_by_test_id("stVerticalBlock").filter(has=heading).last
    # its columns do not say what it holds: the page asks
    section.get_by_test_id("stSelectbox").filter(has_text="What does this file hold?").click()
    page.get_by_role("option").filter(has_text="Survey answers").click()
    _settled(page)
    return section


def _assert_no_toolbar_download(page: Page, expected_tables: int) -> None:
    """Hover every table: its toolbar appears (Search), without Streamlit's CSV download."""
    tables = page.get_by_test_id("stDataFrame")
    expect(tables).to_have_count(expected_tables, timeout=TIMEOUT)
    for i in range(expected_tables):
        table = tables.nth(i)
        table.scroll_into_view_if_needed()
        table.hover()
        toolbar = table.get_by_test_id("stElementToolbar")
        expect(toolbar.get_by_role("button", name="Search")).to_be_visible(timeout=TIMEOUT)
        expect(toolbar.get_by_role("button", name="Download as CSV")).to_have_count(0)
    assert page.get_by_role("button", name="Download as CSV").count() == 0


def _download(page: Page, button: Locator, target_dir) -> tuple[str, bytes]:
    with page.expect_download(timeout=30_000) as info:
        button.click()
    download = info.value
    target = target_dir / download.suggested_filename
    download.save_as(target)
    return download.suggested_filename, target.read_bytes()


def test_import_tables_offer_no_toolbar_csv_download(page: Page, app_url, tmp_path, results_dir):
    """Preview, both mapping editors and the rejected rows: no toolbar download on any."""
    section = _upload_hostile(page, app_url, tmp_path)
    _assert_no_toolbar_download(page, expected_tables=3)  # preview and two editors
    section.get_by_role("button", name="Check the import").click()
    expect(section.get_by_text("rows cannot be imported")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    _assert_no_toolbar_download(page, expected_tables=4)  # and the rejected rows
    page.screenshot(path=results_dir / "import-hostile-rejected.png", full_page=True)


def test_import_downloads_quote_hostile_text(page: Page, app_url, tmp_path, results_dir):
    """The preview's CSV and the rejected rows' CSV and Excel, downloaded in the browser."""
    section = _upload_hostile(page, app_url, tmp_path)
    csv_buttons = section.get_by_test_id("stDownloadButton").filter(has_text="CSV")
    name, data = _download(page, csv_buttons.first.get_by_role("button"), results_dir)
    assert name == f"formatfit-import-preview-hostile-csv-{PINNED_TODAY}.csv"
    assert data.decode("utf-8-sig").splitlines()[0] == (
        'Email,Submitted,"\'=HYPERLINK(""http://x"",""y"")",\'+1+1,\'@SUM(A1),\'-2+3'
    )
    section.get_by_role("button", name="Check the import").click()
    expect(section.get_by_text("rows cannot be imported")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    buttons = section.get_by_test_id("stDownloadButton")
    expect(buttons).to_have_count(4)
    name, data = _download(page, buttons.nth(2).get_by_role("button"), results_dir)
    assert name == f"formatfit-rejected-rows-hostile-csv-{PINNED_TODAY}.csv"
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "row,reason"
    assert lines[1].startswith("4,\"'=HYPERLINK(")
    name, data = _download(page, buttons.nth(3).get_by_role("button"), results_dir)
    assert name == f"formatfit-rejected-rows-hostile-csv-{PINNED_TODAY}.xlsx"
    sheet = openpyxl.load_workbook(results_dir / name).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == (4, "n")
    assert sheet["B2"].value.startswith(HYPERLINK) and sheet["B2"].data_type == "s"


def test_application_tables_offer_no_toolbar_csv_download(page: Page, app_url, results_dir):
    """All four tables (three inside expanders) lack the toolbar download and have their own."""
    page.goto(f"{app_url}/application")
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    for title in (
        "Response rates per variant, 30 days after",
        "Response rates per wave",
        "The statistics behind these words",
    ):
        page.get_by_test_id("stExpander").filter(has_text=title).locator("summary").click()
    _assert_no_toolbar_download(page, expected_tables=4)
    buttons = page.get_by_test_id("stDownloadButton")
    expect(buttons.filter(has_text="CSV")).to_have_count(4)
    expect(buttons.filter(has_text="Excel")).to_have_count(4)
    button = page.get_by_test_id("stDownloadButton").filter(has_text="CSV").nth(2)
    name, data = _download(page, button.get_by_role("button"), results_dir)
    assert name == f"formatfit-format-comparisons-statistics-{PINNED_TODAY}.csv"
    context, header = data.decode("utf-8-sig").splitlines()[:2]
    assert "Data as of: " in context and "Privacy rule: " in context  # the footer's context
    assert header.startswith("Comparison,Difference (points),95% CI low,")
