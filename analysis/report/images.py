"""Chart images rendered on the server: SVG and 2× PNG with kaleido and the system Chromium.

Kaleido drives a headless Chromium. It uses the system's (`BROWSER_PATH`, by default
/usr/bin/chromium) and never downloads one; its server starts once per process, so an image does
not pay Chromium's start-up. MathJax is off: kaleido would otherwise fetch it from the internet,
and our charts hold no formulas.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import plotly.graph_objects as go

from analysis.charts import HEIGHT, WIDTH

BROWSER_ENV = "BROWSER_PATH"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
PNG_SCALE = 2  # 2560×1440 for a 1280×720 chart
MISSING_CHROMIUM = (
    "Images are drawn on the server with Chromium, which is not installed here: "
    "use the camera in the chart's toolbar for a PNG."
)

_lock = threading.Lock()
_started = False


class ChromiumMissingError(RuntimeError):
    """The server has no Chromium to draw chart images with."""


def chromium() -> Path | None:
    """The Chromium kaleido would use, if it exists."""
    path = os.environ.get(BROWSER_ENV) or DEFAULT_CHROMIUM
    found = shutil.which(path)
    return Path(found) if found else None


def can_render() -> bool:
    """Whether this server can draw chart images (a Chromium is installed)."""
    return chromium() is not None


def _start() -> None:
    """Start kaleido's server once per process, on the system Chromium."""
    global _started
    with _lock:
        if _started:
            return
        browser = chromium()
        if browser is None:
            raise ChromiumMissingError(MISSING_CHROMIUM)
        os.environ[BROWSER_ENV] = str(browser)  # choreographer looks here; it never downloads
        import kaleido  # imported late: only servers that draw images pay for it

        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _started = True


def image_bytes(fig: go.Figure, fmt: str) -> bytes:
    """The figure as 'svg' or 'png' (at 2×), at slide size (1280 px wide)."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"unknown image format: {fmt}")
    _start()
    import kaleido

    opts = {  # a 16:9 slide like the camera's PNG; a taller figure keeps its height
        "format": fmt,
        "width": WIDTH,
        "height": max(fig.layout.height or HEIGHT, HEIGHT),
        "scale": PNG_SCALE if fmt == "png" else 1,
    }
    return kaleido.calc_fig_sync(fig.to_dict(), opts=opts)
