"""The Claims page's words: each claim's verdict, its evidence, the figures and chart behind it,
what would settle it and its exceptions, and the verdict rule written once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis import words
from analysis.charts import ChartContext
from analysis.compare.charts import claim_figure
from analysis.compare.claims import Claim
from analysis.compare.core import Result
from analysis.compare.data import MEAN_METRICS
from analysis.compare.page import and_list, arm_line, measure_words
from analysis.privacy import PrivacyRule
from analysis.text import markdown_text
from analysis.views import Chart

VERDICT_WORDS: dict[str, str] = {
    "supported": "Supported",
    "not_supported": "Not supported",
    "reversed": "Reversed here",
    "not_enough_data": "Not enough data",
}
VERDICT_ICONS: dict[str, str] = {
    "supported": ":material/check_circle:",
    "not_supported": ":material/remove_circle:",
    "reversed": ":material/swap_horiz:",
    "not_enough_data": ":material/help:",
}
VERDICT_COLORS: dict[str, str] = {
    "supported": "green",
    "not_supported": "gray",
    "reversed": "red",
    "not_enough_data": "orange",
}
RULE = (
    "**How a verdict is reached.** **Supported** needs three things to agree: the pooled "
    "difference counted cluster-aware (each trio or book club is one unit, so three people in "
    "one group are not three proofs; person-level where no arm holds learning groups), the "
    "estimate adjusted for department and leader/individual contributor (where there are "
    "enough answers to compute it), and the directions inside the departments. All must point "
    "the claimed way, with intervals that exclude zero. **Reversed here** means the pooled and "
    "the adjusted difference both clearly point the other way, or the pooled difference is a "
    "Simpson reversal: it goes the other "
    "way inside most departments with at least 20 on each side, or once adjusted for "
    "department and role. A reversal is never supported. A single department going the other "
    'way does not block a claim: it is named as an exception ("holds everywhere except '
    'Finance"). **Not supported** means the interval includes zero or the checks disagree. '
    "**Not enough data** means an arm is suppressed for privacy, has no answers, has fewer "
    "than 20, or the item the claim needs is in no survey. A claim with several comparisons "
    "takes the weakest of their verdicts: it is supported only when every one supports it, "
    "and reversed when one goes against it across all of them (Holm's correction over the "
    "claim's comparisons, so six chances of a chance result count as one). p-values in the "
    "words are Holm-adjusted across every comparison on this page."
)
CAUSE = (
    "People chose or were placed in formats, so even a supported claim is an association in "
    "your data, not proof that the format caused it."
)


@dataclass(frozen=True)
class ClaimText:
    """One claim as the page shows it."""

    number: int
    title: str
    verdict: str
    verdict_label: str
    icon: str
    color: str
    evidence: list[str]
    settle: str
    exceptions: str
    figures: pd.DataFrame
    chart: Chart | None


def _n_words(r: Result) -> str:
    ns = [d.n for d in (r.data_a, r.data_b)]
    unit = "answers" if r.metric in ("application", "confidence_gain") else "enrolled"
    return " vs ".join(words.count(n) if n is not None else "hidden" for n in ns) + f" {unit}"


def figures_table(results: tuple[Result, ...], rule: PrivacyRule) -> pd.DataFrame:
    """The figures behind a claim: each comparison's arms, difference and checks, in words."""
    rows = []
    for r in results:
        lead = r.lead
        adj = r.adjusted.estimate if r.adjusted else None
        unit = " scale points" if r.metric in MEAN_METRICS else " points"
        rows.append(
            {
                "Measure": measure_words(r.metric, r.wave or "")
                + (f" (week {r.week})" if r.week else ""),
                "First arm": _plain(arm_line(r, "a", rule)),
                "Second arm": _plain(arm_line(r, "b", rule)),
                "Difference": f"{lead.points:+.1f}{unit} ({lead.low:.1f} to {lead.high:.1f}), "
                f"{r.lead_name}"
                if lead is not None
                else _plain(r.reason or "not enough data"),
                "p (Holm)": words.MISSING
                if r.p_holm is None
                else (f"{r.p_holm:.4f}" if r.p_holm >= 0.0001 else "< 0.0001"),
                "Adjusted": f"{adj.points:+.1f} ({adj.low:.1f} to {adj.high:.1f})"
                if adj is not None
                else (r.adjusted.reason if r.adjusted and r.adjusted.reason else words.MISSING),
                "Departments": "Simpson reversal"
                if r.simpson
                else (
                    "goes the other way in " + and_list(r.exceptions) if r.exceptions else "agree"
                ),
                "n": _n_words(r),
            }
        )
    return pd.DataFrame(rows)


def _plain(md: str) -> str:
    """Table cells are plain text: drop the Markdown bold and escapes arm_line adds."""
    out, skip = [], False
    for ch in md.replace("**", ""):
        if ch == "\\" and not skip:
            skip = True
            continue
        skip = False
        out.append(ch)
    return "".join(out)


def chart_rows(results: tuple[Result, ...]) -> pd.DataFrame:
    """Per rate comparison with a leading result: its difference and the adjusted one."""
    rows = []
    for r in results:
        if r.lead is None or r.metric in MEAN_METRICS:
            continue
        adj = r.adjusted.estimate if r.adjusted else None
        label = f"{r.a.label} vs {r.b.label.lower()}"
        if r.metric != "application" or r.wave != "d30":
            label += f" ({measure_words(r.metric, r.wave or '')})"
        rows.append(
            {
                "comparison": label,
                "points": r.lead.points,
                "low": r.lead.low,
                "high": r.lead.high,
                "adj_points": adj.points if adj is not None else None,
                "adj_low": adj.low if adj is not None else None,
                "adj_high": adj.high if adj is not None else None,
            }
        )
    return pd.DataFrame(
        rows, columns=["comparison", "points", "low", "high", "adj_points", "adj_low", "adj_high"]
    )


CLI_WORDS = {
    "compare them with --wave d60/d90 to see if it lasts": "compare them on the Compare page "
    "(60 or 90 days after) to see if it lasts",
}


def for_page(text: str) -> str:
    """The command line's words for what settles a claim, as the page says them."""
    for cli, page in CLI_WORDS.items():
        text = text.replace(cli, page)
    return text


def claim_title(c: Claim) -> str:
    """The chart title: the verdict and the claim in short."""
    return f"Claim {c.claim}: {VERDICT_WORDS[c.verdict].lower()} on your data"


def claim_texts(
    claims: list[Claim], rule: PrivacyRule, context: Callable[[str], ChartContext]
) -> list[ClaimText]:
    """Every claim in words, with its figures and chart."""
    out = []
    for c in claims:
        results = c.results
        rows = chart_rows(results)
        chart = None
        if len(rows):
            n = [x for r in results for x in (r.data_a.n, r.data_b.n) if x is not None]
            ctx = context(f"n = {words.count(sum(n))} (both arms of every comparison)")
            chart = Chart(
                f"claim-{c.claim}", claim_title(c), figure=claim_figure(rows, claim_title(c), ctx)
            )
        exceptions = sorted({d for r in results if not r.simpson for d in r.exceptions})
        out.append(
            ClaimText(
                number=c.claim,
                title=c.title,
                verdict=c.verdict,
                verdict_label=VERDICT_WORDS[c.verdict],
                icon=VERDICT_ICONS[c.verdict],
                color=VERDICT_COLORS[c.verdict],
                evidence=[markdown_text(x) for x in c.evidence.split(" | ") if x],
                settle=markdown_text(for_page(c.settle)),
                exceptions=(
                    f"Holds everywhere except {markdown_text(and_list(exceptions))}."
                    if exceptions and c.verdict == "supported"
                    else ""
                ),
                figures=figures_table(results, rule),
                chart=chart,
            )
        )
    return out


def summary(claims: list[Claim]) -> str:
    """'4 supported, 1 reversed here, …' for the page's opening line."""
    counts = {v: sum(c.verdict == v for c in claims) for v in VERDICT_WORDS}
    parts = [f"{n} {VERDICT_WORDS[v].lower()}" for v, n in counts.items() if n]
    return f"Of the {len(claims)} claims on your data: " + ", ".join(parts) + "."
