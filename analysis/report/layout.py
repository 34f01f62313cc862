"""Where things go on a chart slide (and the PDF's chart page, the same 16:9 in inches): the
title's size for its length, the picture as large as the space allows, the table's column
widths by their text, and how many of the table's rows fit above the footer.

Text is measured roughly (DejaVu Sans averages about 0.55 em a character), erring on the side
of fewer rows: a row left out is in the notes, a row that runs into the footer is unreadable.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
MARGIN = 0.4
TITLE_TOP = 0.25
FOOTER_TOP = 6.45
PICTURE_MAX_W = 8.2
PICTURE_MIN_W = 6.2
GAP = 0.2
EM = 0.58  # average character width in em (DejaVu Sans, digits and lower case)
BOLD_EM = 0.66  # the same in bold (the tables' headers)
CELL_PAD_W, CELL_PAD_H = 0.1, 0.08  # a cell's left+right and top+bottom margins, inches


def text_lines(text: str, width_in: float, size_pt: float) -> int:
    """About how many lines `text` takes wrapped at words in a box `width_in` wide."""
    per_line = max(1, int(width_in * 72 / (size_pt * EM)))
    lines = 0
    for paragraph in str(text).split("\n"):
        count, used = 1, 0
        for word in paragraph.split():
            n = len(word)
            if used and used + 1 + n <= per_line:
                used += 1 + n
                continue
            if used:
                count += 1
            count += (n - 1) // per_line  # a word longer than a line breaks inside it
            used = (n - 1) % per_line + 1
        lines += count
    return lines


def title_size(title: str, width_in: float = SLIDE_W - 2 * MARGIN) -> int:
    """24 pt for a title of up to two lines, else smaller (down to 18 pt)."""
    for size in (24, 22, 20, 18):
        if text_lines(title, width_in, size) <= 2:
            return size
    return 18


def title_height(title: str, size: int, width_in: float = SLIDE_W - 2 * MARGIN) -> float:
    """The title's height in inches at this size."""
    return text_lines(title, width_in, size) * size * 1.2 / 72 + 0.1


def picture_size(image: bytes, max_w: float, max_h: float) -> tuple[float, float]:
    """The picture's width and height in inches: as large as fits, its aspect kept."""
    from PIL import Image

    with Image.open(io.BytesIO(image)) as im:
        w, h = im.size
    width = min(max_w, max_h * w / h)
    return width, width * h / w


def _char_in(size_pt: float) -> float:
    return size_pt * EM / 72


def min_widths(frame: pd.DataFrame, size_pt: float) -> list[float]:
    """Each column's narrowest width in inches: its longest word on one line."""
    out = []
    for col in frame.columns:
        header = max((len(w) for w in str(col).split()), default=1) * BOLD_EM / EM
        cells = max((len(w) for v in frame[col] for w in str(v).split()), default=1)
        out.append((max(header, cells) + 1.5) * _char_in(size_pt) + CELL_PAD_W)
    return out


def column_widths(frame: pd.DataFrame, width_in: float, size_pt: float = 10) -> list[float]:
    """The columns' widths in inches, summing to `width_in`: each at least its longest word
    (where the width allows), the rest shared by how much text a column holds."""
    least = min_widths(frame, size_pt)
    if sum(least) >= width_in:
        return [width_in * w / sum(least) for w in least]
    want = []
    for col, low in zip(frame.columns, least, strict=True):
        texts = [str(col), *(str(v) for v in frame[col])]
        typical = min(max(len(t) for t in texts), 40) * _char_in(size_pt) + CELL_PAD_W
        want.append(max(typical - low, 0.0) + 0.05)
    spare = width_in - sum(least)
    return [low + spare * w / sum(want) for low, w in zip(least, want, strict=True)]


def row_height(values: list[str], widths: list[float], size_pt: float) -> float:
    """A table row's height in inches: its tallest cell."""
    lines = max(
        text_lines(v, max(w - CELL_PAD_W, 0.2), size_pt)
        for v, w in zip(values, widths, strict=True)
    )
    return lines * size_pt * 1.2 / 72 + CELL_PAD_H


def rows_that_fit(
    frame: pd.DataFrame, widths: list[float], size_pt: float, height_in: float
) -> int:
    """How many of the frame's rows fit under its header in `height_in`."""
    used = row_height([str(c) for c in frame.columns], widths, size_pt)
    n = 0
    for values in frame.astype(str).values.tolist():
        used += row_height(values, widths, size_pt)
        if used > height_in:
            break
        n += 1
    return n


@dataclass(frozen=True)
class ChartPage:
    """Where a chart slide's parts go, in inches."""

    title_size: int
    top: float  # under the title
    picture: tuple[float, float] | None  # width, height
    table_left: float
    table_width: float
    table_size: int
    widths: list[float]
    rows: int  # the table's rows shown


def chart_page(title: str, image: bytes | None, table: pd.DataFrame, max_rows: int) -> ChartPage:
    """The layout of one chart slide: title, picture at left, table at right (or below the
    message, full width, when there is no picture), footer at the bottom."""
    size = title_size(title)
    top = TITLE_TOP + title_height(title, size) + 0.1
    bottom = FOOTER_TOP - 0.1
    table_size = 12 if image is None else 10 if len(table.columns) <= 4 else 9
    if image is not None:
        # the table's words must not break: a wide table takes room from the picture
        needed = sum(min_widths(table.head(max_rows), table_size))
        room = SLIDE_W - 2 * MARGIN - GAP - needed
        picture = picture_size(image, max(PICTURE_MIN_W, min(PICTURE_MAX_W, room)), bottom - top)
        left = MARGIN + picture[0] + GAP
        table_top = top
    else:
        picture, left, table_top = None, MARGIN, top + 0.8
    width = SLIDE_W - MARGIN - left
    if image is None:  # the whole width is there: as wide as the words want, no wider
        width = min(width, max(6.0, 1.8 * sum(min_widths(table.head(max_rows), table_size))))
    widths = column_widths(table.head(max_rows), width, table_size)
    rows = rows_that_fit(table.head(max_rows), widths, table_size, bottom - table_top)
    return ChartPage(size, top, picture, left, width, table_size, widths, rows)
