"""Differencing across filters: a survey figure over a department or program selection is shown
only when no other setting of the same filters could be subtracted from it to reveal a group.

Two settings that differ by one department differ by that department's count, and the figure
with the department filter cleared differs from the selection by the rest (the same holds for
programs). So every selected part, and each rest, must be 0 or at least the minimum group
size (privacy.selection_safe), per figure row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.privacy import PrivacyRule, selection_safe
from analysis.queries import Filters

Counts = Callable[[Filters], pd.DataFrame]  # raw (unsuppressed) counts under some filters


def unsafe_rows(
    counts: Counts, filters: Filters, rule: PrivacyRule, keys: list[str], n_col: str
) -> pd.DataFrame:
    """The key rows of `counts(filters)` that a differencing attack could split into a small group.

    For each subset filter in use (departments, programs), the neighbouring settings are: that
    filter cleared (the others kept), and each single selected value. Returns the unsafe keys
    (an empty frame when no department or program filter is active).
    """
    active = [
        (dim, values)
        for dim, values in (("departments", filters.departments), ("programs", filters.programs))
        if values
    ]
    if not active:  # no subset filter: nothing to difference against
        return pd.DataFrame(columns=keys)
    selected = counts(filters)
    if selected.empty:
        return pd.DataFrame(columns=keys)
    n = _n(selected, keys, n_col)
    bad = np.zeros(len(n), dtype=bool)
    for dim, values in active:
        rest = _n(counts(replace(filters, **{dim: ()})), keys, n_col).reindex(n.index).fillna(0) - n
        parts = []
        if len(values) > 1:  # one selected value alone is the selection itself
            parts = [
                _n(counts(replace(filters, **{dim: (v,)})), keys, n_col).reindex(n.index).fillna(0)
                for v in values
            ]
        bad |= np.array(
            [
                not selection_safe([int(p.iloc[i]) for p in parts], int(rest.iloc[i]), rule)
                for i in range(len(n))
            ],
            dtype=bool,
        )
    return n[bad].reset_index()[keys]


def _n(df: pd.DataFrame, keys: list[str], n_col: str) -> pd.Series:
    if df.empty:
        return pd.Series(dtype="float64")
    return df.groupby(keys)[n_col].sum()


def hide_rows(
    df: pd.DataFrame, unsafe: pd.DataFrame, keys: list[str], n_col: str, value_cols: list[str]
) -> pd.DataFrame:
    """Suppress the rows of a figure frame whose keys are unsafe (status 'suppressed')."""
    if unsafe.empty:
        return df
    mask = df[keys].merge(unsafe.assign(_bad=True), on=keys, how="left")["_bad"].fillna(False)
    mask = mask.to_numpy(dtype=bool)
    out = df.copy()
    for col in value_cols:
        if col in out:
            out[col] = out[col].astype("float64").where(~mask, np.nan)
    out[n_col] = out[n_col].astype("Int64").where(~mask, pd.NA)
    status = f"{n_col}_status"
    if status in out:
        out.loc[mask & (out[status] == "shown").to_numpy(), status] = "suppressed"
    return out
