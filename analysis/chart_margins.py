"""Margins measured here, in the charts' own font, so the browser need not measure and redraw.

With `automargin`, plotly.js draws a chart, measures every tick label and title in the page,
grows the margins and draws it again: about half of a chart's drawing time in the browser
(each of a page's charts took 1.5 to 3 times as long in headless Chromium, bench/README.md),
which every person pays on every filter change and page switch. The labels are known when the
figure is built, so their widths are measured once, on the server, in DejaVu Sans (the charts'
first font, and a wide one: a browser that falls back to Arial needs less room), and the
margins are set from them with automargin off.

Axes whose labels sit between panels (a second panel's y axis) take their room from the
spacing the figure was built with, as with automargin, which only ever grows the outer margins.
"""

from __future__ import annotations

import html
import math
import re
from functools import cache
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from PIL import ImageFont

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core
TAG = re.compile(r"<[^>]+>")
LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
TICK_GAP = 10  # between a y tick label and the plot, and to the paper's edge
AXIS_TITLE_GAP = 12
SAFETY = 1.05  # browsers lay glyphs such as ■ out a little wider than the font file says
NARROWEST_PLOT = 480  # px: a category sits at least half of 1/n of this inside the plot's edge
LINE_SPACING = 1.3  # plotly.js's line height, in font sizes
TITLE_GAP = 18  # what plotly.js adds above and between title and subtitle (measured: 17.8–18)
TITLE_FOOT = 14  # px from a title's last baseline to the pad: room for its subtitle's line


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILE), size)


def text_width(text: str, size: float) -> float:
    """Width in px of plotly text (lines split at <br>, tags dropped, entities read)."""
    font = _font(max(1, round(size)))
    return max(font.getlength(html.unescape(TAG.sub("", line))) for line in _lines(text))


def _lines(text: str) -> list[str]:
    """Plotly text's lines (it breaks at <br>)."""
    return LINE_BREAK.split(str(text))


def _size(font, default: float) -> float:
    """A font's size as set on the figure, else the template's (`default`)."""
    return (font.size if font else None) or default


def fit(fig: go.Figure, base_size: float, title_size: float) -> go.Figure:
    """Set the outer margins to hold the title block, every tick label and axis title, and turn
    automargin off (axes and title). `base_size` and `title_size` are the template's font
    sizes, which the layout does not repeat. Margins only grow: what a builder reserved (a
    footer, a legend) stays."""
    layout = fig.layout
    left, right = layout.margin.l or 0, layout.margin.r or 0
    top = max(layout.margin.t or 0, math.ceil(_title_block(layout, base_size, title_size)))
    x_axes, y_axes = _axes(fig, "xaxis"), _axes(fig, "yaxis")
    for name in y_axes:
        axis = layout[name]
        if axis.visible is False or axis.showticklabels is False:
            continue
        size = _size(axis.tickfont, base_size)
        room = _widest(_tick_labels(fig, name, axis), size) + TICK_GAP
        if axis.title and axis.title.text:
            room += _size(axis.title.font, base_size) * 1.25
            room += AXIS_TITLE_GAP
        domain = _anchor_domain(layout, axis)
        if axis.side == "right":
            if domain[1] >= 0.99:
                right = max(right, math.ceil(room))
        elif domain[0] <= 0.01:
            left = max(left, math.ceil(room))
    for name in x_axes:
        axis = layout[name]
        labels = _tick_labels(fig, name, axis) if axis.showticklabels is not False else []
        if not labels or axis.type not in (None, "-", "category") or _numeric(labels):
            continue
        size = _size(axis.tickfont, base_size)
        domain = axis.domain or (0, 1)
        # a label is centred on its category, half a category's width inside the plot's edge
        inside = NARROWEST_PLOT * (domain[1] - domain[0]) / (2 * len(labels))
        angle = axis.tickangle if isinstance(axis.tickangle, int | float) else 0
        # level labels reach half their width each way; tilted ones (-35°) end at their tick
        # and reach back to the left only
        share = abs(math.cos(math.radians(angle))) if angle else 0.5
        if domain[0] <= 0.01:
            past = SAFETY * text_width(labels[0], size) * share - inside
            left = max(left, math.ceil(past + TICK_GAP))
        if domain[1] >= 0.99 and not angle:
            past = SAFETY * text_width(labels[-1], size) * share - inside
            right = max(right, math.ceil(past + TICK_GAP))
    # one update of plain dicts: each plotly update walks the figure's object model (about
    # 6 ms a chart saved against four updates with magic underscores)
    changes: dict = {"margin": {"l": left, "r": right, "t": top}}
    if layout.title and layout.title.text and layout.height and layout.title.yref == "paper":
        # without automargin plotly.js leaves out the pad of a title standing on the plot, so
        # the title is placed in the figure's own coordinates instead. There a bottom-anchored
        # title's first baseline sits at y and its subtitle in the pad below: its last line's
        # foot goes where automargin put it, just above the pad
        title = layout.title
        size = _size(title.font, title_size)
        lines = len(_lines(title.text))
        pad = (title.pad.b if title.pad else None) or 0
        above = pad + TITLE_FOOT + LINE_SPACING * size * (lines - 1)
        changes["title"] = {
            "automargin": False,
            "yref": "container",
            "y": min(1.0, (layout.height - top + above) / layout.height),
            "yanchor": "bottom",
            "pad": {"b": 0},
        }
    for name in {"xaxis", "yaxis", *x_axes, *y_axes}:
        changes[name] = {"automargin": False}
    fig.update_layout(changes)
    return fig


def _title_block(layout, base_size: float, title_size: float) -> float:
    """The height of a title standing on the plot's top edge (y=1, paper): its own lines, its
    subtitle and its pad, as title automargin made room for them."""
    title = layout.title
    if not title or not title.text:
        return 0.0
    lines = len(_lines(title.text))
    height = lines * _size(title.font, title_size)
    subtitle = title.subtitle
    if subtitle and subtitle.text:
        sub_lines = len(_lines(subtitle.text))
        height += sub_lines * _size(subtitle.font, base_size)
    pad = (title.pad.b if title.pad else None) or 0
    return pad + LINE_SPACING * height + TITLE_GAP


def _axes(fig: go.Figure, kind: str) -> list[str]:
    names = [k for k in fig.layout.to_plotly_json() if re.fullmatch(f"{kind}\\d*", k)]
    return names or [kind]


def _anchor_domain(layout, axis) -> tuple[float, float]:
    """The x extent of the plot a y axis belongs to (its anchor's domain)."""
    anchor = axis.anchor if axis.anchor not in (None, "free") else "x"
    other = layout[f"xaxis{anchor[1:]}"] if anchor != "x" else layout.xaxis
    return tuple(other.domain) if other and other.domain else (0.0, 1.0)


def _tick_labels(fig: go.Figure, name: str, axis) -> list[str]:
    """The labels an axis shows: its tick texts, else its categories, else its numbers as
    formatted at the ends of its range."""
    if axis.ticktext is not None and len(axis.ticktext):
        return [str(t) for t in axis.ticktext]
    letter, ref = name[0], name[0] + name[5:]  # "yaxis2" -> "y", "y2"
    values: list = []
    for trace in fig.data:
        if (getattr(trace, f"{letter}axis", None) or letter) != ref:
            continue
        data = getattr(trace, letter, None)
        if data is not None:
            values.extend(np.asarray(data, dtype=object).ravel().tolist())
    strings = [v for v in values if isinstance(v, str)]
    if strings:
        return list(dict.fromkeys(strings))
    numbers = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    ends = list(axis.range) if axis.range else numbers
    if not ends:
        return []
    return [_number(v, axis.tickformat or "") for v in (min(ends), max(ends))]


def _numeric(labels: list[str]) -> bool:
    return all(re.fullmatch(r"[-\d.,%\s]+", label) for label in labels)


def _number(value: float, tickformat: str) -> str:
    """A tick value as plotly would print it, as wide or a little wider."""
    if "%" in tickformat:
        return f"{value * 100:.0f}%"
    digits = re.search(r"\.(\d+)f", tickformat)
    if digits:
        return f"{value:,.{int(digits[1])}f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value != int(value) else f"{value:.0f}"


def _widest(labels: list[str], size: float) -> float:
    return SAFETY * max((text_width(label, size) for label in labels), default=0.0)
