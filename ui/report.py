"""Streamlit side of the report: the "pin to report" button and the cached report items."""

from __future__ import annotations

import streamlit as st

from analysis import engine
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from analysis.report import pins as pin_store
from analysis.report.build import Report, build_report
from analysis.report.items import ReportItem, build_item
from analysis.report.pins import Pin
from ui import data

CACHE_TTL = 3600


def pin_button(pin: Pin, key: str) -> None:
    """'Pin to report' under a chart; 'Pinned' once this chart and view are in the report."""
    db = data.store()
    if pin_store.is_pinned(db, pin):
        st.button("Pinned to report", icon=":material/push_pin:", key=f"pin_{key}", disabled=True)
        return
    if st.button("Pin to report", icon=":material/push_pin:", key=f"pin_{key}"):
        pin_store.add_pin(db, pin)
        st.session_state.pop("report_files", None)  # a built deck no longer matches the pins
        st.toast("Pinned: the Report page lists it.", icon=":material/push_pin:")
        st.rerun()


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _item(db_token: str, version: int, min_group_size: int, pin: Pin) -> ReportItem:
    return build_item(data.store(), PrivacyRule(min_group_size), pin)


def item(pin: Pin) -> ReportItem:
    """A pinned chart rebuilt from the current data (cached per dataset version)."""
    db = data.store()
    return _item(*engine.data_key(db), data.privacy_rule().min_group_size, pin)


def report(pins: list[Pin]) -> Report:
    """The report of these pins (their cached items), images rendered on the server."""
    return build_report(
        data.store(),
        data.privacy_rule(),
        pins,
        items=[item(pin) for pin in pins],
        judged=data.claims(Filters()),
    )
