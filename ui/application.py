"""Cached accessors for the Application page, keyed on dataset version, filters and the rule."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import application as app
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from ui import data

TTL, ENTRIES = 3600, 128


def _key(filters: Filters) -> tuple[str, int, Filters, int]:
    """The cache key parts: database, dataset version, filters, minimum group size."""
    db = data.store()
    return db.token, db.dataset_version(), filters, data.privacy_rule().min_group_size


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _cached(
    name: str, db_token: str, version: int, filters: Filters, min_n: int, **kwargs: object
) -> pd.DataFrame:
    """One analysis call; the dataset version makes every import invalidate it."""
    fn = getattr(app, name)
    return fn(data.store(), filters, PrivacyRule(min_group_size=min_n), **kwargs)


def get(name: str, filters: Filters, **kwargs: object) -> pd.DataFrame:
    """Run (or reuse) one of analysis.application's figure functions under the filters."""
    path, version, filters, min_n = _key(filters)
    return _cached(name, path, version, filters, min_n, **kwargs)
