"""Ready texts for the pages: KPI cards, captions and tables, worded once (analysis owns words).

Pages only lay these out; they hold no pandas and no formatting of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.domain import FORMATS, VARIANT_LABELS, WAVE_LABELS, format_label
from analysis.privacy import NO_DATA, SHOWN, VISIBLE, PrivacyRule, status_text
from analysis.words import MISSING, count, interval, of, pct


@dataclass(frozen=True)
class Metric:
    """One KPI: its label, its value in words, and the line under it (n, interval, caveats)."""

    label: str
    value: str
    caption: str


@dataclass(frozen=True)
class Card:
    """One format's KPI card."""

    title: str
    metrics: list[Metric] = field(default_factory=list)


def _rate_metric(row: pd.Series, label: str, prefix: str, k: str, n: str, noun: str) -> Metric:
    """An operational rate: value, 'k of n noun · 95% CI', or why there is none."""
    if not row[n]:
        return Metric(label, MISSING, "no one enrolled under these filters")
    ci = interval(row[f"{prefix}_low"], row[f"{prefix}_high"])
    caption = f"{of(row[k], row[n], noun)} · {ci}"
    return Metric(label, pct(row[f"{prefix}_rate"]), caption)


APPLIED_30 = "Applied at work (30 days, self-reported)"


def _application_metric(row: pd.Series, rule: PrivacyRule) -> Metric:
    """The survey KPI: shown, partly counted (*), suppressed, or no answers."""
    status = row["status"]
    if status == NO_DATA:
        return Metric(APPLIED_30, MISSING, "no 30-day answers under these filters")
    if status not in VISIBLE:
        return Metric(APPLIED_30, MISSING, status_text(status, rule, bool(row["complementary"])))
    parts = [
        of(row["applied"], row["respondents"], "who answered"),
        interval(row["application_low"], row["application_high"]),
        f"response rate {pct(row['response_rate'])}"
        + (" ⚠ below 60%" if row["low_response"] else ""),
    ]
    if status != SHOWN:
        parts.append(f"\\* {status_text(status, rule)}")
    value = pct(row["application_rate"]) + ("*" if status != SHOWN else "")
    return Metric(APPLIED_30, value, " · ".join(p for p in parts if p))


def overview_cards(df: pd.DataFrame, rule: PrivacyRule) -> list[Card]:
    """One card per format shown: engaged, completed and applied, each with n and interval."""
    return [
        Card(
            format_label(row["format"]),
            [
                _rate_metric(row, "Engaged", "engagement", "engaged", "enrolled", "enrolled"),
                _rate_metric(row, "Completed", "completion", "completed", "enrolled", "enrolled"),
                _application_metric(row, rule),
            ],
        )
        for _, row in df.iterrows()
    ]


def engagement_cards(df: pd.DataFrame) -> list[Card]:
    """One card per format shown: engaged and attended at least once."""
    return [
        Card(
            format_label(row["format"]),
            [
                _rate_metric(row, "Engaged", "engagement", "engaged", "enrolled", "enrolled"),
                _rate_metric(
                    row,
                    "Attended at least once",
                    "participation",
                    "participated",
                    "enrolled",
                    "enrolled",
                ),
            ],
        )
        for _, row in df.iterrows()
    ]


def overview_caption(formats: list[str], rule: PrivacyRule, unmatched: int) -> str:
    """The definitions under the Overview (Markdown; no text from files)."""
    k = rule.min_group_size
    shown = ", ".join(format_label(f) for f in formats)
    text = (
        f"Formats shown: {shown}. "
        "**Engaged** = people who attended at least 75% of their group's scheduled sessions "
        "(for self-paced learning without sessions: active in at least 75% of the planned "
        "weeks), out of everyone enrolled. **Completed** = completed ÷ enrolled. "
        "**Applied at work** = people who agreed or strongly agreed that they used what they "
        "learned in their real work, out of everyone who answered the 30-day survey "
        "(self-reported); response rate = answers ÷ people enrolled in the cohorts surveyed at "
        f"30 days, flagged ⚠ under 60%. Survey figures from fewer than {k} respondents are "
        f"suppressed, and a survey figure counts only whole groups of at least {k} answers, so "
        "narrow filters can leave some answers out (marked \\*). "
    )
    if unmatched:
        text += (
            f"{count(unmatched)} of all 30-day answers could not be matched to a person: they "
            "count here but not in per-person analyses. "
        )
    return text + (
        "Bars show 95% Wilson intervals. Differences between formats describe who took part; "
        "people chose or were placed in formats, so they are not proof of cause."
    )


def _status_words(row: pd.Series, rule: PrivacyRule) -> str:
    if row["status"] == SHOWN:
        return "shown"
    return status_text(row["status"], rule, bool(row.get("complementary", False)))


def response_rate_table(df: pd.DataFrame, by: str, rule: PrivacyRule) -> pd.DataFrame:
    """Per wave (or variant): answers, applied and response rate, in words."""
    label = {
        "wave": lambda r: WAVE_LABELS.get(r["wave"], r["wave"]),
        "variant": lambda r: VARIANT_LABELS.get(r["variant"], r["variant"]),
    }[by]
    rows = []
    for _, r in df.iterrows():
        visible = r["status"] in VISIBLE
        rows.append(
            {
                "Wave" if by == "wave" else "Variant": label(r),
                "Format": format_label(r["format"]),
                "Answers": count(r["n"]) + ("*" if r["status"] not in (SHOWN,) and visible else "")
                if visible
                else MISSING,
                "Applied": pct(r["application_rate"]) if visible else MISSING,
                "Response rate": pct(r["response_rate"]) if visible else MISSING,
                "Note": "" if r["status"] == SHOWN else _status_words(r, rule),
            }
        )
    return pd.DataFrame(rows)


def comparison_lines(cmp: pd.DataFrame) -> list[str]:
    """Each pair of formats in words, e.g. 'Small groups: 31 points higher than everyone at
    once (25 to 36); very unlikely to be chance'."""
    return cmp["in_words"].tolist()


def comparison_details(cmp: pd.DataFrame) -> pd.DataFrame:
    """The statistics behind the words, one click away."""
    return pd.DataFrame(
        {
            "Comparison": cmp["comparison"],
            "Difference (points)": cmp["difference_pts"].round(1),
            "95% CI low": cmp["low_pts"].round(1),
            "95% CI high": cmp["high_pts"].round(1),
            "p (Holm)": cmp["p_holm"].map(lambda p: f"{p:.4f}" if p >= 0.0001 else "< 0.0001"),
            "Cohen's h": cmp["cohens_h"].round(2),
            "Test": cmp["test"],
        }
    )


def group_level_table(groups: pd.DataFrame, rule: PrivacyRule) -> pd.DataFrame:
    """Each learning group counted once: the mean of the groups' own rates, in words."""
    rows = []
    for _, r in groups.iterrows():
        visible = r["status"] in VISIBLE
        enough = visible and pd.notna(r["mean_group_rate"])
        if not visible:
            note = _status_words(r, rule) if r["status"] != NO_DATA else "no answers"
        elif not enough:
            note = "fewer than 3 learning groups: not shown"
        else:
            note = "" if r["status"] == SHOWN else _status_words(r, rule)
        rows.append(
            {
                "Format": format_label(r["format"]),
                "Learning groups": count(r["groups"]) if enough else MISSING,
                "Answers": count(r["n"]) if visible else MISSING,
                "Mean of the groups' rates": pct(r["mean_group_rate"]) if enough else MISSING,
                "95% interval": f"{pct(r['low'])}–{pct(r['high'])}" if enough else MISSING,
                "Note": note,
            }
        )
    return pd.DataFrame(rows)


def formats_in_order(formats: tuple[str, ...]) -> list[str]:
    """The formats a view shows, in the fixed order."""
    return [f for f in FORMATS if not formats or f in formats]


NO_COHORTS = "No cohorts match these filters. Widen the months or clear a filter in the sidebar."
NO_ANSWERS = "No follow-up answers match these filters."


def overview(figs: dict[str, pd.DataFrame], rule: PrivacyRule, formats: tuple[str, ...]) -> dict:
    """The Overview's texts: the empty state (or None), the KPI cards and the caption."""
    df = figs["overview"]
    return {
        "empty": NO_COHORTS if not int(df["enrolled"].sum()) else None,
        "cards": overview_cards(df, rule),
        "caption": overview_caption(
            formats_in_order(formats), rule, int(figs["unmatched"]["n"].iloc[0])
        ),
    }


def engagement(figs: dict[str, pd.DataFrame]) -> dict:
    """The Engagement page's texts: the empty state (or None) and the KPI cards."""
    df = figs["by_format"]
    return {
        "empty": NO_COHORTS if not int(df["enrolled"].sum()) else None,
        "cards": engagement_cards(df),
    }


def application(figs: dict[str, pd.DataFrame], rule: PrivacyRule) -> dict:
    """The Application page's texts: the empty state (or None) and its tables in words."""
    waves, variants = figs["by_wave"], figs["by_variant"]
    cmp = figs["comparisons"]
    return {
        "empty": NO_ANSWERS if waves.empty or not waves["status"].ne(NO_DATA).any() else None,
        "rates_by_wave": response_rate_table(waves, "wave", rule) if len(waves) else None,
        "rates_by_variant": (
            response_rate_table(variants, "variant", rule) if len(variants) else None
        ),
        "comparisons": comparison_lines(cmp) if len(cmp) else None,
        "comparison_details": comparison_details(cmp) if len(cmp) else None,
        "group_level": group_level_table(figs["group_level"], rule),
    }
