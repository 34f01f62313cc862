"""Production settings in .streamlit/config.toml: read as a file, through Streamlit's own config,
and in effect (an error in a page is hidden from the user and logged on the server)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT, _require_chromium, free_port

CONFIG = ROOT / ".streamlit" / "config.toml"
EXPECTED = {
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,
    "browser.gatherUsageStats": False,
    "client.showErrorDetails": "none",
    "client.showErrorLinks": False,
    "server.maxUploadSize": 200,
    "server.fileWatcherType": "none",
    "runner.postScriptGC": False,
}
STREAMLIT_RUN = [sys.executable, "-m", "streamlit", "run", "--server.address", "127.0.0.1"]
MARKER = "figure-4242-of-a-small-team"  # what an error's message could quote from the data


def _clean_env(home) -> dict:
    """No STREAMLIT_* variables and a home without ~/.streamlit: only the repository's file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    return {**env, "HOME": str(home)}


def test_the_file_sets_the_production_settings():
    """XSRF and CORS protection on, usage statistics off, error details and links hidden, the
    upload limit, no reloading of changed source files."""
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    for key, value in EXPECTED.items():
        section, name = key.split(".")
        assert settings[section][name] == value, key
    assert settings["logger"]["level"] in {"info", "warning", "error"}  # errors reach the log


def test_streamlit_reads_the_same_settings(tmp_path):
    """Streamlit, started in the repository, takes those values from the file."""
    code = (
        "import json; from streamlit import config; "
        f"print(json.dumps({{k: config.get_option(k) for k in {list(EXPECTED)!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == EXPECTED


@pytest.mark.browser
def test_an_error_in_a_page_is_hidden_from_users_and_logged(page: Page, tmp_path, results_dir):
    """A page that fails, run under the repository's config: the user sees a generic notice
    without the error's message, type or traceback; the server's log has all three."""
    _require_chromium()
    (tmp_path / ".streamlit").mkdir()
    shutil.copy(CONFIG, tmp_path / ".streamlit" / "config.toml")
    (tmp_path / "failing.py").write_text(
        "import streamlit as st\n"
        "st.title('A page that fails')\n"
        f"raise ValueError('cohort {MARKER} has 3 answers')\n",
        encoding="utf-8",
    )
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [*STREAMLIT_RUN, "failing.py", "--server.port", str(port)],
            cwd=tmp_path,
            env=_clean_env(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, log_path.read_text()
                time.sleep(0.3)
        page.goto(url)
        expect(page.get_by_role("heading", name="A page that fails")).to_be_visible(timeout=60_000)
        notice = page.get_by_test_id("stException")
        expect(notice).to_contain_text("This app has encountered an error", timeout=60_000)
        shown = page.locator("body").inner_text()
        for secret in (MARKER, "ValueError", "Traceback", "failing.py"):
            assert secret not in shown, secret
        expect(notice.get_by_role("link")).to_have_count(0)  # no "Ask Google", "Ask ChatGPT"
        page.screenshot(path=results_dir / "error-details-hidden.png")
        deadline = time.monotonic() + 30
        while MARKER not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.3)
        logged = log_path.read_text()
        assert f"ValueError: cohort {MARKER} has 3 answers" in logged
        assert "Traceback" in logged and "failing.py" in logged
    finally:
        proc.terminate()
        proc.wait(timeout=15)
