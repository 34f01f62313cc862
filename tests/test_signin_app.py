"""The sign-in gate in app.py under AppTest: every state of the secrets and of the person, and
what each shows (the browser tests run the real provider; these run every configuration)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from analysis.access import BROKEN_LIST, EMPTY_LIST, NO_SIGN_IN
from analysis.text import markdown_text
from tests.app_support import NavigationPagesManager
from tests.conftest import ROOT
from ui.signin import OPEN_BADGE

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "0" * 64,
    "client_id": "formatfit",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
}
ALLOWED = {"allowed_emails": ["lead@example.org"], "allowed_domains": ["ld.example.org"]}
LEAD = {"is_logged_in": True, "email": "lead@example.org", "name": "Lea Lead"}


def _run(tmp_path, monkeypatch, secrets: dict, user: dict | None = None) -> AppTest:
    monkeypatch.setenv("FORMATFIT_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "secret.key"))
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationPagesManager)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.secrets = secrets
    at.user = user or {}
    at.run()
    assert not at.exception
    return at


def _text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "error", "title") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def _assert_no_data(at: AppTest) -> None:
    """No sidebar, no figure, no table, no data status: only the gate's own screen."""
    assert len(at.sidebar) == 0
    assert not at.get("plotly_chart") and not at.get("dataframe") and not at.get("metric")
    assert not at.get("download_button")
    text = _text(at)
    for words in ("Data loaded", "dataset v", "Demo data", "survey responses"):
        assert words not in text


def _sidebar_markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.sidebar.markdown)


def _buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def test_signed_out_sees_a_sign_in_button_and_nothing_else(tmp_path, monkeypatch):
    """Signed out: one Sign in button; the database is not even opened (no demo loaded)."""
    at = _run(tmp_path, monkeypatch, {"auth": AUTH, "formatfit": ALLOWED}, {"is_logged_in": False})
    assert _buttons(at) == ["Sign in"]
    _assert_no_data(at)
    assert not (tmp_path / "app.duckdb").exists()


def test_on_the_list_sees_the_app_with_who_is_signed_in(tmp_path, monkeypatch):
    """Signed in from the list: the pages, the status, and who is signed in with Sign out."""
    at = _run(tmp_path, monkeypatch, {"auth": AUTH, "formatfit": ALLOWED}, LEAD)
    sidebar = "\n".join(str(c.value) for c in at.sidebar.caption)
    assert f"Signed in as **Lea Lead**  \n{markdown_text('lead@example.org')}" in sidebar
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert at.get("plotly_chart")
    assert OPEN_BADGE not in _sidebar_markdown(at)


@pytest.mark.parametrize(
    ("user", "why"),
    [
        ({"is_logged_in": True, "email": "eve@elsewhere.org"}, markdown_text("eve@elsewhere.org")),
        (
            {"is_logged_in": True, "email": "ana@evil.ld.example.org"},
            markdown_text("ana@evil.ld.example.org"),
        ),
        ({"is_logged_in": True}, "an account without an e-mail address"),
        (
            {"is_logged_in": True, "email": "lead@example.org", "email_verified": False},
            markdown_text("lead@example.org"),
        ),
    ],
)
def test_off_the_list_is_refused_with_a_sign_out(tmp_path, monkeypatch, user, why):
    """Off the list, a sub-domain, no address, an unverified address: refused, Sign out only."""
    at = _run(tmp_path, monkeypatch, {"auth": AUTH, "formatfit": ALLOWED}, user)
    assert f"You are signed in as {why}, which is not on the list" in _text(at)
    assert _buttons(at) == ["Sign out"]
    _assert_no_data(at)


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({"auth": AUTH}, EMPTY_LIST),
        ({"auth": AUTH, "formatfit": {"allowed_emails": []}}, EMPTY_LIST),
        ({"auth": AUTH, "formatfit": {"allowed_domains": ["*.example.org"]}}, BROKEN_LIST),
        ({"formatfit": ALLOWED}, NO_SIGN_IN),  # a list without [auth]: not open, closed
    ],
)
def test_a_missing_or_broken_list_lets_nobody_in(tmp_path, monkeypatch, secrets, message):
    """Fail closed, even for someone who would be on a list, with what the admin must set."""
    at = _run(tmp_path, monkeypatch, secrets, LEAD)
    assert message in _text(at)
    _assert_no_data(at)


def test_incomplete_sign_in_settings_let_nobody_in_and_name_what_is_missing(tmp_path, monkeypatch):
    """[auth] without its cookie secret or the provider's secret: refused, the keys named."""
    auth = {k: v for k, v in AUTH.items() if k not in {"cookie_secret", "client_secret"}}
    at = _run(tmp_path, monkeypatch, {"auth": auth, "formatfit": ALLOWED}, {"is_logged_in": False})
    text = _text(at)
    assert "`auth.cookie_secret`" in text and "`auth.client_secret`" in text
    assert "Sign in" not in _buttons(at)
    _assert_no_data(at)


def test_named_providers_get_a_button_each(tmp_path, monkeypatch):
    """[auth.microsoft] and [auth.google]: Sign in with Microsoft, Sign in with Google."""
    shared = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    auth = {**shared, "microsoft": provider, "google": provider}
    at = _run(tmp_path, monkeypatch, {"auth": auth, "formatfit": ALLOWED}, {"is_logged_in": False})
    assert _buttons(at) == ["Sign in with Microsoft", "Sign in with Google"]
    _assert_no_data(at)


def test_without_sign_in_the_sidebar_says_the_app_is_open(tmp_path, monkeypatch):
    """No secrets at all: the app as before, with the open notice in the sidebar."""
    at = _run(tmp_path, monkeypatch, {})
    assert OPEN_BADGE in _sidebar_markdown(at)
    captions = " ".join(str(c.value) for c in at.sidebar.caption)
    assert "anyone who can reach this address sees the data" in captions
    assert at.get("plotly_chart") and "Sign out" not in [b.label for b in at.sidebar.button]
