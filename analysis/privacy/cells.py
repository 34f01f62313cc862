"""Privacy cells: each measure's respondents split once into cells of 0 or at least k people.

Every survey figure is a sum over whole cells, and a view (any sidebar filters, any page
option) counts exactly the cells that lie wholly inside it. Any two views therefore differ by
whole cells, each of 0 or at least k respondents, and no figure can be worked out from others
into a group under k: every quantity a reader can derive by adding and subtracting shown
figures is itself a sum of whole cells.

The cells are the leaves of a tree over the dimensions a view can select, split in this order:
format → variant → department → start month → program → cohort. Keys come first (so the
unfiltered per-format and per-variant figures are exact), then the filters people use most. At
each split, values with fewer than k respondents are pooled together, and while the pool is
still under k the smallest other value joins it (complementary suppression); months are merged
with their neighbours into periods instead, so a period is always a run of whole months.

A segment level (relevance, group size, closeness, leadership) is split inside a tree node at
or below the variant split: a level with fewer than k respondents in a node is pooled with the
node's other small levels, and while that pool is under k the smallest shown level joins it.
The node is chosen per subtree as the deepest one whose children do not hide more answers
than it does, so unfiltered segment figures lose nothing they need not lose. Where the
children would hide more, the ones that hide nothing alone still split alone, and the others
split as one pool (grown with the smallest of the rest until it hides no more than the node):
one small-group format with 3 close colleagues does not take close vs mixed inside group
coaching away, and the format's figures lose nothing a split at the format would keep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TREE_DIMS: tuple[str, ...] = ("format", "variant", "department", "month", "program", "cohort")
ORDERED_DIMS = frozenset({"month"})
LEVEL_TOP = TREE_DIMS.index("format") + 1  # segment levels are split at or below formats


@dataclass(frozen=True)
class Tree:
    """The cells of one measure: per base cell, its node at every depth (the last: its cell)."""

    nodes: np.ndarray  # (len(TREE_DIMS) + 1, cells) node ids; row 0 is the root
    sizes: np.ndarray  # respondents per base cell
    k: int

    @property
    def atoms(self) -> np.ndarray:
        """The privacy cell of each base cell."""
        return self.nodes[-1]

    def countable(self) -> np.ndarray:
        """Per privacy cell: whether it may be counted at all (0 or at least k respondents)."""
        size = np.bincount(self.atoms, weights=self.sizes)
        return (size == 0) | (size >= self.k)


def build_tree(cells: pd.DataFrame, size_col: str, k: int) -> Tree:
    """Split base cells (one row per cohort × department) into privacy cells of 0 or ≥ k."""
    sizes = cells[size_col].fillna(0).to_numpy(dtype=np.int64)
    nodes = np.zeros((len(TREE_DIMS) + 1, len(cells)), dtype=np.int64)
    if not len(cells):
        return Tree(nodes=nodes, sizes=sizes, k=k)
    for d, dim in enumerate(TREE_DIMS):
        codes = pd.factorize(cells[dim], sort=True, use_na_sentinel=False)[0].astype(np.int64)
        width = int(codes.max(initial=0)) + 1
        uniq, inv = np.unique(nodes[d] * width + codes, return_inverse=True)
        totals = np.bincount(inv, weights=sizes, minlength=len(uniq)).astype(np.int64)
        parents = uniq // width
        # Fast path: a node none of whose values is small keeps every value apart.
        small = (totals > 0) & (totals < k)
        dirty = np.zeros(int(parents.max(initial=0)) + 1, dtype=bool)
        dirty[parents[small]] = True
        group = np.arange(len(uniq), dtype=np.int64)
        ids = np.flatnonzero(dirty)
        for lo, hi in zip(
            np.searchsorted(parents, ids), np.searchsorted(parents, ids, "right"), strict=True
        ):
            at = np.arange(lo, hi)
            labels = (_split_ordered if dim in ORDERED_DIMS else _split)(totals[at], k)
            group[at] = at[np.unique(labels, return_index=True)[1]][labels]
        group = np.unique(group, return_inverse=True)[1]
        nodes[d + 1] = group[inv]
    return Tree(nodes=nodes, sizes=sizes, k=k)


def _split(sizes: np.ndarray, k: int) -> np.ndarray:
    """Groups of unordered values: each value alone, except a pool of the small ones (≥ k)."""
    n = [int(v) for v in sizes]
    pool = [i for i, v in enumerate(n) if 0 < v < k]
    if not pool:
        return np.arange(len(n))
    total = sum(n[i] for i in pool)
    big = sorted((v, i) for i, v in enumerate(n) if v >= k)
    while total < k and big:
        v, i = big.pop(0)
        pool.append(i)
        total += v
    labels = list(range(len(n)))
    for i in pool:
        labels[i] = pool[0]
    return _renumber(np.array(labels))


def _split_ordered(sizes: np.ndarray, k: int) -> np.ndarray:
    """Runs of consecutive values (months) of at least k each; a short tail joins the last run."""
    labels = np.empty(len(sizes), dtype=np.int64)
    group, acc = 0, 0
    for i, n in enumerate(sizes):
        labels[i] = group
        acc += int(n)
        if acc >= k:
            group, acc = group + 1, 0
    if 0 < acc < k and group > 0:
        labels[labels == group] = group - 1
    return _renumber(labels)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Labels 0..g-1 in order of first appearance."""
    seen: dict[int, int] = {}
    return np.array([seen.setdefault(int(v), len(seen)) for v in labels], dtype=np.int64)


def counted_cells(tree: Tree, inside: np.ndarray) -> np.ndarray:
    """Per base cell: counted by a view (inside it, and its whole privacy cell is inside it).

    Base cells without respondents add nothing to a survey figure; inside the view they are
    counted (their enrolled people belong in a response rate's denominator).
    """
    has = tree.sizes > 0
    outside = np.bincount(tree.atoms, weights=has & ~inside) > 0
    whole = ~outside & tree.countable()
    return inside & (~has | whole[tree.atoms])


@dataclass(frozen=True)
class LevelSplit:
    """One segment dimension's levels split inside chosen tree nodes."""

    cut: np.ndarray  # per base cell: the id of the node its levels are split in
    shown: np.ndarray  # per detail row: whether its level is shown in that node


def split_levels(
    tree: Tree,
    cell: np.ndarray,
    level: pd.Series,
    n: np.ndarray,
    shown_levels: tuple[str, ...] | None = None,
) -> LevelSplit:
    """Choose the node each base cell's levels are split in, and which levels are shown there.

    `cell`, `level` and `n` describe detail rows: the base cell each belongs to, its level and
    its respondents. Only `shown_levels` (default: every level) are ever shown; the others
    stay pooled. Nodes are chosen top down from the formats: a node's children are used
    instead when together they hide no more answers than the node does.
    """
    depth = tree.nodes.shape[0] - 1
    if not len(tree.sizes):
        return LevelSplit(cut=np.zeros(0, dtype=np.int64), shown=np.zeros(len(cell), dtype=bool))
    codes, names = pd.factorize(level, sort=True, use_na_sentinel=False)
    codes = codes.astype(np.int64)
    keep = np.array([shown_levels is None or v in shown_levels for v in names], dtype=bool)
    n = np.asarray(n, dtype=np.int64)
    atom = tree.atoms[cell]
    rows_at = [_rows_by(tree.nodes[d][cell]) for d in range(depth + 1)]
    children = [_children(tree.nodes[d], tree.nodes[d + 1]) for d in range(depth)]
    memo: dict[tuple[int, int], tuple[int, np.ndarray]] = {}

    def split_rows(rows: np.ndarray) -> tuple[int, np.ndarray]:
        return _hide_levels(atom[rows], codes[rows], n[rows], tree.k, keep)

    def split(d: int, node: int) -> tuple[int, np.ndarray]:
        rows = rows_at[d].get(node, _NO_ROWS)
        # Nodes holding the same rows (a split with one child) share one answer: nested sets
        # with the same first row and the same size are the same set.
        key = (int(rows[0]) if len(rows) else -1, len(rows))  # rows are in ascending order
        if key not in memo:
            memo[key] = split_rows(rows)
        return memo[key]

    width = int(tree.nodes.max()) + 1
    cut = depth * width + tree.nodes[depth].copy()  # per base cell: the node its levels split in
    shown = np.ones(len(cell), dtype=bool)
    stack = [(LEVEL_TOP, int(node)) for node in np.unique(tree.nodes[LEVEL_TOP])]
    while stack:
        d, node = stack.pop()
        loss, hidden = split(d, node)
        kids = children[d].get(node, []) if d < depth else []
        kid_loss = {k: split(d + 1, k)[0] for k in kids}
        if kids and sum(kid_loss.values()) <= loss:
            stack += [(d + 1, k) for k in kids]
            continue
        pool, pool_hidden = _pool(kid_loss, loss, rows_at[d + 1] if kids else {}, n, split_rows)
        if kids and len(pool) < len(kids):
            # The children that hide nothing go on alone; the others split their levels as one.
            stack += [(d + 1, k) for k in kids if k not in pool]
            rows = np.sort(np.concatenate([rows_at[d + 1].get(k, _NO_ROWS) for k in pool]))
            cut[np.isin(tree.nodes[d + 1], pool)] = (d + 1) * width + pool[0]
            shown[rows] = ~pool_hidden
            continue
        cut[tree.nodes[d] == node] = d * width + node
        rows = rows_at[d].get(node, _NO_ROWS)
        shown[rows] = ~hidden
    return LevelSplit(cut=cut, shown=shown)


_NO_ROWS = np.zeros(0, dtype=np.int64)


def _pool(
    kid_loss: dict[int, int], loss: int, rows_at: dict, n: np.ndarray, split_rows
) -> tuple[list[int], np.ndarray]:
    """The children to split as one pool, so the others can each go on alone.

    When the children, each split alone, would hide more than their parent split whole, the
    children that hide nothing alone still can: the ones that hide answers are pooled, with
    the smallest of the others added until the pool hides no more than the parent does. The
    parent's figures then lose no more than a split at the parent would lose, and every
    child outside the pool keeps its own segment figures (close colleagues vs mixed inside
    group coaching, when another small-group format has only 3 close colleagues). Returns
    the pool (all children: split at the parent) and the pool's hidden mask over its rows.
    """
    kids = list(kid_loss)
    if not kids:
        return [], np.zeros(0, dtype=bool)
    size = {k: int(n[rows_at.get(k, _NO_ROWS)].sum()) for k in kids}
    pool = [k for k in kids if kid_loss[k] > 0]
    rest = sorted((k for k in kids if kid_loss[k] == 0), key=lambda k: (size[k], k))
    while True:
        rows = np.sort(np.concatenate([rows_at.get(k, _NO_ROWS) for k in pool] or [_NO_ROWS]))
        pool_loss, hidden = split_rows(rows)
        if pool_loss <= loss or not rest:
            return pool, hidden
        pool.append(rest.pop(0))


def _rows_by(node_of_row: np.ndarray) -> dict[int, np.ndarray]:
    """Row indices per node id (none when there are no rows: a measure with no answers yet)."""
    if not len(node_of_row):
        return {}
    order = np.argsort(node_of_row, kind="stable")
    ids, starts = np.unique(node_of_row[order], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    return {int(i): order[s:e] for i, s, e in zip(ids, starts, ends, strict=True)}


def _children(upper: np.ndarray, lower: np.ndarray) -> dict[int, list[int]]:
    """Per node at the upper depth, its child nodes at the lower depth."""
    pairs = np.unique(np.stack([upper, lower]), axis=1)
    out: dict[int, list[int]] = {}
    for parent, child in pairs.T:
        out.setdefault(int(parent), []).append(int(child))
    return out


def _hide_levels(
    atom: np.ndarray, level: np.ndarray, n: np.ndarray, k: int, keep: np.ndarray
) -> tuple[int, np.ndarray]:
    """Which of a node's rows to hide so no small group follows from what is shown.

    Hidden: the levels with fewer than k respondents in the node and the levels never shown
    (`keep` false), as one pool, plus the other levels that hide the fewest answers while
    making the pool 0 or at least k and leaving no set of cells a reader could work out from
    the node's shown levels and its privacy cells' totals (`_exposed`) with 1 to k − 1
    respondents. Returns the respondents hidden and a mask over the rows.
    """
    if not len(n):
        return 0, np.zeros(0, dtype=bool)
    first = level[0]
    if (level == first).all() and keep[first]:  # one level: nothing to work out
        total = int(n.sum())
        hidden = 0 < total < k
        return (total if hidden else 0), np.full(len(n), hidden)
    levels, lv = np.unique(level, return_inverse=True)
    atoms, at = np.unique(atom, return_inverse=True)
    grid = np.zeros((len(atoms), len(levels)), dtype=np.int64)
    np.add.at(grid, (at, lv), n)
    sizes = grid.sum(axis=0)
    forced = ((sizes > 0) & (sizes < k)) | ~keep[levels]
    free = np.flatnonzero(~forced & (sizes > 0))
    options = []
    for bits in range(2 ** len(free)):
        hidden = forced.copy()
        hidden[free[((bits >> np.arange(len(free))) & 1).astype(bool)]] = True
        pool = int(sizes[hidden].sum())
        if not 0 < pool < k:
            options.append((pool, bits, hidden))
    for pool, _, hidden in sorted(options, key=lambda o: o[:2]):
        if not _exposed(grid, hidden, k):
            return pool, hidden[lv]
    return int(sizes.sum()), np.ones(len(lv), dtype=bool)  # hiding every level is always safe


def _exposed(grid: np.ndarray, hidden: np.ndarray, k: int) -> bool:
    """Whether some cells of the node can be worked out and hold 1 to k − 1 respondents.

    Known: every privacy cell's total (a row of `grid`) and every shown level's total in the
    node (a column), the hidden levels as one pooled column. For a table with known row and
    column totals, the sets of cells that follow are exactly, for some set C of columns, the
    cells outside C in the rows that touch C (plus whole rows). So check every C.
    """
    cols = [grid[:, j] for j in np.flatnonzero(~hidden)]
    if hidden.any():
        cols.append(grid[:, hidden].sum(axis=1))
    table = np.stack(cols, axis=1) if cols else np.zeros((len(grid), 0), dtype=np.int64)
    width = table.shape[1]
    if width < 2:
        return False
    masks = ((np.arange(1, 2**width - 1)[:, None] >> np.arange(width)) & 1).astype(bool)
    inside = table @ masks.T  # per row and column set: the row's cells in the set
    touches = inside > 0
    leftover = np.where(touches, table.sum(axis=1)[:, None] - inside, 0).sum(axis=0)
    return bool(((leftover > 0) & (leftover < k)).any())
