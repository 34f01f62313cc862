"""Build the common first views of each new dataset version in the background, once per server.

A page's first view under a filter nobody has opened yet costs the server a second or more
(queries, the privacy step, the plotly figures); the same view again costs a tenth of that,
for every session, because the charts are shared (`ui.data.page_charts`). After an import or
an undo every view is new, and a team that opens the dashboard together would each wait for
the same first views. So when a run first meets a dataset version, one thread builds the views
people open first: every page unfiltered, then each department and each format alone, each
page with its default options (programs are left to the people who open them: there can be
many, and each costs the server's interpreter time that people's own runs need). A person who
asks for a view the thread is building waits for that one build rather than starting another
(Streamlit builds one value per key at a time). The thread stops as soon as the data moves on;
it runs at the lowest CPU priority, and before each view waits (up to two seconds) while people's
runs are going, so their runs go first.

On by default; FORMATFIT_WARM_VIEWS=0 turns it off (the tests do, except the test of it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from dataclasses import replace

import streamlit as st

from analysis import engine
from analysis.domain import FORMATS
from analysis.metrics import FilterOptions
from analysis.queries import Filters
from analysis.views import DEFAULT_OPTIONS
from ui import data

ENV_VAR = "FORMATFIT_WARM_VIEWS"
PAGES = ("overview", "engagement", "application")
PAUSE_S = 0.05  # between views: a person's run waiting for the interpreter goes first
# Before each view the thread waits while people's runs are going (they share one interpreter,
# and a thread's CPU priority does not order Python's GIL), but no longer than this, so the
# views still get built under a steady stream of runs.
YIELD_S = 2.0
LOG = logging.getLogger("formatfit.run.warm")  # with the run log (FORMATFIT_RUN_LOG=1)

View = tuple[str, Filters, tuple[tuple[str, str], ...]]


_people = threading.Condition()
_running = 0  # people's script runs going now, in this process


@contextlib.contextmanager
def person_running():
    """Around a person's script run: the warm-up waits for it (app.py)."""
    global _running
    with _people:
        _running += 1
    try:
        yield
    finally:
        with _people:
            _running -= 1
            if not _running:
                _people.notify_all()


def wait_for_people(limit_s: float = YIELD_S) -> bool:
    """Wait until no person's run is going, at most `limit_s`; whether none is."""
    with _people:
        return _people.wait_for(lambda: _running == 0, timeout=limit_s)


def enabled() -> bool:
    return os.environ.get(ENV_VAR, "1") != "0"


def common_views(opts: FilterOptions) -> list[View]:
    """The views people open first, most common first: each page as it opens (all months, no
    filter), then with one department or one format chosen."""
    months = opts.months
    base = Filters(
        start_from=months[0] if months else None, start_to=months[-1] if months else None
    )
    narrowed = [replace(base, departments=(d,)) for d in opts.departments]
    narrowed += [replace(base, formats=(f,)) for f in FORMATS]
    return [
        (page, filters, data.options_key(DEFAULT_OPTIONS[page]))
        for filters in [base, *narrowed]
        for page in PAGES
    ]


def start(status: data.DataStatus) -> None:
    """Warm this dataset version's common views, once per database and version (cheap after
    the first call: a cache lookup)."""
    if enabled() and status.counts.get("cohorts", 0):
        token, version = engine.data_key(data.store())  # the lake's on Spark
        _warming(token, version, data.privacy_rule().min_group_size)


@st.cache_resource(show_spinner=False, max_entries=4)
def _warming(db_token: str, version: int, min_group_size: int) -> threading.Thread:
    thread = threading.Thread(
        target=warm,
        args=(db_token, version, min_group_size),
        name=f"formatfit-warm-v{version}",
        daemon=True,
    )
    thread.start()
    return thread


def warm(db_token: str, version: int, min_group_size: int) -> int:
    """Build the common views of one dataset version; how many were built. Stops early when
    the database, its version or the privacy rule moves on (those views would never be read)."""
    _lowest_priority()
    db = data.store()
    opts = data.filter_options(db.token, version)  # the sidebar's key
    built = 0
    started = time.perf_counter()
    for page, filters, options in common_views(opts):
        now = (*engine.data_key(db), data.privacy_rule().min_group_size)
        if now != (db_token, version, min_group_size):
            break
        wait_for_people()
        try:
            data.cached_page_charts(db_token, version, page, filters, min_group_size, options)
        except Exception:  # a view that fails here fails for its person too, with a message
            LOG.exception("warming %s under %s failed", page, filters)
        built += 1
        time.sleep(PAUSE_S)
    LOG.info(
        "formatfit.warm version=%s views=%s s=%.1f", version, built, time.perf_counter() - started
    )
    return built


def _lowest_priority() -> None:
    """Nice 19 for this thread alone (Linux takes a thread id where a process id goes)."""
    # not Linux, or not allowed: the pauses still help
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
