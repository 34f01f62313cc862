"""One report from pins: the items rebuilt from the current data, images, then slides or PDF."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.compare.claims import Claim
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from analysis.report import render
from analysis.report.items import ReportItem, Summary, build_items, summary
from analysis.report.pdf import pdf_bytes
from analysis.report.pins import Pin
from analysis.report.slides import pptx_bytes
from analysis.store import Store

# The command line's default charts: the Overview and application by wave (the claims are on
# the summary slide).
DEFAULT_CHARTS: tuple[tuple[str, str], ...] = (("overview", "overview"), ("application", "waves"))


@dataclass(frozen=True)
class Report:
    """A report's content, ready to write as slides or PDF."""

    summary: Summary
    items: list[ReportItem]
    images: list[bytes | None]
    message: str  # why there are no images ('' when there are)

    def pptx(self) -> bytes:
        """The PowerPoint deck."""
        return pptx_bytes(self.summary, self.items, self.images, self.message)

    def pdf(self) -> bytes:
        """The PDF with the same content."""
        return pdf_bytes(self.summary, self.items, self.images, self.message)


def default_pins(filters: Filters | None = None) -> list[Pin]:
    """The command line's charts under its filters."""
    return [Pin(page, chart, filters or Filters()) for page, chart in DEFAULT_CHARTS]


def build_report(
    db: Store,
    rule: PrivacyRule,
    pins: list[Pin],
    filters: Filters | None = None,
    *,
    with_images: bool = True,
    items: list[ReportItem] | None = None,
    judged: list[Claim] | None = None,
) -> Report:
    """Rebuild every pinned chart from the current data and render the images; `items` and
    `judged` are the charts and claims already rebuilt from it, as the app caches them."""
    items = items if items is not None else build_items(db, rule, pins)
    if with_images:
        images, message = render.images([i.figure for i in items])
    else:
        images, message = [None] * len(items), "Chart images were not rendered."
    return Report(summary(db, rule, items, filters, judged), items, images, message)
