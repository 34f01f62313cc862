"""The one privacy step every survey figure passes through: sums over whole privacy cells.

`survey_figure` is the only way a survey-based number (count, rate, share, mean, interval,
difference) reaches a page: it takes a measure's cells (`SurveyCells`), the view's filters and
the figure's keys, and returns per key the sums of the cells the view covers wholly, with a
status. Rates, intervals and differences are computed from those sums afterwards, so they
carry nothing a sum over whole cells does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from analysis.privacy.cells import LevelSplit, Tree, build_tree, counted_cells, split_levels
from analysis.privacy.rule import NO_DATA, PARTIAL, SHOWN, SUPPRESSED, VISIBLE, PrivacyRule
from analysis.queries import Filters

UNMATCHED = "#unmatched"  # department key: the answer could not be matched to a person
NO_DEPARTMENT = "#none"  # department key: a person with no department on record
DEPT_PREFIX = "d:"  # department key of a real department: the prefix and its name
CELL_KEYS = ("cohort", "department")  # one base cell per cohort and department key
SEP = "\x1f"


@dataclass(frozen=True)
class SurveyCells:
    """One measure's answers (one wave of application answers, one item…) in privacy cells."""

    name: str  # the measure, e.g. 'application:d30' or 'answers:post:app_used'
    base: pd.DataFrame  # one row per base cell: the tree's dimensions, `piece`, and the sums
    detail: pd.DataFrame  # finer rows: `cell` (base row), group and level columns, the sums
    tree: Tree
    size_col: str
    levels: Mapping[str, LevelSplit] = field(default_factory=dict)


def make_cells(
    name: str,
    detail: pd.DataFrame,
    cohorts: pd.DataFrame,
    size_col: str,
    sums: Sequence[str],
    rule: PrivacyRule,
    *,
    level_cols: Sequence[str] = (),
    enrolled: pd.DataFrame | None = None,
) -> SurveyCells:
    """Build a measure's cells from its finest rows (cohort_id, department key, levels, sums).

    `cohorts` gives each cohort's format, variant, program_id and start month; `enrolled`
    (cohort_id, department, enrolled) adds base cells that have people but no answers.
    """
    sums = list(sums)
    detail = detail.rename(columns={"cohort_id": "cohort"})
    base = detail.groupby(list(CELL_KEYS), as_index=False)[sums].sum()
    if enrolled is not None:
        extra = enrolled.rename(columns={"cohort_id": "cohort"})
        base = base.merge(extra, on=list(CELL_KEYS), how="outer")
        sums = [*sums, "enrolled"]
    attrs = cohorts.rename(columns={"cohort_id": "cohort", "program_id": "program"})
    base = base.merge(attrs, on="cohort", how="inner")
    base[sums] = base[sums].fillna(0).astype("int64")
    base["month"] = pd.to_datetime(base["month"])
    base = base.sort_values(list(CELL_KEYS), kind="stable").reset_index(drop=True)
    base["piece"] = name + SEP + base["cohort"] + SEP + base["department"]
    index = pd.Series(np.arange(len(base)), index=pd.MultiIndex.from_frame(base[list(CELL_KEYS)]))
    keys = pd.MultiIndex.from_frame(detail[list(CELL_KEYS)])
    detail = detail.assign(cell=index.reindex(keys).to_numpy())
    detail = detail[detail["cell"].notna()].astype({"cell": "int64"}).reset_index(drop=True)
    carried = ["format", "variant", "program", "month", "piece"]
    detail = detail.join(base[carried], on="cell")
    tree = build_tree(base, size_col, rule.min_group_size)
    levels = {}
    for col in level_cols:
        levels[col] = split_levels(
            tree, detail["cell"].to_numpy(), detail[col], detail[size_col].to_numpy()
        )
    return SurveyCells(
        name=name, base=base, detail=detail, tree=tree, size_col=size_col, levels=levels
    )


def inside(cells: SurveyCells, filters: Filters, *, matched_only: bool = False) -> np.ndarray:
    """Per base cell: whether the view's filters select it."""
    b = cells.base
    keep = np.ones(len(b), dtype=bool)
    if filters.start_from:
        keep &= (b["month"] >= pd.Timestamp(filters.start_from)).to_numpy()
    if filters.start_to:
        keep &= (b["month"] <= pd.Timestamp(filters.start_to)).to_numpy()
    if filters.formats:
        keep &= b["format"].isin(filters.formats).to_numpy()
    if filters.departments:
        keep &= b["department"].isin([DEPT_PREFIX + d for d in filters.departments]).to_numpy()
    if filters.programs:
        keep &= b["program"].isin(filters.programs).to_numpy()
    if matched_only:
        keep &= (b["department"] != UNMATCHED).to_numpy()
    return keep


def survey_figure(
    cells: SurveyCells,
    filters: Filters,
    by: Sequence[str],
    rule: PrivacyRule,
    *,
    level: str | None = None,
    matched_only: bool = False,
) -> pd.DataFrame:
    """Per key (and level): the sums over the privacy cells the view covers wholly.

    Columns: the keys (`level` too when a segment dimension is given), the measure's sums, `n`
    (respondents counted), `status` ('shown', 'partial', 'suppressed', 'no data'),
    `complementary` (suppressed although the view selects at least k answers there) and
    `coverage` (what was counted, as 'measure␟cohort␟department[␟segment=level]' strings, so
    audits can check any two figures against each other).
    A row that is not visible carries no sums and no n.
    """
    keys = [*by, *([level] if level else [])]
    if not keys:  # one figure over everything the view covers
        one = replace(cells, base=cells.base.assign(_all=""), detail=cells.detail.assign(_all=""))
        return survey_figure(one, filters, ["_all"], rule, matched_only=matched_only).drop(
            columns="_all"
        )
    view = inside(cells, filters, matched_only=matched_only)
    has = cells.tree.sizes > 0
    key = pd.factorize(pd.MultiIndex.from_frame(cells.base[list(by)]))[0]
    if level is None:
        rows = cells.base
        row_in = view
        row_counted = counted_cells(cells.tree, view) & _pure(cells.tree.atoms, key, has)
        sums = [c for c in rows.columns if c not in {*_NOT_SUMS, *keys}]
    else:
        split = cells.levels[level]
        rows = cells.detail.assign(
            piece=cells.detail["piece"] + SEP + f"{level}=" + cells.detail[level]
        )
        cell = rows["cell"].to_numpy()
        outside = np.bincount(split.cut, weights=has & ~view) > 0
        whole = ~outside[split.cut] & _pure(split.cut, key, has)
        row_in = view[cell]
        row_counted = row_in & split.shown & whole[cell]
        sums = [cells.size_col, *[c for c in cells.base.columns if c in rows.columns]]
        sums = [c for c in dict.fromkeys(sums) if c not in {*_NOT_SUMS, *keys}]
    size = cells.size_col
    nominal = rows[row_in].groupby(keys, sort=False)[size].sum()
    counted = rows[row_counted]
    totals = counted.groupby(keys, sort=False)[sums].sum()
    pieces = counted[counted[size] > 0].groupby(keys, sort=False)["piece"].agg(frozenset)
    out = nominal.rename("_nominal").to_frame().join(totals, how="outer").join(pieces)
    out = out.fillna({c: 0 for c in [*sums, "_nominal"]}).reset_index()
    n = out[size].to_numpy()
    nominal_n = out["_nominal"].to_numpy()
    out["status"] = np.select(
        [nominal_n == 0, n == 0, n < nominal_n], [NO_DATA, SUPPRESSED, PARTIAL], SHOWN
    )
    out["complementary"] = (out["status"] == SUPPRESSED) & (nominal_n >= rule.min_group_size)
    visible = out["status"].isin(VISIBLE).to_numpy()
    out["n"] = out[size].astype("Int64").where(visible, pd.NA)
    for col in sums:
        out[col] = out[col].astype("float64").where(visible, np.nan)
    out["coverage"] = (
        out["piece"]
        .where(visible, None)
        .map(lambda p: p if isinstance(p, frozenset) else frozenset())
    )
    return out.drop(columns=["_nominal", "piece"])


def _pure(group: np.ndarray, key: np.ndarray, has: np.ndarray) -> np.ndarray:
    """Per base cell: whether its group's answers all share one key (one format, one variant).

    A privacy cell that pools two formats counts towards neither format's figure.
    """
    if not len(group):
        return np.zeros(0, dtype=bool)
    pairs = np.unique(np.stack([group[has], key[has]]), axis=1)
    keys_per_group = np.bincount(pairs[0], minlength=int(group.max()) + 1)
    return keys_per_group[group] <= 1


_NOT_SUMS = frozenset(
    {"cohort", "department", "format", "variant", "program", "month", "piece", "cell", "_all"}
)


def reindex_keys(df: pd.DataFrame, keys: list[str], full: pd.DataFrame) -> pd.DataFrame:
    """All the key combinations in `full` (e.g. every selected format), 'no data' where absent."""
    out = full.merge(df, on=keys, how="left")
    out["status"] = out["status"].fillna(NO_DATA)
    out["complementary"] = out["complementary"].astype("boolean").fillna(False).astype(bool)
    out["coverage"] = out["coverage"].map(lambda p: p if isinstance(p, frozenset) else frozenset())
    return out


def visible(df: pd.DataFrame) -> pd.Series:
    """Rows whose figure is on screen (shown in full or in part)."""
    return df["status"].isin(VISIBLE)


def counted_detail(cells: SurveyCells, filters: Filters) -> pd.DataFrame:
    """The finest rows of the privacy cells a view covers wholly (e.g. per learning group)."""
    counted = counted_cells(cells.tree, inside(cells, filters))
    return cells.detail[counted[cells.detail["cell"].to_numpy()]].reset_index(drop=True)
