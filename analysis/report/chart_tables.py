"""Each pinned chart's figures as a small table of text: which frame a chart draws, which
columns its table shows, and how each figure is written.

Survey figures appear only where the privacy step shows their row: elsewhere the row's status
words ('suppressed (fewer than 5)') stand in every survey column and the number is never
written.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.domain import WAVE_LABELS, format_label
from analysis.privacy import PARTIAL, VISIBLE, PrivacyRule, status_text


@dataclass(frozen=True)
class Column:
    """One column of a chart's table: the frame's column, its header and how to write it."""

    col: str
    header: str
    kind: str = "text"  # text | count | rate | pts | share
    survey: bool = False  # a survey figure: shown only where the privacy step shows the row
    interval: tuple[str, str] | None = None  # (low, high) columns of a rate


@dataclass(frozen=True)
class TableSpec:
    """Which frame a chart draws, and the columns its table shows."""

    frame: str
    columns: tuple[Column, ...]
    row_survey: str | None = None  # a boolean column marking the rows that are survey figures


def _rate(col: str, header: str, survey: bool = False) -> Column:
    stem = col.removesuffix("_rate")
    return Column(col, header, "rate", survey, (f"{stem}_low", f"{stem}_high"))


FMT = Column("format_label", "Format")
LABEL = Column("label", "Group")
TABLES: dict[tuple[str, str], TableSpec] = {
    ("overview", "overview"): TableSpec(
        "overview",
        (
            FMT,
            Column("enrolled", "Enrolled", "count"),
            _rate("engagement_rate", "Engaged"),
            _rate("completion_rate", "Completed"),
            Column("n", "30-day answers", "count", True),
            _rate("application_rate", "Applied at work (30 days)", True),
            Column("response_rate", "Response rate", "share", True),
        ),
    ),
    ("engagement", "rates"): TableSpec(
        "rates",
        (
            LABEL,
            Column("enrolled", "Enrolled", "count"),
            _rate("engagement_rate", "Engaged"),
            _rate("participation_rate", "Attended at least once"),
        ),
    ),
    ("engagement", "momentum"): TableSpec(
        "momentum",
        (
            LABEL,
            Column("week", "Week", "count"),
            Column("enrolled", "Enrolled", "count"),
            _rate("active_rate", "Active"),
        ),
    ),
    ("engagement", "funnel"): TableSpec(
        "funnel",
        (
            LABEL,
            Column("step_label", "Step"),
            Column("count", "People", "count", True),
            _rate("share_rate", "Of enrolled", True),
        ),
        row_survey="survey",
    ),
    ("engagement", "heatmap"): TableSpec(
        "heatmap",
        (
            Column("cohort_name", "Cohort"),
            Column("week", "Week", "count"),
            _rate("share_rate", "Active"),
        ),
    ),
    ("application", "waves"): TableSpec(
        "by_wave",
        (
            Column("wave_label", "Wave"),
            FMT,
            Column("n", "Answers", "count", True),
            _rate("application_rate", "Applied at work", True),
            Column("response_rate", "Response rate", "share", True),
        ),
    ),
    ("application", "variants"): TableSpec(
        "by_variant",
        (
            Column("level", "Variant"),
            Column("n", "Answers", "count", True),
            _rate("application_rate", "Applied at work", True),
            Column("response_rate", "Response rate", "share", True),
        ),
    ),
    ("application", "readiness"): TableSpec(
        "readiness",
        (
            FMT,
            Column("option_label", "Readiness"),
            Column("share", "Share", "share", True),
            Column("n", "Answers", "count", True),
        ),
    ),
    ("application", "segment"): TableSpec(
        "segment",
        (
            FMT,
            Column("level", "Segment"),
            Column("n", "Answers", "count", True),
            _rate("application_rate", "Applied at work", True),
        ),
    ),
    ("application", "likert"): TableSpec(
        "likert",
        (
            Column("item_text", "Item"),
            Column("n", "Answers", "count", True),
            Column("net_agreement", "Net agreement", "share", True),
        ),
    ),
    ("application", "item_differences"): TableSpec(
        "item_differences",
        (
            Column("item_text", "Item"),
            FMT,
            Column("share", "Agree", "share", True),
            Column("difference", "vs overall (points)", "pts", True),
        ),
    ),
}


def _number(value: object, kind: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    if kind == "count":
        return f"{int(value):,}"
    if kind in ("rate", "share"):
        return f"{float(value) * 100:.0f}%"
    if kind == "pts":
        return f"{float(value):+.0f}"
    return str(value)


def _cell(row: pd.Series, c: Column) -> str:
    text = _number(row.get(c.col), c.kind) if c.kind != "text" else str(row.get(c.col, ""))
    if c.interval and all(k in row.index for k in c.interval):
        lo, hi = (row[k] for k in c.interval)
        if not (pd.isna(lo) or pd.isna(hi)):
            text += f" ({float(lo) * 100:.0f}–{float(hi) * 100:.0f}%)"
    return text


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "format" in out.columns and "format_label" not in out.columns:
        out["format_label"] = out["format"].map(format_label)
    if "wave" in out.columns:
        out["wave_label"] = out["wave"].map(lambda w: WAVE_LABELS.get(w, w))
    if "label" not in out.columns and "format_label" in out.columns:
        out["label"] = out["format_label"]
    return out


def chart_table(frame: pd.DataFrame, spec: TableSpec, rule: PrivacyRule) -> pd.DataFrame:
    """The chart's figures as text; where the privacy step hid a row's survey figures, its
    status words stand in every survey column (the numbers are never written)."""
    frame = _labelled(frame)
    rows = []
    for _, row in frame.iterrows():
        status = row.get("status")
        survey_row = bool(row.get(spec.row_survey, True)) if spec.row_survey else True
        hidden = survey_row and isinstance(status, str) and status not in VISIBLE
        mark = "*" if survey_row and status == PARTIAL else ""
        words = status_text(str(status), rule, bool(row.get("complementary", False)))
        out = []
        for c in spec.columns:
            if c.survey and survey_row and hidden:
                out.append(words)
            elif c.survey and survey_row and c.kind != "text":
                out.append(_cell(row, c) + mark)
            else:
                out.append(_cell(row, c))
        rows.append(out)
    return pd.DataFrame(rows, columns=[c.header for c in spec.columns])
