"""KPI cards laid out side by side, from the ready texts in analysis.texts."""

from __future__ import annotations

import streamlit as st

from analysis.texts import Card


def show_cards(cards: list[Card]) -> None:
    """One bordered column per card: its title, then each metric with its caption."""
    if not cards:
        return
    for col, card in zip(st.columns(len(cards)), cards, strict=True):
        with col, st.container(border=True):
            st.subheader(card.title)
            for m in card.metrics:
                st.metric(m.label, m.value, border=False)
                st.caption(m.caption)
