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
import tempfile
import threading
from pathlib import Path

import plotly.graph_objects as go

from analysis.charts import HEIGHT, WIDTH

CHROMIUM_ENV_VAR = "FORMATFIT_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
SCALE = 1.5  # 1920 px wide: about 250 dpi on the slide's 7.6-inch picture
DOWNLOAD_SCALE = 2  # a chart's PNG button: 2560×1440, like the camera's
_lock = threading.Lock()  # starting and stopping the server
_calls = threading.Lock()  # one request at a time: the server answers in order
TABS = int(os.environ.get("FORMATFIT_RENDER_TABS", "2"))  # charts rendered side by side
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
        # MathJax off: kaleido would fetch it from the internet, and no chart holds a formula
        kaleido.start_sync_server(n=TABS, timeout=90, mathjax=False, silence_warnings=True)
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


def _opts(fig: go.Figure, width: int = WIDTH) -> dict:
    return {
        "format": "png",
        "width": width,
        "height": int(fig.layout.height or HEIGHT),
        "scale": SCALE,
    }


def png(fig: go.Figure, width: int = WIDTH) -> bytes:
    """The figure as PNG at SCALE× its size; raises ChromiumMissing without a Chromium."""
    _start()
    import kaleido

    with _calls:
        return kaleido.calc_fig_sync(fig, opts=_opts(fig, width))


def _batch(figures: list[go.Figure]) -> list[bytes]:
    """Several figures in one request, so the server renders them on its tabs side by side."""
    _start()
    import kaleido

    with tempfile.TemporaryDirectory() as tmp, _calls:
        paths = [Path(tmp) / f"chart-{i}.png" for i in range(len(figures))]
        jobs = [
            {"fig": fig, "path": str(path), "opts": _opts(fig)}
            for fig, path in zip(figures, paths, strict=True)
        ]
        errors = kaleido.write_fig_from_object_sync(jobs, cancel_on_error=True)
        if errors:
            raise RuntimeError(f"chart images could not be rendered: {errors[0]}")
        return [path.read_bytes() for path in paths]


def images(figures: list[go.Figure | None]) -> tuple[list[bytes | None], str]:
    """Each figure as PNG (None where there is no figure); all None and the message in words
    when Chromium is missing."""
    drawn = [f for f in figures if f is not None]
    try:
        rendered = iter(_batch(drawn) if drawn else [])
    except ChromiumMissing as exc:
        return [None] * len(figures), str(exc)
    return [next(rendered) if f is not None else None for f in figures], ""


def chart_file(fig: go.Figure, fmt: str) -> bytes:
    """A chart's own download (its PNG and SVG buttons): PNG at 2× or SVG, 1280 px wide like
    the camera's PNG (a taller figure keeps its height); raises ChromiumMissing."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown image format: {fmt}")
    _start()
    import kaleido

    opts = {
        "format": fmt,
        "width": WIDTH,
        "height": max(int(fig.layout.height or HEIGHT), HEIGHT),
        "scale": DOWNLOAD_SCALE if fmt == "png" else 1,
    }
    with _calls:
        return kaleido.calc_fig_sync(fig, opts=opts)


def can_render() -> bool:
    """Whether there is a Chromium to render with (the charts' image buttons are off without)."""
    path = chromium_path()
    return path.is_file() and os.access(path, os.X_OK)
