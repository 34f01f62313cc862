"""Forget, backup and restore in Settings, in a real browser on a real server, and the command
line's `forget`, `backup` and `restore` while that server holds the database (issue 14)."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from playwright.sync_api import Browser, Page, expect

from analysis.ingest.keys import EMAIL, PersonHasher, load_or_create_secret, secret_path
from analysis.ingest.plan import Link
from analysis.store import Store
from tests.conftest import EXPORTS, run_cli, start_app, stop_app
from tests.ingest_support import cohort, csv_bytes, import_bytes
from tests.test_browser_import import _import, _settled

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
APPLY = "I apply what I learned in my daily work"
SURVEY = csv_bytes(
    f"Id,Start time,Completion time,Email,{APPLY}",
    *(
        f"{n},4/1/2025 9:00,4/1/2025 9:0{n},{who}@example.org,Agree"
        for n, who in enumerate(["ann", "bob", "cy", "di", "ed", "flo"], start=1)
    ),
)
SHEET = csv_bytes(
    "Email,Session date,Minutes",
    "ann@example.org,2025-03-03,40",
    "bob@example.org,2025-03-03,30",
    "cy@example.org,2025-03-03,35",
)


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    """A server on a database of six survey respondents (no demo data), secret beside it."""
    tmp = tmp_path_factory.mktemp("forget")
    db = tmp / "formatfit.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("FORMATFIT_SECRET_FILE", raising=False)
        store = Store(db)
        import_bytes(store, SURVEY, "Feedback.csv", Link(new_cohort=cohort("F"), wave="post"))
        cohort_id = store.fetch("SELECT cohort_id FROM cohorts")[0][0]
        import_bytes(store, SHEET, "sheet.csv", Link(cohort_id=cohort_id), kind="attendance")
        store.close()
        proc, url = start_app(db, tmp / "streamlit.log")
        try:
            yield url, db
        finally:
            stop_app(proc)


def _key(db, email: str) -> str:
    return PersonHasher(load_or_create_secret(secret_path(db))).key(EMAIL, email)


def _rows_of(db, key: str) -> int:
    """The person's rows, read alongside the app (a read-only opening)."""
    reader = Store(db, mode="read")
    try:
        return sum(
            reader.fetch(f"SELECT count(*) FROM {t} WHERE person_key = ?", [key])[0][0]
            for t in ("survey_responses", "attendance", "enrolment_records")
        )
    finally:
        reader.close()


def _settings(page: Page, url: str) -> None:
    page.goto(f"{url}/settings")
    expect(page.get_by_role("heading", name="Forget a person")).to_be_visible(timeout=TIMEOUT)


def test_forget_from_the_command_line_is_carried_out_by_the_running_app(
    page: Page, running_app, tmp_path
):
    """The app holds the file; `forget` leaves a request the app carries out and answers; a
    backup reads alongside; a restore is refused with a clear message and changes nothing."""
    url, db = running_app
    _settings(page, url)  # a session: the app now holds the database
    flo = _key(db, "flo@example.org")
    assert _rows_of(db, flo) == 1
    held = run_cli("import", str(EXPORTS / "zoom" / "participants_heroes.csv"), db=db)
    assert held.returncode == 3, "the app should hold the file, or this test proves nothing"

    done = run_cli("forget", "--email", "FLO@example.org", db=db)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["applied_by"] == "app"
    assert answer["tables"] == {"survey_answers": 1, "survey_responses": 1}
    assert "flo" not in done.stdout.lower() and flo not in done.stdout
    assert _rows_of(db, flo) == 0
    assert not list(db.with_name(db.name + ".requests").glob("*.request"))

    out = tmp_path / "cli-backup.zip"
    made = run_cli("backup", str(out), db=db)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["dataset_version"] == answer_version(db)
    refused = run_cli("restore", str(out), db=db)
    assert refused.returncode == 3
    assert "restore in the app's Settings, or stop the app" in refused.stderr
    assert "nothing was changed" in refused.stderr


def answer_version(db) -> int:
    reader = Store(db, mode="read")
    try:
        return reader.dataset_version()
    finally:
        reader.close()


def test_forget_a_person_in_settings_shows_what_went_per_table(page: Page, running_app):
    """E-mail in, a confirmation with the rows per table, then the result; the identifier is
    not shown back, and the deletion record lists it without any identifier."""
    url, db = running_app
    _settings(page, url)
    ann = _key(db, "ann@example.org")
    assert _rows_of(db, ann) == 3  # a response, an attendance row, the enrolment it made
    page.get_by_label("Their e-mail address or employee id").fill("ann@example.org")
    page.get_by_role("button", name="Find their data").click()
    expect(page.get_by_text("4 rows of this person will be deleted")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stTable").get_by_text("survey responses")).to_be_visible()
    expect(page.get_by_label("Their e-mail address or employee id")).to_have_value("")
    assert "ann@example.org" not in page.content()
    page.get_by_role("button", name="Forget this person").click()
    expect(page.get_by_text("Forgotten: 4 rows deleted.")).to_be_visible(timeout=TIMEOUT)
    table = page.get_by_test_id("stTable")
    for what, n in (
        ("attendance and activity rows", 1),
        ("enrolments", 1),
        ("survey answers", 1),
        ("survey responses", 1),
    ):
        expect(table.get_by_role("row").filter(has_text=what).last).to_contain_text(str(n))
    expect(page.get_by_text(re.compile(r"Deletions done so far: \d+"))).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    assert _rows_of(db, ann) == 0


def _sidebar_version(page: Page) -> int:
    text = page.get_by_test_id("stSidebar").get_by_text(re.compile(r"dataset v\d+")).inner_text()
    return int(re.search(r"dataset v(\d+)", text).group(1))


def test_backup_then_import_then_restore_brings_the_backup_back_for_every_session(
    page: Page, browser: Browser, running_app, tmp_path
):
    """The backup downloads as a zip with its manifest; after an import through the page, its
    restore brings the old counts and version back, here and in another open session."""
    url, _db = running_app
    _settings(page, url)
    expect(page.get_by_text("The backup file contains the hashing secret")).to_be_visible()
    cohorts_before = page.get_by_test_id("stSidebar").get_by_text(re.compile(r"\d+ cohorts"))
    before_text, version = cohorts_before.inner_text(), _sidebar_version(page)
    page.get_by_role("button", name="Prepare a backup").click()
    button = page.get_by_role("button", name=re.compile(r"Download the backup"))
    expect(button).to_be_visible(timeout=TIMEOUT)
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert re.fullmatch(r"formatfit-backup-\d{4}-\d\d-\d\d-\d{4}\.zip", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["dataset_version"] == version

    page.get_by_role("link", name="Import").click()
    # Settings has an uploader too (restore): wait for the Import page before choosing a file
    expect(page.get_by_role("heading", name="Import your exports")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    _import(page, EXPORTS / "zoom" / "participants_heroes_full.csv", "Zoom pilot")
    _settled(page)
    other = browser.new_page()  # another person's session, open on the Overview meanwhile
    other.goto(url)
    expect(other.get_by_test_id("stSidebar").get_by_text(f"dataset v{version + 1}")).to_be_visible(
        timeout=TIMEOUT
    )

    _settings(page, url)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(saved))
    expect(page.get_by_text("Restoring it replaces the whole database")).to_be_visible(
        timeout=TIMEOUT
    )
    go = page.get_by_role("button", name="Restore this backup")
    expect(go).to_be_disabled()
    page.get_by_text("I understand: replace the data with this backup").click()
    go.click()
    expect(page.get_by_text(f"dataset version v{version}.")).to_be_visible(timeout=TIMEOUT)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(before_text)).to_be_visible(timeout=TIMEOUT)
    expect(sidebar.get_by_text(f"dataset v{version}", exact=False)).to_be_visible()

    other.reload()  # any rerun of the other session shows the restored data
    expect(other.get_by_test_id("stSidebar").get_by_text(before_text)).to_be_visible(
        timeout=TIMEOUT
    )
    expect(other.get_by_test_id("stSidebar").get_by_text(f"dataset v{version}")).to_be_visible()
    assert other.get_by_test_id("stException").count() == 0
    other.close()


def test_a_foreign_file_is_refused_in_settings(page: Page, running_app, tmp_path):
    """A CSV renamed .zip: a clear refusal, no restore button, nothing changed."""
    url, _db = running_app
    _settings(page, url)
    version = _sidebar_version(page)
    fake = tmp_path / "backup.zip"
    fake.write_bytes(SHEET)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(fake))
    expect(page.get_by_text("This file cannot be restored: not a FormatFit backup")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.get_by_role("button", name="Restore this backup")).to_have_count(0)
    assert _sidebar_version(page) == version
