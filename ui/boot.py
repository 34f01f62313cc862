"""Make deep links work (a page opened first on a fresh server must still run inside app.py),
and make a server's first runs safe when many sessions start at once."""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def run_inside_app() -> None:
    """Re-run through app.py when Streamlit ran this page on its own.

    Until app.py has called st.navigation once, Streamlit treats the `pages/` folder as legacy
    multipage navigation, so a first visit to /application would run that page alone, without
    the sidebar, the filters or the demo badge. Switching the legacy mode off and re-running
    sends the same URL through app.py's navigation.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_IMPORT_LOCK = threading.Lock()
_imported = False


def import_everything() -> None:
    """Import every module of `analysis` and `ui` once per process, one thread at a time.

    Streamlit runs each session's script in a thread of its own. When several sessions make
    their first run at once (a server's start, twenty people at nine), their threads import
    modules that import each other, Python's per-module import locks meet in a cycle, and one
    thread is handed a half-initialised module: `KeyError: 'ui.sidebar'` or a dataclass error
    on the page, found by bench/load_bench.py. Importing everything first, under one lock,
    leaves no first import to race (about 2-4 s, once, in the server's first run).
    Then the objects they made are frozen (`gc.freeze`), out of the garbage collector's way.
    """
    global _imported
    if _imported:
        return
    with _IMPORT_LOCK:
        if _imported:
            return
        for name in ("analysis", "ui"):
            package = importlib.import_module(name)
            for info in pkgutil.walk_packages(package.__path__, f"{name}."):
                if info.name.rsplit(".", 1)[-1] != "__main__":
                    importlib.import_module(info.name)
        # The modules' objects live as long as the server: out of Python's full collections,
        # which would otherwise walk them all (~150 ms holding the interpreter) each time.
        gc.freeze()
        _imported = True
