"""One report from pins: the items rebuilt from the current data, images, then slides or PDF."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.compare.claims import Claim
from analysis.compare.claims_page import chart_rows
from analysis.compare.page import base_view
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from analysis.report import render
from analysis.report.items import ReportItem, Summary, build_items, summary
from analysis.report.pdf import pdf_bytes
from analysis.report.pins import Pin
from analysis.report.slides import pptx_bytes
from analysis.store import Store

# The command line's default charts: the Overview and application by wave, then the chart of
# each claim the data decided (the summary slide lists all ten with their verdicts).
DEFAULT_CHARTS: tuple[tuple[str, str], ...] = (("overview", "overview"), ("application", "waves"))
DECIDED = ("supported", "reversed", "not_supported")  # 'not enough data' gets no chart slide


def claim_has_chart(c: Claim) -> bool:
    """Whether the claim's chart has a comparison to draw (the Claims page's test)."""
    return len(chart_rows(c.results)) > 0


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


def default_pins(filters: Filters | None = None, judged: list[Claim] | None = None) -> list[Pin]:
    """The command line's charts under its filters: the Overview, application by wave, and
    the claims `judged` there that have a verdict and a comparison to draw, supported first."""
    filters = filters or Filters()
    out = [Pin(page, chart, filters) for page, chart in DEFAULT_CHARTS]
    decided = [c for c in judged or () if c.verdict in DECIDED and claim_has_chart(c)]
    decided.sort(key=lambda c: (DECIDED.index(c.verdict), c.claim))
    return out + [Pin("claims", f"claim_{c.claim}", filters) for c in decided]


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
    if items is None:
        known = {} if judged is None else {base_view(filters or Filters()): judged}
        items = build_items(db, rule, pins, known)
    if with_images:
        images, message = render.images([i.figure for i in items])
    else:
        images, message = [None] * len(items), "Chart images were not rendered."
    return Report(summary(db, rule, items, filters, judged), items, images, message)
