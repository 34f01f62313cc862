"""Chart images on the server: kaleido driving the system Chromium, its server started once.

Kaleido never downloads a browser here: it is pointed at the system Chromium (`BROWSER_PATH`,
from $FORMATFIT_CHROMIUM or /usr/bin/chromium) and, where that file is missing, rendering stops
with `ChromiumMissing` before kaleido is asked, so the report is written with its tables and
notes and without images. One kaleido server serves the whole process, so an export pays
Chromium's start-up once, not per chart.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path

import plotly.graph_objects as go

from analysis.charts import HEIGHT, WIDTH

CHROMIUM_ENV_VAR = "FORMATFIT_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
SCALE = 2  # 2560×1440 for a 1280×720 chart: sharp on a projector
_lock = threading.Lock()
_server: str | None = None  # the Chromium path the running server was started with


class ChromiumMissing(RuntimeError):
    """No Chromium to render chart images with."""


def chromium_path() -> Path:
    """The Chromium the images are rendered with ($FORMATFIT_CHROMIUM, else /usr/bin/chromium)."""
    return Path(os.environ.get(CHROMIUM_ENV_VAR) or DEFAULT_CHROMIUM)


def missing_message(path: Path) -> str:
    """What the person reads when no image can be rendered."""
    return (
        f"Chart images could not be rendered: no Chromium at {path}. The report keeps every "
        "chart's title, footer, table and notes; run scripts/setup.sh (or ./run.sh) to "
        "install Chromium, or set FORMATFIT_CHROMIUM to its path, for the images."
    )


def _start() -> None:
    """Start the process's kaleido server on the system Chromium, once."""
    global _server
    path = chromium_path()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise ChromiumMissing(missing_message(path))
    with _lock:
        if _server == str(path):
            return
        import kaleido  # imported here: the app starts without it until an export

        if _server is not None:
            kaleido.stop_sync_server(silence_warnings=True)
        os.environ["BROWSER_PATH"] = str(path)  # choreographer's browser: never a download
        kaleido.start_sync_server(n=1, timeout=90, silence_warnings=True)
        _server = str(path)


def stop() -> None:
    """Stop the kaleido server (at exit, or in a test that changes the Chromium path)."""
    global _server
    with _lock:
        if _server is None:
            return
        import kaleido

        kaleido.stop_sync_server(silence_warnings=True)
        _server = None


atexit.register(stop)


def png(fig: go.Figure, width: int = WIDTH, height: int | None = None) -> bytes:
    """The figure as PNG at SCALE× its size; raises ChromiumMissing without a Chromium."""
    _start()
    import kaleido

    h = height or int(fig.layout.height or HEIGHT)
    opts = {"format": "png", "width": width, "height": h, "scale": SCALE}
    return kaleido.calc_fig_sync(fig, opts=opts)


def images(figures: list[go.Figure | None]) -> tuple[list[bytes | None], str]:
    """Each figure as PNG (None where there is no figure); all None and the message in words
    when Chromium is missing."""
    try:
        return [png(f) if f is not None else None for f in figures], ""
    except ChromiumMissing as exc:
        return [None] * len(figures), str(exc)
