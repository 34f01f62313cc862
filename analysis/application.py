"""Application to real work: per wave, readiness, segments, Likert items, format comparisons.

Every figure here is built from survey answers, so every frame comes out of the privacy step
(`analysis.privacy.step.survey_figure`): sums over whole privacy cells, with a `status`
('shown', 'partial', 'suppressed', 'no data'). Rates and intervals are computed from those sums.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats as sps

from analysis import words
from analysis.domain import (
    FORMATS,
    READINESS_OPTIONS,
    SEGMENT_LEVELS,
    SEGMENTS,
    VARIANT_LABELS,
    VARIANTS,
    format_label,
)
from analysis.privacy import VISIBLE, PrivacyRule, measures
from analysis.privacy.step import counted_detail, survey_figure, visible
from analysis.queries import Filters
from analysis.stats import add_rate_columns, compare_proportions, holm
from analysis.store import Store

FOLLOW_UP_WAVES: tuple[str, ...] = ("post", "d30", "d60", "d90")
MIN_GROUPS = 3  # a mean and spread of fewer group rates would give each group's rate away
AGREE_VALUES = range(1, 6)
READINESS_VALUES = range(1, 7)


def _formats(filters: Filters) -> list[str]:
    return list(filters.shown_formats())


def _order(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Sort by wave, format and variant in the domain's order."""
    ranks = {
        "wave": {w: i for i, w in enumerate(FOLLOW_UP_WAVES)},
        "format": {f: i for i, f in enumerate(FORMATS)},
        "variant": {v: i for i, v in enumerate(VARIANTS)},
    }
    keys = [c for c in cols if c in ranks]
    return df.sort_values(keys, key=lambda s: s.map(ranks[s.name])).reset_index(drop=True)


def _application_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Application rate with its Wilson interval, and the response rate, on visible rows."""
    df = add_rate_columns(df, "applied", "respondents", "application")
    if "enrolled" in df:
        rate = df["respondents"] / df["enrolled"].where(df["enrolled"] > 0)
        df["response_rate"] = rate.where(visible(df))
    return df


def application_by_wave(
    db: Store, filters: Filters, rule: PrivacyRule, by: str = "format"
) -> pd.DataFrame:
    """Application and response rate per wave and format (or variant), with intervals."""
    keys = ["format", "variant"] if by == "variant" else ["format"]
    frames = []
    for wave in FOLLOW_UP_WAVES:
        fig = survey_figure(measures.application(db, wave, rule), filters, keys, rule)
        frames.append(fig.assign(wave=wave))
    df = pd.concat(frames, ignore_index=True)
    df = df[df["format"].isin(_formats(filters))]
    if df.empty:
        return df
    return _order(_application_rates(df), ["wave", *keys])


def application_by_variant_at(
    db: Store, filters: Filters, rule: PrivacyRule, wave: str = "d30"
) -> pd.DataFrame:
    """One wave's application per variant (each in its format's colour), for the variant view."""
    df = survey_figure(measures.application(db, wave, rule), filters, ["format", "variant"], rule)
    df = df[df["format"].isin(_formats(filters))]
    df = _order(_application_rates(df), ["format", "variant"])
    return df.assign(wave=wave, level=df["variant"].map(lambda v: VARIANT_LABELS.get(v, v)))


def application_by_segment(
    db: Store, filters: Filters, rule: PrivacyRule, segment: str, wave: str = "d30"
) -> pd.DataFrame:
    """Application per format and segment level (relevance, group size, closeness, leadership)."""
    if segment not in SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}")
    cells = measures.application(db, wave, rule)
    df = survey_figure(cells, filters, ["format"], rule, level=segment)
    levels = SEGMENT_LEVELS[segment]
    df = df[df["format"].isin(_formats(filters)) & df[segment].isin(levels)]
    df = df.rename(columns={segment: "level"})
    df = _order(df, ["format"])
    df = df.sort_values("level", key=lambda s: s.map(levels.index), kind="stable")
    return add_rate_columns(df.reset_index(drop=True), "applied", "respondents", "application")


def readiness(db: Store, filters: Filters, rule: PrivacyRule, wave: str = "d30") -> pd.DataFrame:
    """Readiness distribution per format: one row per format and option, share of respondents."""
    ids = tuple(measures.items(db, wave).query("role == 'readiness'")["item_id"])
    if not ids:
        return pd.DataFrame()
    cells = measures.answers(db, wave, ids, rule, READINESS_VALUES)
    fig = survey_figure(cells, filters, ["format"], rule)
    fig = fig[fig["format"].isin(_formats(filters))]
    rows = []
    for _, r in _order(fig, ["format"]).iterrows():
        for option in READINESS_VALUES:
            count = r[f"v{option}"]
            rows.append(
                {
                    "format": r["format"],
                    "option": option,
                    "option_label": READINESS_OPTIONS[option - 1],
                    "respondents": count,
                    "total": r["answers"],
                    "share": count / r["answers"] if r["answers"] > 0 else np.nan,
                    "n": r["n"],
                    "status": r["status"],
                    "complementary": r["complementary"],
                    "coverage": r["coverage"],
                }
            )
    return pd.DataFrame(rows)


def likert_items(
    db: Store, filters: Filters, rule: PrivacyRule, wave: str = "post"
) -> pd.DataFrame:
    """Per agreement item (one row each, even when texts repeat): shares of 1–5, net agreement."""
    catalogue = measures.items(db, wave).query("scale == 'agree5'")
    rows = []
    for _, item in catalogue.iterrows():
        cells = measures.answers(db, wave, (item["item_id"],), rule, AGREE_VALUES)
        fig = survey_figure(cells, filters, [], rule)  # over the formats selected
        rows.append(fig.assign(item_id=item["item_id"], item_text=item["text"], role=item["role"]))
    if not rows:
        return pd.DataFrame()
    out = pd.concat(rows, ignore_index=True)
    for v in AGREE_VALUES:
        out[f"share_{v}"] = out[f"v{v}"] / out["answers"].where(out["answers"] > 0)
    out["net_agreement"] = out["share_4"] + out["share_5"] - out["share_1"] - out["share_2"]
    return out.sort_values("net_agreement", ascending=True, na_position="first").reset_index(
        drop=True
    )


def item_format_differences(
    db: Store, filters: Filters, rule: PrivacyRule, wave: str = "post"
) -> pd.DataFrame:
    """Positive share per item and format minus the item's share over the formats shown (points).

    Whole points only: the difference carries no more precision than the shares beside it.
    """
    catalogue = measures.items(db, wave).query("scale == 'agree5'")
    frames = []
    for _, item in catalogue.iterrows():
        cells = measures.answers(db, wave, (item["item_id"],), rule, AGREE_VALUES)
        fig = survey_figure(cells, filters, ["format"], rule)
        fig = _order(fig[fig["format"].isin(_formats(filters))], ["format"])
        shown = fig[visible(fig)]
        positive = fig["v4"] + fig["v5"]
        overall = (shown["v4"] + shown["v5"]).sum() / shown["answers"].sum() if len(shown) else 0
        fig["positive"] = positive
        fig["share"] = positive / fig["answers"].where(fig["answers"] > 0)
        fig["overall_share"] = overall if len(shown) else np.nan
        fig["difference"] = (fig["share"] * 100).round() - round(overall * 100)
        frames.append(fig.assign(item_id=item["item_id"], item_text=item["text"]))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def format_comparisons(
    db: Store,
    filters: Filters,
    rule: PrivacyRule,
    wave: str = "d30",
    by_wave: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every pair of formats: difference in points with its interval, Holm-adjusted p, Cohen's h.

    Compared from `application_by_wave`'s figures (pass them in when already computed).
    """
    if by_wave is None:
        by_wave = application_by_wave(db, filters, rule)
    if by_wave.empty:
        return pd.DataFrame()
    df = by_wave[(by_wave["wave"] == wave) & visible(by_wave)].set_index("format")
    rows = []
    for a, b in combinations([f for f in FORMATS if f in df.index], 2):
        if df.at[b, "application_rate"] > df.at[a, "application_rate"]:
            a, b = b, a  # the words say which is higher
        ra, rb = df.loc[a], df.loc[b]
        c = compare_proportions(
            int(ra["applied"]), int(ra["respondents"]), int(rb["applied"]), int(rb["respondents"])
        )
        rows.append(
            {
                "comparison": f"{format_label(a)} vs {format_label(b)}",
                "format_a": a,
                "format_b": b,
                "difference_pts": c.diff * 100,
                "low_pts": c.diff_low * 100,
                "high_pts": c.diff_high * 100,
                "p_value": c.p_value,
                "test": c.test,
                "cohens_h": c.cohens_h,
                "enough_data": c.enough_data,
                "coverage": ra["coverage"] | rb["coverage"],
            }
        )
    out = pd.DataFrame(rows)
    if not out.empty:
        out["p_holm"] = holm(out["p_value"].tolist())
        out["verdict"] = out.apply(_verdict, axis=1)
        out["in_words"] = [
            words.difference(
                r["format_a"],
                r["format_b"],
                r["difference_pts"],
                r["low_pts"],
                r["high_pts"],
                r["p_holm"],
                r["enough_data"],
            )
            for _, r in out.iterrows()
        ]
    return out


def _verdict(row: pd.Series) -> str:
    if not row["enough_data"]:
        return "not enough data"
    return words.chance(row["p_holm"])


def group_level(db: Store, filters: Filters, rule: PrivacyRule, wave: str = "d30") -> pd.DataFrame:
    """Each learning group counted once: mean of group application rates per format, t interval.

    Counted over the same privacy cells as the per-format figure, and only across at least
    MIN_GROUPS groups: no single group's figures leave this function.
    """
    cells = measures.application(db, wave, rule)
    fig = survey_figure(cells, filters, ["format"], rule)
    fig = _order(fig[fig["format"].isin(_formats(filters))], ["format"])
    rows = counted_detail(cells, filters)
    rows = rows[rows["group_id"] != ""]
    per_group = rows.groupby(["format", "group_id"])[["respondents", "applied"]].sum()
    per_group = per_group[per_group["respondents"] > 0]
    rates_by_format = per_group["applied"] / per_group["respondents"]
    out = []
    for _, r in fig.iterrows():
        shown = r["status"] in VISIBLE and r["format"] in rates_by_format.index
        rates = rates_by_format.loc[r["format"]] if shown else pd.Series(dtype=float)
        k = len(rates)
        enough = k >= MIN_GROUPS
        mean = float(rates.mean()) if enough else np.nan
        half = float(sps.t.ppf(0.975, k - 1) * rates.std(ddof=1) / np.sqrt(k)) if enough else np.nan
        out.append(
            {
                "format": r["format"],
                "groups": k if enough else np.nan,
                "respondents": r["n"],
                "mean_group_rate": mean,
                "low": mean - half,
                "high": mean + half,
                "status": r["status"],
                "complementary": r["complementary"],
                "n": r["n"],
                "coverage": r["coverage"],
            }
        )
    return pd.DataFrame(out, columns=GROUP_LEVEL_COLUMNS)


GROUP_LEVEL_COLUMNS = [
    "format",
    "groups",
    "respondents",
    "mean_group_rate",
    "low",
    "high",
    "status",
    "complementary",
    "n",
    "coverage",
]


def wave_headline(df: pd.DataFrame, subject: str | None = None) -> str:
    """The finding across waves: which format applied more at the latest wave, if beyond noise.

    With one format shown, its own decay in words, named `subject` when given (a drilled
    variant or cohort) or else by its format.
    """
    shown = df[visible(df)] if len(df) else df
    if len(shown) and shown["format"].nunique() == 1:
        own = shown.set_index("wave")["application_rate"]
        fmt = subject or format_label(shown["format"].iloc[0])
        waves = [w for w in FOLLOW_UP_WAVES if w in own.index]
        first, last = waves[0], waves[-1]
        if first == last:
            return f"{fmt}: {words.pct(own[first])} applied what they learned {WAVE_WORDS[first]}"
        return (
            f"{fmt}: {words.pct(own[first])} applied what they learned {WAVE_WORDS[first]}, "
            f"{words.pct(own[last])} {WAVE_WORDS[last]}"
        )
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
    if len(df) and (df["status"] == "suppressed").any():
        return "Application by wave: suppressed under these filters"
    return "Application by wave: no answers under these filters"


WAVE_WORDS = {
    "post": "right after",
    "d30": "30 days later",
    "d60": "60 days later",
    "d90": "90 days later",
}


FORMAT_PEOPLE = {
    "everyone_at_once": "people trained all at once",
    "self_directed": "self-directed learners",
    "small_group": "people who learned in small groups",
}


def readiness_headline(df: pd.DataFrame) -> str:
    """Which format's respondents most often say their role does not let them use it."""
    if df.empty:
        return "Readiness to use what was learned"
    barrier = df[(df["option"] == 1) & visible(df)]
    if barrier.empty:
        return "Readiness to use what was learned"
    top = barrier.sort_values("share", ascending=False).iloc[0]
    who = FORMAT_PEOPLE.get(top["format"], format_label(top["format"]).lower())
    return (
        f"{words.pct(top['share'])} of {who} say their role doesn't let them use what they learned"
    )


def likert_headline(df: pd.DataFrame) -> str:
    """The item people agree with most (net agreement = agree − disagree shares)."""
    shown = df[visible(df)].dropna(subset=["net_agreement"]) if len(df) else df
    if shown.empty:
        return "Agreement by item: not enough answers"
    top = shown.iloc[-1]
    return f"Most agreed: “{_brief(top['item_text'])}” (net {top['net_agreement'] * 100:+.0f})"


def _brief(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


# How a person names the two levels a segment headline compares.
SEGMENT_WORDS: dict[str, tuple[str, str]] = {
    "relevance": ("People whose work needs it", "the rest"),
    "group_size": ("Groups of 2–3", "groups of 4–6"),
    "closeness": ("Close colleagues", "mixed groups"),
    "leadership": ("Leaders", "individual contributors"),
}


def segment_headline(df: pd.DataFrame, segment: str) -> str:
    """Does the segment matter within each format shown? Counted only where the interval
    excludes 0, and 'in every format' only when more than one format is compared."""
    shown = df[visible(df)] if len(df) else df
    first, second = SEGMENT_LEVELS[segment][:2]
    a, b = SEGMENT_WORDS[segment]
    up, down, same = [], [], []
    for fmt, g in shown.groupby("format", sort=False):
        g = g.set_index("level")
        if first not in g.index or second not in g.index:
            continue
        x, y = g.loc[first], g.loc[second]
        c = compare_proportions(
            int(x["applied"]), int(x["respondents"]), int(y["applied"]), int(y["respondents"])
        )
        if not c.enough_data:
            continue
        (up if c.diff_low > 0 else down if c.diff_high < 0 else same).append(format_label(fmt))
    compared = up + down + same
    if not compared:
        return f"{SEGMENTS[segment]}: not enough answers to compare {a.lower()} with {b}"

    def where(names: list[str]) -> str:
        if len(compared) > 1 and len(names) == len(compared):
            return "in every format"
        return "in " + words.formats_list(names)

    if len(up) == len(compared):
        return f"{a} applied more than {b} {where(up)}"
    if len(down) == len(compared):
        return f"{b[0].upper() + b[1:]} applied more than {a.lower()} {where(down)}"
    if len(same) == len(compared):
        return f"{a} and {b}: no clear difference {where(same)}"
    parts = []
    if up:
        parts.append(f"{a} applied more than {b} {where(up)}")
    if down:
        parts.append(f"{b} applied more {where(down)}")
    return "; ".join(parts) + "; no clear difference elsewhere"
