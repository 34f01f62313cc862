"""The report as a PDF (fpdf2), with the same content as the deck: a title page, the summary,
one page per chart (title, image, table, footer) and the notes after them.

fpdf2 is pure Python: it writes the PDF from the chart images kaleido already rendered, needs
no second browser run, and still writes the tables and notes when Chromium is missing.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from analysis import clock
from analysis.charts import MUTED, TEXT
from analysis.report import layout
from analysis.report.items import SLIDE_ROWS, ReportItem, Summary, claims_table
from analysis.report.slides import LABEL_COLORS, VERDICT_COLORS

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # fonts-dejavu-core, installed by setup
PAGE = (338.67, 190.5)  # mm, 16:9 like the slides
MARGIN = 10.0
INCH = 25.4  # mm: the layout is in inches, like the slides


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


class _Report(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format=PAGE)  # PAGE is already wide
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            self.add_font("DejaVu", "", str(regular))
            self.add_font("DejaVu", "B", str(bold))
            self.family = "DejaVu"
        else:  # a core font: text outside Latin-1 is replaced
            self.family = "Helvetica"

    def write_text(self, text: str, size: float, *, bold: bool = False, color: str = TEXT,
                   height: float | None = None) -> None:  # fmt: skip
        """A paragraph across the page."""
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*_rgb(color))
        self.multi_cell(
            0, height or size * 0.5, self.safe(text), new_x="LMARGIN", new_y="NEXT", align="L"
        )

    def safe(self, text: str) -> str:
        if self.family == "DejaVu":
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def frame_table(
        self,
        frame: pd.DataFrame,
        size: float,
        width: float | None = None,
        col_widths: tuple[int, ...] | None = None,
    ) -> None:
        """A table of text cells; format names and verdicts in their colours."""
        self.set_font(self.family, "", size)
        self.set_text_color(*_rgb(TEXT))
        heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=_rgb(TEXT))
        with self.table(
            width=width,
            col_widths=col_widths,
            align="LEFT",
            headings_style=heading,
            line_height=size * 0.45,
            cell_fill_color=(245, 247, 250),
            cell_fill_mode="ROWS",
            borders_layout="MINIMAL",
            text_align="LEFT",
        ) as table:
            row = table.row()
            for header in frame.columns:
                row.cell(self.safe(str(header)))
            for _, values in frame.iterrows():
                row = table.row()
                for value in values:
                    text = str(value)
                    colour = LABEL_COLORS.get(text) or VERDICT_COLORS.get(text)
                    style = FontFace(emphasis="BOLD", color=_rgb(colour)) if colour else None
                    row.cell(self.safe(text), style=style)


def _chart_page(pdf: _Report, item: ReportItem, image: bytes | None, message: str) -> None:
    """One chart on a 16:9 page, laid out as its slide is (analysis/report/layout.py)."""
    page = layout.chart_page(item.title, image, item.table, SLIDE_ROWS)
    pdf.add_page()
    pdf.set_y(layout.TITLE_TOP * INCH)
    pdf.write_text(item.title, page.title_size, bold=True, height=page.title_size * 0.45)
    top = page.top * INCH
    table = item.table.head(page.rows)
    left = page.table_left * INCH
    if image is not None and page.picture is not None:
        pdf.image(io.BytesIO(image), x=MARGIN, y=top, w=page.picture[0] * INCH)
        pdf.set_left_margin(left)
        pdf.set_xy(left, top)
    else:
        pdf.set_y(top)
        pdf.write_text(item.empty or message, 11, color=MUTED)
        pdf.set_y(top + 0.8 * INCH)
    pdf.frame_table(
        table,
        page.table_size,
        width=page.table_width * INCH,
        col_widths=tuple(round(w * 100) for w in page.widths),
    )
    pdf.set_left_margin(MARGIN)
    pdf.set_y(layout.FOOTER_TOP * INCH)
    more = f" · First {page.rows} of {item.rows_total} rows; all in the notes."
    extra = more if item.rows_total > page.rows else ""
    pdf.write_text(" · ".join(item.footer) + extra, 8, color=MUTED)


def pdf_bytes(
    summary: Summary, items: list[ReportItem], images: list[bytes | None], message: str = ""
) -> bytes:
    """The PDF: title page, summary, one page per chart, then the notes."""
    pdf = _Report()
    pdf.set_title(summary.title)
    pdf.add_page()
    pdf.set_y(60)
    pdf.write_text(summary.title, 30, bold=True, height=14)
    pdf.write_text(summary.subtitle, 14, color=MUTED)
    pdf.write_text(f"FormatFit report, {clock.today():%d %B %Y}", 14, color=MUTED)
    pdf.set_y(PAGE[1] - 25)
    pdf.write_text(summary.footer, 10, color=MUTED)

    pdf.add_page()
    pdf.write_text("Summary", 22, bold=True, height=11)
    pdf.ln(2)
    for finding in summary.findings:
        pdf.write_text(f"• {finding}", 12)
        pdf.ln(1)
    pdf.ln(3)
    pdf.frame_table(claims_table(list(summary.claims)), 11, col_widths=(1, 14, 3))
    pdf.set_y(max(pdf.get_y() + 2, layout.FOOTER_TOP * INCH))
    pdf.write_text(summary.footer, 8, color=MUTED)

    for item, image in zip(items, images, strict=True):
        _chart_page(pdf, item, image, message)

    pdf.add_page()
    pdf.write_text("Notes: the figures and caveats behind each chart", 18, bold=True, height=9)
    for item in items:
        pdf.ln(3)
        pdf.write_text(item.notes, 8)
    return bytes(pdf.output())
