"""Every page opens without an exception (Streamlit AppTest, demo data in a temp database)."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from tests.app_support import NavigationPagesManager as _NavigationPagesManager
from tests.conftest import ROOT
from ui import page_list

PAGES = [p.file for p in page_list.PAGES]


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("FORMATFIT_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setattr(app_test_module, "PagesManager", _NavigationPagesManager)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _decode(values) -> list:
    """Plotly 7 stores arrays as base64 'bdata'; decode either form."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def _figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_an_exception(app, page):
    """Each page renders on the demo data."""
    app.switch_page(page)
    app.run()
    assert not app.exception, app.exception


def test_overview_has_kpis_and_a_chart_per_format(app):
    """Three KPI cards of three metrics each, and a chart with the three formats' bars."""
    assert len(app.metric) == 9
    fig = _figure(app)
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert len(bars) == 3  # engaged, completed, applied
    for bar in bars:
        assert all(0 < x < 1 for x in _decode(bar["x"]))
        assert "error_x" in bar
    labels = ["Everyone at once", "Self-directed", "Small groups"]
    assert fig["layout"]["yaxis"]["ticktext"] == labels * 3
    assert fig["layout"]["template"]["layout"]["font"]["size"] >= 14
    assert "DEMO DATA" in json.dumps(fig["layout"]["annotations"])


def test_format_filter_shows_only_the_selected_formats(app):
    """The sidebar's format filter reaches the chart."""
    app.sidebar.multiselect(key="f_formats").set_value(["self_directed", "small_group"]).run()
    assert not app.exception
    fig = _figure(app)
    assert fig["layout"]["yaxis"]["ticktext"] == ["Self-directed", "Small groups"] * 3
    assert len(app.metric) == 6


def test_min_group_size_setting_persists_and_applies(app):
    """Settings changes the privacy threshold for every page, and it survives a new session."""
    app.switch_page("pages/settings.py")
    app.run()
    app.slider[0].set_value(10).run()
    assert not app.exception
    footer = json.dumps(
        AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        .run()
        .get("plotly_chart")[0]
        .proto.spec
    )
    assert "whole groups of 10+ respondents" in footer


def test_demo_data_can_be_removed_and_brought_back(app):
    """One action removes the demo data (badge gone, empty state); another brings it back."""
    app.switch_page("pages/settings.py")
    app.run()
    app.button[0].click().run()
    assert not app.exception
    assert not any("Demo data" in b.proto.label for b in app.get("badge"))
    for page in ("overview", "engagement", "compare", "claims", "guide"):
        app.switch_page(f"pages/{page}.py")
        app.run()
        assert not app.exception, app.exception
        assert any("No data is loaded" in i.value for i in app.info), page
    app.switch_page("pages/settings.py")
    app.run()
    app.button[0].click().run()
    app.switch_page("pages/overview.py")
    app.run()
    assert len(app.get("plotly_chart")) == 1


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _formats_named(fig: dict) -> list[str]:
    """Which formats a figure names in its axis labels or annotations (not its title)."""
    texts = [a["text"] for a in fig["layout"]["annotations"] if "DEMO DATA" not in a["text"]]
    texts += fig["layout"]["yaxis"].get("ticktext", [])
    text = " ".join(texts)
    return [f for f in ("Everyone at once", "Self-directed", "Small groups") if f in text]


def test_engagement_page_charts_follow_the_format_filter_and_the_view(app):
    """Four charts and two KPIs per format; the format filter and the variant view redraw them."""
    app.switch_page("pages/engagement.py")
    app.run()
    assert not app.exception, app.exception
    assert len(app.metric) == 6
    before = _charts(app)
    assert len(before) == 4
    everyone = ["Everyone at once", "Self-directed", "Small groups"]
    names = [t.get("name", "") for t in before[0]["data"] if t.get("mode") == "lines+markers"]
    assert [n.split(" · ")[0] for n in names] == everyone
    for fig in before[1:]:
        assert _formats_named(fig) == everyone

    app.sidebar.multiselect(key="f_formats").set_value(["small_group"]).run()
    assert not app.exception, app.exception
    after = _charts(app)
    assert len(app.metric) == 2
    names = [t.get("name", "") for t in after[0]["data"] if t.get("mode") == "lines+markers"]
    assert [n.split(" · ")[0] for n in names] == ["Small groups"]
    for fig in after[1:]:
        assert _formats_named(fig) == ["Small groups"]
    assert after[1]["layout"]["yaxis"]["ticktext"] == ["Small groups"]

    app.radio(key="eng_by").set_value("variant").run()
    assert not app.exception, app.exception
    momentum, bars = _charts(app)[:2]
    names = [t.get("name", "").split(" · ")[0] for t in momentum["data"] if t.get("name")]
    assert "Book club" in names and "Pilot team first" in names
    assert "Book club" in bars["layout"]["yaxis"]["ticktext"]


def _add_cohort_starting(start: str) -> None:
    """A write from elsewhere in the process (as an import is): one cohort in a new month."""
    from ui import data

    db = data.store()
    with db.transaction() as cur:
        imp = db.new_import(cur, "enrolment", file_name="later.csv")
        cur.execute(
            "INSERT INTO cohorts VALUES ('C-late', 'P01', 'Late', 'small_group', 'book_club', "
            "CAST(? AS DATE), CAST(? AS DATE) + 30, 6, 6, ?)",
            [start, start, imp],
        )


def _month_slider(at: AppTest):
    return next(s for s in at.sidebar.select_slider if s.label == "Cohort start months")


def test_a_full_month_range_grows_with_an_import(app):
    """All months selected before an import means all months selected after it."""
    _add_cohort_starting("2026-11-10")
    app.run()
    assert not app.exception, app.exception
    assert [f"{d:%Y-%m}" for d in _month_slider(app).value] == ["2025-04", "2026-11"]
    assert not [c for c in app.sidebar.caption if "New months in the data" in c.value]


def test_a_narrowed_month_range_is_kept_with_a_note(app):
    """A narrowed range survives an import that adds months, and the sidebar says so."""
    from datetime import date

    _month_slider(app).set_value((date(2025, 6, 1), date(2025, 12, 1))).run()
    _add_cohort_starting("2026-11-10")
    app.run()
    assert not app.exception, app.exception
    assert [f"{d:%Y-%m}" for d in _month_slider(app).value] == ["2025-06", "2025-12"]
    notes = [c.value for c in app.sidebar.caption if "New months in the data" in c.value]
    assert notes == [
        "New months in the data: Oct 2026 – Nov 2026, outside the months chosen. "
        "Widen the range to include them."
    ]


def test_import_history_names_a_profile_only_where_there_is_one(app):
    """Beside an import with a mapping profile, the demo import (none) names no profile."""
    from ui import data

    db = data.store()
    with db.transaction() as cur:
        db.new_import(cur, "survey", file_name="pulse.csv", tool="generic", profile="Pulse")
    app.switch_page("pages/upload.py")
    app.run()
    lines = {m.value.split(" · ")[0]: m.value for m in app.markdown if " rows · " in m.value}
    assert set(lines) == {"**1**", "**2**"}  # the demo, then pulse.csv
    assert lines["**2**"].endswith("· profile “Pulse”")
    assert "profile" not in lines["**1**"]


def test_the_cohort_picker_beside_the_heat_map_drills_into_one_cohort(app):
    """The heat map cannot be clicked: the picker beside it applies a cohort like a click."""
    app.switch_page("pages/engagement.py")
    app.run()
    picker = next(s for s in app.selectbox if s.label == "Drill into one cohort")
    picker.set_value("C05-book-club-2025-05").run()
    assert not app.exception, app.exception
    assert app.session_state["f_cohorts"] == ["C05-book-club-2025-05"]
    assert app.session_state["f_variants"] == ["book_club"]
    assert app.session_state["f_formats"] == ["small_group"]
    trail = [b.label for b in app.button if b.key and b.key.startswith("trail_")]
    assert trail[0] == "All" and "Book club" in trail[2]
