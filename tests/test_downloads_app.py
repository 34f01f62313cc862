"""Every table download the app offers (AppTest): a meaningful name and no live formulas."""

from __future__ import annotations

import csv
import io
import tomllib
from typing import ClassVar

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from analysis.report.tables import FORMULA_STARTS
from analysis.words import MISSING
from tests.app_support import NavigationPagesManager as _NavigationPagesManager
from tests.conftest import PINNED_TODAY, ROOT
from ui.tables import download_frame

HYPERLINK = '=HYPERLINK("http://x","y")'
HOSTILE_ROWS = [
    ["Email", "Submitted", HYPERLINK, "+1+1", "@SUM(A1)", "-2+3"],
    ["a@x.org", "2026-10-01", "Agree", "+1+1", "@SUM(A1)", "-2+3"],
    ["b@x.org", "2026-10-02", "Strongly agree", "=1+1", "x", "-12"],
    ["c@x.org", "2026-10-03", "@SUM(A1)", "fine", "y", "-12 points"],
]
APPLICATION_TABLES = [
    "response-rates-by-variant",
    "response-rates-by-wave",
    "format-comparisons-statistics",
    "application-per-learning-group",
]


class _RecordingMediaFileManager(MediaFileManager):
    """Keeps each deferred download's file name and generator, which AppTest drops after a run."""

    files: ClassVar[dict[str, tuple[str, object]]] = {}

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs) -> str:
        file_id = super().add_deferred(data_callable, mimetype, coordinates, file_name, **kwargs)
        _RecordingMediaFileManager.files[file_id] = (file_name, data_callable)
        return file_id


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    """The whole app on demo data in a temporary database, downloads recorded."""
    monkeypatch.setenv("FORMATFIT_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "secret.key"))
    monkeypatch.setattr(app_test_module, "PagesManager", _NavigationPagesManager)
    monkeypatch.setattr(app_test_module, "MediaFileManager", _RecordingMediaFileManager)
    monkeypatch.setattr(_RecordingMediaFileManager, "files", {})
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _downloads(at: AppTest) -> dict[str, bytes]:
    """File name → bytes of every table download button the current page shows."""
    out = {}
    for button in at.get("download_button"):
        if button.label not in ("CSV", "Excel"):
            continue  # a chart's images: tests/test_browser_chart_downloads.py
        name, make = _RecordingMediaFileManager.files[button.proto.deferred_file_id]
        out[name] = make()
    return out


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx(data: bytes) -> list[list[openpyxl.cell.Cell]]:
    return [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows()]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_no_live_formula(files: dict[str, bytes]) -> None:
    """No CSV cell starts like a formula unless it is a plain number; no XLSX formula cells."""
    for name, data in files.items():
        if name.endswith(".csv"):
            for row in _csv(data):
                for cell in row:
                    assert not cell.startswith(FORMULA_STARTS) or _is_number(cell), (name, cell)
        else:
            for row in _xlsx(data):
                for cell in row:
                    assert cell.data_type != "f", (name, cell.value)
                    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                        assert cell.data_type == "s" and cell.quotePrefix, (name, cell.value)


def _assert_every_table_has_downloads(at: AppTest) -> None:
    """Each st.dataframe (editors aside) comes with its own CSV and Excel buttons."""
    tables = [t for t in at.dataframe if t.editing_mode == "read_only"]
    labels = sorted(b.label for b in at.get("download_button") if b.label in ("CSV", "Excel"))
    assert labels == sorted(["CSV", "Excel"] * len(tables))


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/engagement.py", "pages/settings.py"])
def test_pages_without_tables_offer_no_table_download(app, page):
    """The other pages: any table they show would need its downloads (none today)."""
    app.switch_page(page)
    app.run()
    assert not app.exception, app.exception
    _assert_every_table_has_downloads(app)


def _hostile_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(HOSTILE_ROWS)
    return buffer.getvalue().encode()


def test_every_application_table_has_csv_and_excel_downloads(app):
    """Four tables, each with a CSV and an Excel file named for it; numbers stay numbers."""
    app.switch_page("pages/application.py")
    app.run()
    assert not app.exception, app.exception
    assert len(app.dataframe) == len(APPLICATION_TABLES)
    _assert_every_table_has_downloads(app)
    files = _downloads(app)
    assert sorted(files) == sorted(
        f"formatfit-{subject}-{PINNED_TODAY}.{ext}"
        for subject in APPLICATION_TABLES
        for ext in ("csv", "xlsx")
    )
    _assert_no_live_formula(files)
    context, *comparisons = _csv(
        files[f"formatfit-format-comparisons-statistics-{PINNED_TODAY}.csv"]
    )
    # the first row carries the footer's context; the demo data says so
    assert len(context) == 1
    for words in (
        "Cohorts starting: ",
        "Filters: all departments and programs",
        "Privacy rule: Survey figures count only whole groups of 5+ respondents",
        "Data as of: ",
        "Dataset version: v",
        "Demo data: DEMO DATA",
    ):
        assert words in context[0], (words, context[0])
    # headers are the labels on screen, not the column names
    assert comparisons[0][:4] == ["Comparison", "Difference (points)", "95% CI low", "95% CI high"]
    sheet = _xlsx(files[f"formatfit-format-comparisons-statistics-{PINNED_TODAY}.xlsx"])
    assert len(sheet) == len(comparisons) == len(app.dataframe[2].value) + 1
    points = [c for row in sheet[1:] for c in row[1:4]]  # difference and its interval
    assert all(c.data_type == "n" and isinstance(c.value, int | float) for c in points)
    # (the higher format comes first, so these are positive; tests/test_report_tables.py
    # shows a negative number stays a number)
    differences = [row[1] for row in sheet[1:]]
    shown = app.dataframe[2].value["Difference (points)"].tolist()
    assert [c.value for c in differences] == pytest.approx(shown)


def test_import_preview_and_rejected_rows_downloads_neutralise_hostile_text(app):
    """A hostile upload: preview and rejected-rows files quote every formula-like text."""
    app.switch_page("pages/upload.py")
    app.run()
    app.get("file_uploader")[0].set_value(("hostile.csv", _hostile_csv(), "text/csv")).run()
    assert not app.exception, app.exception
    # its columns do not say what it holds: the page asks
    next(s for s in app.selectbox if s.label == "What does this file hold?").set_value("survey")
    app.run()
    _assert_every_table_has_downloads(app)
    assert len(app.data_editor) == 2  # the mapping and the unknown answers (no toolbar download)
    preview = _downloads(app)
    name = f"formatfit-import-preview-hostile-csv-{PINNED_TODAY}"
    assert sorted(preview) == [f"{name}.csv", f"{name}.xlsx"]
    assert _csv(preview[f"{name}.csv"]) == [
        ["Email", "Submitted", "'" + HYPERLINK, "'+1+1", "'@SUM(A1)", "'-2+3"],
        ["a@x.org", "2026-10-01", "Agree", "'+1+1", "'@SUM(A1)", "'-2+3"],
        ["b@x.org", "2026-10-02", "Strongly agree", "'=1+1", "x", "'-12"],
        ["c@x.org", "2026-10-03", "'@SUM(A1)", "fine", "y", "'-12 points"],
    ]
    sheet = _xlsx(preview[f"{name}.xlsx"])
    assert [[c.value for c in row] for row in sheet] == HOSTILE_ROWS
    assert all(c.data_type == "s" for row in sheet for c in row)
    _assert_no_live_formula(preview)

    next(b for b in app.button if b.label == "Check the import").click().run()
    assert not app.exception, app.exception
    _assert_every_table_has_downloads(app)
    files = _downloads(app)
    rejected = f"formatfit-rejected-rows-hostile-csv-{PINNED_TODAY}"
    assert sorted(files) == sorted(
        [f"{name}.csv", f"{name}.xlsx", f"{rejected}.csv", f"{rejected}.xlsx"]
    )
    rows = _csv(files[f"{rejected}.csv"])
    assert rows[0] == ["row", "reason"]
    assert [r[0] for r in rows[1:]] == ["4"]  # the answer "@SUM(A1)" is on no scale
    assert rows[1][1].startswith("'" + HYPERLINK + ": ")
    header, first = _xlsx(files[f"{rejected}.xlsx"])
    assert [c.value for c in header] == ["row", "reason"]
    assert (first[0].value, first[0].data_type) == (4, "n")
    assert first[1].value.startswith(HYPERLINK) and first[1].data_type == "s"
    _assert_no_live_formula(files)


def test_streamlit_table_toolbar_download_is_off_in_the_app_config():
    """The server reads .streamlit/config.toml: the toolbar's CSV download stays off."""
    with (ROOT / ".streamlit" / "config.toml").open("rb") as f:
        assert tomllib.load(f)["client"]["disableDataExport"] is True


def test_download_headers_follow_the_column_config_on_screen():
    """Labels from column_config become headers; a column hidden with None is left out."""
    frame = pd.DataFrame({"application_rate": [0.5], "level": ["Book club"], "secret": ["x"]})
    config = {
        "application_rate": st.column_config.NumberColumn("applied", format="percent"),
        "level": "variant",
        "secret": None,
        "absent": "not in the frame",
    }
    out = download_frame(frame, config)
    assert list(out.columns) == ["applied", "variant"]
    assert out.iloc[0].tolist() == [0.5, "Book club"]


SMALL_COHORT = "C02-self-paced-course-2025-04"  # demo: two of its four waves suppressed


def test_table_downloads_under_a_filter_name_it_and_leave_suppressed_cells_out(app):
    """A one-cohort view: names carry the cohort, the context row and sheet name the filter,
    and a suppressed wave's figures are absent from the files as from the screen."""
    cohort = next(m for m in app.multiselect if m.label == "Cohort")
    cohort.set_value([SMALL_COHORT]).run()
    app.switch_page("pages/application.py")
    app.run()
    assert not app.exception, app.exception
    _assert_every_table_has_downloads(app)
    files = _downloads(app)
    view = "clear-writing-at-work-self-paced-course-apr-2025"
    stem = f"formatfit-response-rates-by-wave-{view}-{PINNED_TODAY}"
    assert f"{stem}.csv" in files and f"{stem}.xlsx" in files, sorted(files)
    _assert_no_live_formula(files)
    context, header, *rows = _csv(files[f"{stem}.csv"])
    assert "Filters: Cohort: Clear Writing at Work: Self-paced course, Apr 2025" in context[0]
    shown = next(t.value for t in app.dataframe if "Wave" in t.value.columns)
    assert header == list(shown.columns)
    assert rows == [[str(v) for v in r] for r in shown.itertuples(index=False)]
    suppressed = [r for r in rows if r[-1].startswith("suppressed")]
    assert len(suppressed) == 2
    for row in suppressed:  # answers, applied, response rate: no figure at all
        assert row[2:5] == [MISSING] * 3, row
        assert not any(ch.isdigit() for cell in row[2:5] for ch in cell)
    book = openpyxl.load_workbook(io.BytesIO(files[f"{stem}.xlsx"]))
    assert book.sheetnames == ["FormatFit", "Context"]
    about = {what: value for what, value in book["Context"].iter_rows(values_only=True)}
    assert about["Filters"] == "Cohort: Clear Writing at Work: Self-paced course, Apr 2025"
    assert about["Dataset version"].startswith("v")
    table = [list(r) for r in book["FormatFit"].iter_rows(values_only=True)]
    assert [r[2:5] for r in table[1:] if str(r[-1]).startswith("suppressed")] == [[MISSING] * 3] * 2
