"""The report as a PowerPoint deck (python-pptx): title, summary, then one chart per slide.

Each chart slide holds the chart's title, its image (when Chromium could render it), its
figures in a small native table, its footer, and the figures and caveats in the speaker notes.
The slides use the app's font and format colours.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from analysis import clock
from analysis.charts import FORMAT_COLORS, MUTED, TEXT
from analysis.domain import FORMAT_LABELS
from analysis.report import layout
from analysis.report.items import SLIDE_ROWS, ReportItem, Summary, claims_table

FONT = "DejaVu Sans"  # the charts' font (analysis.charts.FONT_FAMILY)
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.4)
VERDICT_COLORS = {
    "Supported": "#009E73",
    "Not supported": "#6B7280",
    "Reversed": "#D55E00",
    "Not enough data": "#6B7280",
}
LABEL_COLORS = {FORMAT_LABELS[f]: c for f, c in FORMAT_COLORS.items()}


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


def _text(slide, left, top, width, height, lines: Sequence[str], size: int, **style) -> None:
    """A text box with one paragraph per line, in the app's font."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = line
        run.font.name = FONT
        run.font.size = Pt(size)
        run.font.bold = style.get("bold", False)
        run.font.color.rgb = _rgb(style.get("color", TEXT))
        if style.get("space"):
            para.space_after = Pt(style["space"])


def _table(
    slide, frame: pd.DataFrame, left, top, width, size: int = 10, widths: list[float] | None = None
) -> None:
    """The frame as a native table, its columns as wide as their text needs (`widths`, in
    inches); format names and verdicts in their colours. Rows grow with their text."""
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, left, top, width, Inches(0.25) * rows)
    table = shape.table
    for j, w in enumerate(widths or layout.column_widths(frame, Emu(width).inches, size)):
        table.columns[j].width = Inches(w)
    for row in table.rows:
        row.height = Inches(0.25)
    for j, header in enumerate(frame.columns):
        _cell(table.cell(0, j), str(header), size, bold=True, color="#FFFFFF")
        table.cell(0, j).fill.solid()
        table.cell(0, j).fill.fore_color.rgb = _rgb(TEXT)
    for i, (_, row) in enumerate(frame.iterrows(), start=1):
        for j, value in enumerate(row):
            text = str(value)
            colour = LABEL_COLORS.get(text) or VERDICT_COLORS.get(text) or TEXT
            _cell(table.cell(i, j), text, size, bold=colour != TEXT, color=colour)
            table.cell(i, j).fill.solid()
            table.cell(i, j).fill.fore_color.rgb = _rgb("#F5F7FA" if i % 2 else "#FFFFFF")


def _cell(cell, text: str, size: int, *, bold: bool = False, color: str = TEXT) -> None:
    cell.text = ""
    para = cell.text_frame.paragraphs[0]
    run = para.add_run()
    run.text = text
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(color)
    cell.margin_left = cell.margin_right = Inches(0.05)
    cell.margin_top = cell.margin_bottom = Inches(0.03)


def _title_slide(prs, summary: Summary) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(
        slide,
        MARGIN,
        Inches(2.2),
        SLIDE_W - 2 * MARGIN,
        Inches(1.2),
        [summary.title],
        40,
        bold=True,
    )
    _text(
        slide,
        MARGIN,
        Inches(3.5),
        SLIDE_W - 2 * MARGIN,
        Inches(1.0),
        [summary.subtitle, f"FormatFit report, {clock.today():%d %B %Y}"],
        20,
        color=MUTED,
    )
    _text(
        slide,
        MARGIN,
        Inches(6.6),
        SLIDE_W - 2 * MARGIN,
        Inches(0.6),
        [summary.footer],
        12,
        color=MUTED,
    )
    slide.notes_slide.notes_text_frame.text = summary.footer


def _summary_slide(prs, summary: Summary) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, MARGIN, Inches(0.3), SLIDE_W - 2 * MARGIN, Inches(0.7), ["Summary"], 28, bold=True)
    _text(
        slide,
        MARGIN,
        Inches(1.1),
        Inches(5.4),
        Inches(5.2),
        [f"• {f}" for f in summary.findings],
        16,
        space=10,
    )
    claims = claims_table(list(summary.claims))
    _table(slide, claims, Inches(6.1), Inches(1.1), SLIDE_W - Inches(6.1) - MARGIN, size=10)
    _text(
        slide,
        MARGIN,
        Inches(6.8),
        SLIDE_W - 2 * MARGIN,
        Inches(0.5),
        [summary.footer],
        10,
        color=MUTED,
    )
    notes = ["Findings:", *summary.findings, "", "Claims:"]
    notes += [
        f"{c.claim}. {c.title}: {c.verdict.replace('_', ' ')}. {c.evidence}" for c in summary.claims
    ]
    slide.notes_slide.notes_text_frame.text = "\n".join(notes)


def _chart_slide(prs, item: ReportItem, image: bytes | None, message: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    page = layout.chart_page(item.title, image, item.table, SLIDE_ROWS)
    _text(
        slide,
        MARGIN,
        Inches(layout.TITLE_TOP),
        SLIDE_W - 2 * MARGIN,
        Inches(page.top - layout.TITLE_TOP),
        [item.title],
        page.title_size,
        bold=True,
    )
    top = Inches(page.top)
    table = item.table.head(page.rows)
    if image is not None and page.picture is not None:
        slide.shapes.add_picture(io.BytesIO(image), MARGIN, top, width=Inches(page.picture[0]))
    else:
        why = item.empty or message
        _text(slide, MARGIN, top, SLIDE_W - 2 * MARGIN, Inches(0.6), [why], 14, color=MUTED)
        top += Inches(0.8)
    _table(
        slide, table, Inches(page.table_left), top, Inches(page.table_width), page.table_size,
        page.widths,
    )  # fmt: skip
    more = [f"First {page.rows} of {item.rows_total} rows; all in the notes."]
    footer = list(item.footer) + (more if item.rows_total > page.rows else [])
    _text(
        slide, MARGIN, Inches(layout.FOOTER_TOP), SLIDE_W - 2 * MARGIN, Inches(0.9), footer, 10,
        color=MUTED,
    )  # fmt: skip
    slide.notes_slide.notes_text_frame.text = item.notes


def pptx_bytes(
    summary: Summary, items: list[ReportItem], images: list[bytes | None], message: str = ""
) -> bytes:
    """The deck: a title slide, the summary slide, then one slide per chart."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W), Emu(SLIDE_H)
    _title_slide(prs, summary)
    _summary_slide(prs, summary)
    for item, image in zip(items, images, strict=True):
        _chart_slide(prs, item, image, message)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
