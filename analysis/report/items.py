"""What a report holds, whatever it is written to: each pinned chart rebuilt from the current
data (figure, title, footer, a small table and speaker notes), the findings and the claims.

Every figure comes from `views.page_figures`, the same privacy step the pages use: a survey
figure the step did not show is written here as the page writes it ('suppressed (fewer than
5)'), and no number is computed from the frames besides formatting.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from analysis import engine, metrics, views
from analysis.charts import TITLE_WRAP, ChartContext
from analysis.compare.claims import CAUSE, Claim, claims
from analysis.compare.claims_page import claim_texts
from analysis.compare.page import base_view
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from analysis.report.chart_tables import TABLES, chart_table
from analysis.report.pins import Pin
from analysis.store import Store
from analysis.text import plotly_text

SLIDE_ROWS = 8  # rows of a slide's table; the notes hold every row
NOTE_ROWS = 40
VERDICT_WORDS = {
    "supported": "Supported",
    "not_supported": "Not supported",
    "reversed": "Reversed",
    "not_enough_data": "Not enough data",
}
CAVEATS = (
    "Survey figures are self-reported. Differences describe who took part, not what caused "
    "it: people chose or were placed in formats."
)


@dataclass(frozen=True)
class ReportItem:
    """One chart of the report, rebuilt from the current data."""

    title: str
    subject: str
    footer: tuple[str, ...]
    table: pd.DataFrame  # text cells, ready to write; suppressed figures in words
    notes: str
    figure: go.Figure | None = None
    empty: str = ""  # why there is no figure (the page's designed empty state)
    rows_total: int = 0
    pin_id: int = 0


@dataclass(frozen=True)
class Summary:
    """The title and summary slides: findings in words and the claims' verdicts."""

    title: str
    subtitle: str
    findings: tuple[str, ...]
    claims: tuple[Claim, ...] = field(default=())
    footer: str = ""


def chart_context(
    db: Store,
    filters: Filters,
    rule: PrivacyRule,
    n_text: str,
    opts: metrics.FilterOptions | None = None,
) -> ChartContext:
    """The footer context of a chart under these filters (as the pages build it)."""
    return ChartContext.for_view(
        filters,
        opts or metrics.filter_options(db),
        n_text,
        rule,
        data_as_of=db.data_as_of().replace("T", " ")[:16] + " UTC",
        dataset_version=engine.data_key(db)[1],  # the lake's on Spark
        is_demo=db.has_demo(),
    )


def _notes(title: str, table: pd.DataFrame, footer: tuple[str, ...], rule: PrivacyRule) -> str:
    lines = [title, ""]
    for _, row in table.head(NOTE_ROWS).iterrows():
        values = list(row.items())
        head = values[0][1]
        rest = "; ".join(f"{k}: {v}" for k, v in values[1:])
        lines.append(f"- {head}: {rest}")
    if len(table) > NOTE_ROWS:
        lines.append(f"- … and {len(table) - NOTE_ROWS} more rows (the full table is in the app)")
    lines += [
        "",
        "Caveats: " + CAVEATS,
        f"Suppressed figures: {rule.footer}; a figure below that reads "
        f"'{rule.suppressed_label}'. * marks a figure that leaves some answers out "
        "(they would single out a small group).",
        "Context: " + " · ".join(footer),
    ]
    return "\n".join(lines)


def retitled(fig: go.Figure, title: str) -> go.Figure:
    """The figure with the person's own title in place of its finding title."""
    lines = textwrap.wrap(title, width=TITLE_WRAP) or [""]
    fig = go.Figure(fig)
    fig.update_layout(title_text="<br>".join(plotly_text(line) for line in lines))
    return fig


CLAIM_COLUMNS = ("Measure", "First arm", "Second arm", "Difference", "Departments")


def build_claim_item(
    db: Store,
    rule: PrivacyRule,
    pin: Pin,
    judged: list[Claim] | None = None,
    opts: metrics.FilterOptions | None = None,
) -> ReportItem:
    """A claim's chart (its comparisons' differences against zero) under the pin's base view."""
    number = int(pin.chart.removeprefix("claim_"))
    base = base_view(pin.filters)
    judged = judged if judged is not None else claims(db, rule, base)
    claim = next(c for c in judged if c.claim == number)
    contexts: list[ChartContext] = []

    def context(n_text: str) -> ChartContext:
        contexts.append(chart_context(db, base, rule, n_text, opts))
        return contexts[-1]

    text = claim_texts([claim], rule, context)[0]
    verdict = VERDICT_WORDS.get(claim.verdict, claim.verdict)
    # the slide says the claim in words and its verdict; the chart's own title keeps the verdict
    title = pin.title or f"Claim {number}, {verdict.lower()}: {claim.title}"
    ctx = contexts[-1] if contexts else chart_context(db, base, rule, "", opts)
    footer = tuple(line for line in ctx.footer_lines(10_000) if line)
    table = text.figures[[c for c in CLAIM_COLUMNS if c in text.figures.columns]].copy()
    if "Measure" in table.columns:  # measures are names of ours ('confidence_gain'), not data
        table["Measure"] = table["Measure"].str.replace("_", " ")
    if table.empty or not len(table.columns):
        table = pd.DataFrame({"Figures": ["not enough data"]})
    figure = text.chart.figure if text.chart is not None else None
    if figure is not None and pin.title:
        figure = retitled(figure, pin.title)
    notes = _notes(title, table, footer, rule).replace(
        "Caveats: " + CAVEATS,
        f"Claim {claim.claim}: {claim.title}. Verdict: {verdict}.\n"
        + "\n".join(f"- {x}" for x in claim.evidence.split(" | ") if x)
        + f"\nWhat would settle it: {claim.settle}\nCaveats: {CAUSE}",
    )
    return ReportItem(
        title=title,
        subject=f"claim-{number}",
        footer=footer,
        table=table,
        notes=notes,
        figure=figure,
        empty="" if figure is not None else "No comparison of this claim can be drawn here.",
        rows_total=len(table),
        pin_id=pin.pin_id,
    )


def build_items(
    db: Store,
    rule: PrivacyRule,
    pins: list[Pin],
    judged_under: dict[Filters, list[Claim]] | None = None,
) -> list[ReportItem]:
    """Every pinned chart rebuilt; pins of one page and view share that view's figures, and
    pins of one base view share its claims (`judged_under`: those already judged, by view)."""
    opts = metrics.filter_options(db)
    figures: dict[str, views.Figures] = {}
    judged: dict[Filters, list[Claim]] = dict(judged_under or {})
    out = []
    for pin in pins:
        if pin.page in ("claims", "guide"):
            base = base_view(pin.filters)
            if base not in judged:
                judged[base] = claims(db, rule, base)
            out.append(build_item(db, rule, pin, opts=opts, judged=judged[base]))
            continue
        if pin.page == "compare":
            out.append(build_item(db, rule, pin, opts=opts))
            continue
        key = pin.page + pin.view_json()
        if key not in figures:
            options = {**views.DEFAULT_OPTIONS[pin.page], **pin.options}
            figures[key] = views.page_figures(pin.page, db, pin.filters, rule, **options)
        out.append(build_item(db, rule, pin, figures[key], opts))
    return out


def _own_context(figure: go.Figure | None, contexts: list[ChartContext]) -> ChartContext | None:
    """The context this figure was drawn with: a page builds all its charts, each with its
    own n, so the one whose n the figure's footer says (else the last one built)."""
    if figure is not None:
        parts = [a.text or "" for a in figure.layout.annotations]
        said = " ".join([*parts, figure.layout.title.text or ""]).replace("<br>", " ")
        said = " ".join(said.split())
        for ctx in contexts:
            if ctx.n_text and " ".join(plotly_text(ctx.n_text).split()) in said:
                return ctx
    return contexts[-1] if contexts else None


def build_item(
    db: Store,
    rule: PrivacyRule,
    pin: Pin,
    figs: views.Figures | None = None,
    opts: metrics.FilterOptions | None = None,
    judged: list[Claim] | None = None,
) -> ReportItem:
    """A pinned chart rebuilt from the current data under the pin's view (`judged`: the
    claims already judged under its base view, for a claim or the guide)."""
    if pin.page == "claims":
        return build_claim_item(db, rule, pin, judged, opts)
    if pin.page in ("compare", "guide"):
        from analysis.report import compare_items  # it builds on this module's items

        if pin.page == "compare":
            return compare_items.build_compare_item(db, rule, pin, opts)
        return compare_items.build_guide_item(db, rule, pin, judged, opts)
    options = {**views.DEFAULT_OPTIONS[pin.page], **pin.options}
    if figs is None:
        figs = views.page_figures(pin.page, db, pin.filters, rule, **options)
    opts = opts or metrics.filter_options(db)
    subject = views.drill_subject(pin.filters, opts.cohorts)
    contexts: list[ChartContext] = []

    def context(n_text: str) -> ChartContext:
        contexts.append(chart_context(db, pin.filters, rule, n_text, opts))
        return contexts[-1]

    chart = views.page_charts(pin.page, figs, context, rule, subject=subject, **options)[pin.chart]
    title = pin.title or chart.title
    ctx = _own_context(chart.figure, contexts) or chart_context(db, pin.filters, rule, "", opts)
    footer = tuple(line for line in ctx.footer_lines(10_000) if line)  # the slide wraps it
    spec = TABLES[(pin.page, pin.chart)]
    table = chart_table(figs[spec.frame], spec, rule)
    figure = chart.figure
    if figure is not None and pin.title:
        figure = retitled(figure, pin.title)
    return ReportItem(
        title=title,
        subject=chart.subject,
        footer=footer,
        table=table,
        notes=_notes(title, table, footer, rule),
        figure=figure,
        empty=chart.empty,
        rows_total=len(table),
        pin_id=pin.pin_id,
    )


def claims_table(judged: list[Claim]) -> pd.DataFrame:
    """The claims and their verdicts, one row each."""
    return pd.DataFrame(
        [(c.claim, c.title, VERDICT_WORDS.get(c.verdict, c.verdict)) for c in judged],
        columns=["#", "Claim", "Verdict"],
    )


def summary(
    db: Store,
    rule: PrivacyRule,
    items: list[ReportItem],
    filters: Filters | None = None,
    judged: list[Claim] | None = None,
) -> Summary:
    """The findings in words (three to five) and the claims judged under the filters (or
    `judged`, the claims already judged there, as the app caches them)."""
    judged = judged if judged is not None else claims(db, rule, base_view(filters or Filters()))
    findings: list[str] = []
    # the charts' findings; a claim's is its row in the verdicts table beside them
    for item in items:
        if item.subject.startswith("claim-"):
            continue
        if item.figure is not None and item.title not in findings:
            findings.append(item.title)
        if len(findings) == 4:
            break
    if len(findings) < 2:
        for page, chart in (("overview", "overview"), ("application", "waves")):
            extra = build_item(db, rule, Pin(page, chart, filters or Filters()))
            if extra.figure is not None and extra.title not in findings:
                findings.append(extra.title)
    counts = {v: sum(c.verdict == v for c in judged) for v in VERDICT_WORDS}
    findings.append(
        f"Of the {len(judged)} claims tested on this data: {counts['supported']} supported, "
        f"{counts['not_supported']} not supported, {counts['reversed']} reversed, "
        f"{counts['not_enough_data']} without enough data."
    )
    ctx = chart_context(db, filters or Filters(), rule, "")
    return Summary(
        title="Learning formats: what our data says",
        subtitle=f"Cohorts starting {ctx.period} · {ctx.filters_text}",
        findings=tuple(findings[:5]),
        claims=tuple(judged),
        footer=(
            f"{rule.footer} · Data as of {ctx.data_as_of} (dataset v{ctx.dataset_version})"
            + (" · DEMO DATA: a generated example, not your organisation" if ctx.is_demo else "")
        ),
    )
