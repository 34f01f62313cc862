"""Streamlit-side access to the database: the process's Store, settings and cached results."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import date

import streamlit as st

from analysis import clock, engine, lake_sync, metrics, views
from analysis import health as health_module
from analysis.compare import claims as claims_module
from analysis.compare import guide
from analysis.compare.page import Comparisons
from analysis.compare.page import comparisons as run_comparisons
from analysis.demo import load_demo
from analysis.domain import DEFAULT_MIN_GROUP_SIZE
from analysis.people import spool
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from analysis.store import DB_ENV_VAR, Store, default_db_path

CACHE_TTL = 3600
CACHE_ENTRIES = 128
DEMO_DECLINED = "demo_declined"
BUSY_WRITE = (
    "Nothing was changed: a command-line read (compare, claims or report) had the database "
    "open for longer than FormatFit waits. Try again in a moment."
)


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    """Open the database once per process; load the demo data into an empty, never-used one
    (not on the Spark engine: the data is the lake's, the file keeps the app's own tables).

    The app holds the file read-only between writes (`shared`), so the command line's read
    commands work while it runs; its `forget` requests are carried out by a watcher thread.
    """
    store = Store(path, mode="shared")
    on_lake = engine.current() is not None
    if not on_lake and store.is_empty() and store.get_setting(DEMO_DECLINED) != "1":
        load_demo(store)
    # forget requests from the command line, which cannot write while the app holds the file
    spool.start_watcher(store)
    return store


def store() -> Store:
    """The process's Store for the configured database file."""
    return _open_store(_db_path(os.environ.get(DB_ENV_VAR, "")))


@functools.lru_cache(maxsize=8)
def _db_path(setting: str) -> str:
    """The file for a $FORMATFIT_DB value (resolving it costs a few system calls, and a page
    asks for the store dozens of times a run)."""
    return str(default_db_path())


def privacy_rule() -> PrivacyRule:
    """The privacy rule from Settings."""
    raw = store().get_setting("min_group_size", str(DEFAULT_MIN_GROUP_SIZE))
    return PrivacyRule(min_group_size=int(raw or DEFAULT_MIN_GROUP_SIZE))


@dataclass(frozen=True)
class DataStatus:
    """What is loaded, for the sidebar and chart footers."""

    version: int
    is_demo: bool
    has_real_data: bool
    data_as_of: str
    last_import: str
    counts: dict[str, int]


def data_status() -> DataStatus:
    """The current dataset's status (cheap: a few tiny queries)."""
    db = store()
    return _data_status(*engine.data_key(db))


def version_moved(status: DataStatus) -> bool:
    """Whether the data moved on since `status` was read (another session wrote)."""
    return engine.data_key(store())[1] != status.version


def lake_behind() -> str | None:
    """On Spark, when the lake does not show the database file (a lake write failed, or the
    lake was written from another file): what to say, with the command; else None.

    Not cached: a failed lake write leaves the lake's version, which the caches key on, as it
    was; this reads the manifest and two numbers of the file.
    """
    return lake_sync.status(store())


def loaded_status() -> DataStatus:
    """The data status; with no cohort loaded, the page says how to start and stops here."""
    status = data_status()
    if status.counts["cohorts"] == 0:
        st.info(
            "No data is loaded yet. Load the demo data in **Settings** to explore the dashboard."
        )
        st.stop()
    return status


# cache_resource: one shared object, not a copy unpickled on every call (a page reads the status
# a dozen times a run); nothing changes them
@st.cache_resource(ttl=CACHE_TTL, max_entries=CACHE_ENTRIES, show_spinner=False)
def _data_status(db_token: str, version: int) -> DataStatus:
    db = store()
    imports = db.imports()
    last = "none"
    if len(imports):
        newest = imports.iloc[0]
        last = f"{newest['imported_at']:%Y-%m-%d %H:%M} UTC · {newest['file_name']}"
    return DataStatus(
        version=version,
        is_demo=db.has_demo(),
        has_real_data=db.has_real_data(),
        data_as_of=db.data_as_of().replace("T", " ")[:16] + " UTC",
        last_import=last,
        counts=metrics.row_counts(db),
    )


@st.cache_resource(ttl=CACHE_TTL, max_entries=CACHE_ENTRIES, show_spinner=False)
def filter_options(db_token: str, version: int) -> metrics.FilterOptions:
    """Cached filter choices for this dataset version."""
    return metrics.filter_options(store())


@st.cache_data(ttl=CACHE_TTL, max_entries=CACHE_ENTRIES, show_spinner=False)
def _page_figures(
    db_token: str,
    version: int,
    page: str,
    filters: Filters,
    min_group_size: int,
    options: tuple[tuple[str, str], ...],
) -> views.Figures:
    """One page's figures, keyed on the open database, its version, the view and the rule."""
    return views.page_figures(
        page, store(), filters, PrivacyRule(min_group_size=min_group_size), **dict(options)
    )


def page_figures(page: str, filters: Filters, **options: str) -> views.Figures:
    """All the figures a page shows for the current view (cached per dataset version)."""
    db = store()
    rule = privacy_rule()
    key = options_key(options)
    return _page_figures(*engine.data_key(db), page, filters, rule.min_group_size, key)


def options_key(options: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """A page's options as the figure and chart caches key them."""
    return tuple(sorted(options.items()))


def drop_cached_figures() -> None:
    """Forget every cached figure and chart now (after a deletion or a restore), rather than
    leave the old data's in memory until they expire: a new version would miss them anyway."""
    st.cache_data.clear()
    for cached in (cached_page_charts, _data_status, filter_options):
        cached.clear()


def page_charts(page: str, filters: Filters, **options: str) -> views.Charts:
    """A page's charts for the current view (analysis.views.page_charts over page_figures),
    titled and with their footers.

    Drawing the plotly figures is most of a page's run, so they are built once per database,
    dataset version, view and rule for every session, and shared, not copied: a page only
    shows them (st.plotly_chart, the image downloads and the drill check read a figure).
    """
    db = store()
    rule = privacy_rule()
    key = options_key(options)
    return cached_page_charts(*engine.data_key(db), page, filters, rule.min_group_size, key)


@st.cache_resource(ttl=CACHE_TTL, max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_page_charts(
    db_token: str,
    version: int,
    page: str,
    filters: Filters,
    min_group_size: int,
    options: tuple[tuple[str, str], ...],
) -> views.Charts:
    """page_charts for an explicit database, version, view and rule (ui/warm.py builds the
    common views ahead of people with it)."""
    from ui.charts import chart_context, drill_subject  # ui.charts reads this module

    figs = page_figures(page, filters, **dict(options))
    return views.page_charts(
        page,
        figs,
        lambda n: chart_context(filters, n),
        PrivacyRule(min_group_size=min_group_size),
        subject=drill_subject(filters),
        **dict(options),
    )


@st.cache_data(ttl=CACHE_TTL, max_entries=CACHE_ENTRIES, show_spinner=False)
def _comparisons(
    db_token: str,
    version: int,
    a: str,
    b: str,
    metric: str,
    wave: str,
    min_group_size: int,
    base: Filters,
    with_presets: bool,
) -> Comparisons:
    return run_comparisons(
        store(), a, b, metric, wave, PrivacyRule(min_group_size), base, with_presets
    )


def comparisons(
    a: str, b: str, metric: str, wave: str, base: Filters, with_presets: bool
) -> Comparisons:
    """The Compare page's comparisons (cached per database, dataset version, view and rule)."""
    db = store()
    k = privacy_rule().min_group_size
    return _comparisons(*engine.data_key(db), a, b, metric, wave, k, base, with_presets)


@st.cache_data(ttl=CACHE_TTL, max_entries=CACHE_ENTRIES, show_spinner=False)
def _claims(
    db_token: str, version: int, min_group_size: int, base: Filters
) -> list[claims_module.Claim]:
    return claims_module.claims(store(), PrivacyRule(min_group_size), base)


def claims(base: Filters) -> list[claims_module.Claim]:
    """The ten claims judged under the base view (cached: about a second to compute)."""
    db = store()
    return _claims(*engine.data_key(db), privacy_rule().min_group_size, base)


@st.cache_data(ttl=CACHE_TTL, max_entries=CACHE_ENTRIES, show_spinner=False)
def _costs(db_token: str, version: int, min_group_size: int, base: Filters):
    return guide.costs(store(), PrivacyRule(min_group_size), base)


def costs(base: Filters):
    """Cost per place and per person who applied, per variant (cached)."""
    db = store()
    return _costs(*engine.data_key(db), privacy_rule().min_group_size, base)


@st.cache_data(ttl=CACHE_TTL, max_entries=CACHE_ENTRIES, show_spinner=False)
def _health(db_token: str, version: int, min_group_size: int, today: str) -> health_module.Health:
    return health_module.health(store(), PrivacyRule(min_group_size), date.fromisoformat(today))


def health() -> health_module.Health:
    """The Data health page's statements (cached per dataset version, rule and day)."""
    db = store()
    k = privacy_rule().min_group_size
    return _health(*engine.data_key(db), k, clock.today().isoformat())
