"""Sign-in against a real OpenID Connect provider on localhost (oidc-provider-mock), in Chromium.

The app runs with a secrets file of its own (never the repository's `.streamlit/`): `[auth]`
pointing at the provider, and an allow-list of one address and one domain. Signed out, off the
list, or with an empty list, no figure, download, sidebar or data status shows; signed out, the
download URLs a signed-in person had are refused too.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import free_port, start_app, stop_app

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
LEAD = ("lead", "lead@example.org", "Lea Lead")  # allowed by address
OUTSIDER = ("eve", "eve@elsewhere.org", "Eve Outsider")  # on no list
ALLOW_LIST = """
[formatfit]
allowed_emails = ["Lead@Example.org"]
allowed_domains = ["ld.example.org"]
"""


def _mock_provider():
    """The provider package; in CI its absence fails the run instead of skipping it."""
    try:
        import oidc_provider_mock
    except ImportError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but oidc-provider-mock cannot be imported: {exc}")
        pytest.skip("oidc-provider-mock is not installed (requirements-dev.txt)")
    return oidc_provider_mock


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """An OpenID provider on localhost with two known people; yields its issuer URL."""
    mock = _mock_provider()
    users = [
        mock.User(sub=sub, claims={"email": email, "name": name, "email_verified": True})
        for sub, email, name in (LEAD, OUTSIDER)
    ]
    try:
        server = mock.run_server_in_thread(user_claims=users)
        running = server.__enter__()
    except OSError as exc:  # a provider that cannot start is a failure, never a skip
        pytest.fail(f"the OpenID provider mock did not start: {exc}")
    yield f"http://localhost:{running.server_port}"
    server.__exit__(None, None, None)


def _secrets(issuer: str, port: int, allow_list: str) -> str:
    return f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "formatfit-test"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
{allow_list}
"""


def _serve(tmp: Path, issuer: str, allow_list: str) -> tuple[subprocess.Popen, str]:
    """The app with sign-in on, on localhost (the redirect URI's host, so the cookie holds)."""
    port = free_port()
    path = tmp / "secrets.toml"
    path.write_text(_secrets(issuer, port, allow_list), encoding="utf-8")
    path.chmod(0o600)
    proc, _ = start_app(tmp / "formatfit.duckdb", tmp / "streamlit.log", secrets=path, port=port)
    return proc, f"http://localhost:{port}"


@pytest.fixture(scope="module")
def signin_url(provider, tmp_path_factory) -> Iterator[str]:
    """The app with sign-in on and the allow-list above."""
    proc, url = _serve(tmp_path_factory.mktemp("signin"), provider, ALLOW_LIST)
    yield url
    stop_app(proc)


def _settled(page: Page) -> None:
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1, timeout=TIMEOUT)


def _assert_no_data(page: Page) -> None:
    """Nothing of the data on screen: no chart, table, download, sidebar, status or badge."""
    _settled(page)
    for test_id in ("stPlotlyChart", "stDataFrame", "stDownloadButton", "stMetric", "stSidebarNav"):
        expect(page.get_by_test_id(test_id)).to_have_count(0)
    # The sidebar holds nothing (a session that had one may keep its empty frame after sign-out).
    expect(page.locator("[data-testid=stSidebar] [data-testid=stElementContainer]")).to_have_count(
        0
    )
    body = page.locator("body")
    for words in ("Data loaded", "Demo data", "dataset v", "responses", "Filters", "not found"):
        expect(body).not_to_contain_text(words)


def _sign_in(page: Page, url: str, sub: str, *, typed: bool = False) -> None:
    """Sign in through the provider's form: a known person's button, or a typed subject (whose
    e-mail the provider then takes to be the subject itself)."""
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible(timeout=TIMEOUT)
    if typed:
        page.locator("input[name=sub]").fill(sub)
        page.get_by_role("button", name="Authorize").click()
    else:
        page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(f"{url}/**", timeout=TIMEOUT)


def _sign_out(page: Page, url: str) -> None:
    """The sidebar's Sign out, then the provider's end-of-session page, back to the app."""
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT)
    assert page.url.startswith(url)


def _shown(locator) -> str:
    """A locator's text as read, without the invisible word joiners that keep an address from
    becoming a link (analysis.text.markdown_text)."""
    return locator.inner_text().replace("\u2060", "")


def _download_url(page: Page, button) -> str:
    with page.expect_download(timeout=TIMEOUT) as info:
        button.click()
    return info.value.url


def test_signed_out_a_deep_link_shows_only_the_sign_in_page(page: Page, signin_url, results_dir):
    """A page's address with filters, signed out: the sign-in button and nothing of the data."""
    page.goto(f"{signin_url}/application?format=small_group&segment=relevance")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT)
    _assert_no_data(page)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.screenshot(path=results_dir / "signin-signed-out.png")


def test_sign_in_shows_the_data_and_sign_out_takes_it_and_its_downloads_away(
    page: Page, signin_url, browser, results_dir
):
    """Signed in from the list: figures, who is signed in, working downloads. Signed out: the
    sign-in page, and the download URLs answer 404, even before the browser leaves the app."""
    _sign_in(page, signin_url, LEAD[0])
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=TIMEOUT)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text(f"Signed in as {LEAD[2]}")
    assert LEAD[1] in _shown(sidebar)
    expect(sidebar).to_contain_text("Data loaded")
    expect(sidebar).not_to_contain_text("Open to anyone")
    page.screenshot(path=results_dir / "signin-signed-in.png")

    page.goto(f"{signin_url}/guide")  # a table built on click (deferred)
    csv = _download_url(page, page.locator(".st-key-format-guide-evidence_csv button").first)
    page.goto(f"{signin_url}/survey-kit")  # a file sent with the page (kept per session)
    kit = _download_url(page, page.get_by_role("button", name="The kit as text"))
    assert "/media/" in csv and "/media/" in kit
    for url in (csv, kit):
        assert page.request.get(url).status == 200, url

    # Sign out, holding the browser on the app: its session stays open, its files must not.
    page.route("**/auth/logout", lambda route: route.fulfill(status=204))
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT)
    _assert_no_data(page)
    for url in (csv, kit):
        assert page.request.get(url).status == 404, url
    page.unroute("**/auth/logout")

    page.goto(f"{signin_url}/auth/logout")  # the rest of the sign-out: cookie, provider
    page.get_by_role("button", name="End session").click(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT)
    _assert_no_data(page)
    stranger = browser.new_context()
    try:
        for url in (csv, kit):
            assert page.request.get(url).status == 404, url
            assert stranger.request.get(url).status == 404, url
    finally:
        stranger.close()
    page.goto(f"{signin_url}/guide")  # the cookie is gone: a page's address signs in again
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=TIMEOUT)
    _assert_no_data(page)


def test_an_address_off_the_allow_list_is_refused(page: Page, signin_url, results_dir):
    """Signed in, but not on the list: a plain refusal with a sign-out, on every address."""
    _sign_in(page, signin_url, OUTSIDER[0])
    refusal = page.get_by_test_id("stAlert")
    expect(refusal).to_contain_text("not on the list of people who may see", timeout=TIMEOUT)
    assert f"You are signed in as {OUTSIDER[1]}," in _shown(refusal)
    _assert_no_data(page)
    page.screenshot(path=results_dir / "signin-refused.png")
    page.goto(f"{signin_url}/guide")
    expect(page.get_by_text("not on the list of people who may see")).to_be_visible(timeout=TIMEOUT)
    _assert_no_data(page)
    _sign_out(page, signin_url)
    _assert_no_data(page)


def test_an_address_in_an_allowed_domain_is_let_in(page: Page, signin_url):
    """A person the provider knows only by an address in the allowed domain sees the data."""
    _sign_in(page, signin_url, "ana@LD.example.org", typed=True)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=TIMEOUT)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("Signed in as", timeout=TIMEOUT)
    assert "ana@LD.example.org" in _shown(sidebar)


def test_a_sub_domain_of_an_allowed_domain_is_refused(page: Page, signin_url):
    """The domain matches exactly: mallory@evil.ld.example.org is not in ld.example.org."""
    _sign_in(page, signin_url, "mallory@evil.ld.example.org", typed=True)
    expect(page.get_by_text("not on the list of people who may see")).to_be_visible(timeout=TIMEOUT)
    _assert_no_data(page)


def test_an_empty_allow_list_lets_nobody_in(page: Page, provider, tmp_path, results_dir):
    """Sign-in on and no list: everyone refused, with what the admin must set, and no button."""
    proc, url = _serve(tmp_path, provider, "")
    try:
        page.goto(url)
        expect(page.get_by_text("no one is allowed in yet")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text("allowed_emails")).to_be_visible()
        expect(page.get_by_role("button", name="Sign in")).to_have_count(0)
        _assert_no_data(page)
        page.screenshot(path=results_dir / "signin-empty-list.png")
    finally:
        stop_app(proc)
    assert "the allow-list is empty" in (tmp_path / "streamlit.log").read_text()


def test_a_secrets_file_that_cannot_be_read_lets_nobody_in(page: Page, tmp_path):
    """A TOML mistake in secrets.toml must not turn sign-in off and leave the app open."""
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('[auth]\nredirect_uri = "http://localhost/oauth2callback\n')  # no "
    proc, url = start_app(tmp_path / "formatfit.duckdb", tmp_path / "log", secrets=secrets_file)
    try:
        page.goto(url)
        expect(page.get_by_text("cannot be read")).to_be_visible(timeout=TIMEOUT)
        _assert_no_data(page)
        expect(page.get_by_text("Open to anyone")).to_have_count(0)
    finally:
        stop_app(proc)


def test_without_sign_in_the_sidebar_says_the_app_is_open(page: Page, app_url, results_dir):
    """No [auth]: the data shows, and the sidebar says anyone who reaches it sees it."""
    page.goto(app_url)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=TIMEOUT)
    notice = page.locator(".st-key-open_notice")
    expect(notice.get_by_text("Open to anyone")).to_be_in_viewport()  # seen without scrolling
    expect(notice).to_contain_text("No sign-in: anyone who can reach this address sees the data")
    expect(notice).to_contain_text("--server.address 127.0.0.1")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    page.get_by_test_id("stSidebar").screenshot(path=results_dir / "signin-open-notice.png")
