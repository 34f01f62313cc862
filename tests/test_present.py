"""Presentation mode's plan (no browser): screen sizes, the URL's view, the verdicts in short."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from analysis.compare.claims import TITLES, Claim
from analysis.present import (
    CHART_ROOM,
    CLAIM_SHORT,
    SCREENS,
    SUMMARY_ROOM,
    fit_summary,
    layout,
    screen_index,
    verdicts,
)
from ui import view_state


def test_layout_fills_the_window_less_a_fixed_room():
    """1280×720 and 1920×1080: the charts take the height less the room for the rest."""
    assert layout((1280, 720)).chart_height == 720 - CHART_ROOM == 620
    big = layout((1920, 1080))
    assert (big.chart_height, big.summary_height) == (1080 - CHART_ROOM, 1080 - SUMMARY_ROOM)
    assert sum(big.summary_widths) == 1920 - 64
    assert layout(None) == layout((1280, 720))  # until the browser says its size
    assert layout((300, 200)) == layout((960, 540))  # tiny windows scroll, never squash


def test_screen_index_from_the_url_is_clamped():
    """?slide=N is 1-based; junk or out-of-range numbers land on a real screen."""
    assert screen_index("1") == 0
    assert screen_index("3") == 2
    assert screen_index("99") == len(SCREENS) - 1
    assert screen_index("0") == 0
    for junk in (None, "", "-2", "two", "2.5"):
        assert screen_index(junk) == 0


def test_view_present_in_the_url_turns_it_on_and_is_written_back():
    """?view=present&slide=3 is loaded into the session, and the session writes it back."""
    state: dict = {}
    params = {"view": ["present"], "slide": ["3"]}
    view_state.load(state, params, _no_options(), {}, "m", "ms")
    assert state[view_state.PRESENT_KEY] is True
    assert state[view_state.SLIDE_KEY] == 2
    assert view_state.current(state, "overview", None, True) == {"view": "present", "slide": "3"}
    state[view_state.PRESENT_KEY] = False
    assert view_state.current(state, "overview", None, True) == {}


def test_other_views_leave_presentation_mode_off():
    """Any other ?view= value does nothing."""
    state: dict = {}
    view_state.load(state, {"view": ["slides"]}, _no_options(), {}, "m", "ms")
    assert not state.get(view_state.PRESENT_KEY)


def _no_options():
    from analysis.metrics import FilterOptions

    return FilterOptions(months=[], variants=[], cohorts={}, departments=[], programs={})


def test_every_claim_has_a_short_name_and_each_verdict_its_words():
    """The summary's grid: short names for all ten claims, verdict words as on the Claims page."""
    assert set(CLAIM_SHORT) == set(TITLES)
    claims = [
        Claim(1, TITLES[1], "supported", "", ""),
        Claim(9, TITLES[9], "not_enough_data", "", ""),
        Claim(10, TITLES[10], "reversed", "", ""),
    ]
    out = verdicts(claims)
    assert [(v.number, v.label, v.mark) for v in out] == [
        (1, "Supported", "✓"),
        (9, "Not enough data", "?"),
        (10, "Reversed here", "⇄"),
    ]
    assert out[0].short == "Small groups apply more" and out[0].title == TITLES[1]


def test_fit_summary_gives_labels_room_and_keeps_the_wave_axis_short():
    """Half-width figures: more x room for the overview's labels; the wave chart's axis shorter."""
    overview = fit_summary("overview", go.Figure(layout={"xaxis": {"range": [0, 1.45]}}))
    assert overview.layout.xaxis.range[1] > 2
    waves = fit_summary("waves", go.Figure(layout={"xaxis": {"range": [-0.5, 3.8]}}))
    assert waves.layout.xaxis.range == pytest.approx((-0.5, 4.1))
    assert waves.layout.yaxis.title.text == "Applied (self-reported)"


def test_every_screen_runs_in_the_app_and_next_steps(tmp_path, monkeypatch):
    """AppTest: presentation mode on the demo data; Next walks every screen without an error,
    charts show no toolbar, and the page itself (its title) is not drawn meanwhile."""
    from tests.app_support import open_app

    at = open_app(tmp_path, monkeypatch)
    at.session_state[view_state.PRESENT_KEY] = True
    at.session_state[view_state.SLIDE_KEY] = 0
    at.run()
    assert not at.exception, at.exception
    for number, (key, _) in enumerate(SCREENS, start=1):
        assert at.session_state[view_state.SLIDE_KEY] == number - 1
        charts = at.get("plotly_chart")
        assert len(charts) == {"summary": 2, "claims": 0}.get(key, 1), (key, len(charts))
        for chart in charts:
            assert json.loads(chart.proto.config) == {"displayModeBar": False}
        assert not [t for t in at.title if t.value == "How do the learning formats compare?"]
        if number < len(SCREENS):
            at.button(key="present_next").click().run()
            assert not at.exception, (key, at.exception)
    at.button(key="present_leave").click().run()
    assert not at.session_state[view_state.PRESENT_KEY]
    assert [t for t in at.title if t.value == "How do the learning formats compare?"]
