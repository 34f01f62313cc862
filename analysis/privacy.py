"""The privacy engine: minimum group size, complementary suppression, the comment rule, an audit.

Status vocabulary, on every suppressed frame: `<n>_status` is 'shown', 'suppressed' or
'no data' (n = 0, known to be empty), and `<n>_complementary` is True on a row that is big enough
but hidden so that a smaller hidden group cannot be worked out by subtraction. A hidden row
loses its n and every value column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from analysis.domain import COMMENT_MIN_RESPONDENTS, DEFAULT_MIN_GROUP_SIZE, MIN_GROUP_SIZE_RANGE

SHOWN = "shown"
SUPPRESSED = "suppressed"
NO_DATA = "no data"
MARGIN = "All"  # the label of total rows in a two-way table, as in pandas' pivot_table


@dataclass(frozen=True)
class PrivacyRule:
    """The reporting thresholds in force (the Settings page sets min_group_size)."""

    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    comment_min: int = COMMENT_MIN_RESPONDENTS

    def __post_init__(self) -> None:
        low, high = MIN_GROUP_SIZE_RANGE
        if not low <= self.min_group_size <= high:
            raise ValueError(f"minimum group size must be between {low} and {high}")

    @property
    def suppressed_label(self) -> str:
        """What a hidden figure says on screen, visibly different from 'no data'."""
        return f"suppressed (fewer than {self.min_group_size})"

    @property
    def complementary_label(self) -> str:
        """What a figure hidden only to protect a smaller group says on screen."""
        return f"suppressed (protects a group under {self.min_group_size})"

    @property
    def footer(self) -> str:
        """The rule in words, for chart footers."""
        return f"Survey figures hidden below {self.min_group_size} respondents"


def suppress_small_groups(
    df: pd.DataFrame, n_col: str, value_cols: list[str], rule: PrivacyRule
) -> pd.DataFrame:
    """Blank survey figures (and their n) for rows with fewer respondents than the rule allows.

    Adds `<n_col>_status`: 'shown', 'suppressed' or 'no data'. A suppressed row keeps no value
    that could reveal its answers; its respondent count is hidden too. Primary suppression only:
    use `suppress_table` when a total of these rows is shown anywhere.
    """
    out = df.copy()
    n = out[n_col].fillna(0).astype("int64").to_numpy()
    return _hide(out, n_col, value_cols, _primary(n, rule))


def status_text(status: str, rule: PrivacyRule, complementary: bool = False) -> str:
    """The words shown in place of a figure that is not shown."""
    if status == SUPPRESSED:
        return rule.complementary_label if complementary else rule.suppressed_label
    if status == NO_DATA:
        return "no data"
    return ""


def _primary(n: np.ndarray, rule: PrivacyRule) -> np.ndarray:
    """Status per row from its own n: 'no data' at 0, 'suppressed' under the minimum."""
    return np.where(n == 0, NO_DATA, np.where(n < rule.min_group_size, SUPPRESSED, SHOWN))


def _hide(out: pd.DataFrame, n_col: str, value_cols: list[str], status: np.ndarray) -> pd.DataFrame:
    """Blank the values of every row not shown, and the n of every suppressed row."""
    hidden = status != SHOWN
    for col in value_cols:
        out[col] = out[col].astype("float64").where(~hidden, np.nan)
    out[n_col] = out[n_col].astype("Int64").where(status != SUPPRESSED, pd.NA)
    out[f"{n_col}_status"] = status
    return out


def _complement(n: np.ndarray, hidden: np.ndarray, residual: int, minimum: int) -> np.ndarray:
    """Parts to hide besides `hidden` so the hidden share of a shown total is 0 or ≥ minimum."""
    extra = np.zeros(len(n), bool)
    total = residual + int(n[hidden].sum())
    for i in np.argsort(n, kind="stable"):
        if not 0 < total < minimum:
            break
        if not hidden[i] and n[i] > 0:
            extra[i] = True
            total += int(n[i])
    return extra


def suppress_table(
    df: pd.DataFrame,
    n_col: str,
    value_cols: list[str],
    rule: PrivacyRule,
    *,
    total_n: int | None = None,
    partition_cols: list[str] | None = None,
) -> pd.DataFrame:
    """Primary and complementary suppression of a one-way table (bars, KPI cards, a download).

    Primary: a row with 0 < n < minimum is hidden. Complementary: where a total of the rows is
    shown, the hidden part of it (hidden rows, plus any respondents the total holds outside the
    rows: `total_n` − Σ n) must be 0 or at least the minimum, else the smallest shown rows are
    hidden too, one at a time. `total_n` is a total shown for the whole frame; `partition_cols`
    instead marks each partition (one wave, one chart's bars) as exhaustive parts of a total
    shown elsewhere. With neither, no total is shown and only primary suppression applies. A
    total under the minimum cannot be protected by its parts: suppress the total itself.
    """
    if total_n is not None and partition_cols:
        raise ValueError("total_n applies to the whole frame; partitions carry their own totals")
    out = df.copy()
    n = out[n_col].fillna(0).astype("int64").to_numpy()
    status = _primary(n, rule)
    comp = np.zeros(len(out), bool)
    if partition_cols:
        keys = out.groupby(partition_cols, dropna=False, sort=False).ngroup().to_numpy()
        parts = [np.flatnonzero(keys == k) for k in np.unique(keys)]
        residuals = [0] * len(parts)
    elif total_n is not None:
        if total_n < n.sum():
            raise ValueError(f"total_n {total_n} is smaller than the rows' sum {n.sum()}")
        parts, residuals = [np.arange(len(out))], [int(total_n - n.sum())]
    else:
        parts, residuals = [], []
    for idx, residual in zip(parts, residuals, strict=True):
        extra = _complement(n[idx], status[idx] == SUPPRESSED, residual, rule.min_group_size)
        comp[idx[extra]] = True
    status = np.where(comp, SUPPRESSED, status)
    out = _hide(out, n_col, value_cols, status)
    out[f"{n_col}_complementary"] = comp
    return out


def suppress_crosstab(
    df: pd.DataFrame,
    row_col: str,
    col_col: str,
    n_col: str,
    value_cols: list[str],
    rule: PrivacyRule,
    *,
    margins: bool = True,
    margins_name: str = MARGIN,
) -> pd.DataFrame:
    """Suppression of a two-way table (format × department, item × format), one row per cell.

    With `margins`, the row totals, column totals and grand total count as shown (here or on
    another page) and are appended as rows labelled `margins_name`, each with its own status
    (their value columns are left empty for the caller to fill where shown). The rule: a cell
    or total under the minimum is hidden; hidden totals get 1-D complementary suppression
    against the grand total; then, until stable, every shown line (and the pool of lines whose
    totals are hidden) must have hidden cells adding up to 0 or ≥ minimum, and no hidden cell or
    hidden total under the minimum may be exactly determined by the shown figures (a linear-
    algebra test). A determined cell is covered by the cheapest rectangle of hidden cells; when
    no cell can help, the smallest shown total is hidden too. Without margins, primary only.
    """
    cells = df.reset_index(drop=True).copy()
    if cells.duplicated([row_col, col_col]).any():
        raise ValueError("one row per (row, column) cell")
    if margins and ((cells[row_col] == margins_name) | (cells[col_col] == margins_name)).any():
        raise ValueError(f"{margins_name!r} is reserved for the totals")
    n = cells[n_col].fillna(0).astype("int64").to_numpy()
    r, rows = pd.factorize(cells[row_col], use_na_sentinel=False)
    c, cols = pd.factorize(cells[col_col], use_na_sentinel=False)
    g = _Grid(n, r, c, len(rows), len(cols), rule.min_group_size)
    if margins and g.n.sum() >= g.m:
        g.protect()
    status = np.where(g.hid, SUPPRESSED, _primary(n, rule))
    out = _hide(cells, n_col, value_cols, status)
    out[f"{n_col}_complementary"] = g.comp
    if not margins:
        return out
    grand = int(n.sum())
    t = pd.DataFrame(
        {
            row_col: [*rows, *[margins_name] * (len(cols) + 1)],
            col_col: [*[margins_name] * len(rows), *cols, margins_name],
            n_col: [*g.row_n, *g.col_n, grand],
            "_hid": [*g.row_hid, *g.col_hid, 0 < grand < g.m],
            f"{n_col}_complementary": [*g.row_comp, *g.col_comp, False],
        }
    )
    t_status = np.where(t[n_col] == 0, NO_DATA, np.where(t.pop("_hid"), SUPPRESSED, SHOWN))
    t = _hide(t, n_col, [], t_status).reindex(columns=out.columns)
    return pd.concat([out, t], ignore_index=True)


class _Grid:
    """The cells of a two-way table as arrays, and what is hidden so far (cells and totals)."""

    def __init__(self, n: np.ndarray, r: np.ndarray, c: np.ndarray, nr: int, nc: int, m: int):
        self.n, self.r, self.c, self.m, self.pos = n, r, c, m, n > 0
        self.hid = self.pos & (n < m)
        self.comp = np.zeros(len(n), bool)
        self.row_n = np.bincount(r, weights=n, minlength=nr).astype("int64")
        self.col_n = np.bincount(c, weights=n, minlength=nc).astype("int64")
        self.row_hid = (self.row_n > 0) & (self.row_n < m)
        self.col_hid = (self.col_n > 0) & (self.col_n < m)
        self.row_comp = np.zeros(nr, bool)
        self.col_comp = np.zeros(nc, bool)

    def protect(self) -> None:
        """Hide cells (and, failing that, totals) until nothing small can be worked out."""
        self.row_comp = _complement(self.row_n, self.row_hid, 0, self.m)
        self.col_comp = _complement(self.col_n, self.col_hid, 0, self.m)
        self.row_hid, self.col_hid = self.row_hid | self.row_comp, self.col_hid | self.col_comp
        while bad := self.problems():
            pick = next(filter(None, map(self.fix, bad)), None)
            if pick:
                self.hid[pick] = self.comp[pick] = True
            elif not self.hide_a_total():  # unreachable: a pool's sum always has a fix
                self.comp |= self.pos & ~self.hid
                self.hid |= self.pos
                return

    def line(self, kind: str, key: int) -> np.ndarray:
        """Cells in one equation: a shown row or column, or the pool of hidden rows or columns."""
        if kind == "row_pool":
            return self.row_hid[self.r]
        if kind == "col_pool":
            return self.col_hid[self.c]
        return (self.r if kind == "row_eq" else self.c) == key

    def problems(self) -> list[tuple[str, int]]:
        """What a reader could work out: determined small cells or totals, small line sums."""
        eqs = [("row_eq", int(i)) for i in np.flatnonzero(~self.row_hid)]
        eqs += [("col_eq", int(j)) for j in np.flatnonzero(~self.col_hid)]
        eqs += [(k, -1) for k, h in (("row_pool", self.row_hid), ("col_pool", self.col_hid))]
        eqs = [e for e in eqs if e[1] >= 0 or self.line(*e).any()]
        unknown = np.flatnonzero(self.hid)
        a = np.array([self.line(*e)[unknown] for e in eqs], float).reshape(len(eqs), len(unknown))
        small = [k for k, u in enumerate(unknown) if self.n[u] < self.m]
        bad = [("cell", int(unknown[k])) for k in small]
        funcs = [np.eye(len(unknown))[k] for k in small]
        for kind, lines, sizes in (("row", self.r, self.row_n), ("col", self.c, self.col_n)):
            for i in np.flatnonzero((sizes > 0) & (sizes < self.m)):
                bad.append((kind, int(i)))
                funcs.append((lines[unknown] == i).astype(float))
        found = _determined(a, np.array(funcs).reshape(len(funcs), len(unknown)))
        sums = a @ self.n[unknown] if len(eqs) else []
        return [b for b, d in zip(bad, found, strict=True) if d] + [
            e for e, s in zip(eqs, sums, strict=True) if 0 < s < self.m
        ]

    def fix(self, bad: tuple[str, int]) -> list[int] | None:
        """Cells whose hiding removes one problem, or None when no cell can."""
        kind, key = bad
        if kind == "cell":
            return self.rectangle(key)
        if kind in ("row", "col"):  # a small total: pair one of its cells with another hidden line
            lines, other, hid = (
                (self.r, self.c, self.row_hid) if kind == "row" else (self.c, self.r, self.col_hid)
            )
            beside = np.isin(other, other[(lines == key) & self.pos])
            cand = np.flatnonzero(self.pos & ~self.hid & (lines != key) & hid[lines] & beside)
        else:  # a line whose hidden cells add up to less than the minimum
            cand = np.flatnonzero(self.line(kind, key) & self.pos & ~self.hid)
        return [int(cand[np.argmin(self.n[cand])])] if len(cand) else None

    def rectangle(self, u: int) -> list[int] | None:
        """The shown cells to hide so cell u sits on a rectangle of hidden cells (cheapest)."""
        r, c, ru, cu = self.r, self.c, int(self.r[u]), int(self.c[u])
        at = {(int(r[k]), int(c[k])): k for k in np.flatnonzero(self.pos)}
        best = None
        for (ri, ci), k in at.items():
            corners = [k, at.get((ru, ci)), at.get((ri, cu))]
            if ri == ru or ci == cu or None in corners:
                continue
            new = [x for x in corners if not self.hid[x]]
            cost = (int(self.n[new].sum()), len(new))
            if new and (best is None or cost < best[0]):
                best = (cost, new)
        return best[1] if best else None

    def hide_a_total(self) -> bool:
        """Hide the smallest shown row or column total; False when none is left."""
        rows = [(self.row_n[i], 0, i) for i in np.flatnonzero(~self.row_hid & (self.row_n > 0))]
        cols = [(self.col_n[j], 1, j) for j in np.flatnonzero(~self.col_hid & (self.col_n > 0))]
        if not rows + cols:
            return False
        _, axis, i = min(rows + cols)
        hid, comp = (self.row_hid, self.row_comp) if axis == 0 else (self.col_hid, self.col_comp)
        hid[i] = comp[i] = True
        return True


def _determined(a: np.ndarray, funcs: np.ndarray) -> np.ndarray:
    """Which linear functionals of the unknowns lie in the row space of the equations `a`."""
    if not len(funcs) or not a.size:
        return np.zeros(len(funcs), bool)
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    basis = vt[: int((s > 1e-9 * max(s.max(), 1)).sum())]
    resid = funcs - (funcs @ basis.T) @ basis
    return np.linalg.norm(resid, axis=1) < 1e-7


def selection_safe(part_ns: Iterable[int], rest_n: int, rule: PrivacyRule) -> bool:
    """True when a figure over a filtered selection cannot be differenced into a small group.

    Two settings of a filter that differ by one part (a department, a month) differ by that
    part's count, and the unfiltered figure differs from the filtered one by the rest: each
    selected part and the rest must be 0 or at least the minimum, else suppress the figure.
    """
    return all(n == 0 or n >= rule.min_group_size for n in (*part_ns, rest_n))


def comment_rule_ok(n_respondents: int, rule: PrivacyRule) -> bool:
    """True when a group has enough respondents for any of its comments to be shown."""
    return n_respondents >= max(rule.comment_min, rule.min_group_size)


def visible_comments(
    df: pd.DataFrame, group_cols: list[str], respondents_col: str, rule: PrivacyRule
) -> pd.DataFrame:
    """Only the comments of groups with at least `rule.comment_min` respondents.

    `respondents_col` holds the number of survey respondents in the row's group (the same on
    every comment of a group), not the number of comments.
    """
    if len(df) and (df.groupby(group_cols, dropna=False)[respondents_col].nunique() > 1).any():
        raise ValueError(f"{respondents_col} must be one number per group")
    n = df[respondents_col].fillna(0).astype("int64")
    keep = n.map(lambda v: comment_rule_ok(int(v), rule)).astype(bool)
    return df[keep].reset_index(drop=True)


def audit_frames(frames: Iterable[tuple], rule: PrivacyRule) -> list[str]:
    """Violations a reader could find in frames as displayed (an independent check for tests).

    Each frame is `(df, n_col, total)` or `(df, n_col, totals, partition_cols)`: the total a
    reader can see for the frame (or a mapping from partition key to its total), None if none.
    """
    problems: list[str] = []
    m = rule.min_group_size
    for k, (df, n_col, total, *rest) in enumerate(frames):
        part_cols = rest[0] if rest else None
        problems += [f"frame {k}: {p}" for p in _row_problems(df, n_col, m)]
        if total is None:
            continue
        shown = _shown_n(df, n_col)
        groups = shown.groupby([df[c] for c in part_cols], dropna=False) if part_cols else None
        sums = groups.sum() if groups is not None else pd.Series({None: shown.sum()})
        totals = total if isinstance(total, Mapping) else {None: total}
        for key, t in totals.items():
            rest_n = int(t) - int(sums.get(key, 0))
            where = f"frame {k}" + (f" part {key!r}" if part_cols else "")
            if 0 < t < m:
                problems.append(f"{where}: the total {t} itself is under the minimum of {m}")
            elif rest_n < 0:
                problems.append(f"{where}: shown rows add up to more than the total {t}")
            elif 0 < rest_n < m:
                problems.append(
                    f"{where}: total {t} minus the shown rows leaves {rest_n} (< {m}): "
                    "a hidden group can be worked out by subtraction"
                )
    return problems


def _shown_n(df: pd.DataFrame, n_col: str) -> pd.Series:
    """The n a reader sees per row (0 for hidden or empty rows)."""
    status = df.get(f"{n_col}_status", pd.Series(SHOWN, index=df.index))
    return df[n_col].where(status == SHOWN).fillna(0).astype("int64")


def _row_problems(df: pd.DataFrame, n_col: str, m: int) -> list[str]:
    """Shown rows under the minimum, and hidden rows that still carry their n."""
    out = []
    status = df.get(f"{n_col}_status", pd.Series(SHOWN, index=df.index))
    for idx, n, st in zip(df.index, df[n_col], status, strict=True):
        if st == SHOWN and pd.notna(n) and 0 < n < m:
            out.append(f"row {idx}: n={int(n)} is shown under the minimum of {m}")
        elif st == SUPPRESSED and pd.notna(n):
            out.append(f"row {idx}: suppressed but its n ({int(n)}) is still in the frame")
        elif st == NO_DATA and pd.notna(n) and n != 0:
            out.append(f"row {idx}: 'no data' but n={int(n)}")
    return out


def audit_crosstab(
    df: pd.DataFrame,
    row_col: str,
    col_col: str,
    n_col: str,
    rule: PrivacyRule,
    *,
    margins_name: str = MARGIN,
) -> list[str]:
    """Violations in a displayed two-way table with its total rows, by exact rational algebra.

    Knowns: shown cells and shown totals. A violation is a shown figure under the minimum, a
    shown total whose hidden cells add up to less than the minimum, or a hidden cell or total
    under the minimum whose value follows exactly from the shown figures.
    """
    m = rule.min_group_size
    problems = _row_problems(df, n_col, m)
    is_total = (df[row_col] == margins_name) | (df[col_col] == margins_name)
    cells, totals = df[~is_total], df[is_total]
    known = _shown_n(cells, n_col)
    unknown = list(cells.index[cells[f"{n_col}_status"] == SUPPRESSED])
    pos = {idx: k for k, idx in enumerate(unknown)}
    lines = []
    for _, t in totals.iterrows():
        in_line = np.ones(len(cells), bool)
        for col in (row_col, col_col):
            if t[col] != margins_name:
                in_line &= (
                    cells[col].isna() if pd.isna(t[col]) else cells[col] == t[col]
                ).to_numpy()
        co = {pos[i]: Fraction(1) for i in cells.index[in_line] if i in pos}
        hidden = t[f"{n_col}_status"] == SUPPRESSED
        value = None if hidden else Fraction(0 if pd.isna(t[n_col]) else int(t[n_col]))
        lines.append((f"total ({t[row_col]}, {t[col_col]})", co, int(known[in_line].sum()), value))
    basis = _echelon([(co, total - const) for _, co, const, total in lines if total is not None])
    for name, co, const, total in lines:
        if total is not None and 0 < total - const < m:
            problems.append(f"{name}: its hidden cells add up to {total - const} (< {m})")
        elif total is None and (v := _solve(basis, co)) is not None and 0 < v + const < m:
            problems.append(f"{name}: hidden, but works out as {v + const} (< {m})")
    for idx, k in pos.items():
        if (v := _solve(basis, {k: Fraction(1)})) is not None and 0 < v < m:
            label = (cells.at[idx, row_col], cells.at[idx, col_col])
            problems.append(f"cell {label}: hidden, but works out as {v} (< {m})")
    return problems


def _echelon(eqs: list[tuple[dict[int, Fraction], Fraction]]) -> list:
    """Row-echelon form of sparse equations (coefficients by unknown, right-hand side)."""
    basis: list[tuple[int, dict[int, Fraction], Fraction]] = []
    for coeffs, rhs in eqs:
        co, rhs = _reduce(basis, coeffs, Fraction(rhs))
        if co:
            p = min(co)
            basis.append((p, {var: val / co[p] for var, val in co.items()}, rhs / co[p]))
    return basis


def _reduce(basis: list, coeffs: dict[int, Fraction], rhs: Fraction) -> tuple[dict, Fraction]:
    """Eliminate the basis' pivots from one equation (or functional, with rhs 0)."""
    co = dict(coeffs)
    for p, bco, brhs in basis:
        if f := co.get(p):
            for var, val in bco.items():
                co[var] = co.get(var, Fraction(0)) - f * val
            rhs -= f * brhs
    return {var: val for var, val in co.items() if val != 0}, rhs


def _solve(basis: list, func: dict[int, Fraction]) -> Fraction | None:
    """The value of a linear functional if the shown equations fix it, else None."""
    co, rhs = _reduce(basis, func, Fraction(0))
    return None if co else -rhs
