"""Application to real work: per wave, readiness, segments, Likert items, format comparisons.

Every figure here is built from survey answers, so every frame leaves through the privacy rule.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats as sps

from analysis.domain import FORMATS, READINESS_OPTIONS, VARIANT_LABELS, format_label
from analysis.privacy import SHOWN, PrivacyRule, suppress_small_groups, suppress_table
from analysis.queries import Filters, run_query
from analysis.selection import hide_rows, unsafe_rows
from analysis.stats import add_rate_columns, compare_proportions, holm
from analysis.store import Store

FOLLOW_UP_WAVES: tuple[str, ...] = ("post", "d30", "d60", "d90")
SEGMENTS: dict[str, str] = {
    "relevance": "Relevance to current work",
    "group_size": "Group size",
    "closeness": "Close colleagues or mixed group",
    "leadership": "Leaders or individual contributors",
}
# Levels in reading order; the headline compares the first two. "not a small group" is a
# reference level for group size and meaningless for closeness.
SEGMENT_LEVELS: dict[str, tuple[str, ...]] = {
    "relevance": ("relevant", "not relevant"),
    "group_size": ("2–3", "4–6", "7 or more", "not a small group"),
    "closeness": ("close colleagues", "mixed"),
    "leadership": ("leaders", "individual contributors"),
}
_RATE_COLS = ["applied", "application_rate", "application_low", "application_high"]


def _wave_counts(db: Store, filters: Filters, by: str = "format") -> pd.DataFrame:
    """Raw respondents, applied and surveyed-enrolled per wave and format (or variant)."""
    keys = ["format", "variant"] if by == "variant" else ["format"]
    df = run_query(db, "application_by_wave", filters)
    df = df.groupby(["wave", *keys], as_index=False)[["respondents", "applied", "enrolled"]].sum()
    df["order"] = df["wave"].map(FOLLOW_UP_WAVES.index)
    df = df.sort_values(["order", *keys]).drop(columns="order").reset_index(drop=True)
    return df[df["format"].isin(filters.formats)] if filters.formats else df


def application_by_wave(
    db: Store, filters: Filters, rule: PrivacyRule, by: str = "format"
) -> pd.DataFrame:
    """Application and response rate per wave and format (or variant), intervals, suppression."""
    df = _wave_counts(db, filters, by)
    if df.empty:
        return df
    df = add_rate_columns(df, "applied", "respondents", "application")
    df["response_rate"] = (df["respondents"] / df["enrolled"]).where(df["enrolled"] > 0)
    keys = ["wave", "format", "variant"] if by == "variant" else ["wave", "format"]
    return _protect(
        df,
        lambda f: _wave_counts(db, f, by),
        filters,
        rule,
        keys,
        "respondents",
        [*_RATE_COLS, "response_rate"],
        partition=["wave"],
    )


def application_by_variant_at(
    db: Store, filters: Filters, rule: PrivacyRule, wave: str = "d30"
) -> pd.DataFrame:
    """One wave's application per variant (each in its format's colour), for the variant view."""
    df = application_by_wave(db, filters, rule, by="variant")
    df = df[df["wave"] == wave].copy()
    df["level"] = df["variant"].map(VARIANT_LABELS)
    return df.sort_values(["format", "variant"]).reset_index(drop=True)


def _readiness_counts(db: Store, filters: Filters, wave: str) -> pd.DataFrame:
    df = run_query(db, "readiness_by_format", filters, wave=wave)
    return df.assign(total=df.groupby("format")["respondents"].transform("sum"))


def readiness(db: Store, filters: Filters, rule: PrivacyRule, wave: str = "d30") -> pd.DataFrame:
    """Readiness distribution per format (share of respondents per option); small formats hidden."""
    df = _readiness_counts(db, filters, wave)
    if df.empty:
        return df.assign(share=[])
    df = df.assign(share=df["respondents"] / df["total"])
    df["option_label"] = df["option"].map(lambda o: READINESS_OPTIONS[int(o) - 1])
    df = suppress_small_groups(df, "total", ["respondents", "share"], rule)
    unsafe = unsafe_rows(
        lambda f: _readiness_counts(db, f, wave).drop_duplicates("format"),
        filters,
        rule,
        ["format"],
        "total",
    )
    df = hide_rows(df, unsafe, ["format"], "total", ["respondents", "share"])
    return df.sort_values(["format", "option"]).reset_index(drop=True)


def _segment_counts(db: Store, filters: Filters, segment: str, wave: str) -> pd.DataFrame:
    """Raw respondents and applied per format and level of one segment."""
    df = run_query(db, "application_segments", filters, wave=wave)
    levels = SEGMENT_LEVELS[segment]
    df = df[df[segment].isin(levels)]
    df = df.groupby(["format", segment], as_index=False)[["respondents", "applied"]].sum()
    df = df.rename(columns={segment: "level"})
    df["order"] = df["level"].map(levels.index)
    return df.sort_values(["order", "format"]).drop(columns="order").reset_index(drop=True)


def application_by_segment(
    db: Store, filters: Filters, rule: PrivacyRule, segment: str, wave: str = "d30"
) -> pd.DataFrame:
    """Application per format and segment level (relevance, group size, closeness, leadership)."""
    if segment not in SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}")
    df = _segment_counts(db, filters, segment, wave)
    df = add_rate_columns(df, "applied", "respondents", "application")
    return _protect(
        df,
        lambda f: _segment_counts(db, f, segment, wave),
        filters,
        rule,
        ["format", "level"],
        "respondents",
        _RATE_COLS,
        partition=["format"],
    )


def likert_headline(df: pd.DataFrame) -> str:
    """The item people agree with most (net agreement = agree − disagree shares)."""
    shown = df[df["answers_status"] == SHOWN].dropna(subset=["net_agreement"])
    if shown.empty:
        return "Agreement by item: not enough answers"
    top = shown.iloc[-1]
    return f"Most agreed: “{_brief(top['item_text'])}” (net {top['net_agreement'] * 100:+.0f})"


def _brief(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


def likert_items(
    db: Store, filters: Filters, rule: PrivacyRule, wave: str = "post"
) -> pd.DataFrame:
    """Share of answers per point (1–5) for each agreement item, with net agreement, all formats."""
    df = run_query(db, "likert_by_item", filters, wave=wave)
    if df.empty:
        return df
    wide = (
        df.groupby(["item_id", "item_text", "role", "value"])["answers"]
        .sum()
        .unstack("value", fill_value=0)
        .reindex(columns=[1, 2, 3, 4, 5], fill_value=0)
    )
    n = wide.sum(axis=1)
    shares = wide.div(n, axis=0)
    out = shares.add_prefix("share_").reset_index()
    out["answers"] = n.to_numpy()
    out["net_agreement"] = (shares[4] + shares[5] - shares[1] - shares[2]).to_numpy()
    share_cols = [f"share_{v}" for v in range(1, 6)] + ["net_agreement"]
    out = suppress_small_groups(out, "answers", share_cols, rule)

    def counts(f: Filters) -> pd.DataFrame:
        raw = run_query(db, "likert_by_item", f, wave=wave)
        return raw.groupby("item_id", as_index=False)["answers"].sum()

    unsafe = unsafe_rows(counts, filters, rule, ["item_id"], "answers")
    out = hide_rows(out, unsafe, ["item_id"], "answers", share_cols)
    return out.sort_values("net_agreement", ascending=True, na_position="first")


def item_format_differences(
    db: Store, filters: Filters, rule: PrivacyRule, wave: str = "post"
) -> pd.DataFrame:
    """Positive share per item and format minus the item's overall positive share (points)."""
    df = run_query(db, "likert_by_item", filters, wave=wave)
    if df.empty:
        return df
    df = df.assign(positive=np.where(df["value"] >= 4, df["answers"], 0))
    cell = df.groupby(["item_id", "item_text", "format"], as_index=False)[
        ["answers", "positive"]
    ].sum()
    overall = cell.groupby("item_id")[["answers", "positive"]].sum()
    cell["overall_share"] = cell["item_id"].map(overall["positive"] / overall["answers"])
    cell["share"] = cell["positive"] / cell["answers"]
    cell["difference"] = (cell["share"] - cell["overall_share"]) * 100
    values = ["positive", "share", "difference"]
    cell = suppress_small_groups(cell, "answers", values, rule)

    def counts(f: Filters) -> pd.DataFrame:
        raw = run_query(db, "likert_by_item", f, wave=wave)
        return raw.groupby(["item_id", "format"], as_index=False)["answers"].sum()

    unsafe = unsafe_rows(counts, filters, rule, ["item_id", "format"], "answers")
    return hide_rows(cell, unsafe, ["item_id", "format"], "answers", values)


def format_comparisons(
    db: Store, filters: Filters, rule: PrivacyRule, wave: str = "d30"
) -> pd.DataFrame:
    """Every pair of formats: difference in points with its interval, Holm-adjusted p, Cohen's h."""
    by_wave = application_by_wave(db, filters, rule)
    df = by_wave[(by_wave["wave"] == wave) & (by_wave["respondents_status"] == SHOWN)]
    df = df.set_index("format")
    rows = []
    for a, b in combinations([f for f in FORMATS if f in df.index], 2):
        ra, rb = df.loc[a], df.loc[b]
        c = compare_proportions(
            int(ra["applied"]), int(ra["respondents"]), int(rb["applied"]), int(rb["respondents"])
        )
        rows.append(
            {
                "comparison": f"{format_label(a)} vs {format_label(b)}",
                "difference_pts": c.diff * 100,
                "low_pts": c.diff_low * 100,
                "high_pts": c.diff_high * 100,
                "p_value": c.p_value,
                "test": c.test,
                "cohens_h": c.cohens_h,
                "enough_data": c.enough_data,
            }
        )
    out = pd.DataFrame(rows)
    if not out.empty:
        out["p_holm"] = holm(out["p_value"].tolist())
        out["verdict"] = out.apply(_verdict, axis=1)
    return out


def _protect(df, counts, filters, rule, keys, n_col, value_cols, partition=None) -> pd.DataFrame:
    """Primary and complementary suppression, then the guard against filter differencing."""
    df = suppress_table(df, n_col, value_cols, rule, partition_cols=partition)
    unsafe = unsafe_rows(counts, filters, rule, keys, n_col)
    return hide_rows(df, unsafe, keys, n_col, value_cols)


def _verdict(row: pd.Series) -> str:
    if not row["enough_data"]:
        return "not enough data"
    if row["p_holm"] < 0.05:
        return "difference beyond noise"
    return "no clear difference"


def group_level(db: Store, filters: Filters, rule: PrivacyRule, wave: str = "d30") -> pd.DataFrame:
    """Each learning group counted once: mean of group application rates per format, t interval.

    Only aggregates over many groups are returned; no single group's figures leave this function.
    """
    df = run_query(db, "application_by_group", filters, wave=wave)
    df = df[df["respondents"] > 0]
    rows = []
    for fmt, g in df.groupby("format"):
        rates = (g["applied"] / g["respondents"]).to_numpy(dtype=float)
        k = len(rates)
        mean = float(rates.mean()) if k else float("nan")
        half = float(sps.t.ppf(0.975, k - 1) * rates.std(ddof=1) / np.sqrt(k)) if k > 1 else np.nan
        rows.append(
            {
                "format": fmt,
                "groups": k,
                "respondents": int(g["respondents"].sum()),
                "mean_group_rate": mean,
                "low": mean - half,
                "high": mean + half,
            }
        )
    out = pd.DataFrame(
        rows, columns=["format", "groups", "respondents", "mean_group_rate", "low", "high"]
    )
    out = out[out["format"].isin(filters.formats or FORMATS)]
    values = ["mean_group_rate", "low", "high"]
    out = suppress_small_groups(out, "respondents", values, rule)

    def counts(f: Filters) -> pd.DataFrame:
        raw = run_query(db, "application_by_group", f, wave=wave)
        return raw.groupby("format", as_index=False)["respondents"].sum()

    out = hide_rows(
        out,
        unsafe_rows(counts, filters, rule, ["format"], "respondents"),
        ["format"],
        "respondents",
        values,
    )
    too_few = out["groups"] < 2
    out.loc[too_few, ["mean_group_rate", "low", "high"]] = np.nan
    return out


def wave_headline(df: pd.DataFrame) -> str:
    """The finding across waves: which format applied more at the latest wave, if beyond noise."""
    shown = df[df["respondents_status"] == SHOWN]
    for wave in reversed(FOLLOW_UP_WAVES):
        at = shown[shown["wave"] == wave].sort_values("application_rate", ascending=False)
        if len(at) < 2:
            continue
        best, worst = at.iloc[0], at.iloc[-1]
        c = compare_proportions(
            int(best["applied"]),
            int(best["respondents"]),
            int(worst["applied"]),
            int(worst["respondents"]),
        )
        when = WAVE_WORDS[wave]
        if not c.enough_data:
            return f"Application {when}: not enough answers to compare formats"
        if c.diff_low <= 0:
            return f"Application {when}: no clear difference between formats"
        return (
            f"{format_label(best['format'])} still applied {c.ratio:.1f}× as often as "
            f"{format_label(worst['format']).lower()} {when}"
        )
    return "Application by wave: not enough answers yet"


WAVE_WORDS = {
    "post": "right after",
    "d30": "30 days later",
    "d60": "60 days later",
    "d90": "90 days later",
}


def readiness_headline(df: pd.DataFrame) -> str:
    """Which format's respondents most often say their role does not let them use it."""
    barrier = df[(df["option"] == 1) & (df["total_status"] == SHOWN)]
    if barrier.empty:
        return "Readiness to use what was learned"
    top = barrier.sort_values("share", ascending=False).iloc[0]
    return (
        f"{top['share'] * 100:.0f}% in {format_label(top['format']).lower()} say their "
        "role does not let them use it"
    )


def segment_headline(df: pd.DataFrame, segment: str) -> str:
    """Does the segment matter within every format? Counted only where the interval excludes 0."""
    shown = df[df["respondents_status"] == SHOWN]
    first, second = SEGMENT_LEVELS[segment][:2]
    up = down = formats = 0
    for _, g in shown.groupby("format"):
        g = g.set_index("level")
        if first not in g.index or second not in g.index:
            continue
        formats += 1
        a, b = g.loc[first], g.loc[second]
        c = compare_proportions(
            int(a["applied"]), int(a["respondents"]), int(b["applied"]), int(b["respondents"])
        )
        up += c.diff_low > 0
        down += c.diff_high < 0
    if not formats:
        return f"{SEGMENTS[segment]}: not enough answers to compare"
    if up == formats:
        where = "in every format" if formats > 1 else "in the format shown"
        return f"{first.capitalize()} applied more than {second} {where}"
    if down == formats:
        return f"{second.capitalize()} applied more than {first} in every format"
    return (
        f"{first.capitalize()} vs {second}: a clear difference in {up + down} of {formats} formats"
    )
