"""The Compare page's arm pickers and presets: widgets whose choices are kept as arm text.

Each arm's choices live in widget state (`cmp_a_kind`, `cmp_a_what`, …); the arm text they make
(`variant=book_club`) is kept in `cmp_a` / `cmp_b`, which the URL holds (ui/view_state.py). A
preset or a shared link sets the arm text, and the widgets are filled from it.
"""

from __future__ import annotations

import streamlit as st

from analysis.compare.arms import ArmError, parse_arm
from analysis.compare.presets import (
    DEFAULT_PRESET,
    KINDS,
    PRESETS,
    SEGMENT_CHOICES,
    WHAT_CHOICES,
    choices,
    spec,
)
from analysis.domain import FORMAT_LABELS, VARIANT_FORMAT, VARIANT_LABELS
from analysis.metrics import FilterOptions
from ui import data

FIELDS = ("kind", "what", "program", "cohorts", "variant", "segment")
DEFAULTS = {
    "kind": "what",
    "what": "format:small_group",
    "cohorts": [],
    "variant": "group_coaching",
    "segment": "works_together=yes",
}


def valid_arm(text: str) -> bool:
    """Whether a URL's arm text is one the page can show (programs and cohorts must exist)."""
    if not choices(text):
        return False
    try:
        parse_arm(text, data.store())
    except ArmError:
        return False
    return True


def what_label(choice: str) -> str:
    """'Small groups (format)', 'Book club'."""
    kind, _, value = choice.partition(":")
    if kind == "format":
        return f"{FORMAT_LABELS[value]} (all of the format)"
    return VARIANT_LABELS.get(value, value)


def _key(side: str, name: str) -> str:
    return f"cmp_{side}_{name}"


def _fill(side: str, opts: FilterOptions) -> None:
    """Fill the arm's widgets from its arm text when they are not set (first visit, a preset)."""
    state = st.session_state
    default = PRESETS[DEFAULT_PRESET].a if side == "a" else PRESETS[DEFAULT_PRESET].b
    text = state.get(f"cmp_{side}") or default
    if _key(side, "kind") not in state:
        chosen = choices(text) or choices(default)
        for name, value in chosen.items():
            state[_key(side, name)] = value
    fallback = {**DEFAULTS, "program": next(iter(opts.programs), None)}
    for name in FIELDS:
        if _key(side, name) not in state:
            state[_key(side, name)] = fallback[name]
    # choices that no longer exist in the data (after an undo) fall back
    if state[_key(side, "program")] not in opts.programs:
        state[_key(side, "program")] = fallback["program"]
    state[_key(side, "cohorts")] = [c for c in state[_key(side, "cohorts")] if c in opts.cohorts]


def _sync(side: str) -> None:
    """Keep the arm text in step with the widgets (before the rerun writes the URL)."""
    state = st.session_state
    text = spec(
        state.get(_key(side, "kind"), "what"),
        what=state.get(_key(side, "what")),
        program=state.get(_key(side, "program")),
        cohorts=tuple(state.get(_key(side, "cohorts")) or ()),
        variant=state.get(_key(side, "variant")),
        segment=state.get(_key(side, "segment")),
    )
    if text:
        state[f"cmp_{side}"] = text


def apply_preset(name: str) -> None:
    """A preset's button: both arms' text set, their widgets refilled from it."""
    state = st.session_state
    preset = PRESETS[name]
    state["cmp_a"], state["cmp_b"] = preset.a, preset.b
    for side in ("a", "b"):
        for field in FIELDS:
            state.pop(_key(side, field), None)


def preset_buttons() -> None:
    """One button per preset pair of the seed."""
    with st.container(horizontal=True, gap="small"):
        for name, preset in PRESETS.items():
            current = (st.session_state.get("cmp_a"), st.session_state.get("cmp_b"))
            st.button(
                preset.label,
                key=f"cmp_preset_{name}",
                on_click=apply_preset,
                args=(name,),
                type="primary" if current == (preset.a, preset.b) else "secondary",
            )


def arm_picker(side: str, heading: str, opts: FilterOptions) -> str | None:
    """The widgets for one arm; returns its arm text (None while no cohort is chosen)."""
    _fill(side, opts)
    st.markdown(f"**{heading}**")
    kind = st.selectbox(
        "Choose by",
        list(KINDS),
        format_func=KINDS.get,
        key=_key(side, "kind"),
        on_change=_sync,
        args=(side,),
    )
    common = {"on_change": _sync, "args": (side,)}
    if kind == "what":
        st.selectbox(
            "Format or variant",
            WHAT_CHOICES,
            format_func=what_label,
            key=_key(side, "what"),
            **common,
        )
    elif kind == "program":
        st.selectbox(
            "Program",
            list(opts.programs),
            format_func=opts.programs.get,
            key=_key(side, "program"),
            **common,
        )
    elif kind == "cohorts":
        st.multiselect(
            "Cohorts (together)",
            list(opts.cohorts),
            format_func=opts.cohorts.get,
            key=_key(side, "cohorts"),
            placeholder="Choose one or more cohorts",
            **common,
        )
    else:
        st.selectbox(
            "Variant",
            list(VARIANT_FORMAT),
            format_func=VARIANT_LABELS.get,
            key=_key(side, "variant"),
            **common,
        )
        st.selectbox(
            "Segment",
            list(SEGMENT_CHOICES),
            format_func=SEGMENT_CHOICES.get,
            key=_key(side, "segment"),
            **common,
        )
    if kind == "cohorts" and not st.session_state.get(_key(side, "cohorts")):
        return None
    _sync(side)
    return st.session_state.get(f"cmp_{side}")
