"""A screen never shows two dataset versions, even when another session's write commits while a
run is drawing it (the load benchmark's protocol sessions found one such screen)."""

from __future__ import annotations

import re

import pytest

from tests.app_support import open_app
from ui import data

VERSION = re.compile(r"dataset v(\d+)")


def _versions(at) -> dict[str, set[int]]:
    sidebar = {int(v) for el in at.sidebar.caption for v in VERSION.findall(el.value)}
    charts = {int(v) for el in at.get("plotly_chart") for v in VERSION.findall(el.proto.spec)}
    return {"sidebar": sidebar, "charts": charts}


@pytest.mark.parametrize("page", ["pages/engagement.py", "pages/compare.py"])
def test_a_write_committed_while_a_page_draws_leaves_one_version_on_screen(
    tmp_path, monkeypatch, page
):
    at = open_app(tmp_path, monkeypatch, page)
    before = _versions(at)
    assert before["charts"] and before["sidebar"] == before["charts"]
    (start,) = before["sidebar"]

    real = data.engine.data_key
    moved = []

    calls = []

    def another_session_writes_after_the_sidebar(db):
        """The run's first read of the data's key is the sidebar's status; right after it,
        another session's write commits."""
        calls.append(1)
        if len(calls) == 2:
            with db.transaction():
                moved.append(True)
        return real(db)

    monkeypatch.setattr(data.engine, "data_key", another_session_writes_after_the_sidebar)
    at.run()
    assert moved
    after = _versions(at)
    assert after["charts"], "the page drew no chart"
    assert after["sidebar"] == after["charts"] == {start + 1}


def test_writes_arriving_faster_than_a_page_draws_do_not_keep_it_from_finishing(
    tmp_path, monkeypatch
):
    at = open_app(tmp_path, monkeypatch, "pages/overview.py")
    real = data.engine.data_key
    writes = []

    def another_session_writes_during_every_run(db):
        writes.append(1)
        if len(writes) % 2 == 0:
            with db.transaction():
                pass
        return real(db)

    real_moved = data.version_moved
    runs = []

    def counted(status):
        runs.append(1)  # once at the end of every run
        return real_moved(status)

    monkeypatch.setattr(data.engine, "data_key", another_session_writes_during_every_run)
    monkeypatch.setattr(data, "version_moved", counted)
    at.run()
    assert not at.exception
    assert at.get("plotly_chart"), "the page drew no chart"
    assert len(runs) == 4  # the first run and three redraws, then the screen stands
