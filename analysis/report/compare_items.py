"""Report items from the comparison pages: a Compare chart (the two arms, or the same inside
each department) and the Format guide's recommendation with its lead claim's chart.

Both are rebuilt from the current data under the pin's base view, through the same functions
the pages use, so the privacy step is the pages': a hidden figure is written in words.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analysis import metrics
from analysis.charts import ChartContext
from analysis.compare.charts import compare_charts
from analysis.compare.claims import CAUSE, Claim, claims
from analysis.compare.claims_page import _plain
from analysis.compare.guide import DEFAULTS, Plan, plan, recommend
from analysis.compare.guide import costs as guide_costs
from analysis.compare.page import base_view, compare_texts, comparisons
from analysis.domain import GOALS, VARIANT_FORMAT, VARIANT_LABELS, format_label
from analysis.privacy import PrivacyRule
from analysis.report.items import ReportItem, build_claim_item, chart_context, retitled
from analysis.report.pins import Pin
from analysis.store import Store


def _arms_table(lines: list[str], stats: pd.DataFrame) -> pd.DataFrame:
    """The two arms' figures in words, then the statistics behind the difference."""
    rows = []
    for line in lines:
        name, _, said = _plain(line).partition(": ")
        rows.append((name, said))
    rows += [(str(k), str(v)) for k, v in stats.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["Figure", "Value"])


def build_compare_item(
    db: Store, rule: PrivacyRule, pin: Pin, opts: metrics.FilterOptions | None = None
) -> ReportItem:
    """A Compare chart rebuilt: the pin's two arms on its metric and wave, under its base view."""
    o = pin.options
    base = base_view(pin.filters)
    found = comparisons(db, o["a"], o["b"], o["metric"], o["wave"], rule, base, o["shown"] == "all")
    contexts: list[ChartContext] = []

    def context(n_text: str) -> ChartContext:
        contexts.append(chart_context(db, base, rule, n_text, opts))
        return contexts[-1]

    if found.error:  # an arm that no longer exists in the data (a program removed)
        ctx = chart_context(db, base, rule, "", opts)
        footer = tuple(line for line in ctx.footer_lines(10_000) if line)
        title = pin.title or f"{o['a']} vs {o['b']}"
        table = pd.DataFrame({"Figures": [found.error]})
        return ReportItem(
            title, "compare", footer, table, found.error, empty=found.error, pin_id=pin.pin_id
        )
    result = found.results[0]
    texts = compare_texts(found.results, rule)
    chart = compare_charts(result, context, rule)[pin.chart]
    ctx = contexts[-1] if contexts else chart_context(db, base, rule, "", opts)
    footer = tuple(line for line in ctx.footer_lines(10_000) if line)
    title = pin.title or chart.title
    if pin.chart == "arms":
        table = _arms_table(texts.arms, texts.statistics)
        said = [texts.leads, texts.holm, texts.cluster, texts.adjusted]
    else:
        table = texts.departments
        said = [texts.simpson, texts.exceptions]
    if table.empty:
        table = pd.DataFrame({"Figures": ["not enough data"]})
    figure = chart.figure
    if figure is not None and pin.title:
        figure = retitled(figure, pin.title)
    lines = [title, ""]
    lines += [f"- {_plain(' · '.join(str(v) for v in row))}" for row in table.values.tolist()]
    lines += ["", *(_plain(s) for s in said if s), f"Caveats: {CAUSE}"]
    lines += [f"Suppressed figures: {rule.footer}.", "Context: " + " · ".join(footer)]
    return ReportItem(
        title=title,
        subject=chart.subject,
        footer=footer,
        table=table,
        notes="\n".join(lines),
        figure=figure,
        empty=chart.empty,
        rows_total=len(table),
        pin_id=pin.pin_id,
    )


def guide_plan(options: dict[str, str]) -> Plan:
    """The guide's plan for these options: the variant and the claims behind it (the first
    one's chart stands behind the recommendation)."""
    o = {**DEFAULTS, **options}
    return plan(o["goal"], o["size"], o["ready"], o["who"])


def build_guide_item(
    db: Store,
    rule: PrivacyRule,
    pin: Pin,
    judged: list[Claim] | None = None,
    opts: metrics.FilterOptions | None = None,
) -> ReportItem:
    """The guide's recommendation for the pin's goal and audience: the lead claim's chart, the
    evidence table, and the reasons, sureness and next step in the notes."""
    o = {**DEFAULTS, **pin.options}
    base = base_view(pin.filters)
    judged = judged if judged is not None else claims(db, rule, base)
    advice = recommend(
        o["goal"], o["size"], o["ready"], o["who"], judged, guide_costs(db, rule, base)
    )
    chosen = guide_plan(o)
    number = chosen.claims[0]
    claim = build_claim_item(db, rule, Pin("claims", f"claim_{number}", base), judged, opts)
    variant = VARIANT_LABELS[chosen.variant].lower()
    fmt = format_label(VARIANT_FORMAT[chosen.variant]).lower()
    title = pin.title or f"Recommended for {GOALS[o['goal']].lower()}: {variant} ({fmt})"
    figure = claim.figure
    if figure is not None and pin.title:
        figure = retitled(figure, pin.title)
    lines = [
        title,
        "",
        _plain(advice.why + (f" {advice.then}" if advice.then else "")),
        f"How sure: {advice.sureness}. {_plain(advice.sureness_words)}",
    ]
    if advice.next_step:
        lines.append(f"What to run next: {_plain(advice.next_step)}")
    if advice.cost:
        lines.append(f"Cost per person who applied: {_plain(advice.cost)}")
    lines += ["", "Evidence:"]
    lines += [f"- {' · '.join(_plain(str(v)) for v in row)}" for row in advice.evidence.values]
    lines += ["", f"Chart: claim {number}, the claim the recommendation rests on first."]
    lines += [f"Caveats: {CAUSE}", "Context: " + " · ".join(claim.footer)]
    table = advice.evidence if len(advice.evidence) else pd.DataFrame({"Evidence": ["none"]})
    return replace(
        claim,
        title=title,
        subject=f"guide-{o['goal']}",
        table=table.map(lambda v: _plain(str(v))),
        notes="\n".join(lines),
        figure=figure,
        rows_total=len(table),
        pin_id=pin.pin_id,
    )
