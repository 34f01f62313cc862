"""Chart images on the server: kaleido driving the system Chromium, its server started once.

Kaleido never downloads a browser here: it is pointed at the system Chromium (`BROWSER_PATH`,
from $FORMATFIT_CHROMIUM or /usr/bin/chromium) and, where that file is missing, rendering stops
with `ChromiumMissing` before kaleido is asked, so the report is written with its tables and
notes and without images. One kaleido server serves the whole process, so an export pays
Chromium's start-up once, not per chart.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
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
CACHED_IMAGES = 64  # recent images kept by figure (about 250 kB each)
_drawn: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()


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


RELOAD_EVERY = 25  # images a tab draws before it is reloaded (kaleido: after every image)


def _reuse_tabs() -> None:
    """Reload a tab after every RELOAD_EVERY images instead of after each one.

    Kaleido reloads its tab after every image, parsing plotly.js anew: three quarters of a
    ten-chart export's time on two cores (about 0.35 s an image). Its page draws each figure
    with `Plotly.toImage` on a detached element that plotly purges, so nothing of one image
    is left for the next; a reload now and then still bounds the page's memory. A kaleido
    without this private method (a later version) keeps its own behaviour."""
    from kaleido import kaleido as kaleido_module

    cls = kaleido_module.Kaleido
    original = getattr(cls, "_return_kaleido_tab", None)
    if original is None or getattr(original, "formatfit_reuse", False):
        return
    drawn: dict[int, int] = {}

    async def return_tab(self, tab) -> None:
        count = drawn.get(id(tab), 0) + 1
        if count < RELOAD_EVERY:
            drawn[id(tab)] = count
            await self.tabs_ready.put(tab)
            return
        drawn[id(tab)] = 0
        await original(self, tab)

    return_tab.formatfit_reuse = True
    cls._return_kaleido_tab = return_tab


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
        _reuse_tabs()
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
            stop()  # its tabs may be stuck: the next export starts a fresh server
            raise RuntimeError(f"chart images could not be rendered: {errors[0]}")
        return [path.read_bytes() for path in paths]


def _key(fig: go.Figure) -> str:
    """What an image depends on: the figure (its data, titles, footer with the dataset version
    and "data as of") and the size it is drawn at."""
    text = fig.to_json() + json.dumps(_opts(fig), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _remember(key: str, image: bytes) -> None:
    with _cache_lock:
        _drawn[key] = image
        _drawn.move_to_end(key)
        while len(_drawn) > CACHED_IMAGES:
            _drawn.popitem(last=False)


def images(figures: list[go.Figure | None]) -> tuple[list[bytes | None], str]:
    """Each figure as PNG (None where there is no figure); all None and the message in words
    when Chromium is missing.

    A figure drawn before (the same chart on the same data: its footer carries the dataset
    version) comes from the process's recent images, so building the deck again after pinning
    one more chart renders only that one; equal figures are drawn once."""
    if not can_render():
        return [None] * len(figures), missing_message(chromium_path())
    keys = [_key(f) if f is not None else None for f in figures]
    with _cache_lock:
        known = {k: _drawn[k] for k in keys if k is not None and k in _drawn}
    todo = {k: f for k, f in zip(keys, figures, strict=True) if k is not None and k not in known}
    try:
        fresh = _batch(list(todo.values())) if todo else []
    except ChromiumMissing as exc:
        return [None] * len(figures), str(exc)
    for key, image in zip(todo, fresh, strict=True):
        known[key] = image
        _remember(key, image)
    return [known[k] if k is not None else None for k in keys], ""


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
