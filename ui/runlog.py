"""One log line per script run: which page, how long the server took, on which dataset version.

Off unless FORMATFIT_RUN_LOG=1. The load benchmark (bench/load_bench.py) reads these lines to
tell the server's time from the browsers' time; on a server they show which pages are slow:

    formatfit.run page=Overview ms=182.4 version=3 outcome=ok session=5f0c… start=14:02:07.315
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

ENV_VAR = "FORMATFIT_RUN_LOG"
LOG = logging.getLogger("formatfit.run")
PREFIX = "formatfit.run"


def enabled() -> bool:
    return os.environ.get(ENV_VAR) == "1"


if enabled() and not LOG.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    LOG.addHandler(_handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False


class Run:
    """What the line says about the run in progress (the page is known only after navigation)."""

    def __init__(self) -> None:
        self.page = "?"
        self.version: int | None = None


@contextmanager
def timed() -> Iterator[Run]:
    """Time the script run inside; log it when it ends, however it ends."""
    run = Run()
    if not enabled():
        yield run
        return
    start = time.perf_counter()
    began = datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3]  # when runs arrive, in bursts or not
    outcome = "ok"
    try:
        yield run
    except RerunException:
        outcome = "rerun"
        raise
    except StopException:
        outcome = "stop"
        raise
    except BaseException:
        outcome = "error"
        raise
    finally:
        ms = (time.perf_counter() - start) * 1000
        ctx = get_script_run_ctx()
        session = ctx.session_id if ctx else "-"
        page = run.page.replace(" ", "_")
        LOG.info(
            f"{PREFIX} page={page} ms={ms:.1f} version={run.version} outcome={outcome} "
            f"session={session} start={began}"
        )
