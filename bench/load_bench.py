"""Load benchmark: many people on one server at once, while another person imports a file.

Starts the real Streamlit server on a fresh database with the demo data and drives N sessions
(default 20). Each session opens a page, then round after round changes a sidebar filter (adds
a department, then takes it away) and switches page (Overview → Engagement → Application → …).
Meanwhile one more session imports a real export through the Import page.

`--browsers K` of the sessions (default 2, spread over the arrivals) are Chromium contexts: they
measure what a person sees. The others speak Streamlit's own protocol over its websocket
(`Wire`): the same rerun requests a browser sends, the same script runs, caches and messages on
the server, without drawing. A team's browsers run on their own machines; twenty Chromium
contexts on one CPU measure that CPU instead (each action costs a browser about a second of
CPU). `--browsers N` drives every session in Chromium, as the first version did.

It reports:

- errors, which must be 0: exceptions on a page, browser page errors, timeouts, a filter the
  charts do not show, and tracebacks or errors in the server's log;
- whether every screen showed one dataset version: after each action, the sidebar's "dataset
  vN" and every chart footer's "(dataset vN)" must agree (a browser's screen, or every message
  of a protocol session's run), never a mix of before and after the import;
- browser-side p50 and p95 of the time from a filter change (the click on the option) or a
  page switch (the click on the link) until the script run is over and the charts are drawn;
  for the protocol sessions, from the request to the run's `script_finished`;
- server-side p50 and p95 of the time of each script run, from the server's own log line per
  run (ui/runlog.py, FORMATFIT_RUN_LOG=1), so the server's time can be told from the clients';
- the share of the machine's CPU the server and the clients (Chromium and this driver) took.

With two or more CPUs the server is pinned to CPU 0 and the clients to the others (--no-pin to
let them share). On a shared machine, read the figures beside the load it prints.

    .venv/bin/python bench/load_bench.py [--sessions 20] [--browsers 2] [--rounds 6] [--no-pin]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import environment  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, start_app, stop_app  # noqa: E402  (as the tests do)

EXPORT = ROOT.parent / "shared" / "exports" / "zoom" / "participants_heroes_full.csv"
CHROMIUM = "/usr/bin/chromium"
PAGES = ("Overview", "Engagement", "Application")
DEPARTMENTS = ("Finance", "Sales", "Engineering", "Customer Support", "Operations")
TIMEOUT_MS = 180_000
SETTLE_MS = 300  # a run is over when no new run started this long after it ended
TARGET_SERVER_P95_MS = 500
TARGET_BROWSER_P95_MS = 2000
RUN_LINE = re.compile(r"formatfit\.run page=(\S+) ms=([\d.]+) version=(\S+) outcome=(\S+)")
VERSION = re.compile(r"dataset v(\d+)")

# Records, in the page's own clock, the last change to the page (an element, an attribute or
# a text), the last change inside a chart, and each script run's end. A run can be over before
# the page ever shows it running (React batches the two states of a quick rerun into one
# render), so the end of an action is taken from the page itself: once it went quiet with the
# app idle, the last change to a chart (the updated chart is drawn), else the last change.
WATCH_RUNS = """
window.__ff = {started: 0, ended: [], changed: -1, chart: -1};
const watch = () => new MutationObserver((changes) => {
  const now = performance.now();
  window.__ff.changed = now;
  for (const c of changes) {
    const el = c.target.nodeType === 1 ? c.target : c.target.parentElement;
    if (el && el.closest('[data-testid=stPlotlyChart]')) window.__ff.chart = now;
    if (c.type !== 'attributes' || c.attributeName !== 'data-test-script-state') continue;
    const state = c.target.getAttribute('data-test-script-state');
    if (state === 'running') window.__ff.started++;
    else if (state === 'notRunning') window.__ff.ended.push(performance.now());
  }
}).observe(document.documentElement,
           {subtree: true, childList: true, characterData: true, attributes: true});
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
else watch();
"""
# True once the page changed after `since`, has not changed for `settle` ms, the app is idle
# and charts show.
SETTLED = """
([since, settle]) => {
  const ff = window.__ff, now = performance.now();
  const idle = document.querySelector('[data-test-script-state=notRunning]') !== null;
  const charts = document.querySelectorAll('[data-testid=stPlotlyChart] svg').length;
  return ff.changed > since && idle && charts > 0 && now - ff.changed >= settle;
}
"""
LAST_END = """(since) => window.__ff.chart > since ? window.__ff.chart : window.__ff.changed"""
SCREEN_VERSIONS = """
() => {
  const out = [];
  const side = document.querySelector('[data-testid=stSidebar]');
  if (side) out.push(...(side.innerText.match(/dataset v\\d+/g) || []));
  for (const t of document.querySelectorAll('[data-testid=stPlotlyChart] svg text'))
    out.push(...(t.textContent.match(/dataset v\\d+/g) || []));
  return out;
}
"""


VERBOSE = False


def _say(line: str) -> None:
    if VERBOSE:
        print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


@dataclass
class Results:
    filter_ms: list[float] = field(default_factory=list)
    switch_ms: list[float] = field(default_factory=list)
    first_chart_ms: list[float] = field(default_factory=list)
    # the same, for the sessions that speak Streamlit's protocol (send → script finished)
    wire_filter_ms: list[float] = field(default_factory=list)
    wire_switch_ms: list[float] = field(default_factory=list)
    wire_first_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mixed: list[str] = field(default_factory=list)  # screens showing two dataset versions
    versions_seen: set[int] = field(default_factory=set)
    screens_checked: int = 0
    import_s: float | None = None


def _cpu_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (0 once it is gone). Children are sampled
    on their own, so their time is not taken again from the parent's reaped-children fields."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _descendants(pid: int) -> set[int]:
    """Every live process under `pid`."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


class CpuMeter:
    """CPU time of the server and of the clients (this process and everything under it but the
    server), sampled every half second in a thread: Chromium's processes come and go, and a
    process that ends unreaped would otherwise take its time with it."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.server0 = _cpu_ticks(server_pid)
        self.seen: dict[int, int] = {}
        self.first = self._clients()
        self.t0 = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _clients(self) -> dict[int, int]:
        pids = _descendants(os.getpid()) - {self.server_pid} | {os.getpid()}
        return {p: _cpu_ticks(p) for p in pids}

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def _sample(self) -> None:
        for pid, ticks in self._clients().items():
            self.seen[pid] = max(ticks, self.seen.get(pid, 0))
        self.server = _cpu_ticks(self.server_pid)

    def shares(self) -> dict[str, float]:
        """% of one CPU over the phase (200% is all of a 2-CPU machine)."""
        self._sample()
        self._stop.set()
        wall = time.monotonic() - self.t0
        hz = os.sysconf("SC_CLK_TCK")
        client_ticks = sum(t - self.first.get(p, 0) for p, t in self.seen.items())
        return {
            "server_pct": 100 * (self.server - self.server0) / hz / wall,
            "clients_pct": 100 * client_ticks / hz / wall,
            "capacity_pct": 100 * (os.cpu_count() or 1),
            "wall_s": wall,
        }


async def _settle(page, since: float) -> float:
    """Wait until the run started by an action at `since` (page clock) is over; its end."""
    await page.wait_for_function(SETTLED, arg=[since, SETTLE_MS], polling=100, timeout=TIMEOUT_MS)
    return await page.evaluate(LAST_END, since)


async def _check_screen(page, res: Results, who: str) -> None:
    """Every dataset version on the screen must be one and the same."""
    found = {int(v.split("v")[1]) for v in await page.evaluate(SCREEN_VERSIONS)}
    res.screens_checked += 1
    res.versions_seen |= found
    if len(found) > 1:
        res.mixed.append(f"{who}: {sorted(found)}")
    exceptions = await page.locator("[data-testid=stException]").count()
    if exceptions:
        res.errors.append(f"{who}: {exceptions} exception(s) on the page")


async def _filter_change(page, dept: str, add: bool) -> float:
    """Add `dept` to the Department filter, or take the last department away; ms to settle."""
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Department")
    combo = box.get_by_role("combobox")
    await combo.click()
    if add:
        await combo.press_sequentially(dept)
        option = page.get_by_role("option").filter(has_text=dept).first
        await option.wait_for(timeout=TIMEOUT_MS)
        since = await page.evaluate("performance.now()")
        await option.click()
    else:
        since = await page.evaluate("performance.now()")
        await combo.press("Backspace")
    ended = await _settle(page, since)
    await page.keyboard.press("Escape")
    return ended - since


async def _switch(page, title: str) -> float:
    since = await page.evaluate("performance.now()")
    await page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    ended = await _settle(page, since)
    return ended - since


@dataclass(frozen=True)
class Pace:
    """How people use the app: they arrive `ramp_s` apart and read for about `think_s` (between
    half and one and a half times it, the same for a given session each run) between actions."""

    think_s: float = 0.0
    ramp_s: float = 0.0

    def pauses(self, i: int):
        rnd = random.Random(i)
        while True:
            yield self.think_s * rnd.uniform(0.5, 1.5)


async def session(
    browser, url: str, i: int, rounds: int, res: Results, started, pace: Pace = Pace()
) -> None:
    who = f"session {i + 1}"
    await asyncio.sleep(i * pace.ramp_s)
    pauses = pace.pauses(i)
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    page = await ctx.new_page()
    page.on("pageerror", lambda exc: res.errors.append(f"{who}: page error {exc}"))
    await page.add_init_script(WATCH_RUNS)
    try:
        t0 = time.monotonic()
        first = PAGES[i % len(PAGES)]  # the Overview is the app's own address
        await page.goto(url if first == PAGES[0] else f"{url}/{first.lower()}")
        await _settle(page, -1)
        res.first_chart_ms.append((time.monotonic() - t0) * 1000)
        started.set()
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        _say(f"{who}: first chart after {res.first_chart_ms[-1] / 1000:.1f} s")
        for r in range(rounds):
            await asyncio.sleep(next(pauses))
            step = f"{who} round {r + 1}: filter change"
            res.filter_ms.append(await _filter_change(page, dept, add=r % 2 == 0))
            _say(f"{step} {res.filter_ms[-1]:.0f} ms")
            await _check_screen(page, res, who)
            await asyncio.sleep(next(pauses))
            target = PAGES[(i + r + 1) % len(PAGES)]
            step = f"{who} round {r + 1}: switch to {target}"
            res.switch_ms.append(await _switch(page, target))
            _say(f"{step} {res.switch_ms[-1]:.0f} ms")
            await _check_screen(page, res, who)
    except Exception as exc:  # a timeout or a missing element: an error of this session
        res.errors.append(f"{who}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
        _say(res.errors[-1])
        await page.screenshot(path=Path(tempfile.gettempdir()) / f"ff-load-{i + 1}.png")
    finally:
        started.set()  # a session that failed before its first chart must not hold the import
        await ctx.close()


class Wire:
    """One person's session spoken in Streamlit's own protocol over its websocket, as the
    browser speaks it, without drawing anything: a rerun request (`BackMsg.rerun_script`, with
    the widget a person changed, or the page they picked) and the server's messages back until
    the run's `script_finished`. The server cannot tell it from a browser: the same session,
    script runs, caches and messages. The time it gives is the server's answer on the wire,
    without a browser's drawing; the browser sessions beside it measure what a person sees."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http", "ws", 1) + "/_stcore/stream"
        self.pages: dict[str, str] = {}  # page title → page_script_hash
        self.page = ""  # the page_script_hash of the page on screen, sent with every rerun
        self.shown: list[str] = []  # the texts and chart specs of the last run
        self.states: dict[str, object] = {}  # widget id → the state a person gave it
        self.widgets: dict[str, str] = {}  # the last run's widgets: label → id
        self.ws = None

    async def open(self, path: str) -> tuple[float, set[int], int]:
        import websockets

        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        return await self.run(query_path=path)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def run(self, page: str = "", widget=None, query_path: str = ""):
        """One rerun; (ms to its script_finished, dataset versions shown, exceptions shown)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = self.pages[page] if page else self.page
        state.page_name = query_path
        if widget is not None:
            self.states[widget.id] = widget
        # as the browser does, every widget's state goes with every rerun, a page switch too
        state.widget_states.widgets.extend(self.states.values())
        t0 = time.monotonic()
        await self.ws.send(msg.SerializeToString())
        versions: set[int] = set()
        exceptions = 0
        self.shown, self.widgets = [], {}
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), TIMEOUT_MS / 1000))
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                nav = fwd.navigation
                self.pages.update({p.page_name: p.page_script_hash for p in nav.app_pages})
                self.page = nav.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                which = el.WhichOneof("type")
                part = getattr(el, which)
                if which == "exception":
                    exceptions += 1
                text = part.spec if which == "plotly_chart" else getattr(part, "body", "")
                versions |= {int(v) for v in VERSION.findall(text)}
                self.shown.append(text)
                if getattr(part, "label", "") and getattr(part, "id", ""):
                    self.widgets[part.label] = part.id
            elif kind == "script_finished" and fwd.script_finished == fwd.FINISHED_EARLY_FOR_RERUN:
                # the app reran (st.rerun): the screen is the next run's, drawn anew
                versions, exceptions, self.shown, self.widgets = set(), 0, [], {}
            elif kind == "script_finished":
                # and the states of widgets the run did not show are dropped
                shown = set(self.widgets.values())
                self.states = {k: v for k, v in self.states.items() if k in shown}
                return (time.monotonic() - t0) * 1000, versions, exceptions

    def departments(self, chosen: list[str]):
        """The Department filter's state with `chosen` picked, as the browser sends it."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state = WidgetState(id=self.widgets["Department"])
        state.string_array_value.data.extend(chosen)
        return state


def _check_wire(res: Results, who: str, versions: set[int], exceptions: int) -> None:
    """A run's messages must show one dataset version, and no exception."""
    res.screens_checked += 1
    res.versions_seen |= versions
    if len(versions) > 1:
        res.mixed.append(f"{who}: {sorted(versions)}")
    if exceptions:
        res.errors.append(f"{who}: {exceptions} exception(s) on the page")


async def wire_session(
    url: str, i: int, rounds: int, res: Results, started, pace: Pace = Pace()
) -> None:
    """`session`'s person, in Streamlit's protocol (`Wire`): the same pages, filter and pace."""
    who = f"session {i + 1} (protocol)"
    await asyncio.sleep(i * pace.ramp_s)
    pauses = pace.pauses(i)
    wire = Wire(url)
    try:
        first = PAGES[i % len(PAGES)]
        ms, versions, exceptions = await wire.open("" if first == PAGES[0] else first.lower())
        res.wire_first_ms.append(ms)
        _check_wire(res, who, versions, exceptions)
        started.set()
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        for r in range(rounds):
            await asyncio.sleep(next(pauses))
            chosen = [dept] if r % 2 == 0 else []
            ms, versions, exceptions = await wire.run(widget=wire.departments(chosen))
            res.wire_filter_ms.append(ms)
            _say(f"{who} round {r + 1}: filter change {ms:.0f} ms")
            _check_wire(res, who, versions, exceptions)
            if chosen and not any(f"Dept: {dept}" in text for text in wire.shown):
                res.errors.append(f"{who} round {r + 1}: the charts do not say Dept: {dept}")
            await asyncio.sleep(next(pauses))
            target = PAGES[(i + r + 1) % len(PAGES)]
            ms, versions, exceptions = await wire.run(page=target)
            res.wire_switch_ms.append(ms)
            _say(f"{who} round {r + 1}: switch to {target} {ms:.0f} ms")
            _check_wire(res, who, versions, exceptions)
    except Exception as exc:
        res.errors.append(f"{who}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
        _say(res.errors[-1])
    finally:
        started.set()
        await wire.close()


async def importer(browser, url: str, res: Results, wait_for) -> None:
    """One more person imports a real export through the Import page meanwhile."""
    await wait_for.wait()
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    page = await ctx.new_page()
    page.on("pageerror", lambda exc: res.errors.append(f"importer: page error {exc}"))
    try:
        await page.goto(f"{url}/upload")
        await page.get_by_test_id("stFileUploaderDropzoneInput").wait_for(
            state="attached", timeout=TIMEOUT_MS
        )
        t0 = time.monotonic()
        await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(EXPORT))
        heading = page.get_by_role("heading", name=EXPORT.name)
        await heading.wait_for(timeout=TIMEOUT_MS)
        section = page.get_by_test_id("stVerticalBlock").filter(has=heading).last
        name = section.get_by_label("Cohort name")
        await name.fill("Load bench cohort")
        await name.press("Enter")
        await section.get_by_role("button", name="Check the import").click()
        commit = section.get_by_role("button", name=re.compile(r"^Import [\d,]+ rows$"))
        await commit.click(timeout=TIMEOUT_MS)
        await page.get_by_text(re.compile(r"Import \d+ is in")).wait_for(timeout=TIMEOUT_MS)
        res.import_s = time.monotonic() - t0
    except Exception as exc:
        res.errors.append(f"importer: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    finally:
        await ctx.close()


def browser_sessions(sessions: int, browsers: int) -> set[int]:
    """Which of the sessions are browser contexts: `browsers` of them, spread over the
    arrivals; the others speak Streamlit's protocol (`Wire`)."""
    browsers = max(0, min(browsers, sessions))
    return {k * sessions // browsers for k in range(browsers)} if browsers else set()


async def drive(
    url: str,
    sessions: int,
    rounds: int,
    do_import: bool,
    pace: Pace = Pace(),
    browsers: int | None = None,
) -> Results:
    from playwright.async_api import async_playwright

    res = Results()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started = [asyncio.Event() for _ in range(sessions)]
        half = asyncio.Event()

        async def when_half_started() -> None:
            for ev in started[: max(1, sessions // 2)]:
                await ev.wait()
            half.set()

        in_browser = browser_sessions(sessions, sessions if browsers is None else browsers)
        jobs = [
            session(browser, url, i, rounds, res, started[i], pace)
            if i in in_browser
            else wire_session(url, i, rounds, res, started[i], pace)
            for i in range(sessions)
        ]
        if do_import:
            jobs += [when_half_started(), importer(browser, url, res, half)]
        await asyncio.gather(*jobs)
        await browser.close()
    return res


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _actions(filter_ms: list[float], switch_ms: list[float]) -> dict[str, float]:
    """p50 and p95 of filter changes and of page switches."""
    return {
        f"{what}_p{q}_ms": _pct(times, q)
        for what, times in (("filter", filter_ms), ("switch", switch_ms))
        for q in (50, 95)
    }


def _runs(log: Path, offset: int) -> tuple[list[dict], list[str]]:
    """The server's run lines after `offset`, and any error lines."""
    text = log.read_text(errors="replace")[offset:]
    runs = [
        {"page": m[1], "ms": float(m[2]), "version": m[3], "outcome": m[4]}
        for m in RUN_LINE.finditer(text)
    ]
    errors = [
        line
        for line in text.splitlines()
        if "Traceback" in line or " ERROR " in line or "outcome=error" in line
    ]
    return runs, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=6, help="filter changes and page switches each")
    ap.add_argument(
        "--think",
        type=float,
        default=10.0,
        help="mean seconds a person reads between actions (0: act at once, a stress run)",
    )
    ap.add_argument("--ramp", type=float, default=2.0, help="seconds between sessions' arrivals")
    ap.add_argument(
        "--browsers",
        type=int,
        default=2,
        help="how many of the sessions are Chromium contexts (the others speak Streamlit's "
        "protocol; --browsers equal to --sessions drives every session in Chromium)",
    )
    ap.add_argument("--no-import", action="store_true", help="no import meanwhile")
    ap.add_argument("--no-pin", action="store_true", help="let server and clients share CPUs")
    ap.add_argument(
        "--no-warm", action="store_true", help="turn the server's warm-up off (ui/warm.py)"
    )
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--keep", type=Path, help="keep the database and server log in this folder")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--verbose", action="store_true", help="print each action as it ends")
    args = ap.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: run scripts/setup.sh dev")
    if not args.no_import and not EXPORT.exists():
        sys.exit(f"{EXPORT} is missing (the shared exports folder beside the repository)")

    cpus = sorted(os.sched_getaffinity(0))
    pinned = not args.no_pin and len(cpus) >= 2
    server_cpus, client_cpus = ({cpus[0]}, set(cpus[1:])) if pinned else (None, None)
    work = Path(args.keep or tempfile.mkdtemp(prefix="ff-load-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "server.log"
    print(environment())
    print(
        f"{args.sessions} sessions × {args.rounds} rounds (a filter change and a page switch "
        f"each), {len(browser_sessions(args.sessions, args.browsers))} of them in Chromium, "
        f"the others in Streamlit's protocol"
        f"{', an import meanwhile' if not args.no_import else ''}"
        f"{', no warm-up' if args.no_warm else ''}; arriving "
        f"{args.ramp:g} s apart, reading {args.think:g} s on average between actions; "
        + (
            f"server on CPU {sorted(server_cpus)}, clients on CPU {sorted(client_cpus)}"
            if pinned
            else "server and clients share the CPUs"
        )
    )
    # the tests turn the warm-up off (tests/conftest.py): this server has it on, as deployed
    env = {"FORMATFIT_RUN_LOG": "1", "FORMATFIT_WARM_VIEWS": "0" if args.no_warm else "1"}
    server, url = start_app(
        work / "formatfit.duckdb", log, port=args.port, env=env, cpus=server_cpus
    )
    try:
        if client_cpus:
            os.sched_setaffinity(0, client_cpus)  # Chromium and its driver inherit it
        # one session first: loads the demo data and warms the server, then one session alone
        solo = asyncio.run(drive(url, 1, args.rounds, do_import=False))
        offset = len(log.read_text(errors="replace"))
        meter = CpuMeter(server.pid)
        pace = Pace(args.think, args.ramp)
        res = asyncio.run(
            drive(url, args.sessions, args.rounds, not args.no_import, pace, args.browsers)
        )
        cpu = meter.shares()
        runs, server_errors = _runs(log, offset)
    finally:
        stop_app(server)

    ok = [r for r in runs if r["outcome"] in ("ok", "stop")]
    ok_runs = [r["ms"] for r in ok]
    figures = {
        "environment": environment(),
        "sessions": args.sessions,
        "browsers": len(browser_sessions(args.sessions, args.browsers)),
        "rounds": args.rounds,
        "pinned": pinned,
        "think_s": args.think,
        "ramp_s": args.ramp,
        "one_session": _actions(solo.filter_ms, solo.switch_ms),
        "browser": {
            **_actions(res.filter_ms, res.switch_ms),
            "first_chart_p50_ms": _pct(res.first_chart_ms, 50),
            "first_chart_max_ms": max(res.first_chart_ms, default=float("nan")),
            "actions": len(res.filter_ms) + len(res.switch_ms),
        },
        "wire": {
            **_actions(res.wire_filter_ms, res.wire_switch_ms),
            "first_p50_ms": _pct(res.wire_first_ms, 50),
            "first_max_ms": max(res.wire_first_ms, default=float("nan")),
            "actions": len(res.wire_filter_ms) + len(res.wire_switch_ms),
        },
        "server": {
            "runs": len(runs),
            "run_p50_ms": _pct(ok_runs, 50),
            "run_p95_ms": _pct(ok_runs, 95),
            "run_max_ms": max(ok_runs, default=float("nan")),
            "by_page_p95_ms": {
                p: _pct([r["ms"] for r in ok if r["page"] == p], 95)
                for p in sorted({r["page"] for r in ok})
            },
        },
        "cpu": cpu,
        "errors": res.errors + solo.errors + server_errors,
        "screens_checked": res.screens_checked,
        "mixed_versions": res.mixed,
        "versions_seen": sorted(res.versions_seen),
        "import_s": res.import_s,
    }
    _print(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    met = (
        not figures["errors"]
        and not res.mixed
        and figures["server"]["run_p95_ms"] <= TARGET_SERVER_P95_MS
        and (not pinned or figures["browser"]["filter_p95_ms"] <= TARGET_BROWSER_P95_MS)
    )
    return 0 if met else 1


def _print(f: dict) -> None:
    one, b, w, s, c = f["one_session"], f["browser"], f["wire"], f["server"], f["cpu"]
    print(
        f"\none session alone:  filter change p50 {one['filter_p50_ms']:.0f} ms, "
        f"p95 {one['filter_p95_ms']:.0f} ms; page switch p50 {one['switch_p50_ms']:.0f} ms, "
        f"p95 {one['switch_p95_ms']:.0f} ms"
    )
    print(
        f"{f['sessions']} sessions at once, {f['browsers']} in Chromium ({b['actions']} actions) "
        f"and {f['sessions'] - f['browsers']} in Streamlit's protocol ({w['actions']} actions):"
    )
    if b["actions"]:
        print(
            f"  browser side: filter change p50 {b['filter_p50_ms']:.0f} ms, p95 "
            f"{b['filter_p95_ms']:.0f} ms (target ≤ {TARGET_BROWSER_P95_MS} ms); page switch "
            f"p50 {b['switch_p50_ms']:.0f} ms, p95 {b['switch_p95_ms']:.0f} ms; first chart "
            f"p50 {b['first_chart_p50_ms'] / 1000:.1f} s, slowest "
            f"{b['first_chart_max_ms'] / 1000:.1f} s"
        )
    if w["actions"]:
        print(
            f"  on the wire (request → script finished): filter change p50 "
            f"{w['filter_p50_ms']:.0f} ms, p95 {w['filter_p95_ms']:.0f} ms; page switch p50 "
            f"{w['switch_p50_ms']:.0f} ms, p95 {w['switch_p95_ms']:.0f} ms; first page p50 "
            f"{w['first_p50_ms'] / 1000:.1f} s, slowest {w['first_max_ms'] / 1000:.1f} s"
        )
    print(
        f"  server side: {s['runs']} runs, p50 {s['run_p50_ms']:.0f} ms, p95 "
        f"{s['run_p95_ms']:.0f} ms (target ≤ {TARGET_SERVER_P95_MS} ms), slowest "
        f"{s['run_max_ms']:.0f} ms; p95 by page: "
        + ", ".join(f"{p} {v:.0f} ms" for p, v in s["by_page_p95_ms"].items())
    )
    print(
        f"  CPU over {c['wall_s']:.0f} s: server {c['server_pct']:.0f}%, clients "
        f"{c['clients_pct']:.0f}% of {c['capacity_pct']:.0f}%"
    )
    imported = f"import took {f['import_s']:.1f} s" if f["import_s"] else "no import finished"
    print(
        f"  dataset versions seen {f['versions_seen']}; {f['screens_checked']} screens checked, "
        f"{len(f['mixed_versions'])} with two versions; {imported}"
    )
    print(f"  errors: {len(f['errors'])}")
    for e in f["errors"][:20]:
        print(f"    {e}")
    for m in f["mixed_versions"][:10]:
        print(f"    mixed: {m}")


if __name__ == "__main__":
    sys.exit(main())
