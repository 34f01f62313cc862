"""The whole app under Streamlit's AppTest, as the server runs it (st.navigation in app.py)."""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from tests.conftest import ROOT


class NavigationPagesManager(PagesManager):
    """AppTest re-detects the v1 `pages/` folder on every run and then runs a page script alone,
    skipping app.py's sidebar. The real server, once st.navigation has run, never does that."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def open_app(tmp_path, monkeypatch, page: str | None = None) -> AppTest:
    """The app on a fresh database in tmp_path (the demo data loads), run once, then switched
    to `page` (e.g. "pages/upload.py") and run again when one is given."""
    monkeypatch.setenv("FORMATFIT_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "secret.key"))
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationPagesManager)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at
