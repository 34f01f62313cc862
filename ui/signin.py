"""Sign-in: one gate in app.py, before the sidebar, the navigation or any page runs.

When `.streamlit/secrets.toml` has an `[auth]` section (OpenID Connect, through `st.login`),
every run of every page passes here first: a person signed out sees a sign-in page, a person
off the allow-list (analysis/access.py) a plain refusal, and neither sees the sidebar, a page,
a figure, a download or the data status. Without `[auth]` the app is open, and the sidebar says
so. README, "Sign-in", shows how to set it up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import NoReturn

import streamlit as st
from streamlit import config, runtime
from streamlit.logger import get_logger

from analysis.access import BROKEN_LIST, EMPTY_LIST, NO_SIGN_IN, AllowList, AllowListError
from analysis.text import markdown_text
from ui.page_list import PAGES

LOG = get_logger("formatfit.signin")
AUTH_SECTION = "auth"
DEFAULT_PROVIDER = "default"
OPEN_BADGE = "Open to anyone"
OPEN_NOTICE = (
    "No sign-in: anyone who can reach this address sees the data. Keep it on this computer "
    "(`--server.address 127.0.0.1`) or set up sign-in (README, *Sign-in*)."
)
SHARED_SETTINGS = ("redirect_uri", "cookie_secret")
PROVIDER_SETTINGS = ("client_id", "client_secret", "server_metadata_url")
UNREADABLE = (
    "`.streamlit/secrets.toml` cannot be read, so its sign-in settings cannot be checked and "
    "no one is let in. The server's log says what is wrong with it (a TOML error, or a file "
    "the app's user may not read)."
)
INCOMPLETE = "Sign-in is on, but `.streamlit/secrets.toml` lacks "
SIGN_IN_KEY = "signin"
SIGN_OUT_KEY = "signout"


def unreadable() -> bool:
    """Whether a secrets file exists that Streamlit could not read (a TOML error, no permission):
    its sign-in settings would be lost silently, and the app would run open."""
    files = config.get_option("secrets.files")
    return not st.secrets.load_if_toml_exists() and any(os.path.isfile(f) for f in files)


def configured() -> bool:
    """Whether sign-in is on: the secrets file has an `[auth]` section."""
    return st.secrets.load_if_toml_exists() and AUTH_SECTION in st.secrets


def providers() -> list[str]:
    """The identity providers to offer: the unnamed one in `[auth]` itself and/or each named
    `[auth.NAME]` section that holds a client id."""
    auth = st.secrets[AUTH_SECTION]
    named = [n for n, v in auth.items() if isinstance(v, Mapping) and "client_id" in v]
    return ([DEFAULT_PROVIDER] if "client_id" in auth else []) + named


def missing_settings() -> list[str]:
    """The settings `st.login` needs that `[auth]` lacks (none when it can sign people in)."""
    auth = st.secrets[AUTH_SECTION]
    missing = [f"auth.{k}" for k in SHARED_SETTINGS if not auth.get(k)]
    names = providers()
    if not names:
        return [*missing, *(f"auth.{k}" for k in PROVIDER_SETTINGS)]
    for name in names:
        section = auth if name == DEFAULT_PROVIDER else auth[name]
        prefix = "auth." if name == DEFAULT_PROVIDER else f"auth.{name}."
        missing += [prefix + k for k in PROVIDER_SETTINGS if not section.get(k)]
    return missing


def forget_media() -> None:
    """Drop this session's downloads and media from the server now, so their /media URLs stop
    answering the moment the person signs out.

    Each run starts by forgetting the session's files, and its end deletes the files no session
    shows any more, but a download is only marked then and deleted one collection later (any
    session's next run), so that a click racing a rerun still finds it. Two collections here
    delete it at once. A file another session still shows is kept; downloads that no session
    shows any more go at once too, whoever had them, which costs them only that grace."""
    if not runtime.exists():
        return
    files = runtime.get_instance().media_file_mgr
    files.clear_session_refs()
    files.remove_orphaned_files()  # media deleted, downloads marked
    files.remove_orphaned_files()  # marked downloads deleted


def _sign_out() -> None:
    forget_media()
    st.logout()


def _only(render: Callable[[], None], title: str) -> NoReturn:
    """Show one screen in place of the app, at the app's address and at each page's, so a link
    to a page finds this screen too ("page not found" otherwise); the navigation stays hidden."""
    pages = [st.Page(render, title=title, default=True)] + [
        st.Page(render, title=title, url_path=p.url_path) for p in PAGES if not p.default
    ]
    st.navigation(pages, position="hidden").run()
    st.stop()


def _heading() -> None:
    st.title("FormatFit")
    st.caption("How should our people learn together?")


def _sign_in_screen() -> None:
    _heading()
    st.write("Sign in to see your organisation's learning data.")
    for name in providers():
        label = "Sign in" if name == DEFAULT_PROVIDER else f"Sign in with {name.title()}"
        if st.button(label, type="primary", key=f"{SIGN_IN_KEY}_{name}", icon=":material/login:"):
            st.login(None if name == DEFAULT_PROVIDER else name)


def _refusal(message: str) -> Callable[[], None]:
    def render() -> None:
        _heading()
        st.error(message, icon=":material/block:")
        if st.user.get("is_logged_in"):
            st.button("Sign out", key=SIGN_OUT_KEY, on_click=_sign_out, icon=":material/logout:")

    return render


def _not_on_list(email: str) -> str:
    who = markdown_text(email) if email else "an account without an e-mail address"
    return (
        f"You are signed in as {who}, which is "
        "not on the list of people who may see this app's data. Ask the person who runs "
        "FormatFit to add your address, or sign out and sign in with another account."
    )


def gate() -> None:
    """Return when this person may see the data (or sign-in is off); otherwise show the sign-in
    page or a refusal, and stop the run there."""
    if not configured():
        if unreadable():
            LOG.error("sign-in: a secrets file cannot be read, nobody is let in")
            _only(_refusal(UNREADABLE), "Sign in")
        if st.secrets.load_if_toml_exists() and AllowList.written(st.secrets):
            LOG.error("sign-in: an allow-list without [auth], nobody is let in")
            _only(_refusal(NO_SIGN_IN), "Sign in")
        return
    try:
        allowed = AllowList.from_secrets(st.secrets)
    except AllowListError as exc:
        LOG.error("sign-in: the allow-list is broken, nobody is let in: %s", exc)
        _only(_refusal(BROKEN_LIST), "Sign in")
    missing = missing_settings()
    if missing:
        LOG.error("sign-in: [auth] lacks %s, nobody is let in", ", ".join(missing))
        _only(_refusal(INCOMPLETE + ", ".join(f"`{m}`" for m in missing) + "."), "Sign in")
    user = st.user
    if allowed.empty:
        LOG.error("sign-in: the allow-list is empty, nobody is let in")
        _only(_refusal(EMPTY_LIST), "Sign in")
    if not user.get("is_logged_in"):
        _only(_sign_in_screen, "Sign in")
    email = user.get("email")
    if not allowed.allows(email, user.get("email_verified")):
        LOG.warning("sign-in: refused %r, not on the allow-list", email)
        _only(_refusal(_not_on_list(str(email or ""))), "Not allowed")


def show_in_sidebar() -> None:
    """Who is signed in and a sign-out button; or, with sign-in off, that the app is open."""
    sb = st.sidebar
    if not configured():
        with sb.container(key="open_notice"):
            st.badge(OPEN_BADGE, icon=":material/lock_open:", color="red")
            st.caption(OPEN_NOTICE)
        return
    user = st.user
    with sb.container(key="signed_in", horizontal=True, vertical_alignment="center"):
        name, email = user.get("name"), user.get("email")
        who = markdown_text(str(name or email or "an account without e-mail"))
        st.caption(
            f"Signed in as **{who}**" + (f"  \n{markdown_text(email)}" if name and email else "")
        )
        st.button("Sign out", key=SIGN_OUT_KEY, on_click=_sign_out, icon=":material/logout:")
