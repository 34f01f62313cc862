"""Shared fixtures: an empty database, a real Streamlit server, the system Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis.clock import TODAY_ENV_VAR
from analysis.store import Store

# "Today" for the whole suite and every server it starts: no test reads the system clock.
# Run `FORMATFIT_TODAY=2027-12-03 ./test.sh` to check the suite does not depend on the date.
PINNED_TODAY = os.environ.setdefault(TODAY_ENV_VAR, "2026-12-03")
# No background building of common views (ui/warm.py) in servers and AppTests the tests start:
# it would add every test's views to the suite's CPU time. tests/test_warm.py turns it on.
os.environ.setdefault("FORMATFIT_WARM_VIEWS", "0")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
RESULTS = ROOT / "test-results"
EXPORTS = ROOT.parent / "shared" / "exports"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def no_secrets_of_this_machine(tmp_path_factory) -> None:
    """AppTest runs the app in this process: it must not read a `secrets.toml` kept in the
    repository's or the home's `.streamlit/` (a server's sign-in would gate every page test).
    Tests that need secrets give them (AppTest.secrets, start_app's `secrets`)."""
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    config.set_option("secrets.files", [str(tmp_path_factory.mktemp("secrets") / "none.toml")])
    secrets_singleton._reset()


@pytest.fixture
def store(tmp_path, monkeypatch) -> Iterator[Store]:
    """An empty database with its own hashing secret (test modules may define their own)."""
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "secret.key"))
    s = Store(tmp_path / "formatfit.duckdb")
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Iterator[Store]:
    """The demo organisation in a database of its own, loaded once; tests only read it."""
    from analysis.demo import load_demo

    store = Store(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    load_demo(store)
    yield store
    store.close()


@contextmanager
def database_held_elsewhere(path: Path, mode: str = "write") -> Iterator[None]:
    """Another process holds the database file meanwhile: `write` as an import from the command
    line does (read-write all along), `shared` as the running app does (read-only between its
    writes), `read` as a command-line read does."""
    code = f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from analysis.store import Store
        store = Store({str(path)!r}, mode={mode!r})
        print("ready", flush=True)
        sys.stdin.read()
    """
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield
    finally:
        holder.communicate("", timeout=30)


def run_cli(*args: str, db: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m analysis ARGS --db DB` in a subprocess, as a script on the server runs it."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args, "--db", str(db)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _require_chromium() -> None:
    """Browser tests never skip silently in CI: a missing Chromium fails there."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but /usr/bin/chromium is missing: run scripts/setup.sh dev")
    pytest.skip("no /usr/bin/chromium (./test.sh installs it)")


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """pytest-playwright launches the system Chromium, never a downloaded one."""
    _require_chromium()
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Slide-sized viewport, downloads allowed."""
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 720},
        "accept_downloads": True,
    }


def free_port() -> int:
    """A TCP port free on this machine now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(
    db_path: Path,
    log_path: Path,
    *,
    secrets: Path | None = None,
    port: int | None = None,
    env: dict[str, str] | None = None,
    cpus: set[int] | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` on a free port (or `port`) with its own database; wait for
    health. Secrets come from `secrets` only (none by default), never from a `secrets.toml`
    a developer keeps in the repository's or their home's `.streamlit/`. `env` adds to the
    environment; `cpus` pins the server to those CPUs (the load benchmark)."""
    port = port or free_port()
    secrets = secrets or log_path.parent / "no-secrets.toml"
    env = {**os.environ, **(env or {}), "FORMATFIT_DB": str(db_path)}
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--secrets.files",
            str(secrets),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not answer /_stcore/health:\n{log_path.read_text()}")


def stop_app(proc: subprocess.Popen) -> None:
    """Stop a server start_app started: politely, then for good."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    """A real Streamlit server on a temporary database (demo data loads on first visit)."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("server")
    proc, url = start_app(tmp / "formatfit.duckdb", tmp / "streamlit.log")
    yield url
    stop_app(proc)


@pytest.fixture(scope="session")
def results_dir() -> Path:
    """Screenshots and downloads land in test-results/ for people to look at."""
    RESULTS.mkdir(exist_ok=True)
    return RESULTS
