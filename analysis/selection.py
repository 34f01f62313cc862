"""Differencing across filters: a survey figure over a department or program selection is shown
only when no other setting of the same filters could be subtracted from it to reveal a group.

Two settings that differ by one department differ by that department's count, and the figure
for everyone differs from the selection by the rest. So every selected part, and the rest,
must be 0 or at least the minimum group size (privacy.selection_safe), per figure row.
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

    Returns a frame of the unsafe keys (empty when no department or program filter is active).
    """
    parts = [("departments", d) for d in filters.departments]
    parts += [("programs", p) for p in filters.programs]
    if not parts:  # no subset filter: nothing to difference against
        return pd.DataFrame(columns=keys)
    selected = counts(filters)
    if selected.empty:
        return pd.DataFrame(columns=keys)
    everyone = _n(counts(replace(filters, departments=(), programs=())), keys, n_col)
    table = _n(selected, keys, n_col).rename("n").to_frame()
    table["rest"] = everyone.reindex(table.index).fillna(0) - table["n"]
    per_part = []
    if len(parts) > 1:  # one selected part alone is the selection itself
        for dim, value in parts:
            single = replace(filters, **{dim: (value,)})
            per_part.append(_n(counts(single), keys, n_col).reindex(table.index).fillna(0))
    bad = [
        not selection_safe([int(p.iloc[i]) for p in per_part], int(table["rest"].iloc[i]), rule)
        for i in range(len(table))
    ]
    return table[np.array(bad, dtype=bool)].reset_index()[keys]


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
