"""The one privacy step every survey figure passes through: sums over whole privacy cells.

`survey_figure` is the only way a survey-based number (count, rate, share, mean, interval,
difference) reaches a page: it takes a measure's cells (`SurveyCells`), the view's filters and
the figure's keys, and returns per key the sums of the cells the view covers wholly, with a
status. Rates, intervals and differences are computed from those sums afterwards, so they
carry nothing a sum over whole cells does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
    level_cols: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # computed once each

    def levels(self, col: str) -> LevelSplit:
        """A segment column's levels split in the tree (worked out on first use, then kept)."""
        if col not in self.level_cols:
            raise KeyError(f"{self.name} has no segment column {col!r}")
        if ("levels", col) not in self.memo:
            d = self.detail
            self.memo["levels", col] = split_levels(
                self.tree,
                d["cell"].to_numpy(),
                d[col],
                d[self.size_col].to_numpy(),
                self.level_cols[col],
            )
        return self.memo["levels", col]

    def pieces(self, table: str, level: str | None) -> np.ndarray:
        """The coverage name of each row of a table ('measure␟cohort␟department[␟col=level]')."""
        if ("pieces", table, level) not in self.memo:
            rows = getattr(self, table)
            names = rows["piece"].to_numpy(dtype=object)
            if level is not None:
                names = names + (SEP + f"{level}=") + rows[level].to_numpy(dtype=object)
            self.memo["pieces", table, level] = names
        return self.memo["pieces", table, level]


def make_cells(
    name: str,
    detail: pd.DataFrame,
    cohorts: pd.DataFrame,
    size_col: str,
    sums: Sequence[str],
    rule: PrivacyRule,
    *,
    level_cols: Mapping[str, tuple[str, ...] | None] | Sequence[str] = (),
    enrolled: pd.DataFrame | None = None,
) -> SurveyCells:
    """Build a measure's cells from its finest rows (cohort_id, department key, levels, sums).

    `cohorts` gives each cohort's format, variant, program_id and start month; `enrolled`
    (cohort_id, department, enrolled) adds base cells that have people but no answers.
    `level_cols` names the segment columns, each with the levels figures may show (None: all).
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
    if not isinstance(level_cols, Mapping):
        level_cols = dict.fromkeys(level_cols)
    return SurveyCells(
        name=name, base=base, detail=detail, tree=tree, size_col=size_col, level_cols=level_cols
    )


def inside(cells: SurveyCells, filters: Filters, *, matched_only: bool = False) -> np.ndarray:
    """Per base cell: whether the view's filters select it (kept for the measure's life)."""
    key = ("inside", filters, matched_only)
    if key not in cells.memo:
        if sum(1 for k in cells.memo if k[0] == "inside") > _VIEWS_KEPT:
            for k in [k for k in cells.memo if k[0] == "inside"]:
                del cells.memo[k]
        cells.memo[key] = _inside(cells, filters, matched_only)
    return cells.memo[key]


_VIEWS_KEPT = 256


def _inside(cells: SurveyCells, filters: Filters, matched_only: bool) -> np.ndarray:
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
    if filters.variants:
        keep &= b["variant"].isin(filters.variants).to_numpy()
    if filters.cohorts:
        keep &= b["cohort"].isin(filters.cohorts).to_numpy()
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
    view = inside(cells, filters, matched_only=matched_only)
    table = "base" if level is None else "detail"
    row_in, row_counted = _counted(cells, view, level, tuple(by))
    rows = getattr(cells, table)
    codes, uniques = _codes(cells, table, tuple(keys))
    sums = _sums(cells, table, keys)
    size = rows[cells.size_col].to_numpy()
    groups = len(uniques)
    nominal = np.bincount(codes[row_in], weights=size[row_in], minlength=groups)
    totals = {
        c: np.bincount(
            codes[row_counted], weights=rows[c].to_numpy()[row_counted], minlength=groups
        )
        for c in sums
    }
    present = (nominal > 0) | (np.bincount(codes[row_counted], minlength=groups) > 0)
    out = uniques.assign(**totals, _nominal=nominal)[present]
    out = out.reset_index(drop=True)
    n = out[cells.size_col].to_numpy()
    nominal_n = out["_nominal"].to_numpy()
    out["status"] = np.select(
        [nominal_n == 0, n == 0, n < nominal_n], [NO_DATA, SUPPRESSED, PARTIAL], SHOWN
    )
    out["complementary"] = (out["status"] == SUPPRESSED) & (nominal_n >= rule.min_group_size)
    visible = out["status"].isin(VISIBLE).to_numpy()
    out["n"] = pd.array(np.where(visible, n, 0), dtype="Int64")
    out.loc[~visible, "n"] = pd.NA
    for col in sums:
        out[col] = np.where(visible, out[col], np.nan)
    out["coverage"] = _coverage(
        cells, table, level, codes, row_counted & (size > 0), np.flatnonzero(present), visible
    )
    return out.drop(columns="_nominal")


def _counted(
    cells: SurveyCells, view: np.ndarray, level: str | None, by: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of the figure's table (base cells, or detail rows for a level): whether the
    view selects it, and whether the figure counts it (whole cells, pure in the keys)."""
    if level is None:
        return view, counted_cells(cells.tree, view) & _purity(cells, None, by)
    has = cells.tree.sizes > 0
    split = cells.levels(level)
    cell = cells.detail["cell"].to_numpy()
    outside = np.bincount(split.cut, weights=has & ~view) > 0
    whole = ~outside[split.cut] & _purity(cells, level, by)
    row_in = view[cell]
    return row_in, row_in & split.shown & whole[cell]


def counted_rows(
    cells: SurveyCells,
    filters: Filters,
    *,
    level: str | None = None,
    matched_only: bool = False,
) -> pd.DataFrame:
    """The finest rows behind `survey_figure(cells, filters, [], rule, level=level)`.

    Exactly the detail rows (per learning group, department and segment levels) whose sums make
    up that figure, for analyses that need more than the sums (cluster-robust intervals, models
    adjusted for department and role). With `level`, only rows whose level is shown are
    included; the caller keeps the level it asked for.
    """
    view = inside(cells, filters, matched_only=matched_only)
    cell = cells.detail["cell"].to_numpy()
    if level is None:
        keep = counted_cells(cells.tree, view)[cell]
    else:
        keep = _counted(cells, view, level, ())[1]
    return cells.detail[keep].reset_index(drop=True)


def _purity(cells: SurveyCells, level: str | None, by: tuple[str, ...]) -> np.ndarray:
    """Per base cell: whether its privacy cell (or its level node) is pure in the keys."""
    if ("pure", level, by) not in cells.memo:
        key, _ = _codes(cells, "base", by)
        group = cells.tree.atoms if level is None else cells.levels(level).cut
        cells.memo["pure", level, by] = _pure(group, key, cells.tree.sizes > 0)
    return cells.memo["pure", level, by]


def _codes(
    cells: SurveyCells, table: str, keys: tuple[str, ...]
) -> tuple[np.ndarray, pd.DataFrame]:
    """Group codes of a table's rows by keys and the key values per code, once per measure."""
    memo = cells.memo
    if (table, keys) not in memo and not keys:  # one figure over everything
        rows = len(getattr(cells, table))
        memo[table, keys] = (np.zeros(rows, dtype=np.int64), pd.DataFrame(index=range(1)))
    if (table, keys) not in memo:
        frame = getattr(cells, table)[list(keys)]
        codes = frame.groupby(list(keys), sort=False, dropna=False).ngroup().to_numpy()
        first = np.unique(codes, return_index=True)[1]
        memo[table, keys] = (codes.astype(np.int64), frame.iloc[first].reset_index(drop=True))
    return memo[table, keys]


def _sums(cells: SurveyCells, table: str, keys: list[str]) -> list[str]:
    """The columns a figure adds up: the measure's counts (and enrolled on base cells)."""
    rows = getattr(cells, table)
    numeric = [c for c in cells.base.columns if c not in _NOT_SUMS and c in rows.columns]
    return [c for c in dict.fromkeys([cells.size_col, *numeric]) if c not in keys]


def _coverage(
    cells: SurveyCells,
    table: str,
    level: str | None,
    codes: np.ndarray,
    counted: np.ndarray,
    groups: np.ndarray,
    visible: np.ndarray,
) -> list[frozenset]:
    """Per output row: the pieces it counted ('measure␟cohort␟department[␟segment=level]')."""
    pieces = cells.pieces(table, level)
    idx = np.flatnonzero(counted)
    idx = idx[np.argsort(codes[idx], kind="stable")]
    starts = np.searchsorted(codes[idx], groups, side="left")
    ends = np.searchsorted(codes[idx], groups, side="right")
    return [
        frozenset(pieces[idx[lo:hi]]) if show else frozenset()
        for lo, hi, show in zip(starts, ends, visible, strict=True)
    ]


def _pure(group: np.ndarray, key: np.ndarray, has: np.ndarray) -> np.ndarray:
    """Per base cell: whether its group's answers all share one key (one format, one variant).

    A privacy cell that pools two formats counts towards neither format's figure.
    """
    if not len(group):
        return np.zeros(0, dtype=bool)
    width = int(key.max()) + 1
    pairs = np.unique(group[has] * width + key[has])
    keys_per_group = np.bincount(pairs // width, minlength=int(group.max()) + 1)
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
