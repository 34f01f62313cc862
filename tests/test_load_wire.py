"""The load benchmark's protocol sessions (bench/load_bench.py, `Wire`) are real sessions: the
server runs the page they ask for, with the filter they set, and they read what it showed."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.load_bench import RUN_LINE, Wire, browser_sessions
from tests.conftest import start_app, stop_app


def test_browser_sessions_are_spread_over_the_arrivals():
    assert browser_sessions(20, 2) == {0, 10}
    assert browser_sessions(20, 20) == set(range(20))
    assert browser_sessions(20, 0) == set()
    assert browser_sessions(3, 5) == {0, 1, 2}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("wire")
    log = work / "server.log"
    proc, url = start_app(work / "formatfit.duckdb", log, env={"FORMATFIT_RUN_LOG": "1"})
    yield url, log
    stop_app(proc)


def test_a_protocol_session_opens_a_page_filters_it_and_switches_page(server):
    url, log = server

    async def person() -> list[tuple[float, set[int], int, list[str]]]:
        wire = Wire(url)
        seen = []
        try:
            for step in (
                lambda: wire.open("engagement"),
                lambda: wire.run(widget=wire.departments(["Finance"])),
                lambda: wire.run(page="Application"),
                lambda: wire.run(widget=wire.departments([])),
            ):
                ms, versions, exceptions = await step()
                seen.append((ms, versions, exceptions, wire.shown))
        finally:
            await wire.close()
        return seen

    # in a thread of its own: after the browser tests, pytest-playwright's event loop is
    # running in this one, and asyncio.run refuses to start a second
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(asyncio.run, person()).result()
    runs = [m[1] for m in RUN_LINE.finditer(log.read_text())]
    assert runs[-4:] == ["Engagement", "Engagement", "Application", "Application"]
    for ms, versions, exceptions, _ in seen:
        assert ms > 0 and versions == {1} and exceptions == 0
    said = ["Dept: Finance" in " ".join(shown) for *_, shown in seen]
    # the filter holds across the page switch (the server keeps it), until it is taken away
    assert said == [False, True, True, False]
