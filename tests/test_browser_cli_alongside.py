"""The command line's read commands on the database of a running app, in a real browser session:
the app holds the file read-only between its writes, so `claims` and `compare` read alongside it,
and the app's next write (a setting) still goes through."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT, run_cli, start_app, stop_app

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    """A Streamlit server of its own, so this test may write its database."""
    tmp = tmp_path_factory.mktemp("alongside")
    db = tmp / "formatfit.duckdb"
    proc, url = start_app(db, tmp / "streamlit.log")
    yield url, db
    stop_app(proc)


def test_claims_and_compare_from_the_command_line_while_the_app_runs(page: Page, running_app):
    """The page and the command line give the same verdicts at the same time; a setting saved in
    the app afterwards is written; an import from the command line is refused at once."""
    url, db = running_app
    page.goto(f"{url}/claims")
    summary = page.get_by_text("Of the 10 claims on your data")
    expect(summary).to_be_visible(timeout=TIMEOUT)
    on_page = summary.inner_text()

    found = run_cli("claims", "--json", db=db)
    assert found.returncode == 0, found.stderr
    verdicts = [c["verdict"] for c in json.loads(found.stdout)]
    assert f"{verdicts.count('supported')} supported" in on_page
    pair = run_cli("compare", "--a", "variant=book_club", "--b", "variant=self_study_alone",
                "--metric", "application", "--wave", "d30", "--json", db=db)  # fmt: skip
    assert pair.returncode == 0, pair.stderr
    assert json.loads(pair.stdout)["words"].startswith("Book club: 26 points higher")

    page.goto(f"{url}/settings")
    slider = page.get_by_role("slider", name="Minimum group size for survey figures")
    expect(slider).to_be_visible(timeout=TIMEOUT)
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_text("Survey figures now need at least 6 respondents")).to_be_visible(
        timeout=TIMEOUT
    )
    assert page.get_by_test_id("stException").count() == 0

    again = run_cli("claims", "--json", db=db)  # the app is back to read-only after its write
    assert again.returncode == 0, again.stderr
    people = str(ROOT / "data" / "demo" / "people.csv")
    dry = run_cli("import", people, "--dry-run", db=db)  # reads only: answers alongside the app
    assert dry.returncode == 0, dry.stderr
    imported = run_cli("import", people, db=db)  # would write: refused at once, nothing changed
    assert imported.returncode == 3 and "in use by another process" in imported.stderr
