"""A new dataset version's common first views are built once, in the background (ui/warm.py)."""

from __future__ import annotations

from datetime import date

import pytest

from analysis import views
from analysis.domain import FORMATS
from analysis.metrics import FilterOptions
from analysis.queries import Filters
from tests.app_support import open_app
from ui import data, warm


def test_the_common_views_are_each_page_unfiltered_first_then_one_department_or_format():
    opts = FilterOptions(
        months=[date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)],
        departments=["Finance", "Sales"],
        programs={"p1": "Onboarding"},
    )
    found = warm.common_views(opts)
    base = Filters(start_from=date(2025, 1, 1), start_to=date(2025, 3, 1))
    assert found[:3] == [
        ("overview", base, ()),
        ("engagement", base, (("by", "format"), ("funnel_wave", "d30"))),
        ("application", base, (("segment", "relevance"),)),
    ]
    narrowed = [f for _, f, _ in found[3::3]]
    assert narrowed == [
        Filters(start_from=base.start_from, start_to=base.start_to, departments=("Finance",)),
        Filters(start_from=base.start_from, start_to=base.start_to, departments=("Sales",)),
        *[
            Filters(start_from=base.start_from, start_to=base.start_to, formats=(f,))
            for f in FORMATS
        ],
    ]
    assert len(found) == 3 * (1 + 2 + len(FORMATS))


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """The pages whose charts were built (not served from the shared cache), in order."""
    calls: list[str] = []
    real = views.page_charts

    def counting(page, *args, **kwargs):
        calls.append(page)
        return real(page, *args, **kwargs)

    monkeypatch.setattr(views, "page_charts", counting)
    return calls


def test_a_person_opening_a_common_view_after_the_warm_up_waits_for_no_build(
    tmp_path, monkeypatch, builds
):
    monkeypatch.setenv(warm.ENV_VAR, "1")
    at = open_app(tmp_path, monkeypatch)
    assert not at.exception
    db = data.store()
    status = data.data_status()
    thread = warm._warming(db.token, status.version, data.privacy_rule().min_group_size)
    thread.join(timeout=600)
    assert not thread.is_alive()
    opts = data.filter_options(db.token, status.version)
    common = warm.common_views(opts)
    # every common view built once: the person's own first view and the thread's met in the
    # cache (one build per key at a time), not twice
    assert sorted(builds) == sorted(page for page, _, _ in common)

    before = len(builds)
    at.switch_page("pages/engagement.py")
    at.run()
    dept = opts.departments[-1]
    at.sidebar.multiselect(key="f_depts").set_value([dept]).run()
    at.switch_page("pages/application.py")
    at.run()
    assert not at.exception
    assert len(builds) == before, "a warmed view was built again"
    assert any("dataset v" in str(c.proto.spec) for c in at.get("plotly_chart"))

    # a view nobody warmed (two departments) is built when asked for: the count can move
    at.sidebar.multiselect(key="f_depts").set_value(opts.departments[:2]).run()
    assert builds[before:] == ["application"]


def test_the_warm_up_stops_when_the_data_moves_on(tmp_path, monkeypatch, builds):
    at = open_app(tmp_path, monkeypatch)  # FORMATFIT_WARM_VIEWS=0 in the tests: nothing starts
    assert not at.exception
    db = data.store()
    version = data.data_status().version
    assert warm.warm(db.token, version + 1, data.privacy_rule().min_group_size) == 0
    assert warm.warm(db.token, version, data.privacy_rule().min_group_size + 1) == 0
    assert builds.count("overview") == 1  # the app's own first run only


def test_the_warm_up_waits_while_a_person_runs_a_page():
    import threading

    order = []
    waited = threading.Event()

    def warm_up_thread():
        order.append(("warm-up ready", warm.wait_for_people(limit_s=60)))
        waited.set()

    with warm.person_running():
        thread = threading.Thread(target=warm_up_thread)
        thread.start()
        assert not waited.wait(0.5), "the warm-up went on during a person's run"
        order.append(("person done", None))
    thread.join(60)
    assert order == [("person done", None), ("warm-up ready", True)]
    # with nobody running, it does not wait; with a run that never ends, it waits only so long
    assert warm.wait_for_people(limit_s=0)
    with warm.person_running():
        assert warm.wait_for_people(limit_s=0.01) is False
