"""The pages' data layer: one cached accessor per database, names that carry the view, and a
designed empty state wherever a chart has nothing to show."""

from __future__ import annotations

from datetime import date

import pytest

from analysis import views
from analysis.charts import ChartContext, export_name, view_words
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from tests.tiny import build_tiny_store


def test_the_cached_accessor_keys_on_the_database(tmp_path, monkeypatch):
    """Two databases in one process: each gets its own figures, never the other's cache."""
    from analysis.demo import load_demo
    from analysis.store import Store
    from ui import data

    demo = Store(tmp_path / "demo.duckdb")
    load_demo(demo)
    demo.close()  # one connection per file: the app opens its own
    build_tiny_store(tmp_path / "tiny.duckdb").close()
    seen = {}
    for name in ("demo", "tiny"):
        monkeypatch.setenv("FORMATFIT_DB", str(tmp_path / f"{name}.duckdb"))
        figs = data.page_figures("overview", Filters())
        seen[name] = int(figs["overview"]["enrolled"].sum())
        data.store().close()
    assert seen == {"demo": 2575, "tiny": 10}


def test_download_names_carry_the_view():
    """formatfit-<subject>-<view>-<date>: the filters a chart or table was made under."""
    day = date(2026, 12, 3)
    assert export_name(
        "application-by-wave", day, view_words(Filters(departments=("Finance",)))
    ) == ("formatfit-application-by-wave-finance-2026-12-03")
    drill = Filters(formats=("small_group",), variants=("book_club",))
    assert export_name("overview-formats", day, view_words(drill)) == (
        "formatfit-overview-formats-small-groups-book-club-2026-12-03"
    )
    months = [date(2025, m, 1) for m in range(1, 13)]
    narrow = Filters(start_from=date(2025, 4, 1), start_to=date(2025, 9, 1))
    assert view_words(narrow, months=months) == "2025-04 2025-09"
    whole = Filters(start_from=months[0], start_to=months[-1])
    assert view_words(whole, months=months) == ""
    assert export_name("readiness", day, "") == "formatfit-readiness-2026-12-03"


def _context(n_text: str) -> ChartContext:
    return ChartContext(n_text, "any month", "all", PrivacyRule(), "now", 1, False)


@pytest.mark.parametrize("page", [p for p, opts in views.PAGE_OPTIONS.items()])
def test_every_chart_is_drawn_or_says_why_not(demo_store, page):
    """A view with one department and one month: a chart is drawn with data, or it is an
    empty state that says 'no … under these filters' or 'suppressed' (never empty axes)."""
    f = Filters(
        departments=("People & HR",), start_from=date(2025, 6, 1), start_to=date(2025, 6, 1)
    )
    rule = PrivacyRule()
    figs = views.page_figures(page, demo_store, f, rule)
    for name, chart in views.page_charts(page, figs, _context, rule).items():
        if chart.figure is None:
            assert chart.empty.startswith(("No ", "No one")) or "suppressed" in chart.empty, name
        else:
            assert any(len(t.x if t.x is not None else t.z) for t in chart.figure.data), name


# A zero line is a statement ("here is zero"): drawn where a chart asks for one, the Likert
# chart's diverging centre, never by plotly's default on an axis of category positions.
ASKED_FOR_ZERO = {("likert", "xaxis")}


@pytest.mark.parametrize("page", [p for p, opts in views.PAGE_OPTIONS.items()])
def test_no_chart_draws_a_zero_line_it_did_not_ask_for(demo_store, page):
    """The Application wave chart's waves sit at x = 0, 1, 2, 3, and plotly drew the x axis's
    zero line through "Right after": a dark rule from top to bottom on a leadership slide."""
    rule = PrivacyRule()
    figs = views.page_figures(page, demo_store, Filters(), rule)
    for name, chart in views.page_charts(page, figs, _context, rule).items():
        if chart.figure is None:
            continue
        layout = chart.figure.to_plotly_json()["layout"]
        template = layout.get("template", {}).get("layout", {})
        for axis in (k for k in layout if k.startswith(("xaxis", "yaxis"))):
            low, high = layout[axis].get("range") or (0, 0)
            zeroline = layout[axis].get("zeroline", template.get(axis[:5], {}).get("zeroline"))
            if low < 0 < high and zeroline is not False:
                assert (name, axis) in ASKED_FOR_ZERO, f"{page}: {name}'s {axis}"
